"""Which event loop a service runs on (server.event_loop, secondline.loops)."""

from __future__ import annotations

import asyncio

import pytest
import uvloop
from pydantic import ValidationError

from secondline import loops
from secondline.pipes import pipe_max
from secondline.server import ServerSettings


async def _running():
    return asyncio.get_running_loop(), loops.current()


def test_uvloop_runs_the_coroutine_on_libuvs_loop():
    loop, name = loops.run(_running(), "uvloop")
    assert isinstance(loop, uvloop.Loop) and name == "uvloop"


def test_asyncio_runs_it_on_the_standard_librarys_loop():
    loop, name = loops.run(_running(), "asyncio")
    assert not isinstance(loop, uvloop.Loop) and isinstance(loop, asyncio.BaseEventLoop) and name == "asyncio"


def test_the_default_is_uvloop():
    assert ServerSettings().event_loop == "uvloop"
    loop, _ = loops.run(_running())
    assert isinstance(loop, uvloop.Loop)


def test_an_unknown_loop_is_refused_naming_the_setting():
    with pytest.raises(ValidationError) as refused:
        ServerSettings(event_loop="trio")
    assert "event_loop" in str(refused.value) and "uvloop" in str(refused.value)
    coroutine = _running()
    with pytest.raises(ValueError, match="'trio'"):
        loops.run(coroutine, "trio")
    coroutine.close()


@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_GETPIPE_SZ"), reason="pipe capacity is Linux's")
@pytest.mark.parametrize("kind", ["uvloop", "asyncio"])
def test_a_childs_pipes_take_the_capacity_asked_for_and_carry_a_message_larger_than_the_default(kind):
    import fcntl
    import sys

    async def main():
        child = await loops.Child.start([sys.executable, "-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"],
                                        {}, limit=2 ** 24, pipe_bytes=1 << 20)
        try:
            sizes = [fcntl.fcntl(p.fileno(), fcntl.F_GETPIPE_SZ) for p in (child.popen.stdin, child.popen.stdout)]
            message = bytes(range(256)) * 2048  # 512 KiB: more than a default pipe's 64 KiB
            child.stdin.write(message)
            await child.stdin.drain()
            child.stdin.close()
            echoed = await child.stdout.readexactly(len(message))
            return sizes, echoed == message, await child.wait()
        finally:
            if child.returncode is None:
                child.kill()

    sizes, same, code = loops.run(main(), kind)
    # the system's limit for a user is 1 MiB by default; a lower one is what is given then
    assert all(size >= min(1 << 20, pipe_max() or 1 << 20) for size in sizes) and sizes[0] > 65536, sizes
    assert same and code == 0
