"""Who is calling: departments, operators (DESIGN "Security").

A principal is written ``department/<DEPARTMENT>`` (``department/TAX``),
``operator/<name>`` (a person running the suite), ``service/<name>`` (another Secondline
service, such as classification following the record feed), ``portal/<name>`` (the credit
portal or the single window, acting for the subject each request names, RULES O-1, I-1) or
``partner/<ID>`` (a partner region or an AEO mutual-recognition partner, RULES X-1; which ids
exist is the recognition service's configuration), ``firm/<name>`` (a credit reporting, rating
or insurance firm, RULES I-3) or ``lane/<PORT>`` (a port's lane system, PORT a code of the
measures catalogue, RULES M-0). Who may call what is :mod:`secondline.authorization`. On the embedded default it comes from the call metadata key
``x-secondline-principal``; in a cluster, under mutual TLS, it is the client certificate's
subject common name and the metadata key is ignored. Both sources read the same grammar, so
swapping one for the other changes no use case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Protocol

from secondline.errors import PermissionDenied, Unauthenticated

METADATA_KEY = "x-secondline-principal"

DEPARTMENTS = (
    "CUSTOMS", "MARITIME", "ANTI_SMUGGLING", "TRANSPORT", "POSTAL", "AGRICULTURE",
    "FORESTRY", "MARKET_REGULATION", "TAX", "COURT", "PROCURATORATE", "COAST_GUARD",
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
PARTNER_ID = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
PORT = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")  # a port's code in the measures catalogue (M-0)


KINDS = ("department", "operator", "service", "portal", "partner", "firm", "lane")
_FORMS = {"department": "department/<DEPARTMENT>", "operator": "operator/<name>", "service": "service/<name>",
          "portal": "portal/<name>", "partner": "partner/<ID>", "firm": "firm/<name>", "lane": "lane/<PORT>"}


def expected(kinds: tuple[str, ...]) -> str:
    """The principals of ``kinds`` in words: ``operator/<name> or service/<name>``; a kind may
    also be one named principal (``service/gate``), written as it is."""
    forms = [_FORMS[k] for k in KINDS if k in kinds] + [k for k in kinds if "/" in k]
    return forms[0] if len(forms) == 1 else f"{', '.join(forms[:-1])} or {forms[-1]}"


@dataclass(frozen=True)
class Principal:
    kind: str
    """One of :data:`KINDS`."""
    name: str
    """The department (``TAX``), the operator's or service's name, the partner's id, the port."""

    def require(self, *kinds: str, action: str) -> "Principal":
        """This principal, if it is of one of ``kinds``; otherwise PERMISSION_DENIED."""
        if self.kind not in kinds:
            raise PermissionDenied(
                message=f"{self} may not {action}; only {expected(kinds)} may",
                reason="PRINCIPAL_NOT_ALLOWED",
                metadata={"principal": str(self), "allowed": ",".join(kinds)},
            )
        return self

    def __str__(self) -> str:
        return self.text

    @cached_property
    def text(self) -> str:
        """``kind/name``, formatted once (a lane's principal is written with every decision)."""
        return f"{self.kind}/{self.name}"


@lru_cache(maxsize=4096)
def _known(text: str) -> Principal | None:
    """The principal ``text`` names, or None; cached, since a lane system names itself on
    every crossing (the gate's hot path)."""
    kind, _, name = text.strip().partition("/")
    if kind == "department" and name in DEPARTMENTS:
        return Principal("department", name)
    if kind in ("operator", "service", "portal", "firm") and _NAME.match(name):
        return Principal(kind, name)
    if kind == "partner" and PARTNER_ID.match(name):
        return Principal(kind, name)
    if kind == "lane" and PORT.match(name):
        return Principal(kind, name)
    return None


def parse_principal(text: str, *, kinds: tuple[str, ...] = KINDS, action: str = "") -> Principal:
    found = _known(text)
    if found is not None:
        return found
    allowed = f"; to {action}, name {expected(kinds)}" if action else ""
    raise Unauthenticated(
        message=(
            f"principal {text!r} is not recognised: expected department/<one of "
            f"{', '.join(DEPARTMENTS)}>, operator/<name>, service/<name>, portal/<name>, partner/<ID>, "
            f"firm/<name> or lane/<PORT>{allowed}"
        ),
        reason="UNKNOWN_PRINCIPAL",
        metadata={"allowed": ",".join(kinds)},
    )


class Authenticator(Protocol):
    def identify(self, context, kinds: tuple[str, ...], action: str) -> Principal:
        """The principal of a call (a ``grpc.aio.ServicerContext``), of any kind; a refusal
        (none, or not one of the grammar) says that ``kinds`` may do ``action``."""

    def authenticate(self, context, *kinds: str, action: str = "call this method") -> Principal:
        """The principal of a call, which must be of one of ``kinds`` (any kind when none is
        given) to do ``action``; every refusal names them."""


class _Authenticator:
    def identify(self, context, kinds: tuple[str, ...], action: str) -> Principal:
        return parse_principal(self._claimed(context, kinds, action), kinds=kinds, action=action)

    def authenticate(self, context, *kinds: str, action: str = "call this method") -> Principal:
        kinds = kinds or KINDS
        return self.identify(context, kinds, action).require(*kinds, action=action)

    def _claimed(self, context, kinds: tuple[str, ...], action: str) -> str:
        raise NotImplementedError


class MetadataAuthenticator(_Authenticator):
    """The embedded default: trusts the caller's word in ``x-secondline-principal``."""

    def _claimed(self, context, kinds: tuple[str, ...], action: str) -> str:
        for key, value in context.invocation_metadata() or ():
            if key == METADATA_KEY:
                return value
        raise Unauthenticated(
            message=f"call metadata has no {METADATA_KEY!r}; to {action}, name the caller as {expected(kinds)}",
            reason="NO_PRINCIPAL",
            metadata={"allowed": ",".join(kinds)},
        )


class MutualTlsAuthenticator(_Authenticator):
    """In a cluster: the verified client certificate's common name is the principal."""

    def _claimed(self, context, kinds: tuple[str, ...], action: str) -> str:
        names = context.auth_context().get("x509_common_name") or []
        if not names:
            raise Unauthenticated(
                message=(f"no verified client certificate on the call; to {action}, present one whose "
                         f"common name is {expected(kinds)}"),
                reason="NO_CLIENT_CERTIFICATE",
                metadata={"allowed": ",".join(kinds)},
            )
        return names[0].decode()
