"""The packaged working-day calendar (T-3) agrees with an independent source, day by day.

``chinesecalendar`` (PyPI) carries the State Council's schedules; the packaged files are
checked against it for every day of 2025 and 2026.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from secondline.dates import default_calendar


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_packaged_calendar_agrees_with_chinesecalendar_on_every_day_of(year):
    calendar = default_calendar()
    assert calendar.has_year(year)
    day, differences = date(year, 1, 1), []
    while day.year == year:
        if calendar.is_working_day(day) != chinese_calendar.is_workday(day):
            differences.append(day)
        day += timedelta(days=1)
    assert differences == []
