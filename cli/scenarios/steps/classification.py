"""Classification's step kind: ``expect``, a subject's class as of an instant (RULES T-4, E, P)."""

from __future__ import annotations

from typing import Any

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1 import classification_pb2_grpc
from secondline.cli.scenarios.format import ScenarioError, instant, show, subject
from secondline.cli.scenarios.steps import Context, step
from secondline.common.v1 import common_pb2
from secondline.rpc.convert import instant as from_timestamp
from secondline.rpc.convert import timestamp

OPERATOR = (("x-secondline-principal", "operator/scenarios"),)


def stub(context: Context) -> classification_pb2_grpc.ClassificationServiceStub:
    return classification_pb2_grpc.ClassificationServiceStub(context.suite.channels["classification"])


def flag_names(flags) -> set[str]:
    return {common_pb2.Flag.Name(f).removeprefix("FLAG_") for f in flags}


@step("expect", fields={"at", "subject", "class", "reasons", "until", "flags", "without_flags"})
async def expect(context: Context, step: dict[str, Any]) -> None:
    """The class of one subject as of ``at``, once every record filed so far is applied."""
    spec = step["expect"]
    at = instant(spec["at"])
    request = cpb.GetSubjectClassRequest(subject=subject(spec["subject"]), as_of=timestamp(at),
                                         min_record_cursor=context.min_cursor)
    answer = (await stub(context).GetSubjectClass(request, metadata=OPERATOR, timeout=30)).subject_class
    got_class = common_pb2.CreditClass.Name(answer.credit_class).removeprefix("CREDIT_CLASS_")
    problems = []
    if got_class != spec["class"]:
        problems.append(f"class {spec['class']}, got {got_class}")
    rules = {r.rule for r in answer.reasons}
    missing = [r for r in spec.get("reasons") or [] if r not in rules]
    if missing:
        problems.append(f"reasons to include {missing}, got {sorted(rules)}")
    if "until" in spec:
        want = None if spec["until"] in (None, "none") else instant(spec["until"])
        got = from_timestamp(answer.until) if answer.HasField("until") else None
        if want != got:
            problems.append(f"until {show(want)}, got {show(got)}")
    flags = flag_names(answer.flags)
    missing_flags = [f for f in spec.get("flags") or [] if f not in flags]
    if missing_flags:
        problems.append(f"flags to include {missing_flags}, got {sorted(flags)}")
    unwanted = [f for f in spec.get("without_flags") or [] if f in flags]
    if unwanted:
        problems.append(f"flags without {unwanted}, got {sorted(flags)}")
    if problems:
        raise ScenarioError(f"at {at.isoformat()} expected " + "; ".join(problems))
