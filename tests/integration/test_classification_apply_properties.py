"""Applying the record feed (hypothesis): a withdrawal leaves the timeline as if the record had
never been filed, and applying the feed twice changes nothing (RULES R-4, T-4)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondline.rules_config import load_rules
from secondline.services.classification.codec import dump_timeline
from secondline.services.classification.store import ClassificationStore, Incoming
from secondline.services.classification.tables import Base
from secondline.storage import make_engine

RULES = load_rules()
SUBJECT = "91460100MA5T0A3D5P"
NOW = datetime(2027, 1, 1, tzinfo=timezone.utc)


@st.composite
def records(draw):
    specs = draw(st.lists(st.tuples(
        st.sampled_from(["SMUGGLING_PENALTY", "AEO_GRANTED", "AEO_REVOKED", "INDUSTRY_RATING", "RISK_ALERT"]),
        st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
        st.sampled_from(["A", "D"]),
    ), min_size=1, max_size=6))
    found = []
    for i, (kind, decided, grade) in enumerate(specs, start=1):
        source = "TAX" if kind == "INDUSTRY_RATING" else "CUSTOMS"
        found.append(Incoming(record_id=f"r{i}", cursor=i, kind=kind, content_kind=kind, source=source,
                              subject_type="enterprise", subject_key=SUBJECT, decided_on=decided,
                              grade=grade if kind == "INDUSTRY_RATING" else "",
                              valid_until=decided + timedelta(days=30) if kind == "RISK_ALERT" else None))
    return found


def fresh_store(tmp_path, name) -> ClassificationStore:
    engine = make_engine(f"sqlite:///{tmp_path}/{name}.sqlite")
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    return ClassificationStore(engine, RULES)


def timeline_of(store) -> str:
    found = store.subject(SUBJECT)
    return dump_timeline(found[0]) if found else "none"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records(), st.data())
def test_withdrawing_a_record_gives_the_timeline_without_it(tmp_path, feed, data):
    withdrawn = data.draw(st.sampled_from(feed))
    withdrawal = Incoming(record_id="w", cursor=len(feed) + 1, kind="WITHDRAWAL", content_kind=withdrawn.content_kind,
                          source=withdrawn.source, subject_type="enterprise", subject_key=SUBJECT,
                          decided_on=date(2027, 1, 1), target_record_id=withdrawn.record_id)
    with_withdrawal = fresh_store(tmp_path, "a")
    split = data.draw(st.integers(0, len(feed)))  # the feed arrives in batches of any size
    with_withdrawal.apply(feed[:split], NOW)
    with_withdrawal.apply(feed[split:] + [withdrawal], NOW)
    never_filed = fresh_store(tmp_path, "b")
    never_filed.apply([r for r in feed if r is not withdrawn], NOW)
    expected = timeline_of(never_filed)
    got = timeline_of(with_withdrawal)
    assert got == expected or (expected == "none" and '"segments":[[null,null,"WHITELIST",[],[]]]' in got)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records())
def test_applying_the_feed_twice_changes_nothing(tmp_path, feed):
    store = fresh_store(tmp_path, "c")
    store.apply(feed, NOW)
    once, revision = timeline_of(store), store.revision()
    assert store.apply(feed, NOW) == 0
    assert timeline_of(store) == once and store.revision() == revision
