"""SEQ: sequences every contact can walk through, and leave."""

from __future__ import annotations

from compiler.rules.seq import (
    seq001_unreachable_step,
    seq002_instant_loop,
    seq003_sequence_frequency_cap,
    seq004_zero_wait,
    seq005_branch_missing_arm,
    seq006_endless_path,
    seq007_unreachable_goal,
    seq008_quiet_hours_after_waits,
)

RULES = (
    seq001_unreachable_step.RULE,
    seq002_instant_loop.RULE,
    seq003_sequence_frequency_cap.RULE,
    seq004_zero_wait.RULE,
    seq005_branch_missing_arm.RULE,
    seq006_endless_path.RULE,
    seq007_unreachable_goal.RULE,
    seq008_quiet_hours_after_waits.RULE,
)
"""The family's rules, in code order."""
