"""The gate's snapshot: every subject that is not plain whitelist, in memory, compactly.

A subject's timeline (classification's segments covering all of time) is packed into one
``bytes`` value of 12 bytes per segment: the segment's start as epoch seconds, its class, its
flags and the rules behind it as bit sets. A subject the snapshot does not hold is plain
whitelist (E-B, P-B). Reading a party's state at a crossing's instant is a dict lookup and a
short scan; nothing on the Decide path touches a database or the network.

Enterprises and individuals are held in separate dicts: an all-digit USCC could in principle
equal an identity number.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable
from typing import NamedTuple

from secondline.classification.v1 import classification_pb2
from secondline.common.v1 import common_pb2

SEGMENT = struct.Struct("<qBBH")  # start (epoch s), class, flags, rules
BEGINNING = -(1 << 62)

# Class codes are the CreditClass enum values; flags and rules are bits.
WHITELIST = common_pb2.CREDIT_CLASS_WHITELIST
AEO = common_pb2.CREDIT_CLASS_AEO
WATCHLIST = common_pb2.CREDIT_CLASS_WATCHLIST
CLASS_NAMES = {WHITELIST: "WHITELIST", AEO: "AEO", WATCHLIST: "WATCHLIST"}

FLAGS = (common_pb2.FLAG_RISK_ALERT, common_pb2.FLAG_DISHONESTY_ANTI_SMUGGLING,
         common_pb2.FLAG_DISHONESTY_MARITIME, common_pb2.FLAG_UNDER_OBJECTION, common_pb2.FLAG_DISHONESTY_PARTNER)
FLAG_BIT = {flag: 1 << i for i, flag in enumerate(FLAGS)}
RISK_ALERT_BIT = FLAG_BIT[common_pb2.FLAG_RISK_ALERT]
# L-2: listed by a department (L-1) or by a partner (X-3, SERIOUS_DISHONESTY).
LISTED_BITS = (FLAG_BIT[common_pb2.FLAG_DISHONESTY_ANTI_SMUGGLING] | FLAG_BIT[common_pb2.FLAG_DISHONESTY_MARITIME]
               | FLAG_BIT[common_pb2.FLAG_DISHONESTY_PARTNER])
# Business entities: by USCC (S-2) or, recognised under an MRA, by their S-4 code. Both
# are held in one map: the two kinds of code never coincide (18 characters against at most 17).
ENTITY_TYPES = ("enterprise", "foreign")

# The rules classification gives as reasons (E, P, L, X); an unknown one is kept as OTHER.
RULES = ("E-A", "E-W1", "E-W2", "E-W3", "E-W4", "E-B", "P-W", "P-B", "P-R", "L-1", "X-2", "X-3", "O-2", "OTHER")
RULE_BIT = {rule: 1 << i for i, rule in enumerate(RULES)}
PLAIN_RULES = RULE_BIT["E-B"] | RULE_BIT["P-B"]


class PartyState(NamedTuple):
    """A subject's class, flags and class rules at one instant (codes and bit sets)."""

    klass: int
    flags: int
    rules: int


PLAIN_ENTERPRISE = PartyState(WHITELIST, 0, RULE_BIT["E-B"])
PLAIN_INDIVIDUAL = PartyState(WHITELIST, 0, RULE_BIT["P-B"])


_FLAG_LISTS = tuple(tuple(flag for flag in FLAGS if bits & FLAG_BIT[flag]) for bits in range(1 << len(FLAGS)))


def flag_list(bits: int) -> tuple[int, ...]:
    """The Flag enum values of a flag bit set, in FLAGS order (a table: there are 32 sets)."""
    return _FLAG_LISTS[bits & ((1 << len(FLAGS)) - 1)]


def rule_list(bits: int) -> list[str]:
    return [rule for rule in RULES if bits & RULE_BIT[rule]]


def pack(state: classification_pb2.SubjectState) -> bytes:
    """A subject's timeline as packed segments."""
    out = bytearray()
    plain = RULE_BIT["E-B"] if state.subject.WhichOneof("id") in ENTITY_TYPES else RULE_BIT["P-B"]
    for segment in state.timeline:
        start = segment.start.seconds if segment.HasField("start") else BEGINNING
        flags = 0
        for flag in segment.flags:
            flags |= FLAG_BIT.get(flag, 0)
        rules = 0
        for reason in segment.reasons:
            rules |= RULE_BIT.get(reason.rule, RULE_BIT["OTHER"])
        if segment.credit_class == WHITELIST and not rules & ~PLAIN_RULES:
            rules |= plain  # plain whitelist (E-B, P-B), whether or not classification named it
        out += SEGMENT.pack(start, segment.credit_class, flags, rules)
    return bytes(out)


def state_at(packed: bytes, epoch: int) -> PartyState:
    """The state of the segment that covers ``epoch`` (segments are in order and cover all time)."""
    found = None
    for start, klass, flags, rules in SEGMENT.iter_unpack(packed):
        if start > epoch:
            break
        found = (klass, flags, rules)
    return PartyState(*found) if found else PartyState(WHITELIST, 0, 0)


def plain_from(packed: bytes, epoch: int) -> bool:
    """Whether the subject is plain whitelist (no class but whitelist, no flag) from ``epoch`` on."""
    segments = list(SEGMENT.iter_unpack(packed))
    for index, (start, klass, flags, rules) in enumerate(segments):
        end = segments[index + 1][0] if index + 1 < len(segments) else None
        if end is not None and end <= epoch:
            continue
        if klass != WHITELIST or flags or rules & ~PLAIN_RULES:
            return False
    return True


class Snapshot:
    """Subjects' packed timelines by key, the revision they stand at, and when the feed was last heard."""

    def __init__(self, *, keep_past_seconds: int = 7 * 86400, monotonic=time.monotonic) -> None:
        self.enterprises: dict[str, bytes] = {}
        self.individuals: dict[str, bytes] = {}
        self.revision = 0
        self.loaded = False
        self._keep_past = keep_past_seconds
        self._monotonic = monotonic
        self.heard_at = monotonic()

    def __len__(self) -> int:
        return len(self.enterprises) + len(self.individuals)

    def party(self, subject_type: str, key: str, epoch: int) -> PartyState:
        if subject_type in ENTITY_TYPES:
            packed = self.enterprises.get(key)
            return state_at(packed, epoch) if packed is not None else PLAIN_ENTERPRISE
        packed = self.individuals.get(key)
        return state_at(packed, epoch) if packed is not None else PLAIN_INDIVIDUAL

    def put(self, state: classification_pb2.SubjectState, now_epoch: int) -> None:
        """Hold a subject's new state; drop it once it is plain whitelist from a while ago on."""
        subject_type = state.subject.WhichOneof("id")
        held = self.enterprises if subject_type in ENTITY_TYPES else self.individuals
        key = getattr(state.subject, subject_type)
        packed = pack(state)
        if plain_from(packed, now_epoch - self._keep_past):
            held.pop(key, None)
        else:
            held[key] = packed

    def load(self, states: Iterable[classification_pb2.SubjectState], now_epoch: int) -> None:
        for state in states:
            self.put(state, now_epoch)

    def heard(self, revision: int | None = None) -> None:
        """The feed spoke (a change or a heartbeat): the snapshot is fresh as of now."""
        if revision is not None and revision > self.revision:
            self.revision = revision
        self.heard_at = self._monotonic()

    def age(self) -> float:
        """Seconds since the feed last spoke."""
        return max(0.0, self._monotonic() - self.heard_at)


__all__ = ["Snapshot", "PartyState", "pack", "state_at", "plain_from", "flag_list", "rule_list",
           "WHITELIST", "AEO", "WATCHLIST", "CLASS_NAMES", "RISK_ALERT_BIT", "LISTED_BITS", "RULE_BIT",
           "ENTITY_TYPES"]
