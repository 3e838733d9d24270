"""Properties of the timeline (hypothesis): one class at every instant, order does not matter,
and a withdrawn record leaves the timeline as if it never held (RULES E, P, R-4, T-4)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from secondline.dates import CST
from secondline.rules_config import load_rules
from secondline.services.classification.domain import CLASS_RANK, Fact
from secondline.services.classification.engine import answer_at, timeline

RULES = load_rules()
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def facts(draw):
    kind = draw(st.sampled_from(["AEO_GRANTED", "AEO_REVOKED", "INDUSTRY_RATING", "SMUGGLING_PENALTY",
                                 "SMUGGLING_CRIME", "DISHONESTY_LISTED", "DISHONESTY_REMOVED",
                                 "OTHER_LEGAL_LISTING", "RISK_ALERT"]))
    decided = draw(DAYS)
    fields = {}
    source = {"AEO_GRANTED": "CUSTOMS", "AEO_REVOKED": "CUSTOMS"}.get(kind, "ANTI_SMUGGLING")
    if kind == "INDUSTRY_RATING":
        source = draw(st.sampled_from(["TAX", "TRANSPORT"]))
        fields["grade"] = draw(st.sampled_from(RULES.versions[0].scale(source)))
    if kind in ("DISHONESTY_LISTED", "DISHONESTY_REMOVED"):
        fields["list"] = draw(st.sampled_from(["ANTI_SMUGGLING", "MARITIME"]))
    if kind == "DISHONESTY_LISTED":
        fields["severity"] = draw(st.sampled_from(["MINOR", "GENERAL", "SERIOUS"]))
    if kind == "RISK_ALERT" or (kind == "AEO_GRANTED" and draw(st.booleans())):
        fields["valid_until"] = decided + timedelta(days=draw(st.integers(0, 400)))
    return dict(kind=kind, decided_on=decided, source=source, **fields)


@st.composite
def histories(draw):
    specs = draw(st.lists(facts(), max_size=8))
    return [Fact(record_id=f"r{i}", order=i, **spec) for i, spec in enumerate(specs)]


SUBJECTS = st.sampled_from(["enterprise", "individual"])
INSTANTS = st.datetimes(min_value=datetime(2023, 6, 1), max_value=datetime(2035, 1, 1), timezones=st.just(CST))


@settings(max_examples=300, deadline=None)
@given(histories(), SUBJECTS)
def test_exactly_one_class_at_every_instant(history, subject_type):
    segments = timeline(subject_type, history, RULES)
    assert segments[0].start is None and segments[-1].end is None
    for before, after in zip(segments, segments[1:]):
        assert before.end == after.start
        assert before.start is None or before.start < before.end
    assert all(s.klass in CLASS_RANK for s in segments)


@settings(max_examples=300, deadline=None)
@given(histories(), SUBJECTS, st.randoms(use_true_random=False))
def test_the_same_records_in_any_order_give_the_same_timeline(history, subject_type, random):
    shuffled = list(history)
    random.shuffle(shuffled)
    assert timeline(subject_type, shuffled, RULES) == timeline(subject_type, history, RULES)


@settings(max_examples=300, deadline=None)
@given(histories(), SUBJECTS, st.data())
def test_leaving_a_record_out_gives_the_same_timeline_whatever_the_others_order_numbers(history, subject_type, data):
    # Withdrawal through the record feed is tested on the store (test_classification_apply_properties).
    if not history:
        return
    withdrawn = data.draw(st.sampled_from(history))
    kept = [f for f in history if f is not withdrawn]
    fresh = [f._replace(order=i) for i, f in enumerate(kept)]  # as if never filed
    assert timeline(subject_type, kept, RULES) == timeline(subject_type, fresh, RULES)


@settings(max_examples=300, deadline=None)
@given(histories(), INSTANTS)
def test_the_class_is_the_strictest_that_applies(history, instant):
    a = answer_at(timeline("enterprise", history, RULES), instant, "enterprise")
    effects = {c.effect for c in a.reasons if c.covers(instant)}
    expected = "WATCHLIST" if "WATCHLIST" in effects else "AEO" if "AEO" in effects else "WHITELIST"
    assert a.klass == expected
    assert a.until is None or a.until > instant
