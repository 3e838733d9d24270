"""The departments' records about the demo population, in plausible proportions (R-1, R-5, R-6),
and the fresh records that time record-to-gate freshness.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from secondline.common.v1 import common_pb2
from secondline.dates import CST, add_years, cst_date
from secondline.ingestion.v1 import ingestion_pb2 as pb
from secondline.rpc.convert import date_to_proto as _date
from secondline.rules_config import RuleVersion

from secondline.cli.demo.subjects import ALERTERS, DEFAULT_GRADE_WEIGHTS, GRADE_WEIGHTS, PENALISERS, RATERS, SOURCE_PREFIX, Filing, Probe, Maker


class Records:
    """The departments' records about each subject, by the subject's story."""

    def __init__(self, rng: random.Random, now: datetime, rules: RuleVersion) -> None:
        self.rng = rng
        self.now = now
        self.today = cst_date(now)
        self.rules = rules
        self.filings: list[Filing] = []
        self.counters: Counter = Counter()
        self.aeo: set[str] = set()
        self.logistics: set[str] = set()
        self.earliest: date | None = None  # no decision about the current subject before this day

    # --- dates ---------------------------------------------------------------------------

    def days_ago(self, low: int, high: int) -> date:
        if self.earliest is not None:
            high = max(0, min(high, (self.today - self.earliest).days))
            low = min(low, high)
        return self.today - timedelta(days=self.rng.randint(low, high))

    def later(self, start: date, low: int, high: int) -> date | None:
        """A day ``low``..``high`` days after ``start``, or None if that is after today."""
        day = start + timedelta(days=self.rng.randint(low, high))
        return day if day <= self.today else None

    def tax_rating_day(self, years_back: int) -> date:
        # Tax credit ratings are published each April for the year before.
        year = self.today.year - years_back - (0 if self.today >= date(self.today.year, 4, 30) else 1)
        return date(year, 4, self.rng.randint(8, 28))

    # --- filing ---------------------------------------------------------------------------

    def file(self, department: str, kind: str, subject_type: str, key: str, decided: date, **fields) -> None:
        if not self.rules.may_file(department, kind):  # only its own kinds
            raise ValueError(f"{department} may not file {kind} (rules.yaml)")
        self.counters[department] += 1
        record = pb.RecordInput(
            source_id=f"{SOURCE_PREFIX[department]}-{decided:%Y}-{self.counters[department]:07d}",
            kind=common_pb2.RecordKind.Value("RECORD_KIND_" + kind),
            subject=common_pb2.SubjectId(**{subject_type: key}),
            decided_on=_date(decided),
        )
        if "grade" in fields:
            scale = self.rules.scale(department) or []
            if fields["grade"] not in scale:  # a grade on the department's own scale
                raise ValueError(f"grade {fields['grade']} is not on {department}'s scale")
            record.grade = fields["grade"]
        if "valid_until" in fields:
            record.valid_until.CopyFrom(_date(fields["valid_until"]))
        if "list" in fields:
            record.list = common_pb2.DishonestyList.Value("DISHONESTY_LIST_" + fields["list"])
        if "severity" in fields:
            record.severity = common_pb2.Severity.Value("SEVERITY_" + fields["severity"])
        if "commitment" in fields:
            record.commitment = common_pb2.CommitmentStatus.Value("COMMITMENT_STATUS_" + fields["commitment"])
        if "legal_basis" in fields:
            record.legal_basis = fields["legal_basis"]
        self.filings.append(Filing(department, record, self.received(decided)))

    def received(self, decided: date) -> datetime | None:
        """When the record reached the suite: mostly within days (R-5), sometimes late; None = today."""
        rng = self.rng
        delay = rng.randint(0, 10) if rng.random() < 0.94 else rng.randint(16, 90)
        day = decided + timedelta(days=delay)
        if day >= self.today:
            return None
        at = datetime.combine(day, time(rng.randint(8, 17), rng.randrange(60), rng.randrange(60)), tzinfo=CST)
        return at.astimezone(timezone.utc)

    def rating(self, department: str, key: str, decided: date) -> None:
        scale = self.rules.scale(department) or []
        weights = GRADE_WEIGHTS.get(department)
        chosen = (self.rng.choices(scale, weights=[weights.get(g, 1) for g in scale])[0] if weights
                  else self.rng.choices(scale, weights=DEFAULT_GRADE_WEIGHTS[-len(scale):])[0])
        self.file(department, "INDUSTRY_RATING", "enterprise", key, decided, grade=chosen)

    # --- stories ----------------------------------------------------------------------------

    def enterprise(self, key: str) -> None:
        rng = self.rng
        self.earliest = None
        if rng.random() < 0.95:  # tax rates nearly every company, every year
            self.rating("TAX", key, self.tax_rating_day(0))
            if rng.random() < 0.35:
                self.rating("TAX", key, self.tax_rating_day(1))
        for department, share in RATERS.items():
            if rng.random() < share:
                if department == "TRANSPORT":
                    self.logistics.add(key)
                self.rating(department, key, self.days_ago(20, 730))
        if rng.random() < 0.035:  # E-A: an AEO certification, from any Chinese customs office
            granted = self.days_ago(30, 5 * 365)
            until = add_years(granted, 5) if rng.random() < 0.3 else None
            self.file("CUSTOMS", "AEO_GRANTED", "enterprise", key, granted,
                      **({"valid_until": until} if until else {}))
            self.aeo.add(key)
            if rng.random() < 0.06 and (revoked := self.later(granted, 90, 900)):
                self.file("CUSTOMS", "AEO_REVOKED", "enterprise", key, revoked)
        if rng.random() < 0.02:  # E-W2: administrative penalties for smuggling
            first = self.days_ago(1, 5 * 365)
            self.file(self.pick(PENALISERS), "SMUGGLING_PENALTY", "enterprise", key, first)
            if rng.random() < 0.2 and (second := self.later(first, 30, 700)):
                self.file(self.pick(PENALISERS), "SMUGGLING_PENALTY", "enterprise", key, second)
        if rng.random() < 0.005:  # E-W3 and L-1: serious-dishonesty lists
            self.listing(key, "enterprise", "ANTI_SMUGGLING" if rng.random() < 0.7 else "MARITIME")
        if rng.random() < 0.001:
            self.file("COURT", "SMUGGLING_CRIME", "enterprise", key, self.days_ago(30, 4 * 365))
        if rng.random() < 0.002:  # E-W4
            self.file(rng.choice(("MARKET_REGULATION", "TAX", "CUSTOMS")), "OTHER_LEGAL_LISTING", "enterprise", key,
                      self.days_ago(10, 3 * 365), legal_basis="Regulations on the Hainan Free Trade Port, art. 32")
        if rng.random() < 0.012:  # a risk alert on a company (P-R lifts its exemption while valid)
            self.alert("enterprise", key)
        if rng.random() < 0.05:
            self.file(rng.choice(("MARKET_REGULATION", "TAX")), "CREDIT_COMMITMENT", "enterprise", key,
                      self.days_ago(5, 700), commitment=rng.choice(("MADE", "FULFILLED")))

    def individual(self, key: str, *, worker: bool) -> None:
        rng = self.rng
        self.earliest = None
        if ":" not in key:  # a resident identity number: no record before the person came of age
            adult = add_years(date(int(key[6:10]), int(key[10:12]), int(key[12:14])), 18)
            if adult > self.today:
                return
            self.earliest = adult
        scale = 2.0 if worker else 1.0  # drivers and declarants meet smuggling more often
        if rng.random() < 0.010 * scale:  # P-W
            first = self.days_ago(1, 5 * 365)
            self.file(self.pick(PENALISERS), "SMUGGLING_PENALTY", "individual", key, first)
            if rng.random() < 0.15 and (second := self.later(first, 30, 700)):
                self.file(self.pick(PENALISERS), "SMUGGLING_PENALTY", "individual", key, second)
        if rng.random() < 0.0015 * scale:
            self.listing(key, "individual", "ANTI_SMUGGLING")
        if rng.random() < 0.0004 * scale:
            self.file("COURT", "SMUGGLING_CRIME", "individual", key, self.days_ago(30, 4 * 365))
        if rng.random() < 0.008 * scale:  # P-R
            self.alert("individual", key)

    def listing(self, key: str, subject_type: str, list_name: str) -> None:
        rng = self.rng
        listed = self.days_ago(10, 4 * 365)
        severity = rng.choices(("SERIOUS", "GENERAL", "MINOR"), weights=(30, 50, 20))[0]
        if list_name == "ANTI_SMUGGLING" and rng.random() < 0.7:  # the penalty or crime behind it
            self.file(self.pick(PENALISERS), "SMUGGLING_PENALTY", subject_type, key, listed - timedelta(days=rng.randint(20, 200)))
        self.file(list_name, "DISHONESTY_LISTED", subject_type, key, listed, list=list_name, severity=severity)
        if rng.random() < 0.15 and (removed := self.later(listed, 366, 800)):  # L-4: repaired
            self.file(list_name, "DISHONESTY_REMOVED", subject_type, key, removed, list=list_name)

    def alert(self, subject_type: str, key: str) -> None:
        decided = self.days_ago(0, 150)
        until = decided + timedelta(days=self.rng.choice((30, 60, 90, 180)))
        self.file(self.pick(ALERTERS), "RISK_ALERT", subject_type, key, decided, valid_until=until)

    def pick(self, weighted) -> str:
        names, weights = zip(*weighted)
        return self.rng.choices(names, weights=weights)[0]


def make_probes(make: Maker, records: Records, count: int, run: str) -> list[Probe]:
    """Fresh records, decided today, for subjects the suite has never heard of."""
    today = records.today
    probes = []
    watch, aeo, whitelist = common_pb2.CREDIT_CLASS_WATCHLIST, common_pb2.CREDIT_CLASS_AEO, common_pb2.CREDIT_CLASS_WHITELIST
    for i in range(count):
        n = i + 1
        story = i % 4
        if story == 0:
            key = make.uscc()
            record = pb.RecordInput(source_id=f"HNASB-LIVE-{today:%Y%m%d}-{run}-{n:04d}", kind=common_pb2.RECORD_KIND_SMUGGLING_PENALTY,
                                    subject=common_pb2.SubjectId(enterprise=key), decided_on=_date(today))
            probes.append(Probe("ANTI_SMUGGLING", record, "enterprise", key, watch, 0, "smuggling penalty (E-W2)"))
        elif story == 1:
            key = make.uscc()
            record = pb.RecordInput(source_id=f"HKCUS-LIVE-{today:%Y%m%d}-{run}-{n:04d}", kind=common_pb2.RECORD_KIND_AEO_GRANTED,
                                    subject=common_pb2.SubjectId(enterprise=key), decided_on=_date(today))
            probes.append(Probe("CUSTOMS", record, "enterprise", key, aeo, 0, "AEO certification (E-A)"))
        elif story == 2:
            key = make.resident_id()
            record = pb.RecordInput(source_id=f"HKCUS-LIVE-{today:%Y%m%d}-{run}-{n:04d}", kind=common_pb2.RECORD_KIND_RISK_ALERT,
                                    subject=common_pb2.SubjectId(individual=key), decided_on=_date(today),
                                    valid_until=_date(today + timedelta(days=30)))
            probes.append(Probe("CUSTOMS", record, "individual", key, whitelist, common_pb2.FLAG_RISK_ALERT,
                                "risk alert on a traveller (P-R)"))
        else:
            key = make.resident_id()
            record = pb.RecordInput(source_id=f"HNASB-LIVE-{today:%Y%m%d}-{run}-{n:04d}", kind=common_pb2.RECORD_KIND_DISHONESTY_LISTED,
                                    subject=common_pb2.SubjectId(individual=key), decided_on=_date(today),
                                    list=common_pb2.DISHONESTY_LIST_ANTI_SMUGGLING, severity=common_pb2.SEVERITY_GENERAL)
            probes.append(Probe("ANTI_SMUGGLING", record, "individual", key, watch,
                                common_pb2.FLAG_DISHONESTY_ANTI_SMUGGLING, "anti-smuggling listing (L-1)"))
    return probes


