"""Emails in real clients: every example .eml (and a `campc init` project's) through
SpamAssassin's local tests, every HTML in headless Chromium as a 375 px wide phone.

Both build into temporary folders, so they test the code, not the committed outputs.
Without the client they skip locally and fail under CI (`conftest.real_client`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.commands import pipeline, scaffold
from compiler.config import settings
from compiler.email.accessibility import contrast
from tests.chromium import DevTools
from tests.conftest import ROOT, real_client

EXAMPLES = sorted(
    p.relative_to(ROOT / "outputs").as_posix() for p in (ROOT / "outputs" / "emails").rglob("*.eml")
)
"""The example emails, by path below outputs/ (the committed list names the cases)."""
INIT = "init:emails/welcome-sequence/welcome.eml"
"""The email of a `campc init` project."""
PHONE_WIDTH = 375


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example repository and a fresh `campc init` project, built; their outputs."""
    examples = tmp_path_factory.mktemp("examples")
    shutil.copytree(ROOT / "campaigns", examples / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", examples / "pyproject.toml")
    fresh = tmp_path_factory.mktemp("init") / "fresh"
    scaffold.init(fresh, "ops@acme.example")
    for root in (examples, fresh):
        result = pipeline.build(settings.load(root), cwd=root)
        assert not result.check.failed, [d.message for d in result.check.diagnostics]
    return {"": examples / "outputs", "init:": fresh / "outputs"}


def _file(built: dict[str, Path], case: str) -> Path:
    prefix = "init:" if case.startswith("init:") else ""
    return built[prefix] / case.removeprefix(prefix)


# -- SpamAssassin ----------------------------------------------------------------------

SCORES_HEADER = "add_header all Scores _TESTSSCORES(,)_"
"""Adds `X-Spam-Scores: RULE=score,...` with each rule's exact score (the status header
rounds the total to one decimal, so 0.04 would read as 0.0)."""
SEPARATOR = b"From campc-test@localhost Thu Jan  1 00:00:00 1970\n"
"""The mbox line before each message (SpamAssassin strips it, and writes it back)."""


@pytest.fixture(scope="module")
def spam_reports(
    built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Each email as SpamAssassin returns it, by case (`-L`: local tests only, no network).
    One run over an mbox of them all: SpamAssassin takes seconds to load its rules, the
    check itself milliseconds."""
    command = real_client("spamassassin", install="apt-get install spamassassin")
    cases = {_message_id(_file(built, case).read_bytes()): case for case in [*EXAMPLES, INIT]}
    box = b""
    for case in cases.values():
        data = _file(built, case).read_bytes().replace(b"\r\n", b"\n")
        assert not re.search(rb"^>*From ", data, re.MULTILINE), f"{case}: a line needs quoting"
        box += SEPARATOR + data + b"\n"
    home = tmp_path_factory.mktemp("spamassassin-home")  # its bayes files and user_prefs
    done = subprocess.run(
        [command, "-L", "-t", "--mbox", f"--cf={SCORES_HEADER}"],
        input=box,
        capture_output=True,
        env={**os.environ, "HOME": str(home)},
        timeout=600,
        check=True,
    )
    reports = {}
    for chunk in done.stdout.split(SEPARATOR)[1:]:
        reports[cases[_message_id(chunk)]] = chunk.decode("utf-8", "replace")
    assert sorted(reports) == sorted(cases.values()), done.stderr.decode("utf-8", "replace")
    return reports


def _message_id(message: bytes) -> str:
    head = message.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
    match = re.search(r"^Message-ID:\s*(\S+)", head, re.MULTILINE | re.IGNORECASE)
    assert match, "a message without a Message-ID"
    return match.group(1)


def _header(report: str, name: str) -> str:
    """An unfolded header of SpamAssassin's output (the message's own header block)."""
    head = report.split("\n\n", 1)[0]
    match = re.search(rf"^{name}:(.*(?:\n[ \t].*)*)", head, re.MULTILINE)
    assert match, f"SpamAssassin added no {name} header"
    return " ".join(match.group(1).split())


@pytest.mark.parametrize("case", [*EXAMPLES, INIT])
def test_every_email_scores_at_most_zero_in_spamassassin(
    spam_reports: dict[str, str], case: str
) -> None:
    report = spam_reports[case]
    status = _header(report, "X-Spam-Status")
    score = re.search(r"\bscore=(-?\d+(?:\.\d+)?)", status)
    assert score, status
    rules = {
        rule: Decimal(points)
        for rule, points in re.findall(r"([A-Z0-9_]+)=(-?[\d.]+)", _header(report, "X-Spam-Scores"))
    }
    scoring = {rule: str(points) for rule, points in rules.items() if points > 0}
    assert Decimal(score.group(1)) <= 0, f"{case}: {status}; rules that add points: {scoring}"
    assert sum(rules.values(), Decimal(0)) <= 0, f"{case}: rules that add points: {scoring}"


# -- Chromium --------------------------------------------------------------------------


@pytest.mark.parametrize("case", [*EXAMPLES, INIT])
def test_every_email_fits_a_phone_without_scrolling_sideways(
    built: dict[str, Path], chromium: DevTools, case: str
) -> None:
    page = _file(built, case).with_suffix(".html")
    width = chromium.scroll_width(page, PHONE_WIDTH)
    assert width <= PHONE_WIDTH, f"{case}: {width} px wide on a {PHONE_WIDTH} px phone"


_COLOURS = """JSON.stringify(Object.fromEntries([
  ['body', 'body'], ['container', '.container'], ['content', '.content'],
  ['footer', '.footer'], ['link', '.footer a'],
].map(([name, selector]) => {
  const style = getComputedStyle(document.querySelector(selector));
  return [name, [style.color, style.backgroundColor]];
})))"""


def _rgb(css: str) -> tuple[float, float, float]:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css)[:3])
    return (red / 255, green / 255, blue / 255)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("case", [INIT, "emails/newsletter-welcome/welcome.eml"])
def test_the_layouts_read_at_wcag_aa_in_light_and_dark_clients(
    built: dict[str, Path], chromium: DevTools, dark: bool, case: str
) -> None:
    """Chromium, asked for the dark version or not, draws the `campc init` email and the
    example's with their text at 4.5:1 or more on the background behind it (WCAG 2.2
    AA), and the container light or dark as asked."""
    page = _file(built, case).with_suffix(".html")
    colours = json.loads(chromium.evaluate(page, _COLOURS, PHONE_WIDTH, dark=dark))
    background = _rgb(colours["container"][1])
    assert (sum(background) < 1.0) is dark, colours  # the container turns dark, or stays light
    assert (sum(_rgb(colours["body"][1])) < 1.0) is dark, colours
    for name in ("content", "footer", "link"):
        ratio = contrast(_rgb(colours[name][0]), background)
        assert ratio >= 4.5, f"{name}: {colours[name][0]} on {colours['container'][1]}: {ratio:.2f}"
