"""The catch-up benchmark's reading of a local PostgreSQL server's CPU: a backend's work is
counted, also once its connection has closed (the postmaster's children's time)."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import create_engine, text

from secondline.cli.bench.classification.processes import postgres_server_cpu
from tests.conftest import POSTGRES, POSTGRES_URL

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not (POSTGRES and sys.platform.startswith("linux")), reason="a PostgreSQL server, /proc")]


def test_a_closed_backends_work_counts_in_the_servers_cpu():
    before = postgres_server_cpu()
    if before is None:
        pytest.skip("the PostgreSQL server runs elsewhere: its processes are not visible here")
    engine = create_engine(POSTGRES_URL)
    with engine.connect() as conn:  # about half a second of the backend's CPU
        conn.execute(text("SELECT sum(g) FROM generate_series(1, 10000000) AS g")).scalar()
    engine.dispose()  # the backend ends
    after = postgres_server_cpu()
    assert after is not None and after - before >= 0.2, (before, after)
