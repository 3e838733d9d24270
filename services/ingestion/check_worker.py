"""The edge checks' worker process (:mod:`.checks`): frames in on stdin, frames out on stdout.

    python -m secondline.services.ingestion.check_worker

A frame is a 4-byte big-endian length and a pickle. The first frame in is ``(rules, limits,
work)``; the worker answers ``True`` once ready. Every later frame in is one message's
``(principal, request bytes, received_at, traceparent)``, answered in the order received with
``(True, drafts)`` or, if the work raised, ``(False, traceback)``. The worker ends at the end
of its input. Only the service's own process writes to its stdin (pickles are trusted).
"""

from __future__ import annotations

import marshal
import os
import pickle
import struct
import sys
import traceback
from datetime import date, datetime

HEADER = struct.Struct(">I")


def frame(value) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def check_message(rules, limits, principal, data: bytes, received_at: datetime, traceparent: str) -> list:
    """The drafts of a serialized ``SubmitRecordsRequest``'s records, ``None`` for each refused
    (what :func:`encode` sends and :func:`decode` makes again)."""
    from secondline.errors import DomainError
    from secondline.ingestion.v1 import ingestion_pb2

    from .convert import input_from_proto
    from .usecases import check_item, items_as

    request = ingestion_pb2.SubmitRecordsRequest.FromString(data)
    items = items_as(principal, [input_from_proto(r) for r in request.records], received_at)
    checked = (check_item(item, traceparent=traceparent, rules=rules, limits=limits) for item in items)
    return [None if isinstance(draft, DomainError) else draft for draft in checked]


# A draft of the common shape (a subject, no correction, mark or partner, received at the
# message's instant, filed by the department itself) goes as a tuple of plain values, which
# marshal writes and reads in a fraction of pickle's time for the objects (a record's worth
# of dataclasses and dates); any other goes pickled. decode(encode(d)) == d, canonical JSON
# and digest included (tests/unit/test_ingestion_check_frames.py).
_PLAIN = ("kind", "grade", "list", "severity", "commitment", "legal_basis")


def encode(drafts: list, received_at: datetime) -> bytes:
    out = []
    for d in drafts:
        c = d.content if d is not None else None
        if d is None:
            out.append(None)
        elif (c.subject is None or c.target is not None or c.mark is not None or c.partner is not None
              or c.objection_id or c.repair_id or d.filed_by or d.backfilled or d.submitted_at is not received_at):
            out.append(pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL))
        else:
            out.append((d.source, d.source_id, c.kind, c.subject.type, c.subject.key, c.decided_on.toordinal(),
                        c.grade, c.list, c.severity, c.valid_until.toordinal() if c.valid_until else 0,
                        c.commitment, c.legal_basis, d.submitted_on.toordinal(), d.late, d.traceparent, d.digest,
                        c.canonical_json))
    return marshal.dumps(out)


def decode(data: bytes, received_at: datetime) -> list:
    from .domain import Content, Draft, Subject

    fromordinal = date.fromordinal
    drafts = []
    for t in marshal.loads(data):
        if t is None or isinstance(t, bytes):
            drafts.append(pickle.loads(t) if t is not None else None)
            continue
        (source, source_id, kind, subject_type, subject_key, decided_on, grade, list_, severity, valid_until,
         commitment, legal_basis, submitted_on, late, traceparent, digest, canonical) = t
        content = Content(kind, Subject(subject_type, subject_key), fromordinal(decided_on), grade, list_, severity,
                          fromordinal(valid_until) if valid_until else None, commitment, legal_basis)
        content.__dict__["canonical_json"] = canonical  # the cached_property, as computed in the worker
        drafts.append(Draft(source, source_id, content, received_at, fromordinal(submitted_on), late,
                            traceparent=traceparent, digest=digest))
    return drafts


def _read(stream, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def main() -> int:
    # The frames go out on the original stdout; anything printed goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    source = sys.stdin.buffer
    header = _read(source, HEADER.size)
    if header is None:
        return 0
    rules, limits, work = pickle.loads(_read(source, HEADER.unpack(header)[0]))
    from secondline.collector import settle

    check_message(rules, limits, None, b"", None, "")  # imports and descriptors before the first message
    settle()
    out.write(frame(True))
    out.flush()
    while (header := _read(source, HEADER.size)) is not None:
        data = _read(source, HEADER.unpack(header)[0])
        if data is None:
            break
        try:
            args = pickle.loads(data)
            answer = (True, encode(work(rules, limits, *args), args[2]))
        except Exception:
            answer = (False, traceback.format_exc())
        out.write(frame(answer))
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
