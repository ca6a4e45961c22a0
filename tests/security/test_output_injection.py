"""Every spec string is hostile: one attack per medium campc writes it into.

A copy of the example repository gets payloads in names, descriptions, subjects,
preheaders, milestone and variant names, KPI metrics, owners, a condition's value and
a file name; `campc check`, `campc build` and `campc diff` (in a scripted git
repository) must print and write them as text of their medium, never as a GitHub
workflow command, a Markdown or HTML element, a Mermaid statement, an iCalendar
property or component, an email header or a spreadsheet formula. The oracles come
from outside campc: the GitHub runner's own command parser (re-implemented from
actions/runner's `ActionCommand.cs`), markdown-it, icalendar, the `email` package
and openpyxl.
"""

from __future__ import annotations

import csv
import email
import html
import io
import json
import re
import shutil
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from icalendar import Calendar
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from tests.conftest import ROOT, CliRun, git

PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[tool.pytest")[0]

COMMANDS = "::add-mask::leak-1\r\n::stop-commands::tok ##[set-output name=pwned;]1 %0A::warning::x"
"""Workflow commands, each after a line break, and the legacy form mid-line."""
HTML = "<script>alert(1)</script> <img src=x onerror=alert(2)> </details><details open>"
MARKDOWN = "| cell ` tick *em* [link](javascript:alert(3)) ## head"
MERMAID = '"]; click a href "javascript:alert(4)" %%{init: {"securityLevel": "loose"}}%% #60;b#62;'
NAME = f"Pulse\n{COMMANDS} {HTML} {MARKDOWN}"
TEXT = f"{HTML} {MARKDOWN} {MERMAID}"
"""For fields that must stay on one line (subjects, preheaders)."""
ICS = "Demo\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:pwned\r\nSUMMARY:pwned; a, b\r\nATTACH:x"
EVIL_FILE = "evil\n::add-mask::leak-2 ##[add-mask]x |`<img src=x onerror=alert(5)>`.yaml"


def _quoted(text: str) -> str:
    return json.dumps(text)  # a YAML double-quoted scalar


def _edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, f"{old!r} not in {path.name}"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def _copy_example(root: Path) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    return root / "campaigns"


def _make_buildable_hostile(campaigns: Path) -> None:
    """Payloads only where they make no error, so `campc build` compiles them."""
    _edit(
        campaigns / "campagnes" / "pulse-launch-2027.yaml",
        (
            "name: Fjord Pulse launch campaign",
            "name: " + _quoted(f"=1+2 Pulse {MARKDOWN} ##[set-output name=pwned;]1"),
        ),
        ("  Multichannel launch", f"  {HTML} {MARKDOWN}\n  Multichannel launch"),
        ("name: Fjord Pulse live demo", f"name: {_quoted(ICS + ' ' + MERMAID)}"),
        ("name: Launch day", f"name: {_quoted('Call ' + MERMAID)}"),
        ("preheader: 45 minutes, with Q&A.", f"preheader: {_quoted(TEXT)}"),
        (
            "from: Fjord Analytics <news@fjord.example>",
            "from: Fjörd Ånalytics <news@fjord.example>",
        ),
    )
    for name, prefix in (
        ("campagnes/data-quality-roadshow.yaml", "+cmd|' /C calc'!A0 "),
        ("campagnes/webinar-data-contracts.yaml", "-2+3 "),
        ("acquisition/monthly-newsletter-q2.yaml", "@SUM(1) "),
    ):
        path = campaigns / name
        text = path.read_text(encoding="utf-8")
        line = next(line for line in text.splitlines() if line.startswith("name: "))
        _edit(path, (line, f"name: {_quoted(prefix + line[6:].strip())}"))
    _edit(
        campaigns / "automation" / "trial-onboarding-nurture.yaml",
        ("subject: Three checks every pipeline should have", f"subject: {_quoted(TEXT)}"),
    )
    _edit(
        campaigns / "performance" / "pricing-page-cta.yaml",
        ("name: Contact sales", f"name: {_quoted(TEXT)}"),
        ("hypothesis: >", f"hypothesis: >\n  {HTML} {MARKDOWN}"),
    )
    _edit(
        campaigns / "automation" / "b2b-lead-scoring.yaml",
        ('description: "Employees, from enrichment"', f"description: {_quoted(TEXT)}"),
        ("values: [business, personal]", f"values: [business, personal, {_quoted(TEXT)}]"),
    )


def _make_failing_hostile(campaigns: Path) -> None:
    """Payloads in fields the findings quote: owner, KPI metric, an unknown key, a file name."""
    pulse = campaigns / "campagnes" / "pulse-launch-2027.yaml"
    _edit(
        pulse,
        ("owner: marketing-ops@fjord.example", f"owner: {_quoted(NAME[:195])}"),
        ("metric: coordination_score", f"metric: {_quoted(NAME)}"),
        ("tags: [launch", f"{_quoted(COMMANDS)}: 1\ntags: [launch"),
    )
    evil = campaigns / "acquisition" / EVIL_FILE
    evil.write_text(
        (campaigns / "acquisition" / "monthly-newsletter-q2.yaml")
        .read_text(encoding="utf-8")
        .replace("id: monthly-newsletter-q2", "id: evil-copy"),
        encoding="utf-8",
    )


# -- oracles ---------------------------------------------------------------------------

_RUNNER_COMMANDS = {
    "add-mask", "add-matcher", "add-path", "debug", "echo", "endgroup", "error", "group",
    "notice", "remove-matcher", "save-state", "set-env", "set-output", "stop-commands",
    "warning",
}  # fmt: skip
"""What the runner registers (its command extensions, plus stop-commands)."""


def workflow_commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """Every workflow command the GitHub runner would run from `output`, as its
    `ActionCommand.TryParseV2` and legacy `TryParse` read each line."""
    found = []
    for line in re.split(r"\r\n|\r|\n", output):
        trimmed = line.lstrip()
        if trimmed.startswith("::"):
            end = trimmed.find("::", 2)
            if end >= 0:
                info = trimmed[2:end]
                name, _, props = info.partition(" ")
                if name in _RUNNER_COMMANDS:
                    pairs = (p.split("=", 1) for p in props.split(",") if "=" in p)
                    found.append((name, dict(pairs), trimmed[end + 2 :]))
                    continue
        start = line.find("##[")
        if start >= 0 and "]" in line[start:]:
            name = line[start + 3 : line.index("]", start)].split(" ")[0]
            if name in _RUNNER_COMMANDS:
                found.append((name, {}, line[line.index("]", start) + 1 :]))
    return found


def assert_only_annotations(output: str) -> None:
    """The only commands are campc's annotations, with exactly its four properties."""
    for name, properties, _ in workflow_commands(output):
        assert name in ("error", "warning", "notice"), (name, properties)
        assert set(properties) == {"file", "line", "col", "title"}, properties
    assert "leak-1\n" not in output
    assert "##[" not in output


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("td", "th"):
            self._cell = []
        for key, value in attrs:
            assert not key.startswith("on"), (tag, key)
            assert "javascript:" not in (value or ""), (tag, key, value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


_GFM = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_ALLOWED_TAGS = {
    "h1", "h2", "h3", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    "code", "pre", "strong", "em", "a", "blockquote", "br", "hr", "input",
}  # fmt: skip


_SPANS = {
    HTML: ("alert(1)", "onerror=alert(2)", "details open"),
    MARKDOWN: ("cell", "tick", "alert(3)", "## head"),
}
"""Words from the start, middle and end of each payload."""


def assert_markdown_is_text(markdown: str, folded: bool = False) -> None:
    """Rendered as GitHub renders Markdown (raw HTML allowed), a page has no element the
    payloads could make, and each payload that landed in a table stays in one cell.
    `folded`: the page folds its sections (`campc diff`): its `<details>` and `<summary>`
    are campc's own, one per fold line it wrote, and no payload adds another."""
    html = _GFM.render(markdown)
    cells = _Cells()
    cells.feed(html)
    allowed = _ALLOWED_TAGS | ({"details", "summary"} if folded else set())
    assert set(cells.tags) <= allowed, set(cells.tags) - allowed
    if folded:
        written = markdown.count("\n<details><summary><strong>")
        assert written > 0
        assert html.count("<details") == written
        assert html.count("<summary") == written
    assert "head</h" not in html
    assert "<em>em</em>" not in html
    for words in _SPANS.values():
        for cell in cells.cells:
            if any(word in cell for word in words):
                assert all(word in cell for word in words), (words, cell)


_GANTT_TASK = re.compile(
    r"^    (?P<label>[^:#;%\"\n]+) :(?:milestone, )?[a-z0-9-]+, \d{4}-\d{2}-\d{2}, "
    r"(?:\d{4}-\d{2}-\d{2}|0d)$"
)
_GANTT_FIXED = re.compile(r"^(?:gantt|    title \d{4}-Q\d|    dateFormat YYYY-MM-DD|"
                          r"    axisFormat %d %b|    section [a-z]+)$")  # fmt: skip
_FLOW_NODE = re.compile(
    r'^  (?:start|n\d+)(?:\(\("(?P<a>[^"]*)"\)\)|\["(?P<b>[^"]*)"\]|\{"(?P<c>[^"]*)"\}'
    r'|\[\["(?P<d>[^"]*)"\]\]|\(\["(?P<e>[^"]*)"\]\))$'
)
_FLOW_EDGE = re.compile(r"^  (?:start|n\d+)(?: -- (?:yes|no))? --> n\d+$")
_KEYWORD = re.compile(r"^(?:click|call|href|title|section|gantt|\d{4}-)", re.IGNORECASE)


def mermaid_blocks(markdown: str) -> list[list[str]]:
    """The lines of each ```mermaid block."""
    return [block.split("\n") for block in re.findall(r"```mermaid\n(.*?)\n```", markdown, re.S)]


def assert_mermaid_is_labels(markdown: str) -> None:
    """Each line of each chart is one of the statements campc writes, with its label
    free of what ends a label or starts a statement, comment, directive or tag."""
    for lines in mermaid_blocks(markdown):
        kind = lines[0]
        for line in lines[1:] if kind != "gantt" else lines:
            if kind == "gantt":
                task = _GANTT_TASK.match(line)
                assert task or _GANTT_FIXED.match(line), line
                assert not task or not _KEYWORD.match(task["label"]), line
            elif kind == "flowchart TD":
                node = _FLOW_NODE.match(line)
                assert node or _FLOW_EDGE.match(line), line
                label = next((g for g in node.groups() if g is not None), "") if node else ""
                assert not re.search(r"[#%<>;`]", label.replace("<br/>", "")), line
            else:
                assert kind.startswith("pie title "), kind
                assert re.match(r'^    "[^"#%;:]+" : [\d.]+$', line), line


# -- the attacks -------------------------------------------------------------------------


@pytest.fixture
def failing(tmp_path: Path) -> Path:
    """The example repository with payloads in fields that findings quote."""
    campaigns = _copy_example(tmp_path / "failing")
    _make_failing_hostile(campaigns)
    return campaigns.parent


@pytest.fixture
def buildable(tmp_path: Path) -> Path:
    """The example repository with payloads where they make no error."""
    campaigns = _copy_example(tmp_path / "buildable")
    _make_buildable_hostile(campaigns)
    return campaigns.parent


def test_github_format_prints_no_workflow_command_but_its_annotations(
    campc: CliRun, failing: Path, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    run = campc(
        "check", "--format", "github", cwd=failing, env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert run.exit_code == 1, run.stderr
    assert "leak-1" in run.stdout
    assert "leak-2" in run.stdout
    assert_only_annotations(run.stdout + run.stderr)
    annotations = workflow_commands(run.stdout)
    files = {p["file"].replace("%0A", "\n").replace("%3A", ":") for _, p, _ in annotations}
    assert f"campaigns/acquisition/{EVIL_FILE}".replace("##[", "##\\[") in files
    assert_markdown_is_text(summary.read_text(encoding="utf-8"))


@pytest.mark.parametrize("output_format", ["text", "concise"])
def test_terminal_formats_keep_every_finding_on_its_line(
    campc: CliRun, failing: Path, output_format: str
) -> None:
    run = campc("check", "--format", output_format, cwd=failing, env={"NO_COLOR": "1"})
    assert run.exit_code == 1, run.stderr
    assert "leak-1" in run.stdout
    assert "leak-2" in run.stdout
    assert not workflow_commands(run.stdout + run.stderr)
    assert "\x1b" not in run.stdout
    assert "\r" not in run.stdout


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_machine_formats_decode_to_the_payload_and_print_no_command(
    campc: CliRun, failing: Path, output_format: str
) -> None:
    run = campc("check", "--format", output_format, cwd=failing)
    assert run.exit_code == 1, run.stderr
    assert not workflow_commands(run.stdout)
    assert "##[" not in run.stdout
    # decoded, the document holds the payloads as they were
    assert "##[set-output name=pwned;]1" in json.dumps(json.loads(run.stdout), ensure_ascii=False)


def test_route_prints_paths_on_one_line(campc: CliRun, failing: Path) -> None:
    evil = failing / "campaigns" / "acquisition" / EVIL_FILE
    run = campc("route", str(evil.relative_to(failing)), cwd=failing)
    assert "leak-2" in run.stdout + run.stderr
    assert not workflow_commands(run.stdout + run.stderr)


def test_build_writes_markdown_pages_as_text(campc: CliRun, buildable: Path) -> None:
    run = campc("build", cwd=buildable)
    assert run.exit_code == 0, run.stdout + run.stderr
    pages = sorted((buildable / "outputs").rglob("*.md"))
    assert len(pages) >= 8
    shown = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "onerror=alert(2)" in shown  # the text is there, as text
    for page in pages:
        assert_markdown_is_text(page.read_text(encoding="utf-8"))


def test_build_writes_mermaid_labels_that_cannot_leave_their_label(
    campc: CliRun, buildable: Path
) -> None:
    run = campc("build", cwd=buildable)
    assert run.exit_code == 0, run.stdout + run.stderr
    charts = 0
    for page in sorted((buildable / "outputs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        charts += len(mermaid_blocks(text))
        assert_mermaid_is_labels(text)
    assert charts >= 4


def test_build_writes_ics_text_that_adds_no_property_or_component(
    campc: CliRun, buildable: Path
) -> None:
    _edit(
        buildable / "campaigns" / "campagnes" / "pulse-launch-2027.yaml",
        ('name: "=1+2 Pulse', 'name: "=1+2 Pulse\\n::add-mask::leak-1\\rEND:VCALENDAR;a,b\\r\\n'),
    )
    run = campc("build", cwd=buildable)
    assert run.exit_code == 0, run.stdout + run.stderr
    path = buildable / "outputs" / "calendar" / "pulse-launch-2027.ics"
    calendar = Calendar.from_ical(path.read_bytes())
    events = list(calendar.walk("VEVENT"))
    lines = path.read_bytes().replace(b"\r\n ", b"").split(b"\r\n")  # unfolded
    assert lines.count(b"BEGIN:VEVENT") == len(events)
    assert all(str(e["UID"]).endswith("@campc.invalid") for e in events)
    (demo,) = [
        e for e in events if str(e["UID"]).startswith("pulse-launch-2027/milestone-launch-w")
    ]
    assert str(demo["SUMMARY"]).startswith(ICS.replace("\r\n", "\n"))
    assert "ATTACH" not in demo
    assert not [line for line in lines if b"\r" in line or b"\n" in line]
    name = b"X-WR-CALNAME:=1+2 Pulse\\n::add-mask::leak-1\\nEND:VCALENDAR\\;a\\,b\\n |"
    assert any(line.startswith(name) for line in lines)


def test_build_html_shows_subjects_and_preheaders_as_text(campc: CliRun, buildable: Path) -> None:
    run = campc("build", cwd=buildable)
    assert run.exit_code == 0, run.stdout + run.stderr
    html = (buildable / "outputs/emails/pulse-launch-2027/webinar-reminder.html").read_text()
    assert "onerror=alert(2)" in html
    assert "<img src=x" not in html
    assert "<script>" not in html


_SITE_TAGS = _ALLOWED_TAGS | {
    "html", "head", "meta", "title", "link", "body", "header", "nav", "main", "footer",
    "section", "figure", "figcaption", "img", "details", "summary", "data", "caption",
    "script", "div",
}  # fmt: skip
"""Every element the site's templates and markdown-it (raw HTML off) make."""


class _SitePage(HTMLParser):
    """Every element of a site page, each attribute checked as it is read."""

    def __init__(self, page: Path, site: Path) -> None:
        super().__init__()
        self.page, self.site = page, site
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        for key, value in attrs:
            assert not key.startswith("on"), (self.page, tag, key)
            assert "javascript:" not in (value or "").lower(), (self.page, tag, key, value)
        if tag == "script":  # only the site's own two scripts
            source = (self.page.parent / str(values.get("src"))).resolve()
            assert source.parent == (self.site / "assets").resolve(), (self.page, values)
        if tag == "details":
            assert "open" not in values, self.page
        if tag == "div":  # only the scrolling region around a table
            assert (values.get("class"), values.get("role")) == ("table", "region"), values

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_build_writes_site_pages_that_show_the_payloads_as_text(
    campc: CliRun, buildable: Path
) -> None:
    """Names, descriptions, subjects and hypotheses reach the site's pages (the timeline,
    the sequence, test-plan and scoring pages) as text: no element, attribute, script
    or link of theirs; Mermaid labels stay labels."""
    run = campc("build", cwd=buildable)
    assert run.exit_code == 0, run.stdout + run.stderr
    site = buildable / "outputs" / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10
    shown = ""
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = _SitePage(page, site)
        parser.feed(text)
        assert set(parser.tags) <= _SITE_TAGS, (page, set(parser.tags) - _SITE_TAGS)
        assert parser.tags.count("script") <= 2, page
        shown += "".join(parser.text)
        for block in re.findall(r'<pre class="mermaid">(.*?)</pre>', text, re.DOTALL):
            assert_mermaid_is_labels("```mermaid\n" + html.unescape(block) + "```\n")
    assert "onerror=alert(2)" in shown
    assert "<script>alert(1)</script>" in shown
    assert "=1+2 Pulse" in shown  # a name on the timeline, as written


def test_addresses_are_checked_so_no_header_is_added(campc: CliRun, tmp_path: Path) -> None:
    campaigns = _copy_example(tmp_path / "headers")
    pulse = campaigns / "campagnes" / "pulse-launch-2027.yaml"
    _edit(
        pulse,
        (
            "reply_to: hello@fjord.example",
            "reply_to: " + _quoted("hello@fjord.example\r\nBcc: x@evil.example"),
        ),
        (
            "from: Fjord Analytics <news@fjord.example>",
            'from: "news@fjord.example, Bcc: x@evil.example"',
        ),
    )
    lines = pulse.read_text(encoding="utf-8").splitlines()
    run = campc("check", "--format", "json", cwd=campaigns.parent)
    assert run.exit_code == 1
    found = {
        (d["line"], d["col"])
        for d in json.loads(run.stdout)["diagnostics"]
        if d["code"].startswith("SCHEMA") and d["path"].endswith("pulse-launch-2027.yaml")
    }
    for key in ("  reply_to: ", "  from: "):
        number = next(i for i, line in enumerate(lines, 1) if line.startswith(key))
        assert (number, len(key) + 1) in found, (key, found)
    assert campc("build", cwd=campaigns.parent).exit_code == 1
    assert not (campaigns.parent / "outputs").exists()


def test_a_non_ascii_display_name_is_encoded_by_the_email_package(
    campc: CliRun, buildable: Path
) -> None:
    run = campc("build", cwd=buildable)
    assert run.exit_code == 0, run.stdout + run.stderr
    data = (buildable / "outputs/emails/pulse-launch-2027/webinar-reminder.eml").read_bytes()
    assert data.isascii()
    message = email.message_from_bytes(data, policy=policy.default)
    assert str(message["From"]) == "Fjörd Ånalytics <news@fjord.example>"
    assert str(message["Reply-To"]) == "hello@fjord.example"
    assert "Bcc" not in message


def test_spreadsheet_cells_never_start_a_formula(campc: CliRun, buildable: Path) -> None:
    run = campc("build", cwd=buildable)
    assert run.exit_code == 0, run.stdout + run.stderr
    rows = list(csv.reader(io.StringIO((buildable / "outputs/budget/budget.csv").read_text())))
    names = {row[1] for row in rows[1:]}
    for prefix in ("=1+2", "+cmd", "-2+3", "@SUM"):
        assert any(n.startswith("'" + prefix) for n in names), prefix
    book = load_workbook(buildable / "outputs/budget/budget.xlsx")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    for prefix in ("=1+2", "+cmd", "-2+3", "@SUM"):
        assert any(t.startswith(prefix) for t in texts), prefix
    assert all(c.data_type != "f" or str(c.value).startswith("=SUM(") for c in cells)


def test_diff_markdown_on_stdout_and_in_the_job_summary(campc: CliRun, tmp_path: Path) -> None:
    campaigns = _copy_example(tmp_path / "history")
    root = campaigns.parent
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "clean")
    _make_buildable_hostile(campaigns)
    _make_failing_hostile(campaigns)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "hostile")
    summary = tmp_path / "summary.md"
    run = campc("diff", "HEAD~1", "HEAD", cwd=root, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.exit_code == 0, run.stderr
    assert "leak-1" in run.stdout
    assert "leak-2" in run.stdout
    assert not workflow_commands(run.stdout + run.stderr)
    assert_markdown_is_text(run.stdout, folded=True)
    assert_markdown_is_text(summary.read_text(encoding="utf-8"), folded=True)
    data = campc("diff", "HEAD~1", "HEAD", "--format", "json", cwd=root)
    assert not workflow_commands(data.stdout)
    assert any("leak-1" in row["message"] for row in json.loads(data.stdout)["findings_new"])
