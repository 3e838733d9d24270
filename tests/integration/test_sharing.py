"""Class results shared beyond the suite: the departments' feed (RULES I-2) and the desensitised
export for credit firms (I-3)."""

from __future__ import annotations

from datetime import date

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2 as ipb
from tests.conftest import OPERATOR, as_department
from tests.helpers import record

PERSON = "11010519491231002X"
ENTITY, LISTED = "91460100MA5T0A3D5P", "91460100MA00000075"
FIRM = (("x-secondline-principal", "firm/ratings"),)


async def _file(suite):
    filed = []
    for department, source_id, fields in [
        ("CUSTOMS", "C-PERSON", {"individual": PERSON}),
        ("CUSTOMS", "C-ENTITY", {"enterprise": ENTITY}),
        ("COAST_GUARD", "G-ENTITY", {"enterprise": ENTITY, "decided_on": date(2026, 2, 21)}),
        ("ANTI_SMUGGLING", "A-LISTED", {"enterprise": LISTED, "kind": "DISHONESTY_LISTED", "list": "ANTI_SMUGGLING",
                                        "severity": "GENERAL"}),
    ]:
        reply = await suite.stub.SubmitRecord(ipb.SubmitRecordRequest(record=record(source_id=source_id, **fields)),
                                              metadata=as_department(department))
        filed.append(reply.record)
    await suite.classification.GetSubjectClass(cpb.GetSubjectClassRequest(
        subject=common_pb2.SubjectId(enterprise=ENTITY), min_record_cursor=filed[-1].cursor), metadata=OPERATOR, timeout=30)
    return filed


async def _feed(suite, department: str, after: int = 0):
    return [m async for m in suite.classification.StreamDepartmentChanges(
        cpb.StreamDepartmentChangesRequest(after_revision=after), metadata=as_department(department))]


async def test_a_department_follows_every_change_with_its_own_source_ids_and_individuals_by_its_pseudonym(suite):
    await _file(suite)
    customs, coast = await _feed(suite, "CUSTOMS"), await _feed(suite, "COAST_GUARD")
    assert PERSON.encode() not in b"".join(m.SerializeToString() for m in customs + coast)  # I-3, even to the filer
    people = [m.change.subject.pseudonym for m in customs if m.change.subject.pseudonym]
    assert len(set(people)) == 1 and people[0].startswith("PSN1-")
    assert people[0] not in {m.change.subject.pseudonym for m in coast}  # another department, another pseudonym
    entity = [m.change for m in customs if m.change.subject.enterprise == ENTITY][-1]
    assert entity.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST
    assert {r.rule for r in entity.reasons} and all(r.HasField("since") for r in entity.reasons)
    sources = {s for r in entity.reasons for s in r.source_ids}
    assert sources == {"C-ENTITY"}  # its own records only, not the coast guard's
    listed = [m.change for m in customs if m.change.subject.enterprise == LISTED]
    assert listed and not any(r.source_ids for c in listed for r in c.reasons)  # every subject, none of its records
    # Resumable: after the first change's revision, the rest, in the same order.
    rest = await _feed(suite, "CUSTOMS", customs[0].revision)
    assert [m.revision for m in rest] == [m.revision for m in customs[1:]]


async def test_a_firm_takes_a_desensitised_snapshot_with_individuals_as_counts(suite):
    await _file(suite)
    pages = [m async for m in suite.classification.ExportClasses(cpb.ExportClassesRequest(page_size=1), metadata=FIRM)]
    assert [len(p.entities) for p in pages] == [1, 1, 0] and [p.last for p in pages] == [False, False, True]
    assert pages[0].rules_version and pages[0].catalogue_version and pages[0].revision > 0
    entities = {e.subject.enterprise: e for p in pages for e in p.entities}
    assert set(entities) == {ENTITY, LISTED}
    listed = entities[LISTED]
    assert listed.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST and "KEY_INSPECTION" in listed.measures  # L-2
    records = [r for reason in entities[ENTITY].reasons for r in reason.records]
    assert {r.kind for r in records} == {common_pb2.RECORD_KIND_SMUGGLING_PENALTY} and len(records) == 2
    assert [(c.credit_class, c.individuals) for c in pages[-1].individuals] == [(common_pb2.CREDIT_CLASS_WATCHLIST, 1)]
    sent = b"".join(p.SerializeToString() for p in pages)
    for secret in (PERSON, "C-ENTITY", "G-ENTITY", "A-LISTED"):
        assert secret.encode() not in sent  # no individual, no record content beyond kind and date
    resumed = [m async for m in suite.classification.ExportClasses(
        cpb.ExportClassesRequest(page_size=1, page_token=pages[0].resume_token, as_of=pages[0].as_of), metadata=FIRM)]
    assert [e.subject.enterprise for p in resumed for e in p.entities] == [e.subject.enterprise for e in pages[1].entities]
