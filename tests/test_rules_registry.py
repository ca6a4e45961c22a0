"""The explicit rule registry: every module registered once, every rule documented."""

from __future__ import annotations

import pkgutil
import re

import compiler.rules
from compiler.rules import RULE_MODULES, RULES, lookup
from tests.conftest import ROOT, CliRun

RULE_MODULE = re.compile(r"^[a-z]+\d{3}_[a-z0-9_]+$")
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


def test_every_rule_module_is_registered() -> None:
    on_disk = {
        name
        for _, name, _ in pkgutil.iter_modules(compiler.rules.__path__)
        if RULE_MODULE.match(name)
    }
    registered = {m.__name__.rsplit(".", 1)[1] for m in RULE_MODULES}
    assert on_disk == registered


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [m.CODE for m in RULE_MODULES]
    assert len(codes) == len(set(codes))
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))
    for code, rule in RULES.items():
        assert re.fullmatch(r"[A-Z]+\d{3}", code), code
        assert re.fullmatch(r"[a-z]+(?:-[a-z0-9]+)*", rule.name), rule.name
    for module in RULE_MODULES:
        file_name = module.__name__.rsplit(".", 1)[1]
        assert file_name == f"{module.CODE.lower()}_{module.NAME.replace('-', '_')}"


def test_every_rule_is_documented_in_ruff_sections() -> None:
    for rule in RULES.values():
        assert rule.summary, rule.code
        for section in SECTIONS:
            assert section in rule.doc, f"{rule.code} lacks {section}"


def test_lookup_by_code_or_name() -> None:
    assert lookup("ref001") is RULES["REF001"]
    assert lookup("duplicate-id") is RULES["REF001"]
    assert lookup("nothing") is None


def test_docs_list_every_rule_from_the_registry(campc: CliRun) -> None:
    """docs/rules.md is generated, never written by hand: regenerate it when rules change."""
    run = campc("rules", "--format", "markdown")
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert run.stdout == committed, "run `campc rules --format markdown > docs/rules.md`"
    for code in RULES:
        assert f"## {code}" in committed
