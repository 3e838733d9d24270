"""Proto conversion at the classification edge."""

from __future__ import annotations

from datetime import datetime

from secondline.classification.v1 import classification_pb2 as pb
from secondline.common.v1 import common_pb2
from secondline.rpc.convert import subject_to_proto, timestamp

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
