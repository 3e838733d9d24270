"""What ``secondline demo`` counted of objections, repairs and partners (RULES O, L-4, X).

Every count here is read back from the services at the end of the tour (the objections'
statuses, deadlines and answers from the objection service, the partners' classes from
classification, the checkpoint from recognition), not taken from the demo's own plan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date


@dataclass
class ObjectionTally:
    """Objections (O) and repair applications (L-4) filed over the weeks the demo replays."""

    since: date
    days: int
    eligible: int = 0  # records the population could object to
    filed: int = 0
    status: Counter = field(default_factory=Counter)  # OPEN, OVERDUE, UPHELD, REJECTED, PARTLY_UPHELD
    answered: int = 0  # disputed records answered
    in_time: int = 0  # ... at or before their deadline (O-3)
    late: int = 0
    extended: int = 0  # deadlines extended once, with a reason (O-3)
    unanswered_overdue: int = 0  # disputed records past their due instant, still unanswered
    remedies: Counter = field(default_factory=Counter)  # withdrawn, corrected (O-4)
    filed_by_owners: int = 0  # WITHDRAWAL and CORRECTION records filed through ingestion
    applied: int = 0  # repair applications sent
    refused: Counter = field(default_factory=Counter)  # unmet L-4 condition, for applications refused at receipt
    repairs: Counter = field(default_factory=Counter)  # OPEN, OVERDUE, APPROVED, REJECTED
    repairs_in_time: int = 0
    repairs_late: int = 0
    repair_records: int = 0  # DISHONESTY_REMOVED and CREDIT_COMMITMENT records filed
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return sum(self.status[s] for s in ("UPHELD", "REJECTED", "PARTLY_UPHELD"))

    def check(self) -> list[str]:
        found = list(self.problems)
        if self.filed and not self.answered:
            found.append("no objection was answered")
        if self.status["UPHELD"] + self.status["PARTLY_UPHELD"] and not self.filed_by_owners:
            found.append("upheld objections filed no WITHDRAWAL or CORRECTION through ingestion (O-4)")
        if self.repairs["APPROVED"] and self.repair_records < 2 * self.repairs["APPROVED"]:
            found.append(f"{self.repairs['APPROVED']} approved repairs filed only {self.repair_records} records (L-4)")
        return found


@dataclass
class PartnerTally:
    """Partners' envelopes in (X-3, X-4) and the classes they drive (X-2, X-3), and the log (X-6)."""

    sent: Counter = field(default_factory=Counter)  # envelopes by partner
    accepted: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)  # by partner, e.g. a tampered envelope on purpose
    refusal_codes: Counter = field(default_factory=Counter)
    effects: Counter = field(default_factory=Counter)  # (partner, effect)
    classes: Counter = field(default_factory=Counter)  # (partner, subject type, class) of subjects it sent about
    driven: Counter = field(default_factory=Counter)  # (partner, rule, class): the partner's record is behind the class
    seconds: float = 0.0
    tree_size: int = 0
    verify_lines: list[str] = field(default_factory=list)  # secondline verify's output
    verify_status: int | None = None
    checkpoint: str = ""
    report: tuple[str, str, int] = ("", "", 0)  # the credit report checked: entity, signing key, log index

    @property
    def verified(self) -> bool:
        return self.verify_status == 0 and any(line.startswith("PASS") for line in self.verify_lines)

    def check(self) -> list[str]:
        found = []
        unexpected = sum(self.refused.values()) - self.refusal_codes["UNAUTHENTICATED"]
        if unexpected > 0:
            found.append(f"{unexpected} partner envelopes refused other than the tampered ones")
        if sum(self.sent.values()) and not self.verified:
            found.append("secondline verify did not pass the checkpoint fetched from recognition: "
                         + "; ".join(line for line in self.verify_lines if not line.startswith("PASS")))
        return found


__all__ = ["ObjectionTally", "PartnerTally"]
