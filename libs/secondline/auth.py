"""Who is calling: departments, operators (DESIGN "Security").

A principal is written ``department/<DEPARTMENT>`` (``department/TAX``),
``operator/<name>`` (a person running the suite) or ``service/<name>`` (another Secondline
service, such as classification following the record feed). On the embedded default it comes from the call metadata key
``x-secondline-principal``; in a cluster, under mutual TLS, it is the client certificate's
subject common name and the metadata key is ignored. Both sources read the same grammar, so
swapping one for the other changes no use case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from secondline.errors import PermissionDenied, Unauthenticated

METADATA_KEY = "x-secondline-principal"

DEPARTMENTS = (
    "CUSTOMS", "MARITIME", "ANTI_SMUGGLING", "TRANSPORT", "POSTAL", "AGRICULTURE",
    "FORESTRY", "MARKET_REGULATION", "TAX", "COURT", "PROCURATORATE", "COAST_GUARD",
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class Principal:
    kind: str
    """``department``, ``operator`` or ``service``."""
    name: str
    """The department (``TAX``) or the operator's name."""

    def require(self, *kinds: str, action: str) -> "Principal":
        """This principal, if it is of one of ``kinds``; otherwise PERMISSION_DENIED."""
        if self.kind not in kinds:
            raise PermissionDenied(
                message=f"{self} may not {action}; only {' or '.join(k + '/...' for k in kinds)} may",
                reason="PRINCIPAL_NOT_ALLOWED",
                metadata={"principal": str(self)},
            )
        return self

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


def parse_principal(text: str) -> Principal:
    kind, _, name = text.strip().partition("/")
    if kind == "department" and name in DEPARTMENTS:
        return Principal("department", name)
    if kind in ("operator", "service") and _NAME.match(name):
        return Principal(kind, name)
    raise Unauthenticated(
        message=(
            f"principal {text!r} is not recognised: expected department/<one of "
            f"{', '.join(DEPARTMENTS)}>, operator/<name> or service/<name>"
        ),
        reason="UNKNOWN_PRINCIPAL",
    )


class Authenticator(Protocol):
    def authenticate(self, context) -> Principal:
        """The principal of a call, from its ``grpc.aio.ServicerContext``."""


class MetadataAuthenticator:
    """The embedded default: trusts the caller's word in ``x-secondline-principal``."""

    def authenticate(self, context) -> Principal:
        for key, value in context.invocation_metadata() or ():
            if key == METADATA_KEY:
                return parse_principal(value)
        raise Unauthenticated(
            message=f"call metadata has no {METADATA_KEY!r} (expected department/<DEPARTMENT>)",
            reason="NO_PRINCIPAL",
        )


class MutualTlsAuthenticator:
    """In a cluster: the verified client certificate's common name is the principal."""

    def authenticate(self, context) -> Principal:
        names = context.auth_context().get("x509_common_name") or []
        if not names:
            raise Unauthenticated(
                message="no verified client certificate on the call", reason="NO_CLIENT_CERTIFICATE"
            )
        return parse_principal(names[0].decode())
