"""The gate benchmark's synthetic population: the snapshot's subjects and the crossings that name them,
and the snapshot's memory per subject.
"""

from __future__ import annotations

import gc
import random
import sys
import tracemalloc
from dataclasses import dataclass
from datetime import date, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2
from secondline.gate.v1 import gate_pb2
from secondline.identifiers import USCC_ALPHABET, resident_id_check_character, uscc_check_character


# M-0: the second-line ports' codes (measures.yaml).
PORTS = ("HAIKOU", "YANGPU", "BASUO", "SANYA", "QINGLAN", "HAIKOU_MEILAN_AIRPORT", "SANYA_PHOENIX_AIRPORT",
         "BOAO_AIRPORT", "HAIKOU_XINHAI", "HAIKOU_SOUTH")
DAY = 86400


def _base31(n: int, width: int) -> str:
    chars = []
    for _ in range(width):
        n, digit = divmod(n, 31)
        chars.append(USCC_ALPHABET[digit])
    return "".join(reversed(chars))


def enterprise_key(n: int, region: str) -> str:
    """A valid USCC (S-2): 9 (registered by market regulation), 1 (company), region, code, check."""
    body = f"91{region}MA{_base31(n, 7)}"
    return body + uscc_check_character(body)


def individual_key(n: int, region: str) -> str:
    """A valid resident identity number (S-3): region, birth date (1950-2004), sequence, check."""
    born = date(1950, 1, 1) + timedelta(days=n % 20000)
    body = f"{region}{born:%Y%m%d}{n // 20000 % 1000:03d}"
    return body + resident_id_check_character(body)


def known_subject(i: int) -> tuple[str, str]:
    """The i-th subject of the snapshot: three in five are enterprises (Haikou's region code)."""
    if i % 5 < 3:
        return "enterprise", enterprise_key(i, "460100")
    return "individual", individual_key(i, "460100")


def unknown_subject(kind: str, n: int) -> str:
    """A subject classification has never heard of (plain whitelist): another region's code."""
    return enterprise_key(n, "460200") if kind == "enterprise" else individual_key(n, "460200")


def _ts(epoch: int) -> Timestamp:
    return Timestamp(seconds=epoch)


def _record_ids(rng: random.Random) -> list[str]:
    return [f"{rng.getrandbits(128):032x}" for _ in range(rng.randint(1, 2))]


def _stretch(klass: int, start: int, end: int | None, reasons: list[tuple[str, str]], flags: list[int],
             rng: random.Random) -> list[cpb.Segment]:
    """Plain whitelist until ``start``, ``klass`` with ``reasons`` and ``flags`` until ``end``,
    plain whitelist again after: the timeline classification sends, covering all of time."""
    reason_msgs = []
    for rule, effect in reasons:
        reason = cpb.Reason(rule=rule, effect=effect, record_ids=_record_ids(rng), since=_ts(start))
        if end is not None:
            reason.until.CopyFrom(_ts(end))
        reason_msgs.append(reason)
    middle = cpb.Segment(start=_ts(start), credit_class=klass, reasons=reason_msgs, flags=flags)
    segments = [cpb.Segment(end=_ts(start), credit_class=common_pb2.CREDIT_CLASS_WHITELIST), middle]
    if end is not None:
        middle.end.CopyFrom(_ts(end))
        segments.append(cpb.Segment(start=_ts(end), credit_class=common_pb2.CREDIT_CLASS_WHITELIST))
    return segments


def subject_state(i: int, now: int, rng: random.Random) -> cpb.SubjectState:
    """The i-th subject's timeline, notable at ``now`` (2 or 3 segments):

    enterprises: 55% WATCHLIST by E-W2 for three years from a start in the last two years, 10%
    the same while on the maritime serious-dishonesty list (L-1), 35% AEO by E-A from a start on;
    individuals: half WATCHLIST by P-W for three years, half whitelist under a risk alert (P-R)
    valid for 90 days from a start in the last 60.
    """
    kind, key = known_subject(i)
    roll = rng.random()
    WHITE, AEO, WATCH = (common_pb2.CREDIT_CLASS_WHITELIST, common_pb2.CREDIT_CLASS_AEO,
                         common_pb2.CREDIT_CLASS_WATCHLIST)
    if kind == "enterprise":
        start = now - rng.randrange(1, 730) * DAY
        if roll < 0.55:
            timeline = _stretch(WATCH, start, start + 1096 * DAY, [("E-W2", "WATCHLIST")], [], rng)
        elif roll < 0.65:
            timeline = _stretch(WATCH, start, start + 1096 * DAY, [("E-W2", "WATCHLIST"), ("L-1", "DISHONESTY_MARITIME")],
                                [common_pb2.FLAG_RISK_ALERT, common_pb2.FLAG_DISHONESTY_MARITIME], rng)
        else:
            timeline = _stretch(AEO, start, None, [("E-A", "AEO")], [], rng)
    elif roll < 0.5:
        start = now - rng.randrange(1, 730) * DAY
        timeline = _stretch(WATCH, start, start + 1096 * DAY, [("P-W", "WATCHLIST")], [], rng)
    else:
        start = now - rng.randrange(1, 60) * DAY
        timeline = _stretch(WHITE, start, start + 90 * DAY, [("P-R", "RISK_ALERT")], [common_pb2.FLAG_RISK_ALERT], rng)
    return cpb.SubjectState(subject=common_pb2.SubjectId(**{kind: key}), timeline=timeline, revision=i + 1)


def population(count: int, seed: int, now: int):
    """The snapshot's subjects, the same for the stub and for the memory measurement."""
    rng = random.Random(seed)
    for i in range(count):
        yield subject_state(i, now, rng)


@dataclass
class Pools:
    """Subjects a crossing may name: the snapshot's (known) and others (plain whitelist)."""

    known_enterprises: list[str]
    known_individuals: list[str]
    unknown_enterprises: list[str]
    unknown_individuals: list[str]

    @classmethod
    def make(cls, subjects: int, unknown: int = 5000) -> "Pools":
        enterprises, individuals = [], []
        for i in range(subjects):
            kind, key = known_subject(i)
            (enterprises if kind == "enterprise" else individuals).append(key)
        return cls(enterprises, individuals, [unknown_subject("enterprise", n) for n in range(unknown)],
                   [unknown_subject("individual", n) for n in range(unknown)])


def crossings(count: int, tag: str, seed: int, pools: Pools, known_share: float, at: int) -> tuple[list[bytes], list[str]]:
    """``count`` serialized DecideRequests with unique crossing ids ``<tag>-<n>``, and the ids.

    A crossing names 1 to 3 parties: 20% an entity alone, 40% an entity and its driver, 20% an
    entity, its driver and a declarant, 20% one or two travellers; each party is one of the
    snapshot's subjects with probability ``known_share``, otherwise plain whitelist. The port is
    any of M-0's; 5% of the crossings with an entity are declared for batch exit (M-4).
    """
    rng = random.Random(f"{seed}/{tag}")
    stamp = Timestamp(seconds=at)

    def pick(known: list[str], unknown: list[str]) -> str:
        return rng.choice(known) if known and rng.random() < known_share else rng.choice(unknown)

    payloads, ids = [], []
    for n in range(count):
        crossing_id = f"{tag}-{n:07d}"
        roll = rng.random()
        crossing = gate_pb2.Crossing(crossing_id=crossing_id, at=stamp, port=rng.choice(PORTS))
        if roll < 0.8:
            crossing.enterprise = pick(pools.known_enterprises, pools.unknown_enterprises)
            crossing.batch = rng.random() < 0.05
            roles = [] if roll < 0.2 else [gate_pb2.ROLE_DRIVER] if roll < 0.6 else [gate_pb2.ROLE_DRIVER, gate_pb2.ROLE_DECLARANT]
        else:
            roles = [gate_pb2.ROLE_TRAVELLER] * rng.randint(1, 2)
        for role in roles:
            crossing.individuals.add(id=pick(pools.known_individuals, pools.unknown_individuals), role=role)
        payloads.append(gate_pb2.DecideRequest(crossing=crossing).SerializeToString())
        ids.append(crossing_id)
    return payloads, ids


def snapshot_memory(count: int, seed: int, now: int) -> dict:
    """Bytes the gate's Snapshot holds per subject after ``put`` of ``count`` states (tracemalloc).

    The states are built and serialized first (untraced); each is parsed and put while tracing,
    the parsed message freed right after, as the gate's follower does with a page. What stays
    allocated is the snapshot's: the dicts' tables, the key strings and the packed timelines.
    """
    from secondline.services.gate.snapshot import Snapshot

    encoded = [state.SerializeToString() for state in population(count, seed, now)]
    parse = cpb.SubjectState.FromString
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        snapshot = Snapshot()
        for blob in encoded:
            snapshot.put(parse(blob), now)
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    held = len(snapshot)
    dicts = (snapshot.enterprises, snapshot.individuals)
    per = max(held, 1)
    return {
        "subjects": held, "bytes": used, "per_subject": used / per,
        "keys": sum(sys.getsizeof(k) for d in dicts for k in d) / per,
        "values": sum(sys.getsizeof(v) for d in dicts for v in d.values()) / per,
        "tables": sum(sys.getsizeof(d) for d in dicts) / per,
        "segments": sum(len(v) for d in dicts for v in d.values()) / 12 / per,
    }

