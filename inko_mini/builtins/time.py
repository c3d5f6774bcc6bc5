"""Primitives for std::time: clocks and calendar arithmetic.

The Inko side keeps times as Float seconds (monotonic since start-up for
Instant, since the Unix epoch for SystemTime); Python only reads clocks and
converts between seconds and calendar fields.
"""

from __future__ import annotations

import math
import time

from inko_mini.builtins import primitive
from inko_mini.errors import PanicSignal

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
def time_to_calendar(seconds, utc_offset) -> list:
    """[year, month, day, hour, minute, second, sub_second] of the moment
    `seconds` (since the Unix epoch) in the zone `utc_offset`, in the
    proleptic Gregorian calendar for any year (integer arithmetic only)."""
    if type(seconds) not in (int, float) or type(utc_offset) is not int:
        raise PanicSignal("a time needs Float seconds and an Integer UTC offset")
    total = float(seconds) + utc_offset
    if not math.isfinite(total):
        raise PanicSignal("a time must be a finite number of seconds")
    whole = math.floor(total)
    days, rest = divmod(whole, 86400)
    year, month, day = _civil_from_days(days)
    return [year, month, day, rest // 3600, rest % 3600 // 60, rest % 60, total - whole]


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """Year, month and day of `days` since 1970-01-01 (H. Hinnant's method)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if month <= 2 else 0), month, day


@primitive("monotonic_time")
def monotonic_time():
    return time.monotonic()
