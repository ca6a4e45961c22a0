"""The escapers' promises, for any text: what each docstring in `compiler.text.escape` says."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from compiler.model.common import Sender
from compiler.text import escape
from tests.security.test_output_injection import workflow_commands

ANY = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(":#[]|`<>&%;\"'\\*_~$-+=\r\n\t\x1b\u2028\u202e ")),
        st.characters(),
    ),
    max_size=40,
)
YAML_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(":#[]|`<>&%;\"'\\*_~$-+=\r\n\t\x1b\u2028\u202e ")),
        st.characters(blacklist_categories=["Cs"]),
    ),
    max_size=40,
)
"""What a spec's value can hold: the YAML reader refuses lone surrogates (`"\\ud800"`),
and pydantic cannot take them at all."""


@given(ANY, ANY)
def test_log_text_is_one_line_and_no_command(before: str, text: str) -> None:
    shown = escape.log(text)
    shown.encode("utf-8")
    assert not any(c in shown for c in "\r\n\x1b\u2028\u202e")
    assert not workflow_commands(shown)
    assert not workflow_commands(f"{escape.log(before)}{shown}")
    assert escape.log(before + text, quoted=True).startswith(escape.log(before, quoted=True))


@given(ANY, ANY)
def test_a_workflow_command_keeps_its_name_properties_and_message(file: str, message: str) -> None:
    line = escape.workflow_command("error", {"file": file, "line": "1"}, message)
    assert "\n" not in line
    assert "\r" not in line
    ((name, properties, data),) = workflow_commands(line)
    assert name == "error"
    assert set(properties) == {"file", "line"}
    decoded = data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
    assert decoded == message.replace("##[", "##\\[")


@given(st.recursive(st.none() | ANY, lambda inner: st.lists(inner) | st.dictionaries(ANY, inner)))
def test_json_documents_decode_to_themselves_and_print_no_command(document: object) -> None:
    text = escape.json_document(document)
    text.encode("utf-8")
    assert json.loads(text) == document
    assert not workflow_commands(text)


@given(ANY)
def test_markdown_is_one_line_without_tags_or_cells(text: str) -> None:
    for shown in (escape.markdown(text), escape.markdown_code(text)):
        shown.encode("utf-8")
        assert "\n" not in shown
        assert "\r" not in shown
        assert "<" not in shown.replace("<code>", "").replace("</code>", "")
        assert "##[" not in shown
        assert not workflow_commands(shown)
        assert "|" not in shown.replace("\\|", "")


@given(ANY)
def test_markdown_urls_stay_in_their_parentheses(url: str) -> None:
    shown = escape.markdown_url(url)
    assert not any(c in shown for c in ' ()<>[]|"\\\r\n')
    assert not shown.lower().startswith(("javascript:", "data:", "vbscript:"))


@given(ANY)
def test_mermaid_labels_hold_nothing_mermaid_reads(text: str) -> None:
    shown = escape.mermaid(text)
    shown.encode("utf-8")
    assert not any(c in shown for c in ':;#%"[]{}<>&|`\r\n\t')


def _sender_errors(text: str) -> list[str]:
    try:
        sender = Sender.model_validate({"from": text, "reply_to": text})
    except ValidationError as err:
        return [e["type"] for e in err.errors()]
    assert not any(c in sender.from_ for c in "\r\n,;")
    return []


@given(YAML_TEXT)
def test_any_sender_text_is_valid_or_a_schema_error_never_a_crash(text: str) -> None:
    assert set(_sender_errors(text)) <= {"value_error", "string_too_long"}


@pytest.mark.parametrize("text", ["<", ":<", "0@", '"'])
def test_what_the_stdlib_parser_raises_on_is_a_schema_error(text: str) -> None:
    with pytest.raises(ValidationError, match="is not an email address"):
        Sender.model_validate({"from": text})
