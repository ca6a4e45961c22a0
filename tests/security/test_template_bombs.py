"""SECURITY.md: a template cannot exhaust the machine.

Each bomb is the third line of the one template of a small repository, checked by a
real `campc check` in a fresh process whose peak memory the kernel reports (`wait4`).
Every bound must hold before the value is built: the process stays under 1 GiB, exits
1 with an EMAIL001 finding at the bomb's line that names the bound (not the render
deadline, not a failed allocation) with a hint, and shows no traceback. The
timeout only guards against a hang, and the child's address space is capped at 6 GiB
so that a regression fails here instead of taking the machine down.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

GIB = 2**30
HANG_GUARD = 120
"""Seconds after which a check is killed: a hang, not a slow pass."""
GUARD = 6 * GIB
"""Address space the child may use: past it a regression gets MemoryError, not the host."""

SPEC = """\
kind: sequence
id: welcome
name: Welcome
domain: automation
owner: ops@acme.example
description: New sign-ups.
trigger: {event: signed_up}
steps:
  - id: hello
    type: send
    email: {template: welcome.html, subject: Hi, preheader: Start}
"""


@dataclass
class Outcome:
    """What one `campc` process did."""

    code: int
    output: str
    peak: int
    """Peak resident memory, in bytes."""
    seconds: float


def project(root: Path, template: str) -> Path:
    """A repository with one sequence sending `welcome.html`, the bomb on its line 3."""
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.campc]\ncampaigns = "campaigns"\n')
    (root / "campaigns" / "automation").mkdir(parents=True)
    (root / "campaigns" / "templates").mkdir()
    (root / "campaigns" / "automation" / "welcome.yaml").write_text(SPEC)
    (root / "campaigns" / "templates" / "welcome.html").write_text(
        "<p>Hi</p>\n<p>Welcome</p>\n"
        f"{template}\n"
        '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>\n'
    )
    return root


def _guard() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GUARD, resource.getrlimit(resource.RLIMIT_AS)[1]))


def campc(root: Path, *args: str, env: dict[str, str] | None = None) -> Outcome:
    """Run `campc ARGS` in `root` in a fresh process: exit code, output, peak RSS."""
    log = root.parent / f"{root.name}.log"
    started = time.monotonic()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "compiler", *args],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CAMPC_NO_CACHE": "1", **(env or {})},
            preexec_fn=_guard,
        )
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > HANG_GUARD:
                os.kill(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Outcome(
        process.returncode,
        log.read_text(encoding="utf-8", errors="replace"),
        usage.ru_maxrss * 1024,  # kilobytes on Linux
        time.monotonic() - started,
    )


BIG = "'x'|center(1000000)"
"""A million-character string: allowed on its own, the seed of most bombs."""

BOMBS = {
    # filters with a width, a count or a repeat
    "center": "{{ 'a'|center(3000000000) }}",
    "indent": "{{ 'a'|indent(3000000000, first=true) }}",
    "indent-text": f"{{{{ ('a\\n'|center(100000))|indent({BIG}) }}}}",
    "wordwrap": f"{{{{ ('a '|center(100000))|wordwrap(1, wrapstring={BIG}) }}}}",
    "replace": "{{ ('a'|center(100000))|replace('', 'b'|center(100000)) }}",
    "replace-long": f"{{{{ ('a'|center(100000))|replace(' ', {BIG}) }}}}",
    "format": "{{ '%999999999d'|format(1) }}",
    "format-star": "{{ '%*d'|format(1000000000, 1) }}",
    "join": "{{ range(100000)|join('x'|center(100000)) }}",
    "batch": "{{ [1]|batch(1000000000, 0)|list|length }}",
    "slice": "{{ [1]|slice(100000000)|list|length }}",
    "tojson": "{{ range(100000)|list|tojson(indent=100000) }}",
    "urlize": f"{{{{ ('a.com ' * 10000)|urlize(target={BIG}) }}}}",
    # str and int methods
    "method-center": "{{ 'a'.center(3000000000) }}",
    "method-ljust": "{{ 'a'.ljust(3000000000) }}",
    "method-rjust": "{{ 'a'.rjust(3000000000) }}",
    "method-zfill": "{{ '1'.zfill(3000000000) }}",
    "method-expandtabs": "{{ ('\\t' * 100000).expandtabs(100000) }}",
    "method-replace": "{{ ('a'|center(100000)).replace('', 'b'|center(100000)) }}",
    "method-join": "{{ ('x'|center(100000)).join(range(100000)|map('string')) }}",
    "method-translate": f"{{{{ ('a'|center(100000)).translate({{32: {BIG}}}) }}}}",
    "method-format": "{{ '{:>999999999}'.format(1) }}",
    "method-format-nested": "{{ '{:>{w}}'.format(1, w=999999999) }}",
    "method-format-map": "{{ '{a:>999999999}'.format_map({'a': 1}) }}",
    "method-to-bytes": "{{ (1).to_bytes(3000000000, 'big')|length }}",
    # operators
    "percent": "{{ '%999999999d' % 1 }}",
    "percent-star": "{{ '%*d' % (1000000000, 1) }}",
    "nested-list": "{{ [[1] * 50000] * 50000 }}",
    "folded-constants": "{{ " + " ~ ".join(["('a'|center(1999999))"] * 600) + " }}",
    # nothing bounds a list literal's items before the list is made: the memory cap does
    "memory-backstop": "{{ ["
    + ", ".join([f"('a'|center(1999999 - {i}))" for i in range(600)])
    + "]|length }}",
    "power-chain": "{{ ((((((2 ** 64) ** 64) ** 64) ** 64) ** 64) ** 64) % 7 }}",
    # values grown in a loop
    "tilde-doubling": "{% set ns = namespace(s='a') %}{% for i in range(60) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "plus-doubling": "{% set ns = namespace(s='a') %}{% for i in range(60) %}"
    "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}",
    "list-doubling": "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}"
    "{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}",
    "extend-doubling": "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}"
    "{% set _ = ns.l.extend(ns.l) %}{% endfor %}{{ ns.l|length }}",
    "append-growth": "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}"
    f"{{% set _ = ns.l.append({BIG} ~ i) %}}{{% endfor %}}{{{{ ns.l|length }}}}",
    "block-set-doubling": "{% set ns = namespace(s='a') %}{% for i in range(60) %}"
    "{% set s %}{{ ns.s }}{{ ns.s }}{% endset %}{% set ns.s = s %}{% endfor %}{{ ns.s|length }}",
    "macro-doubling": "{% macro twice(s) %}{{ s }}{{ s }}{% endmacro %}"
    "{% set ns = namespace(s='a') %}{% for i in range(60) %}{% set ns.s = twice(ns.s) %}"
    "{% endfor %}{{ ns.s|length }}",
    "nesting-doubling": "{% set ns = namespace(x=[1]) %}{% for i in range(60) %}"
    "{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x }}",
    "integer-squaring": "{% set ns = namespace(n=3) %}{% for i in range(40) %}"
    "{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n % 7 }}",
    "compare-nested": "{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(60) %}"
    "{% set ns.a = [ns.a, ns.a] %}{% set ns.b = [ns.b, ns.b] %}{% endfor %}{{ ns.a == ns.b }}",
    "collected-output": f"{{% set s %}}{{% for i in range(100000) %}}{{{{ {BIG} ~ i }}}}"
    "{% endfor %}{% endset %}{{ s|length }}",
}


@pytest.mark.parametrize("template", BOMBS.values(), ids=BOMBS.keys())
def test_a_template_bomb_is_a_finding_at_its_line_under_a_gibibyte(
    tmp_path: Path, template: str
) -> None:
    root = project(tmp_path / "repo", template)
    run = campc(root, "check", "--no-cache", "--format", "concise")
    assert run.code == 1, run.output
    assert "Traceback" not in run.output
    assert "templates/welcome.html:3:" in run.output, run.output
    assert "template does not render" in run.output, run.output
    assert "EMAIL001" in run.output
    # a named bound, met before the work is done: not the 2 s deadline, not a failed malloc
    assert "rendering took longer than" not in run.output, run.output
    assert "rendering failed" not in run.output, run.output
    assert run.peak < GIB, f"peak RSS {run.peak / 2**20:.0f} MiB\n{run.output}"
