"""Primitives for std::time: clocks and calendar arithmetic.

The Inko side keeps times as Float seconds (monotonic since start-up for
Instant, since the Unix epoch for SystemTime); Python only reads clocks and
converts between seconds and calendar fields.
"""

from __future__ import annotations

import calendar
import datetime
import math
import time

from inko_mini.builtins import primitive

_START = time.monotonic()


@primitive("time_monotonic")
def time_monotonic():
    """Seconds since the interpreter started, on a clock that never jumps."""
    return time.monotonic() - _START


@primitive("time_system")
def time_system():
    return time.time()


def _local(seconds: float) -> time.struct_time:
    return time.localtime(math.floor(seconds))


@primitive("time_utc_offset")
def time_utc_offset(seconds=None):
    """The local offset from UTC in seconds, at `seconds` (default: now)."""
    when = time.time() if seconds is None else float(seconds)
    return _local(when).tm_gmtoff or 0


@primitive("time_dst")
def time_dst(seconds=None):
    when = time.time() if seconds is None else float(seconds)
    return _local(when).tm_isdst > 0


@primitive("time_to_calendar")
def time_to_calendar(seconds, utc_offset):
    """[year, month, day, hour, minute, second, sub_second, day_of_week,
    day_of_year] of the moment `seconds` in the zone `utc_offset`."""
    total = float(seconds) + int(utc_offset)
    whole = math.floor(total)
    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=whole)
    return [
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        total - whole,
        moment.isoweekday(),
        moment.timetuple().tm_yday,
    ]


@primitive("time_from_calendar")
def time_from_calendar(year, month, day, hour, minute, second, sub_second, utc_offset):
    """Seconds since the Unix epoch for calendar fields in zone `utc_offset`."""
    whole = calendar.timegm(
        (int(year), int(month), int(day), int(hour), int(minute), int(second), 0, 0, 0)
    )
    return float(whole - int(utc_offset)) + float(sub_second)


@primitive("monotonic_time")
def monotonic_time():
    return time.monotonic()
