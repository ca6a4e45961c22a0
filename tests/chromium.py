"""Headless Chromium driven over the DevTools protocol, for the tests that open
artifacts in a real browser (the emails, the site) and for scripts/screenshot_site.py.

A `DevTools` is one browser; `DevTools.open` loads a page in a tab of its own at a
`Viewport` and returns a `Tab`, which keeps what the page logged and requested.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

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


@dataclass(frozen=True)
class Viewport:
    """The emulated screen: CSS pixels, device pixels per CSS pixel, and whether it is
    a phone (mobile emulation: the viewport meta tag applies)."""

    width: int
    height: int
    mobile: bool
    scale: float = 1


DESKTOP = Viewport(1280, 800, mobile=False)
PHONE = Viewport(375, 812, mobile=True, scale=2)


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

    def take_events(self, session: str) -> list[dict[str, Any]]:
        """The events kept so far for `session`, which are forgotten here."""
        taken = [event for event in self._events if event.get("sessionId") == session]
        self._events = [event for event in self._events if event.get("sessionId") != session]
        return taken

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

    def open(
        self, url: str, viewport: Viewport, dark: bool = False, scrollbars: bool = True
    ) -> Tab:
        """A new tab showing `url` at `viewport`, once its load event fired, in a client
        that asks for the dark version (`prefers-color-scheme: dark`) when `dark`, with
        no scrollbars drawn unless `scrollbars`."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        metrics = {
            "width": viewport.width,
            "height": viewport.height,
            "deviceScaleFactor": viewport.scale,
            "mobile": viewport.mobile,
        }
        self.call("Emulation.setDeviceMetricsOverride", session, **metrics)
        scheme = {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}
        self.call("Emulation.setEmulatedMedia", session, features=[scheme])
        self.call("Emulation.setScrollbarsHidden", session, hidden=not scrollbars)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session)
        self.call("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session)
        return Tab(self, target, session)

    def evaluate(self, page: Path, expression: str, width: int, dark: bool = False) -> Any:
        """The value of a JavaScript `expression` on `page` opened on a phone `width` px
        wide, light or `dark` (see `open`)."""
        with self.open(page.as_uri(), Viewport(width, 812, mobile=True, scale=2), dark) as tab:
            return tab.evaluate(expression)

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


@dataclass
class Tab:
    """One page in a tab of its own, and what it did since it was opened: its console
    errors and uncaught exceptions, its failed requests, the URL of every request."""

    browser: DevTools
    target: str
    session: str
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    _urls: dict[str, str] = field(default_factory=dict)

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        """The value of a JavaScript `expression` (of the promise's result when
        `await_promise`); an exception thrown fails."""
        found = self.browser.call(
            "Runtime.evaluate",
            self.session,
            expression=expression,
            returnByValue=True,
            awaitPromise=await_promise,
        )
        assert "exceptionDetails" not in found, _exception(found["exceptionDetails"])
        self.collect()
        return found["result"].get("value")

    def wait_until(self, condition: str, seconds: float) -> bool:
        """Whether the JavaScript `condition` turned true within `seconds` (polled in
        the page every 50 ms)."""
        poll = f"""new Promise(resolve => {{
          const end = Date.now() + {seconds * 1000};
          (function poll() {{
            if ({condition}) resolve(true);
            else if (Date.now() > end) resolve(false);
            else setTimeout(poll, 50);
          }})();
        }})"""
        return bool(self.evaluate(poll, await_promise=True))

    def screenshot(self) -> bytes:
        """A PNG of the viewport."""
        data = self.browser.call("Page.captureScreenshot", self.session, format="png")["data"]
        self.collect()
        return base64.b64decode(data)

    def collect(self) -> None:
        """Sort the events that arrived into errors, failed requests and requests."""
        for event in self.browser.take_events(self.session):
            params = event.get("params", {})
            match event.get("method"):
                case "Runtime.consoleAPICalled" if params["type"] in ("error", "assert"):
                    args = (arg.get("value", arg.get("description", "")) for arg in params["args"])
                    self.errors.append(f"console.{params['type']}: {' '.join(map(str, args))}")
                case "Runtime.exceptionThrown":
                    self.errors.append(f"uncaught: {_exception(params['exceptionDetails'])}")
                case "Log.entryAdded" if params["entry"]["level"] == "error":
                    entry = params["entry"]
                    self.errors.append(f"{entry['source']}: {entry['text']} {entry.get('url', '')}")
                case "Network.requestWillBeSent":
                    self._urls[params["requestId"]] = params["request"]["url"]
                    self.requests.append(params["request"]["url"])
                case "Network.loadingFailed":
                    url = self._urls.get(params["requestId"], params["requestId"])
                    self.failed.append(f"{url}: {params['errorText']}")
                case "Network.responseReceived" if params["response"]["status"] >= 400:
                    response = params["response"]
                    self.failed.append(f"{response['url']}: HTTP {response['status']}")

    def close(self) -> None:
        """Close the tab (what it did stays readable)."""
        self.collect()
        self.browser.call("Target.closeTarget", targetId=self.target)
        self.browser.take_events(self.session)

    def __enter__(self) -> Tab:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _exception(details: dict[str, Any]) -> str:
    description = details.get("exception", {}).get("description")
    return str(description or details.get("text", "an exception"))
