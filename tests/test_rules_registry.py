"""The explicit rule registry: every module registered once, every rule documented."""

from __future__ import annotations

import pkgutil
import re

from compiler.rules import FAMILIES, RULES, lookup
from tests.conftest import ROOT, CliRun

RULE_MODULE = re.compile(r"^[a-z]+\d{3}_[a-z0-9_]+$")
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


def test_every_rule_module_is_registered_in_its_family() -> None:
    for family in FAMILIES:
        folder = family.__name__.rsplit(".", 1)[1]
        on_disk = {
            name for _, name, _ in pkgutil.iter_modules(family.__path__) if RULE_MODULE.match(name)
        }
        listed = {
            module.__name__.rsplit(".", 1)[1]: module
            for module in vars(family).values()
            if getattr(module, "RULE", None) in family.RULES
        }
        assert on_disk == set(listed), f"rules/{folder}/__init__.py misses a module"
        for name, module in listed.items():
            rule = module.RULE
            assert name == f"{rule.code.lower()}_{rule.name.replace('-', '_')}"
            assert rule.code.rstrip("0123456789").lower() == folder, f"{rule.code} in {folder}/"
    on_disk = {
        name
        for path in (ROOT / "compiler" / "rules").rglob("*.py")
        if RULE_MODULE.match(name := path.stem)
    }
    assert len(on_disk) == sum(len(f.RULES) for f in FAMILIES)


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [rule.code for family in FAMILIES for rule in family.RULES]
    assert len(codes) == len(set(codes))
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))
    for code, rule in RULES.items():
        assert re.fullmatch(r"[A-Z]+\d{3}", code), code
        assert re.fullmatch(r"[a-z]+(?:-[a-z0-9]+)*", rule.name), rule.name


def test_no_rule_imports_the_registry() -> None:
    """Each rule builds its findings from its own RULE: the registry imports the rules,
    never the other way round."""
    for path in sorted((ROOT / "compiler" / "rules").rglob("*.py")):
        if RULE_MODULE.match(path.stem):
            text = path.read_text(encoding="utf-8")
            assert "from compiler.rules import" not in text, path.name
            assert "RULES" not in text, path.name


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
