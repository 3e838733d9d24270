"""Which event loop a service runs on (server.event_loop, secondline.loops)."""

from __future__ import annotations

import asyncio

import pytest
import uvloop
from pydantic import ValidationError

from secondline import loops
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
