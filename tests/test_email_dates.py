"""Every .eml has a Date and a stable Message-ID: the send's own time where it has one
(a campaign send's first occurrence, a sequence step's earliest arrival after its cohort
enters), else SOURCE_DATE_EPOCH, else `emails.FALLBACK_DATE`; never the clock."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from compiler.commands import pipeline, scaffold
from compiler.config import settings
from compiler.email import render as emails
from tests.conftest import ROOT

OUTPUTS = ROOT / "outputs" / "emails"
EMLS = sorted(OUTPUTS.rglob("*.eml"))


def _parsed(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize("path", EMLS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_example_email_has_a_date_and_its_stable_message_id(path: Path) -> None:
    message = _parsed(path)
    assert message["Date"].datetime.tzinfo is not None
    assert message["Message-ID"] == f"<{path.parent.name}.{path.stem}@campc.invalid>"
    assert message["List-Id"] == f"<{path.parent.name}.campc.invalid>"


@pytest.mark.parametrize(
    ("email_path", "date"),
    [
        # campaign sends: `at`, in the campaign's timezone
        ("pulse-launch-2027/announcement-eu", "Tue, 13 Apr 2027 09:30:00 +0200"),
        # a recurring send's occurrence with its own samples: dated when it goes out
        ("monthly-newsletter-q2/newsletter--2027-05-04", "Tue, 04 May 2027 09:30:00 +0200"),
        # an experiment's variant of a send (its own subject) goes out with the send
        ("launch-subject-line/announcement-eu--pain-point", "Tue, 13 Apr 2027 09:30:00 +0200"),
        # trial-onboarding-nurture: the pulse-launch cohort enters on 13 April at 10:00
        ("trial-onboarding-nurture/welcome", "Tue, 13 Apr 2027 10:00:00 +0200"),
        ("trial-onboarding-nurture/first-pipeline-tips", "Thu, 15 Apr 2027 10:00:00 +0200"),
        ("trial-onboarding-nurture/check-in", "Sun, 18 Apr 2027 10:00:00 +0200"),
        # webinar-follow-up: the webinar's cohort enters on 28 May at 09:00
        ("webinar-follow-up/replay-no-show", "Fri, 28 May 2027 09:00:00 +0200"),
        # the demo offer's earliest arrival: the no-show path's 5 days (the attendees' 3
        # business days until 10:00 skip the weekend and 31 May, a UK bank holiday)
        ("webinar-follow-up/demo-offer", "Wed, 02 Jun 2027 09:00:00 +0200"),
        # newsletter-welcome: linked without `cohort_enters`, so no time of its own
        ("newsletter-welcome/welcome", format_datetime(emails.FALLBACK_DATE)),
    ],
)
def test_an_example_email_is_dated_when_it_goes_out(email_path: str, date: str) -> None:
    assert _parsed(OUTPUTS / f"{email_path}.eml")["Date"] == date


def _fresh(tmp_path: Path, campaign_extra: str = "", linked: bool = True) -> Path:
    """A `campc init` project; its campaign with `campaign_extra`, linking the sequence's
    cohort or not."""
    root = tmp_path / "fresh"
    scaffold.init(root, "ops@acme.example")
    spec = root / "campaigns" / "campagnes" / "first-campaign.yaml"
    text = spec.read_text(encoding="utf-8") + campaign_extra
    if not linked:
        text = text.replace(", cohort_enters: 2027-04-06T10:00", "")
    spec.write_text(text, encoding="utf-8")
    return root


def _dates(root: Path) -> dict[str, datetime]:
    result = pipeline.build(settings.load(root), cwd=root)
    assert not result.check.failed, [d.message for d in result.check.diagnostics]
    return {
        f"{p.parent.name}/{p.stem}": _parsed(p)["Date"].datetime
        for p in sorted((root / "outputs" / "emails").rglob("*.eml"))
    }


def test_a_recurring_send_is_dated_at_its_first_occurrence(tmp_path: Path) -> None:
    # 7 April 2027 is a Wednesday: the first occurrence on the rule is Monday 12 April
    recurring = (
        "sends:\n  - id: weekly\n    name: Weekly digest\n    audience: everyone\n"
        "    at: 2027-04-07T09:00  # campc: noqa CAL006\n"
        "    repeat: {frequency: weekly, weekdays: [MO], count: 2}\n"
        "    email: {template: welcome.html, subject: This week, preheader: News}\n"
    )
    dates = _dates(_fresh(tmp_path, recurring))
    assert format_datetime(dates["first-campaign/weekly"]) == "Mon, 12 Apr 2027 09:00:00 +0200"
    assert format_datetime(dates["welcome-sequence/welcome"]) == "Tue, 06 Apr 2027 10:00:00 +0200"


def test_without_a_cohort_source_date_epoch_then_a_fixed_date_dates_the_email(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = _fresh(tmp_path, linked=False)
    assert _dates(root)["welcome-sequence/welcome"] == emails.FALLBACK_DATE
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert _dates(root)["welcome-sequence/welcome"].timestamp() == 1800000000


def test_an_occurrence_has_its_own_samples_and_the_sends_tags() -> None:
    base = _parsed(OUTPUTS / "monthly-newsletter-q2" / "newsletter.eml")
    may = _parsed(OUTPUTS / "monthly-newsletter-q2" / "newsletter--2027-05-04.eml")
    assert base["Subject"] == "Fjord monthly: Pulse is here"
    assert may["Subject"] == "Fjord monthly: Lineage for every dbt model"
    html = (OUTPUTS / "monthly-newsletter-q2" / "newsletter--2027-05-04.html").read_text("utf-8")
    assert "Lineage for every dbt model" in html
    assert 'utm_content=newsletter"' in html  # the send's tags, not the occurrence's key


def test_a_variant_has_its_own_subject_and_the_sends_body() -> None:
    base = _parsed(OUTPUTS / "pulse-launch-2027" / "announcement-eu.eml")
    arm = _parsed(OUTPUTS / "launch-subject-line" / "announcement-eu--pain-point.eml")
    assert arm["Subject"] == "Know when your data breaks, before your dashboards do"
    assert base["Subject"] != arm["Subject"]
    assert arm["From"] == base["From"]
    assert arm["List-Unsubscribe"] == base["List-Unsubscribe"]
