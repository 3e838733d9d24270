"""JSON log lines from `secondline.logs`, read back exactly as a collector would."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from secondline.logs import configure_logging


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    """configure_logging changes the process-wide root logger; put it back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_log_call_becomes_one_json_line_with_the_standard_fields() -> None:
    stream = io.StringIO()
    configure_logging("ingestion", stream=stream)

    logging.getLogger("secondline.test").info("received %d records", 3)

    [entry] = lines(stream)
    assert entry["level"] == "INFO"
    assert entry["service"] == "ingestion"
    assert entry["logger"] == "secondline.test"
    assert entry["msg"] == "received 3 records"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["ts"])


def test_a_line_outside_any_span_has_no_trace_fields() -> None:
    stream = io.StringIO()
    configure_logging("ingestion", stream=stream)

    logging.getLogger("secondline.test").warning("no trace here")

    [entry] = lines(stream)
    assert "trace_id" not in entry
    assert "span_id" not in entry


def test_a_line_inside_a_span_carries_that_spans_ids() -> None:
    stream = io.StringIO()
    configure_logging("ingestion", stream=stream)
    tracer = TracerProvider().get_tracer("test")

    with tracer.start_as_current_span("work") as span:
        logging.getLogger("secondline.test").info("inside")
    context = span.get_span_context()

    [entry] = lines(stream)
    assert entry["trace_id"] == trace.format_trace_id(context.trace_id)
    assert entry["span_id"] == trace.format_span_id(context.span_id)


def test_extra_fields_appear_as_top_level_keys_but_cannot_replace_the_standard_ones() -> None:
    stream = io.StringIO()
    configure_logging("ingestion", stream=stream)

    logging.getLogger("secondline.test").info(
        "stored", extra={"record_id": "R-1", "count": 2, "service": "impostor"}
    )

    [entry] = lines(stream)
    assert entry["record_id"] == "R-1"
    assert entry["count"] == 2
    assert entry["service"] == "ingestion"


def test_an_exception_is_logged_as_its_traceback_text() -> None:
    stream = io.StringIO()
    configure_logging("ingestion", stream=stream)

    try:
        raise ValueError("bad port code")
    except ValueError:
        logging.getLogger("secondline.test").exception("rejected")

    [entry] = lines(stream)
    assert entry["level"] == "ERROR"
    assert "Traceback" in entry["exc"]
    assert "ValueError: bad port code" in entry["exc"]


def test_configuring_twice_replaces_the_handler_instead_of_duplicating_lines() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("ingestion", stream=first)
    configure_logging("ingestion", stream=second)

    logging.getLogger("secondline.test").info("once")

    assert first.getvalue() == ""
    assert [entry["msg"] for entry in lines(second)] == ["once"]


def test_records_below_the_configured_level_are_dropped() -> None:
    stream = io.StringIO()
    configure_logging("ingestion", level="warning", stream=stream)

    logging.getLogger("secondline.test").info("quiet")
    logging.getLogger("secondline.test").warning("loud")

    assert [entry["msg"] for entry in lines(stream)] == ["loud"]
