"""The demo population's people and companies, the records made about them, and the dataclasses
that carry them (secondline.cli.demo.population).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from secondline.common.v1 import common_pb2
from secondline.identifiers import (
    USCC_ALPHABET, parse_travel_document, resident_id_check_character, uscc_check_character,
    validate_resident_id, validate_uscc,
)
from secondline.ingestion.v1 import ingestion_pb2 as pb



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


class Maker:
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

