"""The one check of every call against the authorization table (secondline.authorization).

:class:`Authorization` is the innermost server interceptor of every service: before the
servicer runs, it authenticates the caller (secondline.auth), looks the RPC up in the table
and refuses, PERMISSION_DENIED with an ``ErrorInfo`` naming the principal and the action, a
caller the table does not name, saying which may. An RPC of a ``secondline.*`` service that
the table does not know is refused to everyone: a new RPC cannot ship unguarded. The servicer
reads the caller and its scope with :func:`caller`.

The check is on the gate's hot path (every Decide): a dict lookup of the wrapped handler, a
scan of the call metadata, a cached parse of the principal and two dict lookups.
``secondline bench gate`` measures it beside a no-op.
"""

from __future__ import annotations

import inspect
from contextvars import ContextVar
from typing import NamedTuple

import grpc

from secondline.auth import Authenticator, Principal, expected
from secondline.authorization import ANYONE, TABLE, Access
from secondline.errors import DomainError, PermissionDenied
from secondline.rpc.status import abort

GUARDED_PREFIX = "secondline."
GRANTS_KEPT = 4096  # principals remembered per RPC (principals are few: lanes, departments, services)


class Caller(NamedTuple):
    principal: Principal | None
    """None only for an RPC anyone may call (ClockService)."""
    scope: str
    """The scope the table gives this caller for this RPC (secondline.authorization)."""
    method: str
    """The RPC's full name: ``secondline.gate.v1.GateService/Decide``."""


_CALLER: ContextVar[Caller] = ContextVar("secondline_caller")


def caller() -> Caller:
    """The caller of the RPC being served, as :class:`Authorization` checked it."""
    return _CALLER.get()


def authorize(authenticator: Authenticator, context, method: str, access: Access | None) -> Caller:
    """The caller of ``method`` and its scope, or the refusal (a DomainError)."""
    if access is None:
        raise PermissionDenied(message=f"{method} has no entry in the authorization table: nobody may call it",
                               reason="NOT_IN_AUTHORIZATION_TABLE", metadata={"action": method})
    callers = access.callers
    if ANYONE in callers:
        return Caller(None, callers[ANYONE], method)
    principal = authenticator.identify(context, access.kinds, access.action)
    granted = access.granted.get(principal)  # a principal checked before: the same answer
    if granted is not None:
        return granted
    scope = access.scope_of(principal)
    if scope is None:
        raise PermissionDenied(
            message=f"{principal} may not {access.action}; only {expected(access.kinds)} may",
            reason="PRINCIPAL_NOT_ALLOWED",
            metadata={"principal": str(principal), "action": method, "allowed": ",".join(access.kinds)})
    granted = Caller(principal, scope, method)
    if len(access.granted) < GRANTS_KEPT:
        access.granted[principal] = granted
    return granted


class Authorization(grpc.aio.ServerInterceptor):
    """Checks every call of a ``secondline.*`` service against the table (the innermost interceptor)."""

    def __init__(self, authenticator: Authenticator, domain: str, table: dict[str, Access] = TABLE) -> None:
        self._authenticator, self._domain, self._table = authenticator, domain, table
        self._wrapped: dict[str, tuple[object, object]] = {}

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        method = handler_call_details.method.lstrip("/")
        if handler is None or not method.startswith(GUARDED_PREFIX):
            return handler  # health, reflection
        cached = self._wrapped.get(method)
        if cached is not None and cached[0] is handler:
            return cached[1]
        wrapped = self._wrap(handler, method)
        self._wrapped[method] = (handler, wrapped)
        return wrapped

    def _wrap(self, handler, method: str):
        kind = ("stream_" if handler.request_streaming else "unary_") + ("stream" if handler.response_streaming else "unary")
        inner = getattr(handler, kind)
        access, authenticator, domain = self._table.get(method), self._authenticator, self._domain

        if inspect.isasyncgenfunction(inner):
            async def behaviour(request, context):
                try:
                    _CALLER.set(authorize(authenticator, context, method, access))
                except DomainError as error:
                    await abort(context, error, domain)
                async for response in inner(request, context):
                    yield response
        else:
            async def behaviour(request, context):
                try:
                    token = _CALLER.set(authorize(authenticator, context, method, access))
                except DomainError as error:
                    await abort(context, error, domain)
                try:
                    return await inner(request, context)
                finally:
                    _CALLER.reset(token)
        return handler._replace(**{kind: behaviour})


__all__ = ["Authorization", "Caller", "authorize", "caller"]
