"""The loader: plain data out, positions kept, and every hostile input a finding."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.load import source
from compiler.load.source import read


def codes(raw: bytes) -> list[str]:
    doc, found = read("spec.yaml", raw)
    assert (doc is None) == bool(found)
    return [d.code for d in found]


def test_positions_of_keys_and_values_are_one_based() -> None:
    doc, found = read(
        "s.yaml", b"kind: campaign\nwindow:\n  start: 2027-04-01\nlist: [a, {b: 1}]\n"
    )
    assert found == []
    assert doc is not None
    assert doc.key_at(("window", "start")) == (3, 3)
    assert doc.value_at(("window", "start")) == (3, 10)
    assert doc.value_at(("list", 1, "b")) == (4, 15)
    # a missing location falls back to its nearest ancestor
    assert doc.value_at(("window", "end")) == doc.value_at(("window",))


def test_timestamps_stay_text_and_yaml_12_scalars() -> None:
    doc, _ = read(
        "s.yaml", b"a: 2027-04-01\nb: no\nc: 0x1F\nd: 1_000\ne: ~\nf: true\ng: 1.5e3\nh: 017\n"
    )
    assert doc is not None
    assert doc.data == {
        "a": "2027-04-01",
        "b": "no",
        "c": 31,
        "d": 1000,
        "e": None,
        "f": True,
        "g": 1500.0,
        "h": 17,
    }


def test_flow_mapping_with_colon_in_plain_scalar_uses_yaml_12_parser() -> None:
    doc, found = read("s.yaml", b"m: [{at: 2027-03-10T16:00, d: 60m}]\n")
    assert found == []
    assert doc is not None
    assert doc.data == {"m": [{"at": "2027-03-10T16:00", "d": "60m"}]}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"a: [1, 2\n", "YAML001"),
        (b"a: 1\na: 2\n", "YAML002"),
        (b"a: !!python/object/apply:os.system ['true']\n", "YAML003"),
        (b"a: !!binary aGVsbG8=\n", "YAML003"),
        (b"a: !!set {x}\n", "YAML003"),
        (b"a: !Ref x\n", "YAML003"),
        (b"a: !!int 'x'\n", "YAML001"),
        (b"a: *nothing\n", "YAML004"),
        (b"a: caf\xe9\n", "YAML005"),
        (b"", "YAML006"),
        (b"# only a comment\n", "YAML006"),
        (b"- a\n", "YAML007"),
        (b"text\n", "YAML007"),
        (b"a: 1\n---\na: 2\n", "YAML008"),
        (b"%YAML 1.1\n---\na: no\n", "YAML010"),
        (b"%TAG ! tag:example.com,2000:\n---\na: 1\n", "YAML010"),
        (b"? [a, b]\n: 1\n", "YAML001"),
        (b"a: \x7f\n", "YAML001"),
        (b"a:\n\t- b\n", "YAML001"),
    ],
)
def test_hostile_or_broken_input_is_one_finding(raw: bytes, code: str) -> None:
    assert codes(raw) == [code]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    started = time.process_time()
    assert codes(("\n".join(lines) + "\n").encode()) == ["YAML004"]
    # Not a timing assertion on speed, a guard against expansion: 9**9 values would take minutes.
    assert time.process_time() - started < 30


def test_deep_flow_nesting_is_refused_before_the_c_parser_sees_it() -> None:
    # ~30,000 nested brackets segfault libyaml's composer; the guard must come first.
    assert codes(b"a: " + b"[" * 30_000 + b"\n") == ["YAML009"]


def test_deep_block_nesting_is_refused() -> None:
    raw = "".join(f"{' ' * i}k{i}:\n" for i in range(200)).encode()
    assert codes(raw) == ["YAML009"]


def test_oversized_file_is_refused() -> None:
    assert codes(b"a: '" + b"x" * source.MAX_BYTES + b"'\n") == ["YAML009"]


def test_merge_keys_merge_and_explicit_keys_win() -> None:
    doc, _ = read("s.yaml", b"base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")
    assert doc is not None
    assert doc.data["c"] == {"x": 1, "y": 3}


def test_bom_is_accepted() -> None:
    doc, found = read("s.yaml", "\ufeffa: é\n".encode())
    assert found == []
    assert doc is not None
    assert doc.data == {"a": "é"}


# YAML's printable set: no C0/C1 controls, no surrogates, no U+FFFE/U+FFFF.
yaml_chars = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff")
keys = st.text(yaml_chars, min_size=1, max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(yaml_chars, max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, json_values, min_size=1, max_size=5))
def test_any_json_document_reads_back_identically_with_a_position_for_every_key(
    data: dict[str, object],
) -> None:
    raw = json.dumps(data, ensure_ascii=False).encode()  # JSON is YAML 1.2
    doc, found = read("s.json", raw)
    assert found == []
    assert doc is not None
    assert doc.data == data

    def locs(value: object, loc: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
        out = [loc]
        if isinstance(value, dict):
            for k, v in value.items():
                out += locs(v, (*loc, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                out += locs(v, (*loc, i))
        return out

    for loc in locs(data, ())[1:]:
        assert loc in doc.spans


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    read("fuzz.yaml", raw)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#%? \n\t,1.~")), max_size=80))
def test_yaml_punctuation_soup_never_raises(text: str) -> None:
    read("fuzz.yaml", text.encode())


flow_scalars = st.one_of(
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\Z"),
    st.from_regex(r"\A\d{1,3}(:\d{1,2}){1,2}\Z"),
    st.from_regex(r"\A[a-z]{1,6}\Z"),
    st.from_regex(r"\A[a-z]{1,3}:[0-9a-z]{1,3}\Z"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"\A[a-z]{1,5}\Z"), flow_scalars), min_size=1, max_size=4))
def test_masked_fast_path_reads_flow_scalars_as_the_yaml_12_parser_does(
    pairs: list[tuple[str, str]],
) -> None:
    from ruamel.yaml.main import YAML

    body = ", ".join(f"{k}: {v}" for k, v in dict(pairs).items())
    text = f"m: [{{{body}}}, {pairs[0][1]}]\n"
    doc, found = read("s.yaml", text.encode())
    assert found == []
    assert doc is not None
    assert doc.data == YAML(typ="safe", pure=True).load(text)


SCALARS = [
    "",
    "~",
    "null",
    "Null",
    "NULL",
    "true",
    "False",
    "TRUE",
    "yes",
    "no",
    "on",
    "0",
    "-12",
    "+7",
    "0o17",
    "0x1F",
    "017",
    "1_000",
    "3.5",
    "-.5",
    "1e3",
    "1.5e-3",
    ".inf",
    "-.Inf",
    ".nan",
    "12:30",
    "2027-04-01",
    "2027-04-01T09:00",
    "plain words",
    "0.1.2",
    "+",
    ".",
]


@pytest.mark.parametrize("scalar", SCALARS)
def test_fast_resolver_types_plain_scalars_as_ruamel_yaml_1_2_does(scalar: str) -> None:
    from ruamel.yaml import YAML

    text = f"kind: x\nvalue: {scalar}\n"
    stock = YAML(typ="safe", pure=True).compose(text)
    expected = str(stock.value[1][1].tag)
    ours = source._C_YAML.compose(text) if source._C_YAML else source._PURE_YAML.compose(text)
    assert source._tag(ours.value[1][1]) == expected


def test_positions_are_worked_out_on_demand_and_not_pickled() -> None:
    import pickle

    doc, _ = read("s.yaml", b"kind: campaign\nname: Launch\n")
    assert doc is not None
    copy = pickle.loads(pickle.dumps(doc))
    assert copy._spans is None
    assert copy.value_at(("name",)) == (2, 7)
    assert copy.data == doc.data
