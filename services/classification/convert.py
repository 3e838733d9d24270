"""Proto conversion at the classification edge."""

from __future__ import annotations

from datetime import datetime

from secondline.classification.v1 import classification_pb2 as pb
from secondline.common.v1 import common_pb2
from secondline.rpc.convert import date_to_proto, subject_to_proto, timestamp

from .domain import Answer, Contribution, Segment

FLAG_VALUES = {name.removeprefix("FLAG_"): value for name, value in common_pb2.Flag.items() if value}


def class_value(klass: str) -> int:
    return common_pb2.CreditClass.Value("CREDIT_CLASS_" + klass)


def reason(c: Contribution) -> pb.Reason:
    msg = pb.Reason(rule=c.rule, effect=c.effect, record_ids=list(c.records), since=timestamp(c.start),
                    partner=c.partner, counts_as=c.counts_as)
    if c.end is not None:
        msg.until.CopyFrom(timestamp(c.end))
    return msg


def flags(names) -> list[int]:
    return sorted(FLAG_VALUES[n] for n in names)


def subject_class(subject_type: str, key: str, at: datetime, answer: Answer, revision: int) -> pb.SubjectClass:
    msg = pb.SubjectClass(
        subject=subject_to_proto(subject_type, key),
        as_of=timestamp(at),
        credit_class=class_value(answer.klass),
        # A whitelisted subject is so by E-B or P-B, whatever flags it carries beside the class.
        reasons=([pb.Reason(rule=answer.default_rule, effect=answer.klass)] if answer.klass == "WHITELIST" else [])
        + [reason(c) for c in answer.reasons],
        flags=flags(answer.flags),
        revision=revision,
    )
    if answer.since is not None:
        msg.since.CopyFrom(timestamp(answer.since))
    if answer.until is not None:
        msg.until.CopyFrom(timestamp(answer.until))
    return msg


def segment(s: Segment) -> pb.Segment:
    msg = pb.Segment(credit_class=class_value(s.klass), reasons=[reason(c) for c in s.contributions], flags=flags(s.flags))
    if s.start is not None:
        msg.start.CopyFrom(timestamp(s.start))
    if s.end is not None:
        msg.end.CopyFrom(timestamp(s.end))
    return msg


def state(subject_type: str, key: str, segments: list[Segment], revision: int) -> pb.SubjectState:
    return pb.SubjectState(subject=subject_to_proto(subject_type, key), timeline=[segment(s) for s in segments], revision=revision)


def _shared_reason(message, c: Contribution) -> None:
    message.since.CopyFrom(timestamp(c.start))
    if c.end is not None:
        message.until.CopyFrom(timestamp(c.end))


def department_change(shared) -> pb.DepartmentChange:
    """I-2: a change as a department's feed carries it (sharing.Shared)."""
    answer = shared.answer
    msg = pb.DepartmentChange(subject=common_pb2.SubjectId(**{shared.subject_type: shared.subject_id}),
                              credit_class=class_value(answer.klass), flags=flags(answer.flags),
                              effective_at=timestamp(shared.effective_at))
    _class_span(msg, answer)
    if answer.klass == "WHITELIST":
        msg.reasons.add(rule=answer.default_rule, effect=answer.klass)
    for c in answer.reasons:
        reason_msg = msg.reasons.add(rule=c.rule, effect=c.effect,
                                     source_ids=[shared.records[r][3] for r in c.records if r in shared.records])
        _shared_reason(reason_msg, c)
    return msg


def exported_entity(shared) -> pb.ExportedEntity:
    """I-3: an entity as a credit firm sees it: no record content beyond kind and decision date."""
    answer = shared.answer
    msg = pb.ExportedEntity(subject=common_pb2.SubjectId(**{shared.subject_type: shared.subject_id}),
                            credit_class=class_value(answer.klass), flags=flags(answer.flags),
                            measures=list(shared.measures))
    _class_span(msg, answer)
    if answer.klass == "WHITELIST":
        msg.reasons.add(rule=answer.default_rule, effect=answer.klass)
    for c in answer.reasons:
        reason_msg = msg.reasons.add(rule=c.rule, effect=c.effect)
        _shared_reason(reason_msg, c)
        for record_id in c.records:
            if record_id in shared.records:
                kind, decided_on, _, _ = shared.records[record_id]
                reason_msg.records.add(kind=common_pb2.RecordKind.Value("RECORD_KIND_" + kind),
                                       decided_on=date_to_proto(decided_on))
    return msg


def _class_span(msg, answer: Answer) -> None:
    if answer.since is not None:
        msg.since.CopyFrom(timestamp(answer.since))
    if answer.until is not None:
        msg.until.CopyFrom(timestamp(answer.until))
