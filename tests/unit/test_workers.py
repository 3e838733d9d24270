"""The worker supervisor's parts without a service: the addresses it reserves, and the pool
that restarts workers with backoff and gives up on one that keeps failing (fake processes,
fake clock)."""

from __future__ import annotations

import socket

import pytest

from secondline.restarts import RestartPolicy
from secondline.workers import WorkerPool, reserve


def test_port_zero_is_chosen_and_held_for_the_workers_alone():
    held, address = reserve("127.0.0.1:0")
    with held:
        host, port = address.rsplit(":", 1)
        assert host == "127.0.0.1" and int(port) > 0
        with socket.socket() as stranger, pytest.raises(OSError):  # no SO_REUSEPORT: refused
            stranger.bind((host, int(port)))
        with socket.socket() as worker:  # a worker, with SO_REUSEPORT, binds and listens beside it
            worker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            worker.bind((host, int(port)))
            worker.listen()
            with socket.create_connection((host, int(port)), timeout=2):
                conn, _ = worker.accept()  # the held socket does not listen: every connection is a worker's
                conn.close()


def test_an_address_served_by_a_process_of_its_own_cannot_be_reserved_and_is_named():
    with socket.socket() as alone:
        alone.bind(("127.0.0.1", 0))
        alone.listen()
        taken = f"127.0.0.1:{alone.getsockname()[1]}"
        with pytest.raises(OSError, match=f"cannot listen on {taken}"):
            reserve(taken)


class FakeProcess:
    def __init__(self, pid: int) -> None:
        self.pid, self.returncode, self.stdin = pid, None, None

    def poll(self):
        return self.returncode


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def pool_of(count: int):
    clock, spawned = Clock(), []

    def spawn(argv, env):
        spawned.append(argv)
        return FakeProcess(len(spawned))

    pool = WorkerPool(lambda i: ["worker", str(i)], count, env={}, clock=clock, spawn=spawn,
                      policy=RestartPolicy(backoff=0.5, max_backoff=4.0, stable_after=30.0, give_up_after=3))
    pool.start()
    return pool, clock, spawned


def test_a_worker_that_ends_is_started_again_after_its_backoff_and_the_others_are_left_alone():
    pool, clock, spawned = pool_of(2)
    assert spawned == [["worker", "1"], ["worker", "2"]]
    clock.now = 100.0
    pool.slots[1].process.returncode = -9
    assert pool.tick() and len(spawned) == 2  # noted; restart due in 0.5 s
    clock.now = 100.4
    assert pool.tick() and len(spawned) == 2
    clock.now = 100.5
    assert pool.tick() and spawned[-1] == ["worker", "1"]
    assert pool.pids() == {1: 3, 2: 2}


def test_a_worker_failing_again_and_again_soon_after_its_start_breaks_the_pool():
    pool, clock, spawned = pool_of(2)
    delays = []
    for _ in range(2):
        pool.slots[2].process.returncode = 1
        assert pool.tick()
        delays.append(pool.slots[2].restart_at - clock.now)
        clock.now = pool.slots[2].restart_at
        assert pool.tick()
        clock.now += 1.0
    assert delays == [0.5, 1.0]
    pool.slots[2].process.returncode = 1
    assert not pool.tick()  # the third failure in a row: given up


def test_a_worker_that_ran_a_while_starts_counting_afresh():
    pool, clock, _ = pool_of(1)
    for _ in range(2):
        pool.slots[1].process.returncode = 1
        pool.tick()
        clock.now = pool.slots[1].restart_at
        pool.tick()
    clock.now += 31.0
    pool.slots[1].process.returncode = 1
    assert pool.tick() and pool.slots[1].failures == 1
