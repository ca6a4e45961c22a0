"""The models' field descriptions (schema hints, the JSON Schemas) come from the
docstrings under the fields, read once per module by `model/docstrings.py`: the same
descriptions pydantic's own `use_attribute_docstrings` gives, for every model."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pydantic import BaseModel
from pydantic._internal._docs_extraction import extract_docstrings_from_cls

import compiler.model
from compiler.model.common import StrictModel


def _models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for module in pkgutil.iter_modules(compiler.model.__path__, "compiler.model."):
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, StrictModel):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


MODELS = _models()


def test_every_spec_model_is_seen_and_most_fields_are_described() -> None:
    assert len(MODELS) > 40
    fields = [info for model in MODELS for info in model.model_fields.values()]
    assert sum(info.description is not None for info in fields) > len(fields) // 2


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__qualname__)
def test_descriptions_are_the_ones_pydantic_reads(model: type[BaseModel]) -> None:
    expected = extract_docstrings_from_cls(model, use_inspect=True)
    for name, text in expected.items():
        assert model.model_fields[name].description == text, name
