"""A realistic synthetic population for ``secondline demo``, and a day of crossings.

The population is what the suite would hold after a few years in service: business entities
(with valid unified social credit codes, S-2) and individuals (resident identity numbers with
real birth dates, S-3, and some passports and travel permits), and the departments' records
about them in plausible proportions: nearly every company has a tax credit rating, many a
market-regulation, transport or customs rating; a few percent are AEO-certified; a few have
been penalised for smuggling, rated at the bottom of a scale, listed as seriously dishonest or
put under a risk alert. Most individuals have no record at all.

Every record is one its department may file (R-1, from ``rules.yaml``), with a grade on the
department's own scale (R-6), decided on a date not after today (CST). Each record also has the
day it reached the suite: most within the 15-day deadline of R-5, a few late. Records that
reached the suite before today are history, migrated with their receipt instants
(``BackfillRecords``); the others are filed today by the departments (``SubmitRecords``).

Then the crossings: one day at the ten second-line ports (M-0), with each port's traffic
(ro-ro freight and passengers at the Haikou ports, cargo at Yangpu and Basuo, travellers at the
airports), hours of the day weighted by traffic, companies crossing as often as their size
says, with their own drivers.

Everything is drawn from one seeded ``random.Random``: the same seed and date give the same
population and the same crossings.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate

from secondline.common.v1 import common_pb2
from secondline.dates import CST, add_years, cst_date
from secondline.gate.v1 import gate_pb2
from secondline.identifiers import (
    USCC_ALPHABET, parse_travel_document, resident_id_check_character, uscc_check_character,
    validate_resident_id, validate_uscc,
)
from secondline.ingestion.v1 import ingestion_pb2 as pb
from secondline.rpc.convert import date_to_proto as _date
from secondline.rpc.convert import timestamp as _timestamp
from secondline.rules_config import RuleVersion

__all__ = ["PORTS", "Filing", "Population", "Probe", "generate_crossings", "generate_population"]

# Administrative divisions (GB/T 2260): Hainan's, weighted first, then mainland ones.
HAINAN_AREAS = ["460105", "460106", "460107", "460108", "460202", "460203", "460204", "460205",
                "460400", "469002", "469005", "469006", "469007", "469023", "469024"]
MAINLAND_AREAS = ["440103", "440305", "440524", "110105", "310115", "330106", "350203", "420106",
                  "430104", "450103", "510107", "360102"]
# Passports of the travellers who are not mainland residents (issuer, number maker).
PASSPORT_ISSUERS = ["SG", "MY", "RU", "KR", "JP", "TH", "DE", "GB", "US", "AU", "ID", "VN"]

# R-6 weights by grade, best first: most companies are rated well, a few at the bottom.
GRADE_WEIGHTS = {
    "TAX": {"A": 18, "B": 45, "M": 20, "C": 14.5, "D": 2.5},
    "TRANSPORT": {"AA": 15, "A": 40, "B": 33, "C": 10, "D": 2},
    "CUSTOMS": {"ADVANCED_CERTIFIED": 0, "CERTIFIED": 22, "REGULAR": 70, "DISHONEST": 7, "SERIOUSLY_DISHONEST": 1},
    "MARKET_REGULATION": {"NORMAL": 92, "ABNORMAL_OPERATION": 7, "SERIOUS_VIOLATION": 1},
}
DEFAULT_GRADE_WEIGHTS = (30, 50, 18, 2)  # A, B, C, D for maritime, postal, agriculture, forestry
# Which departments rate a company, and how likely each is (besides tax, which rates ~all).
RATERS = {"MARKET_REGULATION": 0.40, "TRANSPORT": 0.25, "CUSTOMS": 0.30, "MARITIME": 0.05,
          "POSTAL": 0.03, "AGRICULTURE": 0.03, "FORESTRY": 0.01}
# The prefix of each department's own record ids (R-3: unique per department).
SOURCE_PREFIX = {"CUSTOMS": "HKCUS", "ANTI_SMUGGLING": "HNASB", "COAST_GUARD": "CCGHN", "MARITIME": "HNMSA",
                 "COURT": "HNCRT", "TAX": "HNTAX", "TRANSPORT": "HNTRA", "POSTAL": "HNPOS", "AGRICULTURE": "HNAGR",
                 "FORESTRY": "HNFOR", "MARKET_REGULATION": "HNAMR", "PROCURATORATE": "HNPRO"}
PENALISERS = (("ANTI_SMUGGLING", 50), ("CUSTOMS", 35), ("COAST_GUARD", 15))
ALERTERS = (("CUSTOMS", 60), ("ANTI_SMUGGLING", 30), ("COAST_GUARD", 10))


@dataclass(frozen=True)
class PortProfile:
    name: str
    share: float  # of the day's crossings
    freight: float  # share of freight crossings (an entity, its driver or declarant); the rest travellers
    hours: tuple[float, ...]  # relative traffic by hour of the day (CST), 24 values


_SEA = (2, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 8, 7, 8, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3)
_CARGO = (3, 3, 3, 3, 3, 4, 6, 8, 9, 9, 9, 8, 6, 8, 9, 9, 9, 8, 6, 5, 4, 4, 3, 3)
_AIR = (1, 0.5, 0.2, 0.2, 0.2, 0.5, 3, 7, 9, 9, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 8, 7, 5, 3)
#: M-0: the ten second-line ports and a day's traffic at each.
PORTS: dict[str, PortProfile] = {
    "HAIKOU_XINHAI": PortProfile("Haikou Xinhai Port", 0.27, 0.55, _SEA),
    "HAIKOU": PortProfile("Haikou Port", 0.12, 0.60, _SEA),
    "HAIKOU_SOUTH": PortProfile("Haikou South Port", 0.08, 0.70, _SEA),
    "HAIKOU_MEILAN_AIRPORT": PortProfile("Haikou Meilan airport", 0.21, 0.12, _AIR),
    "SANYA_PHOENIX_AIRPORT": PortProfile("Sanya Phoenix airport", 0.14, 0.08, _AIR),
    "BOAO_AIRPORT": PortProfile("Boao airport", 0.02, 0.05, _AIR),
    "YANGPU": PortProfile("Yangpu Port", 0.08, 0.90, _CARGO),
    "BASUO": PortProfile("Basuo Port", 0.03, 0.90, _CARGO),
    "SANYA": PortProfile("Sanya Port", 0.03, 0.50, _SEA),
    "QINGLAN": PortProfile("Qinglan Port", 0.02, 0.70, _CARGO),
}


@dataclass
class Filing:
    """One record as its department files it."""

    department: str
    record: pb.RecordInput
    received: datetime | None  # when it reached the suite (history), or None: filed live today


@dataclass(frozen=True)
class Probe:
    """A fresh record for a subject the suite has never heard of, and what the gate must then show."""

    department: str
    record: pb.RecordInput
    subject_type: str  # "enterprise" or "individual"
    key: str
    expect_class: int  # CreditClass the party must have at the gate
    expect_flag: int  # a Flag the party must carry, or 0
    what: str  # e.g. "smuggling penalty"


@dataclass
class Population:
    today: date
    enterprises: list[str]
    individuals: list[str]
    filings: list[Filing]
    probes: list[Probe]
    # Who crosses, and how often.
    enterprise_weights: list[float] = field(default_factory=list)
    staff: dict[str, list[str]] = field(default_factory=dict)  # an entity's drivers and declarants
    travellers: list[str] = field(default_factory=list)
    traveller_weights: list[float] = field(default_factory=list)

    @property
    def subjects(self) -> int:
        return len(self.enterprises) + len(self.individuals)

    def filed_subjects(self) -> list[common_pb2.SubjectId]:
        """Every subject some record is about, in first-filed order."""
        seen: dict[tuple[str, str], None] = {}
        for f in self.filings:
            which = f.record.subject.WhichOneof("id")
            seen[(which, getattr(f.record.subject, which))] = None
        return [common_pb2.SubjectId(**{which: key}) for which, key in seen]

    def kinds(self) -> Counter:
        """Records by (department, kind)."""
        return Counter((f.department, common_pb2.RecordKind.Name(f.record.kind).removeprefix("RECORD_KIND_"))
                       for f in self.filings)


class _Maker:
    """Unique, valid identifiers (S-2, S-3), each checked by the suite's own validators."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.seen: set[str] = set()

    def _area(self, hainan: float) -> str:
        return self.rng.choice(HAINAN_AREAS if self.rng.random() < hainan else MAINLAND_AREAS)

    def uscc(self) -> str:
        rng = self.rng
        while True:
            # Registration authority 9 (market regulation) and category 1 (enterprise), 2
            # (individual business) or 3 (farmers' cooperative); the area; then the nine
            # characters of the organisation code, "MA" for most companies registered since 2015.
            category = rng.choices("123", weights=(90, 7, 3))[0]
            org = ("MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(7)) if rng.random() < 0.7
                   else "".join(rng.choice("0123456789") for _ in range(9)))
            body = f"9{category}{self._area(0.85)}{org}"
            code = body + uscc_check_character(body)
            if code not in self.seen:
                self.seen.add(code)
                return validate_uscc(code)

    def resident_id(self, *, youngest: int = 18, oldest: int = 75) -> str:
        rng = self.rng
        while True:
            age_days = rng.randint(youngest * 365 + 5, oldest * 365)
            born = self.today - timedelta(days=age_days)
            body = f"{self._area(0.55)}{born:%Y%m%d}{rng.randrange(1000):03d}"
            number = body + resident_id_check_character(body)
            if number not in self.seen:
                self.seen.add(number)
                return validate_resident_id(number, today=self.today)

    def travel_document(self) -> str:
        rng = self.rng
        while True:
            kind = rng.choices(("PASSPORT", "HK_MACAO_PERMIT", "TAIWAN_PERMIT"), weights=(60, 30, 10))[0]
            if kind == "PASSPORT":
                issuer = rng.choice(PASSPORT_ISSUERS)
                number = rng.choice("EKPNG") + "".join(rng.choice("0123456789") for _ in range(7)) + rng.choice("ABCDFGHJKQ")
            elif kind == "HK_MACAO_PERMIT":
                issuer = rng.choice(("HK", "HK", "MO"))
                number = ("H" if issuer == "HK" else "M") + "".join(rng.choice("0123456789") for _ in range(8))
            else:
                issuer, number = "TW", "".join(rng.choice("0123456789") for _ in range(8))
            text = str(parse_travel_document(f"{kind}:{issuer}:{number}"))
            if text not in self.seen:
                self.seen.add(text)
                return text


def generate_population(subjects: int, *, seed: int, now: datetime, rules: RuleVersion, probes: int = 20) -> Population:
    """About ``subjects`` subjects (two in five business entities) and their records as of ``now``."""
    rng = random.Random(seed)
    today = cst_date(now)
    make = _Maker(rng, today)
    n_enterprises = max(10, subjects * 2 // 5)
    n_individuals = max(10, subjects - n_enterprises)
    enterprises = [make.uscc() for _ in range(n_enterprises)]
    workers = [make.resident_id(youngest=21, oldest=62) for _ in range(n_individuals // 4)]
    n_travellers = n_individuals - len(workers)
    foreign = n_travellers // 12
    travellers = ([make.resident_id(youngest=2, oldest=85) for _ in range(n_travellers - foreign)]
                  + [make.travel_document() for _ in range(foreign)])
    population = Population(today=today, enterprises=enterprises, individuals=workers + travellers,
                            filings=[], probes=[])
    records = _Records(rng, now, rules)
    for key in enterprises:
        records.enterprise(key)
    for key in workers:
        records.individual(key, worker=True)
    for key in travellers:
        records.individual(key, worker=False)
    population.filings = records.filings

    # Who crosses how often: a few large companies and logistics firms cross all day.
    for key in enterprises:
        weight = min(rng.paretovariate(1.3), 60.0)
        weight *= 4.0 if key in records.aeo else 1.0
        weight *= 3.0 if key in records.logistics else 1.0
        population.enterprise_weights.append(weight)
        population.staff[key] = rng.sample(workers, k=min(len(workers), rng.choice((1, 1, 2, 2, 3, 4, 6))))
    population.travellers = travellers + workers
    population.traveller_weights = [min(rng.paretovariate(2.0), 20.0) for _ in population.travellers]
    # The probes are new on every run (drawn from the clock, not the seed), so that a second run on
    # the same data folder still files records about subjects the suite has never heard of.
    make.rng = random.Random(now.timestamp())
    population.probes = _probes(make, records, probes, run=f"{now:%H%M%S}")
    return population


class _Records:
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


def _probes(make: _Maker, records: _Records, count: int, run: str) -> list[Probe]:
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


# --- a day of crossings ------------------------------------------------------------------------


class _Chooser:
    """Weighted choice from a fixed list, by bisection on cumulative weights (fast for large lists)."""

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        self.cumulative = list(accumulate(weights))

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def generate_crossings(population: Population, count: int, *, day: date, seed: int) -> list[gate_pb2.Crossing]:
    """``count`` crossings over ``day`` (CST) at the ten ports, in time order."""
    rng = random.Random(seed * 7919 + day.toordinal())
    companies = _Chooser(population.enterprises, population.enterprise_weights)
    travellers = _Chooser(population.travellers, population.traveller_weights)
    ports = _Chooser(list(PORTS), [p.share for p in PORTS.values()])
    hour_of = {code: _Chooser(list(range(24)), list(p.hours)) for code, p in PORTS.items()}
    start = datetime.combine(day, time(0), tzinfo=CST)
    drafts = []
    for _ in range(count):
        port = ports(rng)
        profile = PORTS[port]
        at = start + timedelta(hours=hour_of[port](rng), seconds=rng.randrange(3600))
        crossing = gate_pb2.Crossing(port=port)
        crossing.at.CopyFrom(_timestamp(at))
        if rng.random() < profile.freight:
            company = companies(rng)
            staff = population.staff[company]
            crossing.enterprise = company
            airport = port.endswith("_AIRPORT")
            first_role = gate_pb2.ROLE_DECLARANT if airport or rng.random() < 0.15 else gate_pb2.ROLE_DRIVER
            crossing.individuals.add(id=rng.choice(staff), role=first_role)
            if not airport and rng.random() < 0.25:
                other = rng.choice(staff)
                if other != crossing.individuals[0].id:
                    crossing.individuals.add(id=other, role=rng.choice((gate_pb2.ROLE_DECLARANT, gate_pb2.ROLE_TRANSPORT_WORKER)))
            crossing.batch = rng.random() < 0.12  # M-4: batch exit, consolidated declaration
        else:
            party = rng.choices((1, 2, 3, 4), weights=(55, 28, 11, 6))[0]
            ids = {travellers(rng) for _ in range(party)}
            for key in sorted(ids):
                crossing.individuals.add(id=key, role=gate_pb2.ROLE_TRAVELLER)
        drafts.append((at, crossing))
    drafts.sort(key=lambda pair: pair[0])
    for n, (_, crossing) in enumerate(drafts, 1):
        crossing.crossing_id = f"{crossing.port}-{day:%Y%m%d}-{n:07d}"
    return [crossing for _, crossing in drafts]

