"""Write `docs/site.png`, the README's picture of the site: the front page of the
example's site in headless Chromium, 1280 by 1000 CSS pixels at one device pixel each.

    .venv/bin/python scripts/screenshot_site.py [--site PATH] [--output PATH]

Builds the example repository (`campaigns/`, `pyproject.toml`) into a temporary folder
and shoots its `outputs/site/index.html`, or shoots the site folder `--site` names.
Needs Chromium (`apt-get install chromium`). The same build and browser give the same
picture; commit it after a change to the site that shows on the front page.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a file, not a module: the checkout's tests/ and compiler/

from compiler.commands import pipeline  # noqa: E402
from compiler.config import settings  # noqa: E402
from tests.chromium import DevTools, Viewport  # noqa: E402

FRONT_PAGE = Viewport(1280, 1000, mobile=False)
READY = 'document.documentElement.dataset.ready === "true"'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site folder (default: build one)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "site.png")
    args = parser.parse_args(argv)
    command = shutil.which("chromium") or shutil.which("chromium-browser")
    if command is None:
        sys.exit("Chromium is not installed: apt-get install chromium")
    with tempfile.TemporaryDirectory() as folder:
        site = args.site or _build(Path(folder) / "example")
        png = shoot(command, site.resolve() / "index.html", Path(folder) / "profile")
    args.output.write_bytes(png)
    print(f"wrote {args.output} ({len(png):,} bytes)")
    return 0


def _build(root: Path) -> Path:
    """The example repository built at `root`; its site folder."""
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    result = pipeline.build(settings.load(root), cwd=root)
    if result.check.failed:
        sys.exit("the example does not build: run `campc check`")
    return root / "outputs" / "site"


def shoot(command: str, page: Path, profile: Path) -> bytes:
    """A PNG of `page` at `FRONT_PAGE` once its script is done, without scrollbars."""
    browser = DevTools(command, profile)
    try:
        with browser.open(page.as_uri(), FRONT_PAGE, scrollbars=False) as tab:
            if not tab.wait_until(READY, 20):
                sys.exit(f"{page} was not ready within 20 s: {tab.errors}")
            if tab.errors or tab.failed:
                sys.exit(f"{page}: {[*tab.errors, *tab.failed]}")
            return tab.screenshot()
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
