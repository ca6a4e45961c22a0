"""Write the example repository's synthetic labelled history (`campaigns/samples/
history-leads.csv`, `history-events.csv`): 360 leads scored at the end of each month of
Q1 2027, their events in the 60 days before, and an outcome drawn so that fit and intent
raise the chance of a win, which makes the example model's backtest meaningful.

Deterministic (a fixed seed, the standard library's generator): rerunning it rewrites
the same bytes.

    python scripts/make_history.py
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "campaigns" / "samples"
DAYS = (date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 31))
LEVELS = ("individual", "manager", "director", "vp", "c_level")
COUNTRIES = ("FR", "DE", "GB", "US", "ES", "BR")
INDUSTRIES = ("software", "retail", "finance", "education", "manufacturing")
EVENTS = {
    "pricing_page_viewed": 0.5,
    "webinar_attended": 0.25,
    "demo_requested": 0.12,
    "trial_started": 0.15,
    "email_clicked": 0.6,
    "unsubscribed": 0.05,
}


def main() -> None:
    rng = random.Random(20261202)
    leads, events = [], []
    for number in range(1, 361):
        lead_id = f"h-{number:03d}"
        scored_on = DAYS[(number - 1) % 3]
        size = int(math.exp(rng.uniform(math.log(3), math.log(20_000))))
        level = rng.choice(LEVELS)
        country = rng.choice(COUNTRIES)
        industry = rng.choice(INDUSTRIES)
        domain = "personal" if rng.random() < 0.2 else "business"
        intent = 0.0
        for event, rate in EVENTS.items():
            for _ in range(rng.choice((0, 1, 1, 2, 3)) if rng.random() < rate else 0):
                at = datetime.combine(scored_on, datetime.min.time()) - timedelta(
                    days=rng.randint(0, 59), hours=rng.randint(8, 18)
                )
                events.append([lead_id, event, at.isoformat()])
                intent += {
                    "demo_requested": 1.2,
                    "trial_started": 1.0,
                    "webinar_attended": 0.4,
                }.get(event, 0.1) - (1.5 if event == "unsubscribed" else 0)
        fit = (
            (0.8 if size >= 200 else 0.2)
            + (0.7 if level in ("director", "vp", "c_level") else 0)
            - (0.9 if domain == "personal" else 0)
            - (1.0 if industry == "education" else 0)
        )
        chance = 1 / (1 + math.exp(-(fit + intent - 1.8)))
        draw = rng.random()
        outcome = "open" if draw < 0.15 else "won" if rng.random() < chance else "lost"
        leads.append(
            [lead_id, scored_on.isoformat(), outcome, size, level, industry, country, domain]
        )
    with (SAMPLES / "history-leads.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "lead_id",
                "scored_on",
                "outcome",
                "company_size",
                "job_level",
                "industry",
                "country",
                "email_domain_type",
            ]
        )
        writer.writerows(leads)
    events.sort()
    with (SAMPLES / "history-events.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["lead_id", "event_type", "occurred_at"])
        writer.writerows(events)


if __name__ == "__main__":
    main()
