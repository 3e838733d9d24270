"""The cost of the authorization check on the gate's hot path, in this process.

Every Decide is checked against the authorization table before the gate's servicer runs
(secondline.guard): the call metadata scanned, the principal parsed (cached), the table's entry
and the caller's scope looked up, the caller set for the servicer, and a lane's port compared
with the crossing's (M-0). This times exactly that, per call, beside a no-op call of the same
shape, on a context holding the metadata a gRPC client sends; best of several repeats.
"""

from __future__ import annotations

import time

from secondline.auth import MetadataAuthenticator
from secondline.authorization import PORT, TABLE, at_own_port
from secondline.guard import _CALLER, authorize

DECIDE = "secondline.gate.v1.GateService/Decide"


class _Context:
    """What the check reads of a ``grpc.aio.ServicerContext``: the call's metadata."""

    def __init__(self, principal: str) -> None:
        self._metadata = (("user-agent", "grpc-python-asyncio/1.71.0 grpc-c/46.0.0 (linux; chttp2)"),
                          ("x-secondline-principal", principal))

    def invocation_metadata(self):
        return self._metadata


def _noop(authenticator, context, method, access):
    return None


def _time(body, calls: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter_ns()
        body(calls)
        best = min(best, (time.perf_counter_ns() - started) / calls)
    return best


def check_cost(calls: int = 200_000, repeats: int = 5) -> dict[str, float]:
    """ns per call of the check and of a no-op beside it."""
    authenticator, context, access = MetadataAuthenticator(), _Context("lane/HAIKOU"), TABLE[DECIDE]

    def checked(n: int) -> None:
        for _ in range(n):
            who = authorize(authenticator, context, DECIDE, access)
            token = _CALLER.set(who)
            if who.scope == PORT:
                at_own_port(who.principal.name, "HAIKOU", "crossing.port")
            _CALLER.reset(token)

    def bare(n: int) -> None:
        for _ in range(n):
            _noop(authenticator, context, DECIDE, access)

    checked(1000)  # warm the principal's cache
    check, noop = _time(checked, calls, repeats), _time(bare, calls, repeats)
    return {"check_ns": check, "noop_ns": noop, "ratio": check / noop if noop else 0.0}


__all__ = ["check_cost"]
