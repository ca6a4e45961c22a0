"""SEQ: sequences every contact can walk through, and leave."""

MODULES = (
    "seq001_unreachable_step",
    "seq002_instant_loop",
    "seq003_sequence_frequency_cap",
    "seq004_zero_wait",
    "seq005_branch_missing_arm",
    "seq006_endless_path",
    "seq007_unreachable_goal",
    "seq008_quiet_hours_after_waits",
)
"""The family's rule modules, in code order: each is imported when one of its rules
runs or is shown, never before."""
