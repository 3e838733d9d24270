"""Legal dates, periods and working days: RULES T-1, T-2, T-3.

Expected values are worked out by hand from the rules and from the State Council's 2025 and
2026 schedules, which are transcribed again below as the oracle for the working-day tests.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secondline.dates import (
    CST,
    CalendarError,
    Deadline,
    WorkingCalendar,
    add_months,
    add_years,
    cst_date,
    default_calendar,
    noon,
    period_end,
    period_last_day,
    start_of_day,
)

UTC = timezone.utc
EIGHT_HOURS = timedelta(hours=8)


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=k) for k in range((last - first).days + 1)}


# The State Council's schedules, transcribed by hand (T-3 oracle).
HOLIDAYS = (
    _days(date(2025, 1, 1), date(2025, 1, 1))
    | _days(date(2025, 1, 28), date(2025, 2, 4))
    | _days(date(2025, 4, 4), date(2025, 4, 6))
    | _days(date(2025, 5, 1), date(2025, 5, 5))
    | _days(date(2025, 5, 31), date(2025, 6, 2))
    | _days(date(2025, 10, 1), date(2025, 10, 8))
    | _days(date(2026, 1, 1), date(2026, 1, 3))
    | _days(date(2026, 2, 15), date(2026, 2, 23))
    | _days(date(2026, 4, 4), date(2026, 4, 6))
    | _days(date(2026, 5, 1), date(2026, 5, 5))
    | _days(date(2026, 6, 19), date(2026, 6, 21))
    | _days(date(2026, 9, 25), date(2026, 9, 27))
    | _days(date(2026, 10, 1), date(2026, 10, 7))
)
WORKDAYS = {
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28),
    date(2025, 10, 11), date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
    date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
}  # fmt: skip
LOADED = range(2025, 2027)


def oracle_working_day(d: date) -> bool:
    if d.year in LOADED and d in WORKDAYS:
        return True
    return d.weekday() < 5 and d not in HOLIDAYS


# --- T-1: China Standard Time -----------------------------------------------------------------


def test_t1_cst_is_a_fixed_utc_plus_8_named_cst():
    for d in (date(1992, 7, 1), date(2026, 1, 1), date(2026, 7, 1)):
        assert start_of_day(d).utcoffset() == EIGHT_HOURS
    assert CST.tzname(None) == "CST"


def test_t1_an_instant_takes_its_date_in_cst():
    assert cst_date(datetime(2026, 1, 9, 16, 0, tzinfo=UTC)) == date(2026, 1, 10)
    assert cst_date(datetime(2026, 1, 9, 15, 59, 59, 999999, tzinfo=UTC)) == date(2026, 1, 9)
    west = timezone(timedelta(hours=-5))
    assert cst_date(datetime(2026, 12, 31, 11, 0, tzinfo=west)) == date(2027, 1, 1)


def test_t1_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="no UTC offset"):
        cst_date(datetime(2026, 1, 10, 12, 0))


def test_t1_start_of_day_and_noon_are_aware_cst_instants():
    assert start_of_day(date(2026, 1, 10)) == datetime(2026, 1, 9, 16, 0, tzinfo=UTC)
    assert noon(date(2026, 1, 10)) == datetime(2026, 1, 10, 4, 0, tzinfo=UTC)
    assert noon(date(2026, 1, 10)).tzinfo is CST


def test_t1_start_of_day_refuses_a_datetime_for_a_date():
    with pytest.raises(TypeError, match="expected a date"):
        start_of_day(datetime(2026, 1, 10, 12, tzinfo=CST))
    with pytest.raises(TypeError):
        noon("2026-01-10")


@given(st.datetimes(timezones=st.just(UTC)))
def test_t1_the_cst_date_of_an_instant_holds_that_instant(instant):
    d = cst_date(instant)
    assert start_of_day(d) <= instant < start_of_day(d + timedelta(days=1))


# --- T-2: Civil Code periods ------------------------------------------------------------------


def test_t2_three_years_from_2026_01_10_hold_through_2029_01_10():
    assert period_last_day(date(2026, 1, 10), years=3) == date(2029, 1, 10)
    end = period_end(date(2026, 1, 10), years=3)
    assert end == datetime(2029, 1, 11, 0, 0, tzinfo=CST)
    assert end.isoformat() == "2029-01-11T00:00:00+08:00"


def test_t2_one_year_from_29_february_ends_with_28_february():
    assert period_last_day(date(2024, 2, 29), years=1) == date(2025, 2, 28)
    assert period_end(date(2024, 2, 29), years=1) == datetime(2025, 3, 1, tzinfo=CST)
    assert period_last_day(date(2024, 2, 29), years=4) == date(2028, 2, 29)


def test_t2_fifteen_days_from_1_march_run_through_16_march():
    assert period_last_day(date(2026, 3, 1), days=15) == date(2026, 3, 16)
    assert period_end(date(2026, 3, 1), days=15) == datetime(2026, 3, 17, tzinfo=CST)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 2, 28), 1, date(2026, 3, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 31), 13, date(2027, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
    ],
)
def test_t2_add_months_clamps_to_the_last_day_of_a_short_month(start, n, expected):
    assert add_months(start, n) == expected


def test_t2_add_years_maps_29_february_to_28_february_unless_leap():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2024, 2, 29), -1) == date(2023, 2, 28)
    assert add_years(date(2000, 2, 29), 100) == date(2100, 2, 28)  # 2100 is not a leap year


def test_t2_a_month_period_from_a_month_end_ends_on_the_last_day_of_the_final_month():
    assert period_last_day(date(2026, 1, 31), months=1) == date(2026, 2, 28)
    assert period_end(date(2026, 1, 31), months=1) == datetime(2026, 3, 1, tzinfo=CST)
    assert period_last_day(date(2026, 8, 31), months=3) == date(2026, 11, 30)


def test_t2_a_mixed_period_applies_years_and_months_then_days():
    assert period_last_day(date(2026, 1, 31), years=1, months=1, days=1) == date(2027, 3, 1)


@pytest.mark.parametrize(
    "period", [{}, {"years": 0}, {"days": -1}, {"months": -1}, {"years": -3, "days": 5}]
)
def test_t2_a_period_must_be_positive(period):
    with pytest.raises(ValueError, match="must be positive"):
        period_last_day(date(2026, 1, 10), **period)
    with pytest.raises(ValueError):
        period_end(date(2026, 1, 10), **period)


def test_t2_period_refuses_a_datetime_start():
    with pytest.raises(TypeError):
        period_end(datetime(2026, 1, 10, 9, tzinfo=CST), years=3)


dates_ = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@given(dates_, st.integers(-50, 50))
def test_t2_add_years_never_passes_the_month_end_and_keeps_the_day_when_it_exists(d, n):
    result = add_years(d, n)
    assert (result.year, result.month) == (d.year + n, d.month)
    try:
        same = d.replace(year=d.year + n)
    except ValueError:  # 29 February into a common year
        assert (d.month, d.day) == (2, 29)
        assert result == date(d.year + n, 2, 28)
    else:
        assert result == same


@given(dates_, st.integers(-600, 600))
def test_t2_add_months_lands_in_the_right_month_on_the_same_or_last_day(d, n):
    result = add_months(d, n)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == n
    next_month_first = add_months(result.replace(day=1), 1)
    month_length = (next_month_first - result.replace(day=1)).days
    assert result.day == min(d.day, month_length)


@given(dates_, st.integers(0, 10), st.integers(0, 24), st.integers(0, 400))
def test_t2_period_end_is_always_a_cst_midnight_the_day_after_the_last_day(d, y, m, n):
    if y == m == n == 0:
        return
    end = period_end(d, years=y, months=m, days=n)
    assert end.utcoffset() == EIGHT_HOURS
    assert (end.hour, end.minute, end.second, end.microsecond) == (0, 0, 0, 0)
    last = period_last_day(d, years=y, months=m, days=n)
    assert cst_date(end) == last + timedelta(days=1)
    assert last > d  # the day of the event is never the last one


@given(dates_, st.integers(1, 1000))
def test_t2_a_period_of_n_days_holds_through_the_nth_day_after(d, n):
    assert period_last_day(d, days=n) == d + timedelta(days=n)


# --- T-3: working days, packaged calendar -----------------------------------------------------


def test_t3_the_packaged_calendar_holds_2025_and_2026_only():
    cal = default_calendar()
    assert cal.years == (2025, 2026)
    assert cal.has_year(2026) and not cal.has_year(2027) and not cal.has_year(2024)
    assert default_calendar() is cal


def test_t3_the_packaged_calendar_agrees_with_the_state_council_schedule_every_day():
    cal = default_calendar()
    day = date(2025, 1, 1)
    while day.year in LOADED:
        assert cal.is_working_day(day) is oracle_working_day(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 10, 10), True),  # adjusted working Saturday
        (date(2026, 1, 4), True),  # adjusted working Sunday
        (date(2026, 10, 1), False),  # National Day, a Thursday
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 10, 8), True),
        (date(2027, 1, 1), True),  # 2027 not loaded: a Friday counts on weekdays alone
        (date(2027, 1, 2), False),
    ],
)
def test_t3_is_working_day(day, working):
    assert default_calendar().is_working_day(day) is working


@pytest.mark.parametrize(
    ("received", "n", "expected"),
    [
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # over the National Day holiday
        (date(2026, 10, 9), 1, date(2026, 10, 10)),  # the adjusted working Saturday counts
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        (date(2026, 9, 24), 7, date(2026, 10, 12)),  # O-2: 7 working days
        (date(2026, 9, 24), 15, date(2026, 10, 22)),  # O-2: 15 working days
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Spring Festival working Saturday
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # an ordinary weekend
        (date(2025, 9, 30), 3, date(2025, 10, 11)),
        (date(2025, 12, 31), 1, date(2026, 1, 4)),  # across two loaded years
        (date(2026, 12, 30), 1, date(2026, 12, 31)),
        (date(2024, 12, 31), 1, date(2025, 1, 2)),  # receipt day in 2024 is not counted
    ],
)
def test_t3_working_day_deadlines_in_loaded_years_are_final(received, n, expected):
    assert default_calendar().add_working_days(received, n) == Deadline(expected, False)


def test_t3_a_deadline_running_into_an_unloaded_year_is_provisional_on_weekdays_alone():
    # 2026-12-31 (Thu) is 1; 2027-01-01 (Fri) counts as a weekday, 2; then Mon 4 January.
    assert default_calendar().add_working_days(date(2026, 12, 30), 3) == Deadline(
        date(2027, 1, 4), True
    )
    assert default_calendar().add_working_days(date(2027, 3, 5), 1) == Deadline(
        date(2027, 3, 8), True
    )


@pytest.mark.parametrize("n", [0, -1])
def test_t3_a_number_of_working_days_must_be_at_least_one(n):
    with pytest.raises(ValueError, match="at least 1"):
        default_calendar().add_working_days(date(2026, 1, 5), n)


@settings(deadline=None)
@given(st.dates(min_value=date(2024, 12, 1), max_value=date(2026, 12, 31)), st.integers(1, 30))
def test_t3_deadlines_are_working_days_counted_after_receipt(received, n):
    deadline = default_calendar().add_working_days(received, n)
    assert deadline.day > received
    assert oracle_working_day(deadline.day)
    if deadline.day.year in LOADED:
        assert deadline.day not in HOLIDAYS
        assert deadline.day.weekday() < 5 or deadline.day in WORKDAYS
    counted = _days(received + timedelta(days=1), deadline.day)
    assert sum(oracle_working_day(d) for d in counted) == n
    assert deadline.provisional is any(d.year not in LOADED for d in counted)


@settings(deadline=None)
@given(st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 30)), st.integers(1, 25))
def test_t3_deadlines_are_strictly_increasing_in_n(received, n):
    cal = default_calendar()
    assert cal.add_working_days(received, n).day < cal.add_working_days(received, n + 1).day


# --- T-3: loading and validating calendar files -----------------------------------------------

VALID_2026 = """\
year: 2026
holidays:
  - {name: National Day, from: 2026-10-01, to: 2026-10-07}
workdays: [2026-10-10]
"""


WORKDAY_2026_10_09 = "year: 2026\nholidays: []\nworkdays: [2026-10-09]\n"
WORKDAY_2025_12_27 = "year: 2026\nholidays: []\nworkdays: [2025-12-27]\n"


def with_holiday(entry: str) -> str:
    """A 2026 document with one holiday entry (a YAML flow mapping) and no workdays."""
    return f"year: 2026\nholidays:\n  - {entry}\nworkdays: []\n"


def _write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_t3_from_directory_loads_every_yaml_file_and_ignores_others(tmp_path):
    _write(tmp_path, "2026.yaml", VALID_2026)
    _write(tmp_path, "README.md", "not a calendar")
    _write(tmp_path, "2025.yml.bak", "year: [")
    for folder in (tmp_path, str(tmp_path)):
        cal = WorkingCalendar.from_directory(folder)
        assert cal.years == (2026,)
        assert cal.add_working_days(date(2026, 9, 30), 1) == Deadline(date(2026, 10, 8), False)


def test_t3_from_years_builds_a_calendar_for_tests():
    holiday = {"name": "Test day", "from": "2026-03-02", "to": date(2026, 3, 2)}
    cal = WorkingCalendar.from_years({2026: {"holidays": [holiday], "workdays": ["2026-03-07"]}})
    assert not cal.is_working_day(date(2026, 3, 2))
    assert cal.is_working_day(date(2026, 3, 7))
    assert cal.add_working_days(date(2026, 2, 27), 1) == Deadline(date(2026, 3, 3), False)


def test_t3_from_years_refuses_a_document_for_another_year():
    with pytest.raises(CalendarError, match="year"):
        WorkingCalendar.from_years({2026: {"year": 2027, "holidays": [], "workdays": []}})


def test_t3_an_empty_calendar_counts_weekdays_alone_and_is_provisional():
    assert WorkingCalendar().add_working_days(date(2026, 9, 30), 1) == Deadline(
        date(2026, 10, 1), True
    )


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("holidays: []\nworkdays: []\n", "year", "missing"),
        ("year: 2026\nworkdays: []\n", "holidays", "missing"),
        ("year: 2026\nholidays: []\n", "workdays", "missing"),
        ("year: '2026'\nholidays: []\nworkdays: []\n", "year", "expected a year"),
        ("year: 2027\nholidays: []\nworkdays: []\n", "year", "does not match the file name"),
        ("year: 2026\nholidays: []\nworkdays: []\nworkday: []\n", "workday", "unknown key"),
        ("year: 2026\nholidays: {}\nworkdays: []\n", "holidays", "expected a list"),
        ("year: 2026\nholidays: []\nworkdays: 2026-10-10\n", "workdays", "expected a list"),
        (
            with_holiday("{name: NY, from: 2025-12-31, to: 2026-01-01}"),
            "holidays[0].from",
            "outside the file's year 2026",
        ),
        (
            with_holiday("{name: NY, from: 2026-12-31, to: 2027-01-01}"),
            "holidays[0].to",
            "outside the file's year 2026",
        ),
        (
            with_holiday("{name: May, from: 2026-05-06, to: 2026-05-05}"),
            "holidays[0].from",
            "2026-05-06 is after to (2026-05-05)",
        ),
        (
            with_holiday("{name: May, from: 2026-05-01}"),
            "holidays[0]",
            "expected exactly the keys name, from, to",
        ),
        (
            with_holiday("{name: ' ', from: 2026-05-01, to: 2026-05-01}"),
            "holidays[0].name",
            "non-empty name",
        ),
        (
            with_holiday("{name: May, from: 1 May, to: 2026-05-05}"),
            "holidays[0].from",
            "expected a date YYYY-MM-DD",
        ),
        (
            "year: 2026\nholidays:\n  - {name: A, from: 2026-05-01, to: 2026-05-05}\n"
            "  - {name: B, from: 2026-05-05, to: 2026-05-06}\nworkdays: []\n",
            "holidays[1]",
            "overlaps holiday 'A'",
        ),
        (WORKDAY_2026_10_09, "workdays[0]", "2026-10-09 is a Friday, not a weekend day"),
        (WORKDAY_2025_12_27, "workdays[0]", "2025-12-27 is outside the file's year 2026"),
        (
            "year: 2026\nholidays: []\nworkdays: [2026-10-10, 2026-10-10]\n",
            "workdays[1]",
            "listed twice",
        ),
        (
            "year: 2026\nholidays:\n  - {name: ND, from: 2026-10-01, to: 2026-10-07}\n"
            "workdays: [2026-10-03]\n",
            "workdays[0]",
            "inside a holiday",
        ),
        (
            "year: 2026\nholidays: []\nworkdays: [2026-10-10 09:00:00]\n",
            "workdays[0]",
            "expected a date",
        ),
        ("", "(document)", "expected a mapping"),
        ("year: [\n", "(document)", "not valid YAML"),
    ],
)
def test_t3_an_invalid_calendar_file_is_refused_naming_file_key_and_problem(
    tmp_path, text, key, problem
):
    _write(tmp_path, "2026.yaml", text)
    with pytest.raises(CalendarError) as info:
        WorkingCalendar.from_directory(tmp_path)
    err = info.value
    assert (err.source, err.key) == ("2026.yaml", key)
    assert problem in err.problem
    assert str(err).startswith(f"2026.yaml: {key}: ")
    assert isinstance(err, ValueError)


def test_t3_two_files_for_the_same_year_are_refused_naming_both(tmp_path):
    _write(tmp_path, "2026.yaml", VALID_2026)
    _write(tmp_path, "2026-revised.yaml", VALID_2026)
    with pytest.raises(CalendarError) as info:
        WorkingCalendar.from_directory(tmp_path)
    assert info.value.source == "2026.yaml"  # files load in name order
    assert info.value.key == "year"
    assert "already loaded from 2026-revised.yaml" in info.value.problem
