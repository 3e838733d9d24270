"""A day of crossings at the ten second-line ports (M-0) for the demo population.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from secondline.dates import CST
from secondline.gate.v1 import gate_pb2
from secondline.rpc.convert import timestamp as _timestamp

from secondline.cli.demo.subjects import Population


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

REPLAY_MARGIN = timedelta(minutes=10)  # the gate takes crossings of the last 24 h: room for the replay's own time


class _Chooser:
    """Weighted choice from a fixed list, by bisection on cumulative weights (fast for large lists)."""

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        self.cumulative = list(accumulate(weights))

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def generate_crossings(population: Population, count: int, *, day: date, seed: int,
                       until: datetime | None = None) -> list[gate_pb2.Crossing]:
    """``count`` crossings over ``day`` (CST) at the ten ports, in time order; with ``until``, those of
    the day's hours not yet come are taken from the day before, so that every crossing has
    happened, and none is older than 24 h less ``REPLAY_MARGIN`` (the gate refuses crossings
    ahead of its clock and beyond its window, which moves on while the day is replayed)."""
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
        if until is not None and at > until:  # not yet happened today: the same hour yesterday
            at -= timedelta(days=1)
        if until is not None and at < until - timedelta(days=1) + REPLAY_MARGIN:
            at += REPLAY_MARGIN  # would leave the gate's window during the replay
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

