"""Emails in real clients: every example .eml (and a `campc init` project's) through
SpamAssassin's local tests, every HTML in headless Chromium as a 375 px wide phone.

Both build into temporary folders, so they test the code, not the committed outputs.
Without the client they skip locally and fail under CI (`conftest.real_client`).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from compiler.commands import pipeline, scaffold
from compiler.config import settings
from compiler.email.accessibility import contrast
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

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)
"""Headless, and nothing that reaches for the network (connections are refused here)."""


class DevTools:
    """Chromium driven over the DevTools protocol on `--remote-debugging-pipe`: JSON
    messages ending in NUL, read by the browser from fd 3, written by it to fd 4."""

    def __init__(self, command: str, profile: Path) -> None:
        to_browser, self._out = os.pipe()
        self._in, from_browser = os.pipe()
        # above 4, so that putting them on 3 and 4 in the child clobbers neither
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_browser, from_browser)]
        for fd in (to_browser, from_browser):
            os.close(fd)

        def plumb() -> None:
            os.dup2(ends[0], 3)
            os.dup2(ends[1], 4)

        self.process = subprocess.Popen(
            [command, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=plumb,
            close_fds=False,  # Python's own descriptors are not inheritable anyway
        )
        for fd in ends:
            os.close(fd)
        self._buffer = b""
        self._last = 0
        self._events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._last += 1
        message: dict[str, Any] = {"id": self._last, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._last:
                assert "error" not in reply, f"{method}: {reply['error']}"
                result: dict[str, Any] = reply["result"]
                return result
            self._events.append(reply)

    def wait_for(self, method: str, session: str) -> None:
        """Until the event `method` arrives for `session`."""
        while True:
            for index, event in enumerate(self._events):
                if event.get("method") == method and event.get("sessionId") == session:
                    del self._events[index]
                    return
            self._events.append(self._receive())

    def _receive(self, seconds: float = 60) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._in], [], [], seconds)
            assert ready, "Chromium did not answer within a minute"
            chunk = os.read(self._in, 1 << 16)
            assert chunk, f"Chromium closed the pipe (exit code {self.process.poll()})"
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def evaluate(self, page: Path, expression: str, width: int, dark: bool = False) -> Any:
        """The value of a JavaScript `expression` on `page` opened on a phone `width` px
        wide (mobile emulation: the viewport meta tag applies), in a client that asks for
        the dark version (`prefers-color-scheme: dark`) when `dark`."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        metrics = {"width": width, "height": 812, "deviceScaleFactor": 2, "mobile": True}
        self.call("Emulation.setDeviceMetricsOverride", session, **metrics)
        scheme = {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}
        self.call("Emulation.setEmulatedMedia", session, features=[scheme])
        self.call("Page.enable", session)
        self.call("Page.navigate", session, url=page.as_uri())
        self.wait_for("Page.loadEventFired", session)
        found = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        self.call("Target.closeTarget", targetId=target)
        return found["result"]["value"]

    def scroll_width(self, page: Path, width: int) -> int:
        """`document.documentElement.scrollWidth` of `page` on a phone `width` px wide (a
        page wider than it scrolls)."""
        measured = self.evaluate(page, "document.documentElement.scrollWidth", width)
        assert isinstance(measured, int)
        return measured

    def close(self) -> None:
        """Close the browser and the pipes."""
        try:
            self.call("Browser.close")
            self.process.wait(timeout=30)
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        os.close(self._in)
        os.close(self._out)


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    """One headless Chromium with a fresh profile for the module's pages."""
    command = real_client("chromium", "chromium-browser", install="apt-get install chromium")
    browser = DevTools(command, tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.close()


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
