"""The supervisor of ``secondline up`` on a fake suite and a fake clock (no processes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from secondline.cli.up.supervisor import Supervisor


class FakeProcess:
    def __init__(self, pid: int) -> None:
        self.pid, self.returncode = pid, None

    def poll(self):
        return self.returncode


@dataclass
class FakeService:
    name: str
    process: FakeProcess
    address: str = "127.0.0.1:1"
    log_path: Path = Path("x.log")

    def log_tail(self) -> str:
        return "the last words"


class FakeSuite:
    def __init__(self, tmp_path: Path, *names: str) -> None:
        self.data_dir = tmp_path
        (tmp_path / "run").mkdir()
        self.pids = iter(range(100, 10_000))
        self.services = {name: FakeService(name, FakeProcess(next(self.pids))) for name in names}
        self.restarts: list[str] = []

    def restart(self, name: str):
        self.restarts.append(name)
        self.services[name] = FakeService(name, FakeProcess(next(self.pids)))
        return self.services[name]

    def kill(self, name: str, code: int = -9) -> None:
        self.services[name].process.returncode = code


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def supervised(tmp_path, *names):
    suite, clock, said = FakeSuite(tmp_path, *names), Clock(), []
    return suite, clock, said, Supervisor(suite, said.append, clock=clock, backoff=0.5, max_backoff=4.0,
                                          stable_after=30.0, give_up_after=4)


def test_a_dead_service_is_restarted_after_its_backoff_and_the_others_are_left_alone(tmp_path):
    suite, clock, said, supervisor = supervised(tmp_path, "ingestion", "classification", "gate")
    gate_pid = suite.services["gate"].process.pid
    clock.now = 100.0
    suite.kill("classification")
    supervisor.tick()
    assert suite.restarts == [] and "service classification (pid 101) exited with code -9" in said[-1]
    assert "restarting it in 0.5 s" in said[-1]
    clock.now = 100.4
    supervisor.tick()
    assert suite.restarts == []
    clock.now = 100.5
    supervisor.tick()
    assert suite.restarts == ["classification"] and "service classification restarted" in said[-1]
    assert suite.services["gate"].process.pid == gate_pid and supervisor.running


def test_the_backoff_doubles_with_each_fast_failure_and_is_capped(tmp_path):
    suite, clock, said, supervisor = supervised(tmp_path, "gate")
    delays = []
    for _ in range(3):
        suite.kill("gate")
        supervisor.tick()
        delays.append(supervisor.watches["gate"].restart_at - clock.now)
        clock.now = supervisor.watches["gate"].restart_at
        supervisor.tick()
        clock.now += 1.0  # dies again soon after its start
    assert delays == [0.5, 1.0, 2.0]


def test_a_service_that_ran_a_while_starts_counting_its_failures_afresh(tmp_path):
    suite, clock, said, supervisor = supervised(tmp_path, "gate")
    for _ in range(3):
        suite.kill("gate")
        supervisor.tick()
        clock.now = supervisor.watches["gate"].restart_at
        supervisor.tick()
    clock.now += 31.0  # stable for longer than stable_after
    suite.kill("gate")
    supervisor.tick()
    assert supervisor.watches["gate"].failures == 1 and "restarting it in 0.5 s" in said[-1]


def test_repeated_fast_failures_give_up_on_that_service_only_with_its_log_tail(tmp_path):
    suite, clock, said, supervisor = supervised(tmp_path, "ingestion", "gate")
    for _ in range(4):
        suite.kill("ingestion", code=2)
        supervisor.tick()
        if supervisor.watches["ingestion"].restart_at is not None:
            clock.now = supervisor.watches["ingestion"].restart_at
            supervisor.tick()
        clock.now += 0.1
    assert supervisor.watches["ingestion"].given_up and suite.restarts == ["ingestion"] * 3
    assert said[-1].startswith("secondline: giving up on service ingestion: it exited 4 times in a row")
    assert "last exit code 2" in said[-1] and "the last words" in said[-1]
    assert supervisor.running  # the gate is still supervised
    suite.kill("gate")
    for _ in range(4):
        supervisor.tick()
        if supervisor.watches["gate"].restart_at is not None:
            clock.now = supervisor.watches["gate"].restart_at
            supervisor.tick()
            suite.kill("gate")
    assert not supervisor.running
