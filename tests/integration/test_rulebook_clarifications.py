"""The rulebook's clarifications (RULES R-4, R-6, E-A, E-X3, P-R, M-1, M-4), one test each,
over real servers: ingestion → classification → the gate."""

from __future__ import annotations

from datetime import date, datetime

import grpc

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2
from secondline.gate.v1 import gate_pb2 as pb
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rpc.convert import timestamp
from tests.conftest import OPERATOR, SERVICE, as_department
from tests.helpers import record
from tests.integration.test_gate_service import caught_up, crossing, decide
from tests.integration.test_ingestion_submit import refusal

ACME = "91460100MA5T0A3D5P"
OTHER = "91460100MA5T0A2C0H"
DRIVER = "460100198003137668"
TAX, CUSTOMS, ANTI = as_department("TAX"), as_department("CUSTOMS"), as_department("ANTI_SMUGGLING")
WATCHLIST, AEO, WHITELIST = common_pb2.CREDIT_CLASS_WATCHLIST, common_pb2.CREDIT_CLASS_AEO, common_pb2.CREDIT_CLASS_WHITELIST


async def file(suite, msg, metadata) -> ingestion_pb2.Record:
    return (await suite.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=msg), metadata=metadata)).record


async def class_at(suite, enterprise: str, at: str, cursor: str) -> cpb.SubjectClass:
    request = cpb.GetSubjectClassRequest(subject={"enterprise": enterprise}, as_of=timestamp(datetime.fromisoformat(at)),
                                         min_record_cursor=cursor)
    return (await suite.classification.GetSubjectClass(request, metadata=OPERATOR, timeout=30)).subject_class


async def feed_ids(suite) -> list[str]:
    call = suite.stub.StreamRecords(ingestion_pb2.StreamRecordsRequest(), metadata=SERVICE)
    return [r.input.source_id async for m in call for r in m.records]


async def test_r4_a_correction_that_changes_the_subject_is_refused_and_nothing_is_stored(ingestion):
    await file(ingestion, record(source_id="p1", enterprise=ACME), ANTI)
    code, info, fields, message = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(source_id="c1", kind="CORRECTION", enterprise=OTHER, corrects={"source_id": "p1"})), metadata=ANTI))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["subject"]
    assert f"must be the corrected record's subject ({ACME})" in message and "(R-4)" in message
    # The kind is kept too: a correction carries the corrected kind's fields only.
    code, _, fields, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(source_id="c2", kind="CORRECTION", enterprise=ACME, grade="D", corrects={"source_id": "p1"})),
        metadata=ANTI))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["grade"]
    assert await feed_ids(ingestion) == ["p1"]


async def test_r6_same_day_ratings_from_one_department_the_later_received_wins(suite):
    await file(suite, record(source_id="t1", kind="INDUSTRY_RATING", grade="D", enterprise=ACME, decided_on=date(2026, 2, 10)), TAX)
    later = await file(suite, record(source_id="t2", kind="INDUSTRY_RATING", grade="B", enterprise=ACME,
                                     decided_on=date(2026, 2, 10)), TAX)
    assert (await class_at(suite, ACME, "2026-02-10T12:00:00+08:00", later.cursor)).credit_class == WHITELIST
    await file(suite, record(source_id="u1", kind="INDUSTRY_RATING", grade="B", enterprise=OTHER, decided_on=date(2026, 2, 10)), TAX)
    lowest = await file(suite, record(source_id="u2", kind="INDUSTRY_RATING", grade="D", enterprise=OTHER,
                                      decided_on=date(2026, 2, 10)), TAX)
    answer = await class_at(suite, OTHER, "2026-02-10T12:00:00+08:00", lowest.cursor)
    assert answer.credit_class == WATCHLIST and [r.rule for r in answer.reasons] == ["E-W1"]


async def test_ea_a_revocation_ends_every_certification_granted_before_it(suite):
    await file(suite, record(source_id="a1", kind="AEO_GRANTED", enterprise=ACME, decided_on=date(2026, 1, 5)), CUSTOMS)
    await file(suite, record(source_id="a2", kind="AEO_GRANTED", enterprise=ACME, decided_on=date(2026, 2, 1)), CUSTOMS)
    revoked = await file(suite, record(source_id="r1", kind="AEO_REVOKED", enterprise=ACME, decided_on=date(2026, 2, 15)), CUSTOMS)
    held = await class_at(suite, ACME, "2026-02-14T12:00:00+08:00", revoked.cursor)
    assert held.credit_class == AEO and held.until.ToDatetime().isoformat() == "2026-02-14T16:00:00"
    assert (await class_at(suite, ACME, "2026-02-15T00:00:00+08:00", revoked.cursor)).credit_class == WHITELIST
    regrant = await file(suite, record(source_id="a3", kind="AEO_GRANTED", enterprise=ACME, decided_on=date(2026, 2, 20)), CUSTOMS)
    assert (await class_at(suite, ACME, "2026-02-20T00:00:00+08:00", regrant.cursor)).credit_class == AEO


async def test_ex3_until_is_the_next_instant_the_class_differs_not_the_next_change(suite):
    await file(suite, record(source_id="a1", kind="AEO_GRANTED", enterprise=ACME, decided_on=date(2026, 1, 5),
                             valid_until=date(2026, 6, 30)), CUSTOMS)
    alert = await file(suite, record(source_id="ra", kind="RISK_ALERT", enterprise=ACME, decided_on=date(2026, 2, 1),
                                     valid_until=date(2026, 4, 30)), CUSTOMS)
    answer = await class_at(suite, ACME, "2026-03-01T12:00:00+08:00", alert.cursor)
    assert answer.credit_class == AEO and common_pb2.FLAG_RISK_ALERT in answer.flags
    # The alert ends on 2026-05-01 (a change of flags, not of class); the class differs from 2026-07-01.
    assert answer.until.ToDatetime().isoformat() == "2026-06-30T16:00:00"


async def test_pr_m1_any_party_under_a_valid_alert_is_at_the_alert_rate_whatever_its_class(gate):
    await file(gate, record(source_id="a1", kind="AEO_GRANTED", enterprise=ACME, decided_on=date(2026, 1, 5)), CUSTOMS)
    await file(gate, record(source_id="ra", kind="RISK_ALERT", enterprise=ACME, decided_on=date(2026, 2, 1),
                            valid_until=date(2026, 3, 31)), CUSTOMS)
    last = await file(gate, record(source_id="rd", kind="RISK_ALERT", individual=DRIVER, decided_on=date(2026, 2, 1),
                                   valid_until=date(2026, 3, 31)), CUSTOMS)
    # Records applied together make one change a subject: wait for the revision classification
    # stands at once it has applied the last record, not for a count of changes.
    await class_at(gate, ACME, "2026-03-01T10:00:00+08:00", last.cursor)
    await caught_up(gate, (await gate.classification.GetStatus(cpb.GetStatusRequest(), metadata=OPERATOR)).revision)
    decision = await decide(gate, crossing("alert", "2026-03-01T10:00:00+08:00", enterprise=ACME, individuals=[DRIVER]))
    entity, driver = decision.parties
    assert entity.credit_class == AEO and entity.inspection_rate == 1.0 and "P-R" in entity.reasons
    assert driver.credit_class == WHITELIST and driver.inspection_rate == 1.0 and "P-R" in driver.reasons
    assert decision.lane == pb.LANE_RED


async def test_m4_batch_exit_with_no_declaring_entity_is_refused_with_the_reason(gate):
    decision = await decide(gate, crossing("no-entity", "2026-03-01T10:00:00+08:00", individuals=[DRIVER], batch=True))
    assert decision.refused and "M-4" in decision.reasons
    assert decision.refusal_detail == "batch exit needs a declaring entity (M-4)"
    assert not decision.HasField("consolidated_declaration_due")
