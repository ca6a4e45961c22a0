"""The explicit rule registry: every module registered once, every rule documented."""

from __future__ import annotations

import importlib
import pkgutil
import re

from compiler.rules import FAMILIES, RULES, lookup
from tests.conftest import ROOT, CliRun, modules_after

RULE_MODULE = re.compile(r"^[a-z]+\d{3}_[a-z0-9_]+$")
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


def test_every_rule_module_is_registered_in_its_family() -> None:
    listed_anywhere = 0
    for family in FAMILIES:
        package = importlib.import_module(f"compiler.rules.{family}")
        on_disk = {
            name for _, name, _ in pkgutil.iter_modules(package.__path__) if RULE_MODULE.match(name)
        }
        assert on_disk == set(package.MODULES), f"rules/{family}/__init__.py misses a module"
        assert list(package.MODULES) == sorted(package.MODULES), f"rules/{family}: code order"
        listed_anywhere += len(package.MODULES)
        for name in package.MODULES:
            rule = importlib.import_module(f"compiler.rules.{family}.{name}").RULE
            assert name == f"{rule.code.lower()}_{rule.name.replace('-', '_')}"
            assert rule.code.rstrip("0123456789").lower() == family, f"{rule.code} in {family}/"
            assert RULES[rule.code] is rule
    on_disk = {
        name
        for path in (ROOT / "compiler" / "rules").rglob("*.py")
        if RULE_MODULE.match(name := path.stem)
    }
    assert len(on_disk) == listed_anywhere


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = list(RULES)
    assert len(codes) == len(set(codes))
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))
    for code, rule in RULES.items():
        assert re.fullmatch(r"[A-Z]+\d{3}", code), code
        assert re.fullmatch(r"[a-z]+(?:-[a-z0-9]+)*", rule.name), rule.name
        assert RULES.code_of(rule.name) == code


def test_no_rule_imports_the_registry() -> None:
    """Each rule builds its findings from its own RULE: the registry imports the rules,
    never the other way round."""
    for path in sorted((ROOT / "compiler" / "rules").rglob("*.py")):
        if RULE_MODULE.match(path.stem):
            text = path.read_text(encoding="utf-8")
            assert "from compiler.rules import" not in text, path.name
            assert "RULES" not in text, path.name


def test_a_check_imports_only_the_rules_it_runs() -> None:
    """`campc check --select ROUTE001` imports ROUTE001's module and no other rule's."""
    loaded = modules_after("check", "--no-cache", "--select", "ROUTE001")
    rules = [m for m in loaded if m.startswith("compiler.rules.") and m.count(".") > 2]
    assert rules == ["compiler.rules.route.route001_domain_mismatch"]


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
