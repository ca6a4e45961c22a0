"""CAL: the calendar: frequency caps, quiet hours, closed days, windows, overlaps."""

MODULES = (
    "cal001_frequency_cap",
    "cal002_quiet_hours",
    "cal003_closed_day",
    "cal004_outside_window",
    "cal005_local_time",
    "cal006_rrule_start",
    "cal007_overlapping_experiments",
    "cal008_occurrence_samples",
)
"""The family's rule modules, in code order: each is imported when one of its rules
runs or is shown, never before."""
