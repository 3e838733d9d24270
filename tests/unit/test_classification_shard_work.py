"""Work goes to a shard worker as plain tuples (shards._plain) and is made again there
(shards._typed): the same work, each fact of the same kind, through a pickle as the pool sends it."""

from __future__ import annotations

import pickle
from datetime import date, datetime

from secondline.dates import CST
from secondline.services.classification.domain import Fact, PlainFact
from secondline.services.classification.shards import _plain, _typed
from secondline.services.classification.timelines import Work


def test_work_through_the_pipe_is_the_same_work_with_its_facts_kinds():
    full = Fact("r1", "ANTI_SMUGGLING", "OBJECTION_OPENED", date(2026, 3, 1), severity="SERIOUS", order=7,
                objection_id="obj-1", marked_at=datetime(2026, 3, 2, tzinfo=CST), marked_records=("r0", "r9"),
                effect="LOWEST", source_id="S-1")
    plain = PlainFact("r2", "CUSTOMS", "INDUSTRY_RATING", date(2026, 3, 3), order=8, grade="A", valid_until=date(2027, 3, 3))
    work = [Work("91460000MA5T00001X", "enterprise", (full, plain), frozenset({"r0"})),
            Work("460100199001011234", "individual", (), frozenset())]
    sent = pickle.dumps([_plain(w) for w in work], protocol=pickle.HIGHEST_PROTOCOL)
    assert b"Fact" not in sent and b"Work" not in sent  # plain tuples: no class is named in the pickle
    again = [_typed(w) for w in pickle.loads(sent)]
    assert again == work
    assert [type(w) for w in again] == [Work, Work]
    assert [type(f) for f in again[0].added] == [Fact, PlainFact]
    assert again[0].added[1].severity == "" and again[0].added[0].marked_records == ("r0", "r9")
