"""The worker supervisor's parts without a service: the addresses it reserves, and the pool
that restarts workers with backoff, gives up on one that keeps failing, and kills one that
stops beating (fake processes with real heartbeat pipes, fake clock)."""

from __future__ import annotations

import os
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
    """A worker as the pool sees it, holding the write end of its heartbeat pipe as a child would."""

    def __init__(self, pid: int, beat_fd: int) -> None:
        self.pid, self.returncode, self.stdin = pid, None, None
        self.beat_fd = os.dup(beat_fd)
        self.killed = False

    def poll(self):
        return self.returncode

    def kill(self) -> None:
        self.killed, self.returncode = True, -9

    def beat(self) -> None:
        os.write(self.beat_fd, b".")


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pool_of():
    made: list[FakeProcess] = []

    def make(count: int, **options):
        clock, spawned = Clock(), []

        def spawn(argv, env, beat_fd):
            spawned.append(argv)
            made.append(FakeProcess(len(spawned), beat_fd))
            return made[-1]

        pool = WorkerPool(lambda i: ["worker", str(i)], count, env={}, clock=clock, spawn=spawn,
                          policy=RestartPolicy(backoff=0.5, max_backoff=4.0, stable_after=30.0, give_up_after=3), **options)
        pool.start()
        return pool, clock, spawned

    yield make
    for process in made:
        os.close(process.beat_fd)


def test_a_worker_that_ends_is_started_again_after_its_backoff_and_the_others_are_left_alone(pool_of):
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


def test_a_worker_failing_again_and_again_soon_after_its_start_breaks_the_pool(pool_of):
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


def test_a_worker_that_ran_a_while_starts_counting_afresh(pool_of):
    pool, clock, _ = pool_of(1)
    for _ in range(2):
        pool.slots[1].process.returncode = 1
        pool.tick()
        clock.now = pool.slots[1].restart_at
        pool.tick()
    clock.now += 31.0
    pool.slots[1].process.returncode = 1
    assert pool.tick() and pool.slots[1].failures == 1


def test_a_worker_that_stops_beating_is_killed_and_started_again_and_one_that_beats_is_left_alone(pool_of):
    pool, clock, spawned = pool_of(2, hang_seconds=10.0, start_seconds=60.0)
    first, second = pool.slots[1].process, pool.slots[2].process
    for now in (5.0, 10.0, 15.0):  # both beat; then worker 1's loop stops
        clock.now = now
        second.beat()
        if now < 15.0:
            first.beat()
        assert pool.tick()
    clock.now = 25.0  # worker 1 silent for 15 s > 10 s
    second.beat()
    assert pool.tick()
    assert first.killed and not second.killed
    clock.now = 25.1
    assert pool.tick()  # noted as ended
    clock.now = pool.slots[1].restart_at
    second.beat()
    assert pool.tick() and spawned[-1] == ["worker", "1"] and pool.slots[1].process is not first


def test_a_worker_gets_its_start_time_before_its_first_beat_is_due(pool_of):
    pool, clock, _ = pool_of(1, hang_seconds=10.0, start_seconds=60.0)
    clock.now = 59.0
    assert pool.tick() and not pool.slots[1].process.killed  # silent, but still starting
    clock.now = 61.0
    assert pool.tick() and pool.slots[1].process.killed


async def test_a_worker_beats_from_its_event_loop_until_cancelled():
    import asyncio

    from secondline.worker import beat

    beats, beat_fd = os.pipe()
    try:
        task = asyncio.create_task(beat(beat_fd, every=0.01))
        await asyncio.sleep(0.1)
        task.cancel()
        os.set_blocking(beats, False)
        assert len(os.read(beats, 4096)) >= 2
    finally:
        os.close(beats)
        os.close(beat_fd)
