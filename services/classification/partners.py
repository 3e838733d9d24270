"""A partner's grades by their mapped effect (RULES X-3, R-7), as pure functions like the engine's.

Each partner's ratings replace one another (R-6: the latest by decision date, on the same day
the later received), and each holds until the partner's next rating:

- ``LOWEST`` counts as E-W1: watchlist until that partner rates the subject above it (E-X1);
- ``SERIOUS_DISHONESTY`` counts as E-W3: watchlist for the configured stay from the decision
  date (E-X2, three years by default), and an L-2 restriction (``DISHONESTY_PARTNER``) while
  the partner's listing holds: until its next rating, at most the serious publicity period
  (L-3);
- ``AEO`` counts as E-A: until the partner's next rating or the grade's last valid day;
- ``NONE`` is kept with no effect.

Every contribution cites X-3 and names the partner and the local rule it counts as.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from secondline.dates import start_of_day
from secondline.rules_config import RulesConfig

from .domain import AEO, DISHONESTY_PARTNER, PARTNER_PREFIX, WATCHLIST, Contribution, Fact

RULE = "X-3"


def partner_grades(facts: list[Fact], rules: RulesConfig) -> list[Contribution]:
    """The contributions of partners' INDUSTRY_RATING records; ``facts`` are in decision order."""
    by_partner: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.kind == "INDUSTRY_RATING":
            by_partner[fact.source].append(fact)
    found: list[Contribution] = []
    for source, ratings in by_partner.items():
        partner = source.removeprefix(PARTNER_PREFIX)
        for rating, following in zip(ratings, [*ratings[1:], None]):
            start = start_of_day(rating.decided_on)
            replaced = start_of_day(following.decided_on) if following else None
            records = (rating.record_id, following.record_id) if following else (rating.record_id,)
            version = rules.in_force(rating.decided_on)
            if rating.effect == "LOWEST":  # E-W1, E-X1
                found.append(Contribution(RULE, WATCHLIST, start, replaced, records, partner, "E-W1"))
            elif rating.effect == "SERIOUS_DISHONESTY":  # E-W3 for the stay (E-X2), L-2 while listed
                found.append(Contribution(RULE, WATCHLIST, start, version.watchlist_stay.end(rating.decided_on),
                                          (rating.record_id,), partner, "E-W3"))
                listed_until = version.publicity["SERIOUS"].end(rating.decided_on)
                if replaced is not None and replaced < listed_until:
                    listed_until, listed_records = replaced, records
                else:
                    listed_records = (rating.record_id,)
                found.append(Contribution(RULE, DISHONESTY_PARTNER, start, listed_until, listed_records, partner, "L-2"))
            elif rating.effect == "AEO":  # E-A
                ends = [e for e in (replaced,) if e is not None]
                if rating.valid_until is not None:
                    ends.append(start_of_day(rating.valid_until + timedelta(days=1)))
                found.append(Contribution(RULE, AEO, start, min(ends) if ends else None, records, partner, "E-A"))
    return found


__all__ = ["partner_grades"]
