"""CAL: the calendar: frequency caps, quiet hours, closed days, windows, overlaps."""

from __future__ import annotations

from compiler.rules.cal import (
    cal001_frequency_cap,
    cal002_quiet_hours,
    cal003_closed_day,
    cal004_outside_window,
    cal005_local_time,
    cal006_rrule_start,
    cal007_overlapping_experiments,
)

RULES = (
    cal001_frequency_cap.RULE,
    cal002_quiet_hours.RULE,
    cal003_closed_day.RULE,
    cal004_outside_window.RULE,
    cal005_local_time.RULE,
    cal006_rrule_start.RULE,
    cal007_overlapping_experiments.RULE,
)
"""The family's rules, in code order."""
