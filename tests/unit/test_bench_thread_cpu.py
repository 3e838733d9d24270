"""The benchmarks' per-thread CPU reading: each thread of a process by id, the main thread's as the pid's."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from secondline.cli.bench.common import cpu_seconds, thread_cpu_seconds

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_a_busy_thread_is_charged_to_itself_and_not_to_the_main_thread():
    tid: list[int] = []
    started, stop = threading.Event(), threading.Event()

    def spin() -> None:
        tid.append(threading.get_native_id())
        started.set()
        while not stop.is_set():
            sum(range(1000))

    worker = threading.Thread(target=spin)
    worker.start()
    started.wait()
    before = thread_cpu_seconds(os.getpid())
    time.sleep(0.6)  # the main thread sleeps: the worker runs
    after = thread_cpu_seconds(os.getpid())
    stop.set()
    worker.join()
    assert os.getpid() in before and tid[0] in before and tid[0] in after
    spun = after[tid[0]] - before[tid[0]]
    slept = after[os.getpid()] - before[os.getpid()]
    assert spun >= 0.3, (spun, slept)
    assert slept < spun / 3, (spun, slept)
    # No thread is charged more than the process used.
    assert sum(after.values()) <= cpu_seconds(os.getpid()) + 0.05


def test_a_process_that_is_gone_has_no_threads():
    assert thread_cpu_seconds(2 ** 22 + 12345) == {}
