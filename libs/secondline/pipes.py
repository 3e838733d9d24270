"""Pipes between a service and its worker processes, sized to carry a whole message.

A pipe holds 64 KiB by default on Linux. A process writing a larger message into it blocks
until the reader has taken the rest, and a reader in a service takes it only when its thread
holds the GIL, which the event loop and the writer thread hold most of the time: each 64 KiB
then waits its turn. Sized to a megabyte, a pipe takes a message of hundreds of records at once
and the writer goes on with its next work.
"""

from __future__ import annotations

import fcntl

PIPE_BYTES = 1 << 20
"""The capacity the suite asks for (Linux's limit for an unprivileged process by default)."""


def size_pipes(pipes, size: int = PIPE_BYTES) -> None:
    """Ask for ``size`` bytes of capacity for each pipe (anything with ``fileno()``), where the
    platform lets one; above the system's limit for a user (``/proc/sys/fs/pipe-max-size``, 1 MiB
    by default), that limit; elsewhere than Linux, nothing."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if setting is None:
        return
    for pipe in pipes:
        for wanted in (size, pipe_max()):
            try:
                fcntl.fcntl(pipe.fileno(), setting, wanted)
                break
            except OSError:  # EPERM above the limit: the limit, else the pipe as it is
                continue


def pipe_max() -> int:
    """The largest capacity an unprivileged process may ask for (0 when unknown)."""
    try:
        with open("/proc/sys/fs/pipe-max-size") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 0


__all__ = ["PIPE_BYTES", "size_pipes", "pipe_max"]
