"""Committed JSON Schemas are current, valid for editors, and agree with the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from compiler.load.kinds import KINDS
from compiler.load.repository import discover
from compiler.load.source import read
from compiler.load.validate import validate
from compiler.output import schemas
from tests.conftest import ROOT, CliRun

SCHEMAS = ROOT / "schemas"
SPEC_FILES = discover(ROOT / "campaigns") + sorted(
    p for p in (ROOT / "tests" / "examples" / "valid").rglob("*.yaml")
)
FORBIDDEN_2020_ONLY = {
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentSchemas",
}


def load_schema(kind: str) -> dict[str, Any]:
    text = (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_committed_schemas_are_current(campc: CliRun) -> None:
    run = campc("schema", "--check", cwd=ROOT)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert sorted(p.name for p in SCHEMAS.glob("*.json")) == sorted(schemas.render())


def test_schema_check_reports_drift(campc: CliRun, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.campc]\nschemas = "out"\n')
    assert campc("schema", "--check", cwd=tmp_path).exit_code == 1
    assert campc("schema", cwd=tmp_path).exit_code == 0
    assert campc("schema", "--check", cwd=tmp_path).exit_code == 0
    (tmp_path / "out" / "campaign.schema.json").write_text("{}\n")
    run = campc("schema", "--check", cwd=tmp_path)
    assert run.exit_code == 1
    assert "campaign.schema.json" in run.stdout


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_is_valid_for_2020_12_and_draft_07(kind: str) -> None:
    schema = load_schema(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft7Validator.check_schema(schema)
    text = json.dumps(schema)
    assert not any(f'"{word}"' in text for word in FORBIDDEN_2020_ONLY)


def _properties(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            found.append((f"{where}.{name}", prop))
        for key, value in node.items():
            found += _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for item in node:
            found += _properties(item, where)
    return found


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_field_has_a_title_and_description(kind: str) -> None:
    missing = [
        where
        for where, prop in _properties(load_schema(kind))
        if not prop.get("description") or not prop.get("title")
    ]
    assert missing == []


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_jsonschema_accepts_what_the_models_accept(path: Path) -> None:
    doc, problems = read(str(path), path.read_bytes())
    assert doc is not None
    assert not problems
    model, problems = validate(doc)
    assert model is not None, problems
    schema = load_schema(doc.data["kind"])
    for validator in (jsonschema.Draft202012Validator, jsonschema.Draft7Validator):
        errors = list(validator(schema).iter_errors(doc.data))
        assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize(
    ("change", "value"),
    [
        (("budget", "total"), "-"),
        (("budget", "total"), "5,000"),
        (("budget", "currency"), "eur"),
        (("window", "start"), "1st of April"),
        (("id",), "Not A Slug"),
        (("milestones", 0, "duration"), "90 minutes"),
        (("kpis", 0, "primary"), "yes"),
        (("unknown_key",), 1),
    ],
)
def test_jsonschema_and_models_both_reject(change: tuple[str | int, ...], value: Any) -> None:
    """Editors flag what `campc check` flags, for the mistakes a schema can express."""
    path = ROOT / "campaigns" / "campagnes" / "pulse-launch-2027.yaml"
    doc, _ = read(str(path), path.read_bytes())
    assert doc is not None
    target: Any = doc.data
    for part in change[:-1]:
        target = target[part]
    target[change[-1]] = value
    model, problems = validate(doc)
    assert model is None
    assert problems
    assert list(jsonschema.Draft7Validator(load_schema("campaign")).iter_errors(doc.data))
