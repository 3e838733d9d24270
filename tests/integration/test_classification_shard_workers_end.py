"""A shard worker ends once the service process that started it is gone, even killed without a
chance to shut its pool down (it would otherwise wait for calls for ever, holding its subjects)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = """
import sys, time
from secondline.rules_config import load_rules
from secondline.services.classification.shards import Shards
shards = Shards(load_rules(), count=2, cache_size=10)
shards.counts(sys.argv[1])  # every worker started and answering
print(*[pid for pool in shards._pools for pid in pool._processes], flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has ended; only its parent's reaping is left


def test_workers_end_when_the_service_process_is_killed(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    service = subprocess.Popen([sys.executable, "-c", SCRIPT, url], stdout=subprocess.PIPE, text=True)
    workers: list[int] = []
    try:
        workers = [int(pid) for pid in service.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
        os.kill(service.pid, signal.SIGKILL)
        service.wait()
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
    finally:
        service.kill()
        service.wait()
        for pid in workers:  # left behind when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
