"""The demo's progress display: rich's progress bar on a terminal; elsewhere (a log, a pipe) a
plain line every few seconds, so that a log shows how far it got."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

Out = Callable[[str], None]


class Progress:
    """One phase's progress: ``update(done)`` as it goes, ``finish(note)`` at its end."""

    def __init__(self, out: Out, tty: bool, label: str, total: int, unit: str, *, rate: bool = True,
                 every: float = 5.0) -> None:
        self.out, self.tty, self.label, self.total, self.unit = out, tty, label, max(total, 1), unit
        self.rate = rate  # whether a rate means anything (not for catching up with a moving target)
        self.every = every
        self.started = time.monotonic()
        self.shown = self.started  # off a terminal, the first line after `every`
        self.done = 0
        self._bar: RichProgress | None = None
        if tty:
            columns = [TextColumn(f"  {label:<22}"), BarColumn(bar_width=30), TaskProgressColumn(),
                       MofNCompleteColumn(), TextColumn(unit)]
            columns += [TimeRemainingColumn()] if rate else [TimeElapsedColumn()]
            self._bar = RichProgress(*columns, console=Console(), transient=True)
            self._task = self._bar.add_task(label, total=self.total)
            self._bar.start()

    def update(self, done: int) -> None:
        self.done = done
        if self._bar is not None:
            self._bar.update(self._task, completed=done)
            return
        now = time.monotonic()
        if now - self.shown >= self.every:
            self.shown = now
            self.out(self._line(now))

    def finish(self, note: str = "") -> None:
        if self._bar is not None:
            self._bar.stop()
        self.out(self._line(time.monotonic(), final=True) + (f"  {note}" if note else ""))

    def _line(self, now: float, final: bool = False) -> str:
        elapsed = now - self.started
        share = min(1.0, self.done / self.total)
        filled = int(share * 30)
        bar = "#" * filled + "-" * (30 - filled)
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if final:
            tail = f"{elapsed:.1f} s"
        elif self.rate and rate > 0 and elapsed > 1.0:
            tail = f"eta {(self.total - self.done) / rate:.0f} s"
        else:
            tail = f"{elapsed:.0f} s"
        speed = f"{rate:,.0f}/s  " if self.rate else ""
        return f"  {self.label:<22}[{bar}] {share:4.0%}  {self.done:,}/{self.total:,} {self.unit}  {speed}{tail}"
