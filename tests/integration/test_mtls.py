"""In a cluster, mutual TLS names the caller: the client certificate's common name is the
principal, and the metadata key is ignored (DESIGN "Security")."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.services.ingestion.app import IngestionSettings, build
from secondline.telemetry import setup_telemetry
from tests.helpers import record


def issue(name: str, issuer=None, *, ca=False, san=None):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer[0].subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
    cert = builder.sign(issuer[1] if issuer else key, hashes.SHA256())
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return cert, key, cert.public_bytes(serialization.Encoding.PEM), pem_key


@pytest.fixture
def pki(tmp_path):
    ca = issue("secondline test CA", ca=True)
    server = issue("ingestion", (ca[0], ca[1]), san="localhost")
    files = {}
    for name, (_, _, cert, key) in {"ca": ca, "server": server}.items():
        (tmp_path / f"{name}.crt").write_bytes(cert)
        (tmp_path / f"{name}.key").write_bytes(key)
        files[name] = (tmp_path / f"{name}.crt", tmp_path / f"{name}.key")
    return ca, files


async def test_the_client_certificate_names_the_department(tmp_path, pki):
    ca, files = pki
    settings = IngestionSettings.model_validate({
        "database": {"url": f"sqlite:///{tmp_path}/i.sqlite"},
        "server": {"listen": "127.0.0.1:0", "tls": {"cert_file": str(files["server"][0]),
                                                    "key_file": str(files["server"][1]),
                                                    "client_ca_file": str(files["ca"][0])}},
    })
    host = build(settings, telemetry=setup_telemetry("ingestion"))
    port = await host.start()
    try:
        def channel(common_name):
            _, _, cert, key = issue(common_name, (ca[0], ca[1]))
            credentials = grpc.ssl_channel_credentials(files["ca"][0].read_bytes(), key, cert)
            return grpc.aio.secure_channel(f"localhost:{port}", credentials)

        request = ingestion_pb2.SubmitRecordRequest(record=record(enterprise="91460100MA5T0A3D5P"))
        async with channel("department/ANTI_SMUGGLING") as ok:
            reply = await ingestion_pb2_grpc.IngestionServiceStub(ok).SubmitRecord(request)
            assert reply.record.source == common_pb2.DEPARTMENT_ANTI_SMUGGLING  # from the certificate
        async with channel("department/TAX") as tax:
            # The metadata claims anti-smuggling; the certificate says tax, and wins.
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await ingestion_pb2_grpc.IngestionServiceStub(tax).SubmitRecord(
                    request, metadata=(("x-secondline-principal", "department/ANTI_SMUGGLING"),))
            assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        await host.stop()
