"""SECURITY.md: templates are never read through a link, a FIFO or a device.

A pull request commits links where templates should be: to a file holding a secret
outside the repository, to `/proc/self/environ`, a templates sub-folder (or the whole
templates folder) linked elsewhere, and a FIFO named like a template that another
includes. `campc check` and `campc build` run in fresh processes: they never print the
secret or an environment variable, never hang on the FIFO, exit 1 without a traceback,
and write nothing that holds the secret.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.email import sandbox
from tests.security.test_template_bombs import campc

CANARY = "canary_7f3a9c"
"""Written in the secret file as text and as a variable (whose name an error would show)."""
ENV_CANARY = "ENV-CANARY-51d0e2"
"""The value of an environment variable of the checking process."""


def _send(step: str, template: str) -> str:
    return (
        f"  - id: {step}\n    type: send\n"
        f"    email: {{template: {template}, subject: Hi, preheader: Start}}\n"
    )


def _repository(root: Path, outside: Path, sends: dict[str, str]) -> Path:
    """A repository whose sequence sends each template of `sends` (by step id)."""
    outside.mkdir()
    (outside / "secret.html").write_text(f"<p>{CANARY}</p>{{{{ {CANARY} }}}}\n")
    (outside / "folder").mkdir()
    (outside / "folder" / "page.html").write_text(f"<p>{CANARY}</p>{{{{ {CANARY} }}}}\n")
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.campc]\ncampaigns = "campaigns"\n')
    (root / "campaigns" / "automation").mkdir(parents=True)
    (root / "campaigns" / "automation" / "welcome.yaml").write_text(
        "kind: sequence\nid: welcome\nname: Welcome\ndomain: automation\n"
        "owner: ops@acme.example\ndescription: New sign-ups.\ntrigger: {event: signed_up}\n"
        "steps:\n" + "".join(_send(step, name) for step, name in sends.items())
    )
    return root


def _assert_refused(root: Path) -> str:
    outputs = []
    for command in ("check", "build"):
        run = campc(root, command, "--no-cache", env={ENV_CANARY: ENV_CANARY})
        assert run.code == 1, run.output
        assert "Traceback" not in run.output
        assert CANARY not in run.output
        assert ENV_CANARY not in run.output
        assert "PATH=" not in run.output
        assert "HOME=" not in run.output
        outputs.append(run.output)
    built = root / "outputs"
    for path in built.rglob("*") if built.exists() else []:
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    return "\n".join(outputs)


def test_linked_templates_a_linked_folder_and_an_included_fifo_are_refused(
    tmp_path: Path,
) -> None:
    root = _repository(
        tmp_path / "repo",
        tmp_path / "outside",
        {
            "secret": "secret.html",
            "environ": "environ.html",
            "linked": "linked/page.html",
            "piped": "welcome.html",
            "through": "through.html",
        },
    )
    templates = root / "campaigns" / "templates"
    templates.mkdir()
    (templates / "secret.html").symlink_to(tmp_path / "outside" / "secret.html")
    (templates / "environ.html").symlink_to("/proc/self/environ")
    (templates / "linked").symlink_to(tmp_path / "outside" / "folder")
    (templates / "partials").mkdir()
    os.mkfifo(templates / "partials" / "pipe.html")
    unsubscribe = '<a href="{{ unsubscribe_url }}">Unsubscribe</a>\n'
    (templates / "welcome.html").write_text(
        f"<p>Hi</p>\n{{% include 'partials/pipe.html' %}}\n{unsubscribe}"
    )
    (templates / "through.html").write_text(
        f"<p>Hi</p>\n\n{{% include 'linked/page.html' %}}\n{unsubscribe}"
    )
    output = _assert_refused(root)
    # a send of a link: FILE001 on the link (the listing) or EMAIL001 (the loader)
    assert "secret.html` is a symbolic link" in output
    assert "environ.html` is a symbolic link" in output
    # EMAIL001 at the including template's own line
    assert "templates/welcome.html:2:1: EMAIL001" in output
    assert "template `partials/pipe.html` is a FIFO" in output
    assert "templates/through.html:3:1: EMAIL001" in output
    assert "template `linked` is a symbolic link, refused" in output


def test_the_loader_and_the_template_readers_never_read_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _repository(tmp_path / "repo", outside, {})
    folder = tmp_path / "repo" / "campaigns" / "templates"
    folder.mkdir()
    (folder / "secret.html").symlink_to(outside / "secret.html")
    (folder / "environ.html").symlink_to("/proc/self/environ")
    (folder / "linked").symlink_to(outside / "folder")
    os.mkfifo(folder / "pipe.html")
    env = sandbox.environment(folder)
    for name, what in [
        ("secret.html", "a symbolic link"),
        ("environ.html", "a symbolic link"),
        ("pipe.html", "a FIFO (named pipe)"),
        ("linked/page.html", "a symbolic link"),
    ]:
        with pytest.raises(sandbox.TemplateProblem) as refused:
            sandbox.render(env, folder, name, {})
        assert refused.value.message == f"template `{name.split('/')[0]}` is {what}, refused"
        assert CANARY not in refused.value.message
        assert sandbox.unescaped(folder / name, folder) == []
        assert sandbox._column(env, name, 1, None) == 1
    linked = tmp_path / "repo" / "campaigns" / "linked-templates"
    linked.symlink_to(outside / "folder")
    with pytest.raises(sandbox.TemplateProblem) as refused:
        sandbox.render(sandbox.environment(linked), linked, "page.html", {})
    assert refused.value.message == "the templates folder is a symbolic link, refused"
    with pytest.raises(sandbox.TemplateProblem) as missing:
        sandbox.render(env, folder, "../outside/secret.html", {})
    assert "does not exist" in missing.value.message


def test_a_linked_templates_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = _repository(tmp_path / "repo", outside, {"hello": "page.html"})
    (root / "campaigns" / "templates").symlink_to(outside / "folder")
    output = _assert_refused(root)
    # FILE001 on the folder (the listing) or EMAIL001 (the loader)
    assert "templates` is a symbolic link" in output or "folder is a symbolic link" in output
