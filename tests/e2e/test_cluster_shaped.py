"""The suite shaped as the production overlay deploys it, on one machine (k8s/, issue 14 item 7).

Ingestion, classification and two gate replicas run as the rendered manifests say
(:mod:`tests.e2e.cluster`: the Deployments' commands, the ConfigMaps as files, the environment,
mutual TLS between every pair, a schema of their own on the test PostgreSQL; the init
containers' migrations run first, twice).

Two gate replicas stand behind one lane client channel (round robin, a retry policy in the
service config). One replica is killed (SIGKILL) under load: every Decide is answered. Then
classification is killed: the gate keeps answering from its snapshot.

Each gate replica runs the overlay's ``workers`` processes sharing its port, each with its own
snapshot and counters: GetGateStatus answers for the worker holding the connection, so each
worker is asked over fresh connections until all have answered.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta, timezone

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from secondline.gate.v1 import gate_pb2 as pb
from secondline.gate.v1 import gate_pb2_grpc
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rpc.convert import timestamp
from tests.e2e.cluster import REQUIREMENTS, ClusterShaped, Process, tls_channel
from tests.helpers import record

SERVICES = ("ingestion", "classification", "gate")
LISTED = "91460100MA5T0A3D5P"
CALLS, KILL_AFTER, WORKERS = 1500, 300, 16

pytestmark = REQUIREMENTS

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


async def worker_statuses(cluster: ClusterShaped, gate: Process) -> dict[int, pb.GetGateStatusResponse]:
    """Each worker's GetGateStatus (by its number) of one gate replica."""
    count = int(gate.env.get("SECONDLINE_GATE_WORKERS", "1"))
    found: dict[int, pb.GetGateStatusResponse] = {}
    for _ in range(500):
        async with tls_channel(cluster.ca, "operator/ops", f"127.0.0.1:{gate.port}", server_name="gate",
                               options=[("grpc.use_local_subchannel_pool", 1)]) as ch:
            try:
                status = await gate_pb2_grpc.GateServiceStub(ch).GetGateStatus(pb.GetGateStatusRequest(), timeout=5)
            except grpc.aio.AioRpcError:  # a worker still loading does not listen yet
                await asyncio.sleep(0.05)
                continue
        found[status.worker or 1] = status
        if len(found) == count:
            return found
    raise AssertionError(f"{gate.name}: only workers {sorted(found)} of {count} answered GetGateStatus")


def crossing(n: int) -> pb.Crossing:
    return pb.Crossing(crossing_id=f"k-{n}", at=timestamp(datetime.now(timezone.utc)), enterprise=LISTED, port="HAIKOU_XINHAI")


async def test_one_gate_replica_killed_under_load_and_classification_killed_every_decide_is_answered(tmp_path, schema_url):
    cluster = ClusterShaped(tmp_path, schema_url)
    processes: list[Process] = []
    try:
        for name in SERVICES:
            processes += await cluster.start(name, replicas=2 if name == "gate" else 1)
        ingestion, classification, gate_a, gate_b = processes

        # A department files a listing over mutual TLS; both gates' snapshots take it.
        async with tls_channel(cluster.ca, "department/MARITIME", cluster.addresses["ingestion"], server_name="ingestion") as ch:
            await ingestion_pb2_grpc.IngestionServiceStub(ch).SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(
                enterprise=LISTED, kind="DISHONESTY_LISTED", list="MARITIME", severity="SERIOUS",
                decided_on=date.today() - timedelta(days=1))), timeout=10)
        assert int(gate_a.env["SECONDLINE_GATE_WORKERS"]) == 2  # the production overlay's
        for gate in (gate_a, gate_b):  # every worker of each replica
            for _ in range(600):
                if all(s.subjects >= 1 for s in (await worker_statuses(cluster, gate)).values()):
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError(f"{gate.name} never held the listing in every worker")

        target = f"ipv4:127.0.0.1:{gate_a.port},127.0.0.1:{gate_b.port}"
        async with tls_channel(cluster.ca, "lane/HAIKOU_XINHAI", target, server_name="gate",
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
                logged[gate.name] = sum(s.decisions_logged + s.decisions_queued
                                        for s in (await worker_statuses(cluster, gate)).values())
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
