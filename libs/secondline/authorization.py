"""Who may call what: one table for the suite (RULES I-1..I-4, X-1, M-0; DESIGN "Security").

Every RPC of every Secondline service has an entry: the principals that may call it, each with
the scope of what it is answered (its own records only, the subject its request names, what a
partner's agreement allows ...). A caller is written as a principal kind (``department``,
``operator``, ``portal``, ``partner``, ``firm``, ``lane``, ``service``: any service) or as one
named principal (``service/gate``). :class:`Authorization` (secondline.guard) checks every
call against the table before any servicer code runs, refuses an RPC the table does not know,
and hands the servicer the caller and its scope (:func:`caller`); the servicer applies the
scope where it depends on the request (a lane's port, a department's own records).
``tests/unit/test_authorization.py`` fails when an RPC of a service's descriptors is missing
here, and the README's "Who may call what" is :func:`markdown_table` of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from secondline.auth import Principal
from secondline.errors import FieldViolation, PermissionDenied

ALL = "all"
"""Everything the call answers."""
OWN = "own"
"""A department: its own records only, and subjects it has filed records about (I-3)."""
SUBJECT = "subject"
"""The portal or single window: the subject the request names, and that subject only (I-1)."""
AGREEMENT = "agreement"
"""A partner: what its agreement lets it send and see (X-1)."""
PORT = "port"
"""A lane system: crossings at its own port only (M-0)."""
ENTITIES = "entities"
"""A firm: business entities only, desensitised: class, reasons by rule id, since and until,
measures, record kinds and decision dates; individuals as counts only (I-3)."""
STATUS = "status"
"""Counters and revisions, nothing about any subject."""
BEHALF = "behalf"
"""A service of the suite filing for a record's owner (O-4, L-4, R-7)."""

SCOPES = {
    ALL: "everything",
    OWN: "its own records only",
    SUBJECT: "the subject the request names only",
    AGREEMENT: "what its agreement allows",
    PORT: "crossings at its own port only",
    ENTITIES: "business entities only, desensitised (I-3)",
    STATUS: "counters, no subject",
    BEHALF: "on behalf of the record's owner",
}

ANYONE = "anyone"
"""No principal needed: only the ClockService of a suite on a manual clock (tests)."""


@dataclass(frozen=True)
class Access:
    action: str
    """What the call does, in words: ``decide crossings``."""
    callers: dict[str, str] = field(default_factory=dict)
    """Who may call, by principal kind or named principal, and the scope each is answered."""
    kinds: tuple[str, ...] = field(init=False, compare=False)
    """The callers' keys, for refusals."""
    granted: dict = field(init=False, compare=False, repr=False)
    """Principals already checked, and what they were granted (secondline.guard's cache)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", tuple(self.callers))
        object.__setattr__(self, "granted", {})

    def scope_of(self, principal: Principal) -> str | None:
        return self.callers.get(f"{principal.kind}/{principal.name}") or self.callers.get(principal.kind)


def _rpcs(service: str, entries: dict[str, Access]) -> dict[str, Access]:
    return {f"{service}/{method}": access for method, access in entries.items()}


READERS_OF_STATUS = {"department": STATUS, "operator": STATUS, "service": STATUS, "lane": STATUS, "portal": STATUS,
                     "partner": STATUS, "firm": STATUS}
SUBJECT_READERS = {"operator": ALL, "service/objection": ALL, "service/recognition": ALL, "department": OWN,
                   "portal": SUBJECT, "firm": ENTITIES}

TABLE: dict[str, Access] = {
    **_rpcs("secondline.ingestion.v1.IngestionService", {
        "SubmitRecord": Access("file records", {"department": OWN, "service/objection": BEHALF,
                                                "service/recognition": BEHALF}),
        "SubmitRecords": Access("file records", {"department": OWN, "service/objection": BEHALF,
                                                 "service/recognition": BEHALF}),
        "BackfillRecords": Access("backfill records", {"operator": ALL}),
        "GetRecord": Access("read a record", {"operator": ALL, "service/objection": ALL, "service/recognition": ALL,
                                              "department": OWN}),
        "ListSubjectRecords": Access("read a subject's records", {
            "operator": ALL, "service/objection": ALL, "service/recognition": ALL, "department": OWN}),
        "GetTimelinessReport": Access("read timeliness", {"operator": ALL, "department": OWN}),
        "StreamRecords": Access("follow the record feed", {"service/classification": ALL, "operator": ALL}),
    }),
    **_rpcs("secondline.classification.v1.ClassificationService", {
        "GetSubjectClass": Access("read a subject's class", dict(SUBJECT_READERS)),
        "BatchGetSubjectClasses": Access("read subjects' classes", {
            "operator": ALL, "service/objection": ALL, "service/recognition": ALL, "department": OWN,
            "firm": ENTITIES}),
        "GetSubjectTimeline": Access("read a subject's timeline", {
            "operator": ALL, "service/objection": ALL, "service/recognition": ALL, "department": OWN}),
        "GetRestriction": Access("read a restriction", dict(SUBJECT_READERS)),
        "ListCandidates": Access("read candidates", {"operator": ALL, "department": OWN}),
        "ListNotableSubjects": Access("list notable subjects", {"service/gate": ALL, "operator": ALL}),
        "StreamChanges": Access("follow the change feed", {"service/gate": ALL, "service/recognition": ALL,
                                                           "operator": ALL}),
        "StreamChangeBatches": Access("follow the change feed", {"service/gate": ALL, "service/recognition": ALL,
                                                                 "operator": ALL}),
        "StreamDepartmentChanges": Access("follow a department's class changes (I-2)", {"department": OWN}),
        "ExportClasses": Access("take a desensitised snapshot (I-3)", {"firm": ENTITIES, "operator": ENTITIES}),
        "GetStatus": Access("read the status", dict(READERS_OF_STATUS)),
    }),
    **_rpcs("secondline.gate.v1.GateService", {
        "Decide": Access("decide crossings", {"lane": PORT, "operator": ALL}),
        "BatchDecide": Access("decide crossings", {"lane": PORT, "operator": ALL}),
        "ReplayDecision": Access("replay decisions", {"operator": ALL}),
        "GetGateStatus": Access("read the gate's status", dict(READERS_OF_STATUS)),
    }),
    **_rpcs("secondline.objection.v1.ObjectionService", {
        "FileObjection": Access("file objections for a subject (O-1)", {"portal": SUBJECT}),
        "GetObjection": Access("read objections", {"portal": SUBJECT, "department": OWN, "operator": ALL}),
        "ListObjections": Access("list objections (O-3)", {"department": OWN, "operator": ALL}),
        "ExtendDeadline": Access("extend a deadline (O-3)", {"department": OWN}),
        "AnswerObjection": Access("answer objections (O-3)", {"department": OWN}),
        "ApplyForRepair": Access("apply for repair for a subject (L-4)", {"portal": SUBJECT}),
        "DecideRepair": Access("decide repairs (L-4)", {"department": OWN}),
        "GetRepair": Access("read repair applications", {"portal": SUBJECT, "department": OWN, "operator": ALL}),
        "GetSubjectFile": Access("read a subject's file (I-1)", {"portal": SUBJECT, "operator": ALL}),
        "ReloadCalendar": Access("reload the working-day calendar", {"operator": ALL}),
    }),
    **_rpcs("secondline.recognition.v1.RecognitionService", {
        "SubmitEnvelope": Access("send envelopes", {"partner": AGREEMENT}),
        "SubmitEnvelopes": Access("send envelopes", {"partner": AGREEMENT}),
        "GetCreditReport": Access("ask for credit reports", {"partner": AGREEMENT}),
        "StreamClassChanges": Access("follow class changes", {"partner": AGREEMENT}),
        "ListPublicKeys": Access("read the suite's public keys", dict(READERS_OF_STATUS)),
        "GetCheckpoint": Access("read a checkpoint", dict(READERS_OF_STATUS)),
        "GetLogEntry": Access("read a log entry", {"operator": ALL, "partner": AGREEMENT}),
        "GetInclusionProof": Access("read an inclusion proof", dict(READERS_OF_STATUS)),
        "GetConsistencyProof": Access("read a consistency proof", dict(READERS_OF_STATUS)),
    }),
    **_rpcs("secondline.access.v1.AccessLogService", {
        "ListSubjectReads": Access("read who read a subject's file (I-4)", {"service/objection": ALL, "operator": ALL}),
    }),
    **_rpcs("secondline.testing.v1.ClockService", {
        "SetTime": Access("set the suite's clock", {ANYONE: ALL}),
        "GetTime": Access("read the suite's clock", {ANYONE: ALL}),
    }),
}


def at_own_port(port: str, named: str, field: str) -> None:
    """The ``port`` scope (M-0): a lane system decides crossings at its own port only; one naming
    another port, or none, is refused PERMISSION_DENIED, naming the field."""
    if named != port:
        shown = repr(named) if named and len(named) <= 64 and named.isprintable() else "none"
        raise PermissionDenied(
            message=f"lane/{port} decides crossings at {port} only; {field} is {shown}",
            reason="NOT_THIS_LANES_PORT", metadata={"principal": f"lane/{port}", "port": port},
            violations=[FieldViolation(field, f"must be {port}, the port of lane/{port} (M-0)")])


def markdown_table(table: dict[str, Access] = TABLE) -> str:
    """The table as README markdown: one row per RPC, its callers with their scopes."""
    lines = ["| RPC | who may call it (answered about) |", "| --- | --- |"]
    for method, access in table.items():
        service, name = method.rsplit("/", 1)
        callers = "; ".join(
            ("anyone" if who == ANYONE else f"`{who}`") + f" ({SCOPES[scope]})" for who, scope in access.callers.items())
        lines.append(f"| `{service.split('.')[1]}` {name} | {callers} |")
    return "\n".join(lines) + "\n"


__all__ = ["Access", "TABLE", "SCOPES", "ALL", "OWN", "SUBJECT", "AGREEMENT", "PORT", "ENTITIES", "STATUS", "BEHALF",
           "ANYONE", "at_own_port", "markdown_table"]
