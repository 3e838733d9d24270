"""A service as N worker processes sharing its ports: a small supervisor, and what a worker needs.

Python runs one thread of Python at a time, so one process of a CPU-bound service (the lane
gate) uses one core. With ``workers: N`` the process started becomes a supervisor that serves
nothing itself: it runs the migrations once (the workers do not), reserves the listening
addresses, and starts N workers, each ``python -m <service> ... --worker I``, spawned fresh
(never forked from a process that imported gRPC). Each worker is the whole service with its own
state (the gate: its own snapshot following classification's feed, its own decision-log
writer) and listens on the same addresses with ``SO_REUSEPORT`` (the gRPC option
``grpc.so_reuseport``, set to 1 explicitly): the kernel spreads incoming *connections* over
the listening workers, so one client connection stays with one worker.

Port 0 works with N workers too: the supervisor binds each address first, with
``SO_REUSEPORT`` and without listening, and hands the port the kernel chose to every worker.
That socket is held for the supervisor's life: no connection is ever handed to it (it does not
listen), but no other program can take the port while workers start again.

A worker that ends is started again after a backoff (:class:`~secondline.restarts.RestartPolicy`),
and the log says so; one that keeps failing soon after its start makes the supervisor stop the
others and exit with status 1, for the orchestrator to see (a pod in CrashLoopBackOff rather
than one serving with fewer workers than asked). SIGTERM or SIGINT to the supervisor stops
every worker gracefully (SIGTERM, then SIGKILL after the grace). Workers run in sessions of
their own, so signals reach them only through the supervisor, and each reads a pipe from it:
when the supervisor dies, even by SIGKILL, the pipe ends and the worker ends at once with it, as
every process of a killed container does, rather than serving on as an orphan. At once, not
gracefully: a graceful stop refuses the calls that keep coming in the meantime (CANCELLED, which
clients do not retry), where a connection that ends is UNAVAILABLE, which they retry elsewhere.
What the worker's decision-log queue held is lost as in any crash (the last flush interval).

A worker that hangs (its event loop blocked, or stopped) is killed and started again: each
worker beats once a second on a pipe of its own from its event loop (:mod:`secondline.worker`), and the supervisor kills
(SIGKILL) one whose last beat is older than ``hang_seconds`` (a first beat is waited for
``start_seconds``, the time a worker takes to import and build before its loop runs). The
health port cannot tell: it is shared, so a probe reaches whichever worker the kernel picks,
while a hung worker would keep receiving its share of the lanes' new connections.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from secondline.restarts import RestartPolicy
from secondline.worker import HEARTBEAT_FD

__all__ = ["WorkerPool", "reserve", "run_supervisor", "supervise"]

log = logging.getLogger(__name__)


def _host_port(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise OSError(f"{address!r} is not host:port")
    return host.strip("[]"), int(port)


def reserve(address: str) -> tuple[socket.socket, str]:
    """A socket bound to ``address`` with SO_REUSEPORT, not listening, and the address with the
    port it holds (the one the kernel chose when ``address`` ends in ``:0``)."""
    host, port = _host_port(address)
    try:
        sock = _bound(host, port)
    except OSError as exc:
        if host != "::" or exc.errno != errno.EAFNOSUPPORT:
            raise OSError(f"cannot listen on {address}: {exc.strerror}") from exc
        sock = _bound("0.0.0.0", port)  # no IPv6 here: gRPC falls back to IPv4 for [::] too
    chosen = sock.getsockname()[1]
    return sock, f"{address.rpartition(':')[0]}:{chosen}"


def _bound(host: str, port: int) -> socket.socket:
    family, kind, proto, _, where = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                       flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(where)
    except OSError:
        sock.close()
        raise
    return sock


@dataclass
class _Slot:
    index: int
    process: subprocess.Popen
    beats: int  # the read end of its heartbeat pipe
    started: float  # monotonic instant of its last start
    last_beat: float | None = None  # monotonic instant of its last beat; None: none yet
    failures: int = 0  # failures in a row, each soon after its start
    restart_at: float | None = None  # when a restart is due, once it ended


def _spawn(argv: list[str], env: Mapping[str, str], beat_fd: int) -> subprocess.Popen:
    # stdin: the pipe whose end tells the worker that the supervisor is gone; stdout and
    # stderr are the supervisor's (the pod's log); a session of its own: signals come from here;
    # ``beat_fd``: the write end of its heartbeat pipe, named in its environment.
    return subprocess.Popen(argv, env={**env, HEARTBEAT_FD: str(beat_fd)}, stdin=subprocess.PIPE,
                            start_new_session=True, pass_fds=(beat_fd,))


class WorkerPool:
    """N worker processes, each started again when it ends (``tick``), all stopped together."""

    def __init__(self, command: Callable[[int], list[str]], count: int, *, env: Mapping[str, str],
                 policy: RestartPolicy = RestartPolicy(), clock: Callable[[], float] = time.monotonic,
                 spawn: Callable[[list[str], Mapping[str, str], int], subprocess.Popen] = _spawn,
                 hang_seconds: float = 10.0, start_seconds: float = 60.0) -> None:
        self.command, self.count, self.env = command, count, env
        self.policy, self.clock, self.spawn = policy, clock, spawn
        self.hang_seconds, self.start_seconds = hang_seconds, start_seconds
        self.slots: dict[int, _Slot] = {}

    def pids(self) -> dict[int, int]:
        return {index: slot.process.pid for index, slot in self.slots.items()}

    def start(self) -> None:
        for index in range(1, self.count + 1):
            slot = self.slots[index] = _Slot(index, *self._launch(index), started=self.clock())
            log.info("worker %d of %d started, pid %d", index, self.count, slot.process.pid,
                     extra={"supervised": index, "pid": slot.process.pid})

    def _launch(self, index: int) -> tuple[subprocess.Popen, int]:
        """Worker ``index`` started, and the read end of its heartbeat pipe."""
        beats, beat_fd = os.pipe()
        os.set_blocking(beats, False)
        try:
            return self.spawn(self.command(index), self.env, beat_fd), beats
        except BaseException:
            os.close(beats)
            raise
        finally:
            os.close(beat_fd)  # the worker's end; the pipe ends when the worker does

    def _hung(self, slot: _Slot, now: float) -> bool:
        """Read the beats that came; whether the worker has been silent too long."""
        try:
            while os.read(slot.beats, 4096):
                slot.last_beat = now
        except BlockingIOError:
            pass
        if slot.last_beat is None:
            return now - slot.started > self.start_seconds
        return now - slot.last_beat > self.hang_seconds

    def tick(self) -> bool:
        """Look at every worker once: note those that ended, start again those whose backoff is
        over. False once a worker has failed too often in a row: the pool is broken."""
        now = self.clock()
        for slot in self.slots.values():
            if slot.restart_at is None and slot.process.poll() is not None:
                if not self._ended(slot, now):
                    return False
            elif slot.restart_at is None and self._hung(slot, now):
                silent = now - (slot.last_beat if slot.last_beat is not None else slot.started)
                log.error("worker %d (pid %d) has not beaten for %.1f s: its event loop is stuck; killed, to be "
                          "started again", slot.index, slot.process.pid, silent,
                          extra={"supervised": slot.index, "pid": slot.process.pid})
                slot.process.kill()  # noted as ended at the next tick, and started again
                slot.last_beat = now  # not killed twice meanwhile
            elif slot.restart_at is not None and now >= slot.restart_at:
                slot.restart_at, slot.started, slot.last_beat = None, now, None
                slot.process, slot.beats = self._launch(slot.index)
                log.warning("worker %d restarted, pid %d", slot.index, slot.process.pid,
                            extra={"supervised": slot.index, "pid": slot.process.pid})
        return True

    def _ended(self, slot: _Slot, now: float) -> bool:
        code, lived, pid = slot.process.returncode, now - slot.started, slot.process.pid
        _close_pipe(slot.process)
        _close_beats(slot)
        slot.failures = self.policy.failures_after(slot.failures, lived)
        if self.policy.gives_up(slot.failures):
            log.error("giving up: worker %d (pid %d) exited %d times in a row, each within %g s of its start "
                      "(last exit code %s); stopping the other workers", slot.index, pid, slot.failures,
                      self.policy.stable_after, code, extra={"supervised": slot.index, "pid": pid, "exit_code": code})
            return False
        delay = self.policy.delay(slot.failures)
        slot.restart_at = now + delay
        log.warning("worker %d (pid %d) exited with code %s after %.1f s; restarting it in %g s "
                    "(failure %d of %d before giving up)", slot.index, pid, code, lived, delay, slot.failures,
                    self.policy.give_up_after, extra={"supervised": slot.index, "pid": pid, "exit_code": code})
        return True

    def stop(self, timeout: float) -> None:
        """SIGTERM every running worker (each stops gracefully on it), SIGKILL what outlives ``timeout``."""
        running = [slot.process for slot in self.slots.values() if slot.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("worker pid %d did not stop within %g s: killed", process.pid, timeout,
                          extra={"pid": process.pid})
                process.kill()
                process.wait()
        for slot in self.slots.values():
            _close_pipe(slot.process)
            _close_beats(slot)


def _close_pipe(process: subprocess.Popen) -> None:
    if process.stdin is not None and not process.stdin.closed:
        process.stdin.close()


def _close_beats(slot: _Slot) -> None:
    if slot.beats >= 0:
        os.close(slot.beats)
        slot.beats = -1


def supervise(pool: WorkerPool, *, grace: float, poll: float = 0.2) -> int:
    """Run ``pool`` until SIGTERM or SIGINT (exit status 0), or until a worker is given up (1)."""
    stopping = threading.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.signal(sig, lambda signum, frame: stopping.set()) for sig in signals}
    try:
        pool.start()
        while not stopping.wait(poll):
            if not pool.tick():
                return 1
        log.info("stopping %d workers", pool.count)
        return 0
    finally:
        pool.stop(grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_supervisor(settings, *, name: str, env_prefix: str, config: str | None, count: int) -> int:
    """The process started with ``workers`` > 1: migrate once, reserve the addresses, supervise.

    The workers read the same settings (``--config`` and the environment), with the listening
    addresses as reserved (the port chosen for ``:0``) in their environment; a worker never
    migrates (``service_main``): that is done here, once, before any worker starts.
    """
    from contextlib import ExitStack

    from secondline.server import migrate_database

    server = settings.server
    overrides: dict[str, str] = {}
    with ExitStack() as held:
        for key, address in (("LISTEN", server.listen), ("HEALTH_LISTEN", server.health_listen)):
            if address:
                try:
                    sock, overrides[f"{env_prefix}SERVER__{key}"] = reserve(address)
                except OSError as exc:
                    print(f"secondline-{name}: server.{key.lower()}: {exc}", file=sys.stderr)
                    return 1
                held.enter_context(sock)
        if settings.database.migrate:
            migrate_database(settings.database, name)
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        if usable and count > usable:
            log.warning("%d workers on %d usable cores: they will share cores", count, usable)
        log.info("supervising %d workers on %s", count, overrides[f"{env_prefix}SERVER__LISTEN"])
        argv = ["--config", config] if config else []
        pool = WorkerPool(lambda index: [sys.executable, "-m", f"secondline.services.{name}", *argv,
                                         "--worker", str(index)], count, env={**os.environ, **overrides},
                          hang_seconds=server.worker_hang_seconds)
        # Each worker's own stop takes the grace, then its service's (the decision log's last write).
        return supervise(pool, grace=server.grace_seconds + 15.0)
