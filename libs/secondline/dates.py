"""Legal dates, periods and working days (RULES T-1, T-2, T-3).

The one module of the suite that does date arithmetic: everything else asks it.

* T-1: legal dates are calendar dates in China Standard Time (:data:`CST`).
* T-2: Civil Code periods (Art. 201-202): :func:`period_last_day`, :func:`period_end`.
* T-3: working days from the State Council's yearly schedule: :class:`WorkingCalendar`.

No I/O at import time; :func:`default_calendar` reads the packaged calendar on first use.
"""

from __future__ import annotations

import calendar as _calendar
import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CST", "CalendarError", "Deadline", "Holiday", "WorkingCalendar", "YearSchedule",
    "add_months", "add_years", "cst_date", "default_calendar", "end_of_day", "noon", "period_end",
    "period_last_day", "start_of_day",
]

# T-1: China Standard Time is a fixed UTC+8. A fixed offset rather than
# zoneinfo("Asia/Shanghai"): China has had no daylight saving time since 1991, so the two
# agree for every date the suite handles, and a fixed offset needs no tzdata (the IANA
# database is not shipped with Python on every platform, and its updates could not change
# a legal date here anyway).
CST = timezone(timedelta(hours=8), "CST")

# --- T-1: instants and dates ------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # the instants of a batch's receipt, and of a clock's ticks, come again and again
def cst_date(instant: datetime) -> date:
    """The CST calendar date of an aware instant (T-1). Naive datetimes are refused."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant {instant.isoformat()} has no UTC offset")
    return instant.astimezone(CST).date()


@functools.lru_cache(maxsize=1 << 16)  # classification asks for the same few thousand days again and again
def start_of_day(d: date) -> datetime:
    """The instant a CST day begins: 00:00 +08:00 (T-1)."""
    return datetime.combine(_require_date(d), time(0), tzinfo=CST)


def end_of_day(d: date) -> datetime:
    """The instant a CST day ends: 00:00 +08:00 of the next day (T-1); a deadline "at the end
    of the Nth working day" passes then (T-3)."""
    return start_of_day(_require_date(d) + timedelta(days=1))


def noon(d: date) -> datetime:
    """12:00 CST on ``d``, a convenient unambiguous instant inside the day (T-1)."""
    return datetime.combine(_require_date(d), time(12), tzinfo=CST)


def _require_date(d: object) -> date:
    # datetime is a subclass of date; taking one here would silently drop its time and zone.
    if not isinstance(d, date) or isinstance(d, datetime):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return d


# --- T-2: Civil Code periods ------------------------------------------------------------------


def add_months(d: date, n: int) -> date:
    """The day corresponding to ``d`` ``n`` months later (or earlier, for negative ``n``).

    T-2: where the target month has no such day (29-31), its last day.
    """
    index = _require_date(d).year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    last = _calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def add_years(d: date, n: int) -> date:
    """The day corresponding to ``d`` ``n`` years later; 29 February -> 28 February (T-2)."""
    return add_months(d, 12 * n)


def period_last_day(start: date, *, years: int = 0, months: int = 0, days: int = 0) -> date:
    """The last day a status holds when it lasts the given period from ``start`` (T-2).

    The day of the event is not counted: ``days=N`` holds through ``start + N`` days;
    ``years``/``months`` through the corresponding day of the final month, or that month's
    last day where it has none. A mixed period applies years and months, then days.
    """
    if years < 0 or months < 0 or days < 0 or years == months == days == 0:
        raise ValueError(
            f"a period must be positive, got years={years}, months={months}, days={days}"
        )
    if not years and not months:  # no month to add: the day itself (as add_months(start, 0) gives it)
        return _require_date(start) + timedelta(days=days)
    return add_months(start, 12 * years + months) + timedelta(days=days)


@functools.lru_cache(maxsize=1 << 16)
def period_end(start: date, *, years: int = 0, months: int = 0, days: int = 0) -> datetime:
    """The instant the period ends: 00:00 CST of the day after its last day (T-2)."""
    last = period_last_day(start, years=years, months=months, days=days)
    return start_of_day(last + timedelta(days=1))


# --- T-3: working days ------------------------------------------------------------------------


class CalendarError(ValueError):
    """A calendar file that is not a valid yearly schedule: names the file, key and problem."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source = source
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class Holiday:
    """A run of days off (放假调休), weekends inside it included; ``first``..``last`` inclusive."""

    name: str
    first: date
    last: date


@dataclass(frozen=True)
class YearSchedule:
    """One year of the State Council's schedule (T-3): holidays and adjusted working weekends."""

    year: int
    holidays: tuple[Holiday, ...]
    workdays: frozenset[date]

    @classmethod
    def parse(cls, document: object, *, source: str) -> YearSchedule:
        """Validate one parsed YAML document (``year``, ``holidays``, ``workdays``)."""
        if not isinstance(document, Mapping):
            problem = "expected a mapping of year, holidays, workdays"
            raise CalendarError(source, "(document)", problem)
        unknown = sorted(str(k) for k in document if k not in ("year", "holidays", "workdays"))
        if unknown:
            raise CalendarError(source, unknown[0], "unknown key")
        for key in ("year", "holidays", "workdays"):
            if key not in document:
                raise CalendarError(source, key, "missing")
        year = document["year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9998:
            raise CalendarError(source, "year", f"expected a year such as 2026, got {year!r}")
        stem = Path(source).stem
        if stem.isdigit() and int(stem) != year:
            raise CalendarError(source, "year", f"{year} does not match the file name")

        def day(value: object, key: str) -> date:
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    pass
            if not isinstance(value, date) or isinstance(value, datetime):
                raise CalendarError(source, key, f"expected a date YYYY-MM-DD, got {value!r}")
            if value.year != year:
                raise CalendarError(source, key, f"{value} is outside the file's year {year}")
            return value

        raw_holidays = document["holidays"]
        if not isinstance(raw_holidays, list):
            raise CalendarError(source, "holidays", "expected a list of {name, from, to}")
        holidays: list[Holiday] = []
        for i, entry in enumerate(raw_holidays):
            key = f"holidays[{i}]"
            if not isinstance(entry, Mapping) or set(entry) != {"name", "from", "to"}:
                raise CalendarError(source, key, "expected exactly the keys name, from, to")
            name = entry["name"]
            if not isinstance(name, str) or not name.strip():
                raise CalendarError(source, f"{key}.name", "expected a non-empty name")
            first, last = day(entry["from"], f"{key}.from"), day(entry["to"], f"{key}.to")
            if first > last:
                raise CalendarError(source, f"{key}.from", f"{first} is after to ({last})")
            for other in holidays:
                if first <= other.last and other.first <= last:
                    raise CalendarError(source, key, f"overlaps holiday {other.name!r}")
            holidays.append(Holiday(name, first, last))

        raw_workdays = document["workdays"]
        if not isinstance(raw_workdays, list):
            raise CalendarError(source, "workdays", "expected a list of dates")
        workdays: set[date] = set()
        for i, value in enumerate(raw_workdays):
            key = f"workdays[{i}]"
            d = day(value, key)
            if d.weekday() < 5:
                raise CalendarError(source, key, f"{d} is a {d:%A}, not a weekend day")
            if d in workdays:
                raise CalendarError(source, key, f"{d} is listed twice")
            if any(h.first <= d <= h.last for h in holidays):
                raise CalendarError(source, key, f"{d} is inside a holiday")
            workdays.add(d)
        return cls(year, tuple(holidays), frozenset(workdays))


@dataclass(frozen=True)
class Deadline:
    """A working-day deadline (T-3); ``provisional`` when counted on weekdays alone."""

    day: date
    provisional: bool


class WorkingCalendar:
    """Working days (工作日) per T-3, from one :class:`YearSchedule` per loaded year.

    In a loaded year a day is a working day if it is an adjusted working weekend day, or a
    weekday outside every holiday. In a year not loaded, weekdays alone count.
    """

    def __init__(self, schedules: Iterable[YearSchedule] = ()) -> None:
        self._schedules: dict[int, YearSchedule] = {}
        self._days_off: dict[int, frozenset[date]] = {}
        for schedule in schedules:
            if schedule.year in self._schedules:
                raise CalendarError(f"<year {schedule.year}>", "year", "loaded twice")
            self._schedules[schedule.year] = schedule
            self._days_off[schedule.year] = frozenset(
                h.first + timedelta(days=k)
                for h in schedule.holidays
                for k in range((h.last - h.first).days + 1)
            )

    @classmethod
    def from_directory(cls, path: str | os.PathLike[str] | Traversable) -> WorkingCalendar:
        """Load every ``*.yaml`` in ``path``, one year per file; duplicate years are refused."""
        folder = Path(path) if isinstance(path, (str, os.PathLike)) else path
        schedules: dict[int, tuple[str, YearSchedule]] = {}
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".yaml") or not entry.is_file():
                continue
            try:
                document = yaml.safe_load(entry.read_text(encoding="utf-8"))
            except yaml.YAMLError as e:
                raise CalendarError(entry.name, "(document)", f"not valid YAML: {e}") from e
            schedule = YearSchedule.parse(document, source=entry.name)
            if schedule.year in schedules:
                first_file = schedules[schedule.year][0]
                problem = f"{schedule.year} is already loaded from {first_file}"
                raise CalendarError(entry.name, "year", problem)
            schedules[schedule.year] = (entry.name, schedule)
        return cls(s for _, s in schedules.values())

    @classmethod
    def from_years(cls, documents: Mapping[int, Mapping[str, Any]]) -> WorkingCalendar:
        """Build from documents keyed by year, in the YAML file's shape (for tests).

        ``year`` may be left out of a document; the key supplies it.
        """
        schedules = []
        for year, doc in documents.items():
            schedule = YearSchedule.parse({"year": year, **doc}, source=f"<year {year}>")
            if schedule.year != year:
                raise CalendarError(f"<year {year}>", "year", f"{schedule.year} != {year}")
            schedules.append(schedule)
        return cls(schedules)

    @property
    def years(self) -> tuple[int, ...]:
        """The loaded years, ascending."""
        return tuple(sorted(self._schedules))

    def has_year(self, year: int) -> bool:
        """Whether ``year``'s schedule is loaded (T-3)."""
        return year in self._schedules

    def is_working_day(self, d: date) -> bool:
        """T-3: whether ``d`` is a working day (weekdays alone in a year not loaded)."""
        schedule = self._schedules.get(_require_date(d).year)
        if schedule is None:
            return d.weekday() < 5
        if d in schedule.workdays:
            return True
        return d.weekday() < 5 and d not in self._days_off[d.year]

    def add_working_days(self, received: date, n: int) -> Deadline:
        """The ``n``-th working day after ``received`` (T-3; the day of receipt not counted).

        Provisional when any day counted over lies in a year whose schedule is not loaded.
        """
        if n < 1:
            raise ValueError(f"a number of working days must be at least 1, got {n}")
        day, provisional = _require_date(received), False
        while n:
            day += timedelta(days=1)
            provisional = provisional or not self.has_year(day.year)
            if self.is_working_day(day):
                n -= 1
        return Deadline(day, provisional)

    def working_days_due(self, received: date, n: int) -> tuple[datetime, bool]:
        """When a period of ``n`` working days after ``received`` passes (T-3): the end of its
        last working day, and whether that is provisional."""
        deadline = self.add_working_days(received, n)
        return end_of_day(deadline.day), deadline.provisional


@functools.cache
def default_calendar() -> WorkingCalendar:
    """The calendar packaged with the suite (``secondline/data/calendar``), loaded once."""
    return WorkingCalendar.from_directory(resources.files("secondline") / "data" / "calendar")
