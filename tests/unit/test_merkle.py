"""The transparency log's Merkle tree (RULES X-6): RFC 9162 hashing and proofs, checked against
an independent implementation (pymerkle) and by properties."""

import warnings

import pytest
from hypothesis import given, settings, strategies as st
from pymerkle import InmemoryTree

from secondline.merkle import (EMPTY_ROOT, MerkleLog, leaf_hash, node_hash, verify_consistency,
                               verify_inclusion)


def entries(n):
    return [b"entry %d" % i for i in range(n)]


def log_of(items):
    return MerkleLog(leaf_hash(e) for e in items)


def reference(items):
    tree = InmemoryTree(algorithm="sha256")  # RFC 9162 hashing: 0x00 leaves, 0x01 nodes
    for e in items:
        tree.append_entry(e)
    return tree


def test_hashing_is_rfc_9162_with_domain_separation():
    assert leaf_hash(b"") == bytes.fromhex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    assert EMPTY_ROOT == bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert log_of([b"a", b"b"]).root() == node_hash(leaf_hash(b"a"), leaf_hash(b"b"))


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 9, 16, 31, 33])
def test_roots_and_inclusion_paths_match_pymerkle(n):
    items = entries(n)
    ours, theirs = log_of(items), reference(items)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for size in range(1, n + 1):
            assert ours.root(size) == theirs.get_state(size)
            for index in range(size):
                path = theirs.prove_inclusion(index + 1, size).serialize()["path"]  # its path starts at the leaf
                assert [h.hex() for h in ours.inclusion_proof(index, size)] == path[1:]


@given(st.integers(1, 300), st.data())
@settings(max_examples=150, deadline=None)
def test_every_entry_is_included_and_a_changed_entry_is_not(n, data):
    log = log_of(entries(n))
    size = data.draw(st.integers(1, n))
    index = data.draw(st.integers(0, size - 1))
    proof = log.inclusion_proof(index, size)
    assert verify_inclusion(leaf_hash(b"entry %d" % index), index, size, proof, log.root(size))
    assert not verify_inclusion(leaf_hash(b"entry %d changed" % index), index, size, proof, log.root(size))
    if size > 1:
        assert not verify_inclusion(leaf_hash(b"entry %d" % index), (index + 1) % size, size, proof, log.root(size))


@given(st.integers(0, 300), st.data())
@settings(max_examples=150, deadline=None)
def test_any_two_checkpoints_of_one_log_are_consistent(n, data):
    log = log_of(entries(n))
    new = data.draw(st.integers(0, n))
    old = data.draw(st.integers(0, new))
    proof = log.consistency_proof(old, new)
    assert verify_consistency(old, new, log.root(old), log.root(new), proof)


@given(st.integers(2, 200), st.data())
@settings(max_examples=100, deadline=None)
def test_a_log_that_rewrote_an_old_entry_is_not_consistent_with_its_old_checkpoint(n, data):
    old = data.draw(st.integers(1, n - 1))
    changed = data.draw(st.integers(0, old - 1))
    honest = log_of(entries(n))
    forked = entries(n)
    forked[changed] = b"rewritten"
    forked_log = log_of(forked)
    proof = forked_log.consistency_proof(old, n)
    assert not verify_consistency(old, n, honest.root(old), forked_log.root(n), proof)


def test_a_proof_for_another_size_does_not_verify():
    log = log_of(entries(10))
    proof = log.consistency_proof(4, 10)
    assert not verify_consistency(5, 10, log.root(5), log.root(10), proof)
    assert not verify_consistency(4, 10, log.root(4), log.root(9), proof)


def test_sizes_and_indexes_outside_the_log_are_refused_by_name():
    log = log_of(entries(3))
    with pytest.raises(ValueError, match="tree size 4"):
        log.root(4)
    with pytest.raises(ValueError, match="entry index 3"):
        log.inclusion_proof(3, 3)
    with pytest.raises(ValueError, match="old size 3"):
        log.consistency_proof(3, 2)
    with pytest.raises(ValueError, match="32 bytes"):
        log.append(b"short")
