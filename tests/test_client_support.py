"""Client support (EMAIL021) against caniemail's own data, read here on its own: what a
page uses, the newest result per client, and the options that choose the clients."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from compiler.config import settings
from compiler.config.policy import DEFAULT_CLIENTS
from compiler.conventions import caniemail
from compiler.email import support
from compiler.email.accessibility import audit
from compiler.errors import SettingsError
from compiler.rules.email import email021_client_support as email021


def _raw() -> dict[str, Any]:
    text = (files("compiler.conventions") / "caniemail.json").read_text("utf-8")
    return dict(json.loads(text))


def _newest(slug: str, family: str, platform: str) -> str:
    feature = next(f for f in _raw()["data"] if f["slug"] == slug)
    versions = feature["stats"][family][platform]
    return str(versions[list(versions)[-1]])


def test_the_vendored_data_is_caniemails_with_its_licence_and_date() -> None:
    licence = files("compiler.conventions") / "LICENSE-caniemail"
    assert licence.read_text("utf-8").startswith("MIT License")
    assert caniemail.data().updated == _raw()["last_update_date"][:10]
    assert len(caniemail.data().features) == len(_raw()["data"])
    assert set(DEFAULT_CLIENTS) <= set(caniemail.data().clients)
    # `campc explain EMAIL021` says which data it reads: a refresh updates both
    assert f"of {caniemail.data().updated}" in " ".join(email021.RULE.doc.split())


@pytest.mark.parametrize(
    ("slug", "client"),
    [
        ("css-display-flex", "outlook.windows"),
        ("css-border-radius", "outlook.windows"),
        ("css-display-flex", "gmail.android"),
        ("css-overflow-wrap", "gmail.desktop-webmail"),
        ("html-video", "gmail.desktop-webmail"),
    ],
)
def test_support_is_the_newest_tested_result(slug: str, client: str) -> None:
    family, platform = client.split(".")
    assert caniemail.data().features[slug].support[client] == _newest(slug, family, platform)


def test_the_issue_case_flex_for_outlook_on_windows() -> None:
    page = '<html lang="en"><body><div style="display: flex; gap: 8px">A</div></body></html>'
    uses = {u.slug: u for u in support.features(page)}
    assert {"css-display-flex", "css-display", "css-gap"} <= set(uses)
    assert "outlook.windows" in support.unsupported(uses["css-display-flex"], DEFAULT_CLIENTS)
    assert uses["css-display-flex"].shown == "display: flex"


def test_what_a_page_uses_media_queries_and_the_frame_left_out() -> None:
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "@font-face { font-family: X; src: url(x.woff) }"
        ".a { background-image: linear-gradient(red, blue) !important }"
        "@media (prefers-color-scheme: dark) { .a { display: grid } }"
        "</style></head><body>"
        '<video src="v.mp4"></video><img srcset="a.png 2x" src="a.png" alt="">'
        '<p style="width: calc(100% - 8px); -webkit-text-size-adjust: none">x</p>'
        "<h2>t</h2></body></html>"
    )
    slugs = [u.slug for u in support.features(page)]
    for wanted in (
        "css-at-font-face",
        "css-background-image",
        "css-linear-gradient",
        "css-important",
        "html-video",
        "html-srcset",
        "css-unit-calc",
        "html-h1-h6",
    ):
        assert wanted in slugs
    assert "css-display-grid" not in slugs  # only inside @media
    assert not [s for s in slugs if s in ("html-body", "html-html", "html-style", "html-meta")]
    assert len(slugs) == len(set(slugs))


def test_broken_html_and_css_give_what_can_be_read() -> None:
    assert support.features("") == []
    assert audit("", 12) == []
    odd = '<div style="display:flex;;;{{{ }}} color: ; --x: 1">a</div><x-evil>b</x-evil>'
    assert "css-display-flex" in [u.slug for u in support.features(odd)]


def _project(tmp_path: Path, email: str) -> Path:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.campc]\ncampaigns = "campaigns"\n[tool.campc.email]\n{email}', encoding="utf-8"
    )
    return tmp_path


@pytest.mark.parametrize(
    ("email", "message"),
    [
        (
            'clients = ["outlook.windoze"]',
            "`tool.campc.email.clients`: unknown client `outlook.windoze` (known: ",
        ),
        ("clients = []", "`tool.campc.email.clients` must list at least one client"),
        (
            'allow-unsupported = ["css-flexbox"]',
            "`tool.campc.email.allow-unsupported`: unknown feature `css-flexbox`",
        ),
        ("clients = 3", "`tool.campc.email.clients` must list caniemail clients"),
    ],
)
def test_options_name_what_caniemail_knows(tmp_path: Path, email: str, message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        settings.load(_project(tmp_path, email))
    assert message in str(raised.value)


def test_known_options_load(tmp_path: Path) -> None:
    email = 'clients = ["outlook.windows"]\nallow-unsupported = ["css-border-radius"]'
    loaded = settings.load(_project(tmp_path, email)).policy.email
    assert loaded.clients == ("outlook.windows",)
    assert loaded.allow_unsupported == ("css-border-radius",)
