"""Structured logs: one JSON object per line, carrying the current trace id.

Standard library only (plus opentelemetry-api to read the current span), so any module
can log with plain `logging.getLogger(__name__)` and `extra={...}`; the collector joins
log lines to traces on `trace_id`.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import IO, Any

from opentelemetry import trace

__all__ = ["JsonFormatter", "configure_logging"]

# Everything a LogRecord carries by itself; whatever else is in its __dict__ came from
# `extra={...}`. Taken from a real record so new Python versions (taskName in 3.12) are
# covered; "message" and "asctime" are added later by Formatter.format, so list them.
_STANDARD_ATTRS = frozenset(
    logging.LogRecord("", logging.INFO, "", 0, "", None, None).__dict__
) | {"message", "asctime", "taskName"}

# Marks the handler this module installs, so a second configure_logging replaces it.
_HANDLER_MARK = "_secondline_json_handler"


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON (keys: ts, level, service, logger, msg, ...)."""

    def __init__(self, service_name: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.service_name = service_name
        self.fields = dict(fields or {})  # on every line of the process (a worker's number)

    def format(self, record: logging.LogRecord) -> str:
        # Extras first, so they can never masquerade as the fields below.
        entry: dict[str, Any] = dict(self.fields)
        entry.update((key, value) for key, value in record.__dict__.items() if key not in _STANDARD_ATTRS)
        entry.update(
            ts=datetime.fromtimestamp(record.created, tz=timezone.utc)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            level=record.levelname,
            service=self.service_name,
            logger=record.name,
            msg=record.getMessage(),
        )
        # The handler runs synchronously in the logging call, so the "current" span is
        # the caller's span (this would not hold behind a QueueHandler).
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = trace.format_trace_id(span_context.trace_id)
            entry["span_id"] = trace.format_span_id(span_context.span_id)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an odd extra value (a Decimal, a datetime) must not lose the line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service_name: str, *, level: str = "INFO", stream: IO[str] | None = None,
                      fields: dict[str, Any] | None = None) -> None:
    """Send the root logger's records to `stream` (default stderr) as JSON lines, each with
    `fields` too (a worker process's number: the workers of a service share one output).

    Idempotent: a previous handler installed here is removed first, so calling it again
    (tests, a re-configured service) changes the settings instead of doubling each line.
    Handlers installed by others (e.g. pytest's log capture) are left alone.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(JsonFormatter(service_name, fields))
    root.addHandler(handler)
    root.setLevel(level.upper())
