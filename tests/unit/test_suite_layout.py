"""The suite's layout gives every service an address of its own."""

from __future__ import annotations

from secondline.cli.up.suite import _free_ports


def test_the_ports_picked_for_one_suite_are_distinct():
    # Each port was once released before the next was picked, and the kernel handed the same
    # one out twice: two services got one address (a demo saw recognition "SERVING" on ingestion's).
    for _ in range(20):
        ports = _free_ports(5)
        assert len(set(ports)) == 5 and all(1024 <= p < 65536 for p in ports)
