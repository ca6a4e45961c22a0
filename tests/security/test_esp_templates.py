"""ESP templates from a hostile pull request.

The field map is configuration a pull request can change: a field that closes the
ESP's tag (`x }}{% ... %}`) would let it write any Liquid or HubL into every email, so
each field must be a plain name. A recipient's value is untrusted too: the compiled
HTML escapes it (`| escape`), as the proof does, so a first name of `<script>` is text
in the inbox. Templates compile in the proofs' sandbox: a template that does not render
as a proof is never compiled for an ESP (its EMAIL001 finding is the one finding)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from compiler.commands import pipeline
from compiler.email import esp, render
from compiler.load import repository
from tests.conftest import ROOT, CliRun

liquid = pytest.importorskip("liquid")


@pytest.mark.parametrize(
    "field",
    [
        "x }}{% include 'secrets' %}{{ x",
        "customer.first_name | raw",
        "customer.first_name\n",
        "{{ customer.first_name }}",
        "*|FNAME|**|UNSUB|*",
        "x}}{{y",
        "${a}}{{b",
    ],
)
def test_a_field_that_is_not_a_plain_name_is_refused(
    tmp_path: Path, campc: CliRun, field: str
) -> None:
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    # a TOML basic string holding `field` exactly (JSON's escapes are TOML's)
    hostile = config.replace(
        'first_name = "customer.first_name"', f"first_name = {json.dumps(field)}", 1
    )
    assert hostile != config
    (tmp_path / "pyproject.toml").write_text(hostile, encoding="utf-8")
    run = campc("build", cwd=tmp_path)
    assert run.exit_code == 2, run.stdout + run.stderr
    assert "tool.campc.email.fields.customerio.first_name" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "outputs").exists()


def test_a_recipient_s_value_is_escaped_by_the_compiled_template() -> None:
    settings = pipeline.settings_for(ROOT)
    repo, _ = repository.load(settings.campaigns, str, settings.policy)
    env = liquid.Environment()
    for send, result in esp.compiled(repo, "customerio"):
        if "customer.first_name" not in result.html:
            continue
        page = result.html.replace("{% unsubscribe_url %}", "u").replace(
            "{% manage_subscription_preferences_url %}", "p"
        )
        context = {"customer": {"first_name": "<script>alert(1)</script>"}}
        for name in send.variables:
            target = repo.policy.email.fields["customerio"][name].split(".")[-1]
            context["customer"].setdefault(target, "x")
        shown = env.from_string(page).render(**context)
        assert "<script>" not in shown, send.key
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown, send.key


def test_a_template_that_does_not_render_is_never_compiled(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    template = tmp_path / "campaigns" / "templates" / "referral" / "invite.html"
    template.write_text(
        "{% for i in range(99999) %}{% for j in range(99999) %}{{ i }}{% endfor %}{% endfor %}",
        encoding="utf-8",
    )
    settings = pipeline.settings_for(tmp_path)
    result = pipeline.check(settings, cwd=tmp_path)
    codes = {d.code for d in result.diagnostics if d.path.endswith("invite.html")}
    assert codes == {"EMAIL001"}, [(d.code, d.message) for d in result.diagnostics]
    repo = result.repositories[0]
    assert all(send.key != "programme-invite" for send, _ in esp.compiled(repo, "customerio"))
    assert any(e.send.key == "programme-invite" for e in render.rendered(repo, full=False))
