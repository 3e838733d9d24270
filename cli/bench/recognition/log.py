"""The transparency log's part of ``secondline bench recognition`` (RULES X-6): appends to an
in-memory Merkle log of ``size`` entries, then inclusion and consistency proofs on it.

Everything runs in this process on :class:`secondline.merkle.MerkleLog`, the structure the
recognition service keeps in memory and serves its proofs from. Each proof is timed alone
(``perf_counter_ns``) and a sample is verified (RFC 9162 §2.1.3.2, §2.1.4.2), so that a fast
wrong answer cannot pass for a figure.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from secondline.merkle import MerkleLog, leaf_hash, verify_consistency, verify_inclusion

ENTRY_BYTES = 600  # about the size of a partner's envelope (JWS compact)
VERIFIED = 200  # proofs of each kind checked by the verifier


@dataclass
class LogFigures:
    size: int
    append_seconds: float = 0.0
    """Hashing each entry (leaf_hash) and appending it, as the service does for an envelope."""
    inclusion_us: list[float] = field(default_factory=list)
    consistency_us: list[float] = field(default_factory=list)
    verified: int = 0

    @property
    def appends_per_second(self) -> float:
        return self.size / self.append_seconds if self.append_seconds else 0.0


def measure(size: int, proofs: int, seed: int = 1) -> LogFigures:
    figures = LogFigures(size)
    rng = random.Random(seed)
    body = rng.randbytes(ENTRY_BYTES - 8)
    log = MerkleLog()
    started = time.perf_counter()
    for i in range(size):  # the entries made on the fly: a million envelopes would not fit in memory
        log.append(leaf_hash(body + i.to_bytes(8, "big")))
    figures.append_seconds = time.perf_counter() - started
    root = log.root()
    for n in range(proofs):
        index = rng.randrange(size)
        began = time.perf_counter_ns()
        proof = log.inclusion_proof(index, size)
        figures.inclusion_us.append((time.perf_counter_ns() - began) / 1000)
        if n < VERIFIED:
            if not verify_inclusion(log.leaf(index), index, size, proof, root):
                raise AssertionError(f"the inclusion proof of entry {index} does not verify")
            figures.verified += 1
    for n in range(proofs):
        old, new = sorted(rng.sample(range(1, size + 1), 2))
        began = time.perf_counter_ns()
        proof = log.consistency_proof(old, new)
        figures.consistency_us.append((time.perf_counter_ns() - began) / 1000)
        if n < VERIFIED:
            if not verify_consistency(old, new, log.root(old), log.root(new), proof):
                raise AssertionError(f"the consistency proof {old} -> {new} does not verify")
            figures.verified += 1
    return figures
