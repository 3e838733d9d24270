"""One catch-up: ingestion and a fresh classification as separate processes, timed until the last record is applied."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import grpc

from secondline.classification.v1 import classification_pb2, classification_pb2_grpc
from secondline.cli.bench.common import cpu_seconds, thread_cpu_seconds
from secondline.cli.up.suite import Layout, ServiceSpec, embedded_settings, start_suite

PRINCIPAL = (("x-secondline-principal", "operator/bench"),)


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as found:
        return found.read().rsplit(")", 1)[1].split()


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat(int(entry))[1]) == pid:
                    found.append(int(entry))
            except (OSError, IndexError):
                continue
    return found


def rss_peak_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def postgres_server_cpu() -> float | None:
    """CPU seconds a PostgreSQL server on this machine has used so far: its processes' own, and
    that of the backends that have ended (the postmaster's children's time); None when no server
    process is visible (a server elsewhere, or off Linux). Its backends share the two cores with
    the services, which the services' own CPU figures leave out."""
    found: dict[int, list[str]] = {}
    try:
        entries = [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return None
    for pid in entries:
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() == "postgres":
                    found[pid] = _stat(pid)
        except OSError:  # ended meanwhile
            continue
    if not found:
        return None
    ticks = 0
    for fields in found.values():
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        if int(fields[1]) not in found:  # the postmaster: and its children that have ended
            ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


class Family:
    """A process and its children (classification's timeline workers): CPU and peak memory,
    sampled as it runs, so that a child is counted even if it ends before the run does."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.cpu: dict[int, float] = {}
        self.peak: dict[int, float] = {}
        self.loop_cpu = 0.0
        """The process's main thread (a service's event loop: the feed, the gRPC calls)."""

    def sample(self) -> None:
        self.loop_cpu = thread_cpu_seconds(self.pid).get(self.pid, self.loop_cpu)
        for pid in [self.pid, *children(self.pid)]:
            used = cpu_seconds(pid)
            try:
                peak = rss_peak_mb(pid)
            except OSError:
                continue
            if used is not None:  # None: it ended meanwhile
                self.cpu[pid], self.peak[pid] = used, peak

    @property
    def workers(self) -> int:
        return len(self.cpu) - 1


def catch_up(data: Path, url_for: Callable[[str], str], last: int, extra: dict) -> dict:
    """Start ingestion and classification (with ``extra`` settings) on ``data``; time the catch-up."""
    def settings(name: str, layout: Layout) -> dict:
        found = embedded_settings(name, layout)
        found["database"] = {"url": url_for(name)}
        found["telemetry"] = {"log_level": "WARNING"}
        if name == "classification":
            found["ingestion_address"] = layout.addresses["ingestion"]
            found.update(extra)
        return found

    specs = (ServiceSpec("ingestion", "secondline.services.ingestion", settings),
             ServiceSpec("classification", "secondline.services.classification", settings))
    suite = start_suite(data, services=specs, ready_timeout=120)
    pids = suite.pids()
    classification, ingestion = Family(pids["classification"]), Family(pids["ingestion"])
    classification.sample()
    ingestion.sample()
    start_cpu = (sum(classification.cpu.values()), sum(ingestion.cpu.values()))
    start_each, start_loop = dict(classification.cpu), classification.loop_cpu
    start_server = postgres_server_cpu()
    started = time.perf_counter()
    lags = []
    try:
        with grpc.insecure_channel(suite.address("classification")) as channel:
            stub = classification_pb2_grpc.ClassificationServiceStub(channel)
            while True:
                status = stub.GetStatus(classification_pb2.GetStatusRequest(), metadata=PRINCIPAL)
                applied = int(status.record_cursor or 0)
                elapsed = time.perf_counter() - started
                lags.append((elapsed, last - applied))
                classification.sample()
                if applied >= last:
                    break
                if suite.exited():
                    raise RuntimeError(suite.exited().log_tail())
                time.sleep(0.25)
        ingestion.sample()
        end_server = postgres_server_cpu()
    finally:
        suite.stop()
    return {"seconds": elapsed, "lags": lags, "revision": status.revision,
            "peak_mb": sum(classification.peak.values()), "workers": classification.workers,
            # the service's own process first, then its workers
            "peaks_mb": [classification.peak.get(classification.pid, float("nan")),
                         *(mb for pid, mb in classification.peak.items() if pid != classification.pid)],
            "cpu": sum(classification.cpu.values()) - start_cpu[0], "ingestion_cpu": sum(ingestion.cpu.values()) - start_cpu[1],
            # likewise: the service's own process, then each child; and its event loop's share
            "cpus": [used - start_each.get(pid, 0.0) for pid, used in
                     sorted(classification.cpu.items(), key=lambda item: item[0] != classification.pid)],
            "loop_cpu": classification.loop_cpu - start_loop,
            "postgres_cpu": end_server - start_server if start_server is not None and end_server is not None else None}
