"""`campc init` and `campc new` never overwrite a file, never write through a link a pull
request committed, and never let an option's value add YAML of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.commands.scaffold import ScaffoldError, new_spec
from tests.conftest import CliRun, Run


def _refused(run: Run, *named: str) -> None:
    assert run.exit_code == 2, run.stdout
    assert "Traceback" not in run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert run.stderr.startswith("campc: error: ")
    for name in named:
        assert name in run.stderr, run.stderr


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def repo(campc: CliRun, tmp_path: Path) -> Path:
    assert campc("init", "repo", cwd=tmp_path).exit_code == 0
    return tmp_path / "repo"


# campc init


def test_init_appends_its_lines_to_an_existing_gitignore(campc: CliRun, tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / ".gitignore").write_text("node_modules/\n*.log")
    assert campc("init", "repo", cwd=tmp_path).exit_code == 0
    text = (tmp_path / "repo" / ".gitignore").read_text()
    assert text.startswith("node_modules/\n*.log\n")
    assert text.count(".campc_cache/") == 1


def test_init_leaves_a_gitignore_that_has_its_lines_alone(campc: CliRun, tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / ".gitignore").write_text(".campc_cache/\n")
    assert campc("init", "repo", cwd=tmp_path).exit_code == 0
    assert (tmp_path / "repo" / ".gitignore").read_text() == ".campc_cache/\n"


def test_init_refuses_existing_files_listing_them_all_and_writes_nothing(
    campc: CliRun, tmp_path: Path
) -> None:
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    mine = {
        ".pre-commit-config.yaml": "repos: []\n",
        ".github/workflows/campaigns.yml": "on: push\n",
        "schemas/campaign.schema.json": "{}\n",
    }
    (root / "schemas").mkdir()
    for name, text in mine.items():
        (root / name).write_text(text)
    before = _files(root)
    run = campc("init", "repo", cwd=tmp_path)
    _refused(run, *(str(root.relative_to(tmp_path) / name) for name in mine), "nothing written")
    assert _files(root) == before
    for name, text in mine.items():
        assert (root / name).read_text() == text


def test_init_refuses_a_pyproject_too(campc: CliRun, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    (root / ".pre-commit-config.yaml").write_text("repos: []\n")
    _refused(campc("init", "repo", cwd=tmp_path), "pyproject.toml", ".pre-commit-config.yaml")
    assert _files(root) == [".pre-commit-config.yaml", "pyproject.toml"]


def test_init_never_writes_through_a_linked_folder(campc: CliRun, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".github").symlink_to(outside, target_is_directory=True)
    _refused(campc("init", "repo", cwd=tmp_path), ".github is a symbolic link")
    assert list(outside.iterdir()) == []
    assert _files(root) == [".github"]


@pytest.mark.parametrize("name", [".pre-commit-config.yaml", ".gitignore", "pyproject.toml"])
def test_init_never_writes_through_a_linked_file(campc: CliRun, tmp_path: Path, name: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / name).symlink_to(victim)
    _refused(campc("init", "repo", cwd=tmp_path), f"{name} is a symbolic link")
    assert victim.read_text() == "precious\n"


def test_init_never_creates_a_file_through_a_dangling_link(campc: CliRun, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "schemas").mkdir(parents=True)
    (root / "schemas" / "campaign.schema.json").symlink_to(tmp_path / "planted.json")
    _refused(campc("init", "repo", cwd=tmp_path), "campaign.schema.json is a symbolic link")
    assert not (tmp_path / "planted.json").exists()


# campc new


@pytest.mark.parametrize(
    "owner",
    [
        "a@b.example\nbudget: {total: 1}",
        'a@b.example"\nbudget: {total: 1}\nnote: "',
        "a@b.example # comment",
        "a@b.example: x",
        "'a@b.example'",
        "@team\n",
        "",
        "a" * 191 + "@b.example",  # 201 characters: over the model's limit
    ],
)
def test_new_refuses_an_owner_that_is_not_an_address_or_handle(
    campc: CliRun, repo: Path, owner: str
) -> None:
    before = _files(repo / "campaigns")
    _refused(campc("new", "campaign", "x", "--owner", owner, cwd=repo), "owner")
    assert _files(repo / "campaigns") == before


@pytest.mark.parametrize("owner", ["ops@acme.example", "@growth-team", "@acme/growth"])
def test_new_writes_a_good_owner_as_one_value(campc: CliRun, repo: Path, owner: str) -> None:
    assert campc("new", "campaign", "x", "--owner", owner, cwd=repo).exit_code == 0
    path = repo / "campaigns" / "campagnes" / "x.yaml"
    check = campc("check", "--strict", str(path), cwd=repo)
    assert check.exit_code == 0, check.stdout


@pytest.mark.parametrize(
    ("spec_id", "message"),
    [
        ("a" * 65, "at most 64 characters"),
        ("a" * 300, "at most 64 characters"),
        ("x\ny", "not a slug"),
        ("../escape", "not a slug"),
        ("x.yaml", "not a slug"),
    ],
)
def test_new_refuses_ids_the_model_refuses(
    campc: CliRun, repo: Path, spec_id: str, message: str
) -> None:
    before = _files(repo)
    _refused(campc("new", "campaign", spec_id, cwd=repo), message)
    assert _files(repo) == before


@pytest.mark.parametrize("spec_id", ["2027", "true", "null", "1e-3", "0x1f"])
def test_new_ids_yaml_would_type_stay_text(campc: CliRun, repo: Path, spec_id: str) -> None:
    assert campc("new", "campaign", spec_id, cwd=repo).exit_code == 0
    path = repo / "campaigns" / "campagnes" / f"{spec_id}.yaml"
    check = campc("check", "--strict", str(path), cwd=repo)
    assert check.exit_code == 0, check.stdout


def test_new_refuses_an_unknown_domain(campc: CliRun, repo: Path, tmp_path: Path) -> None:
    run = campc("new", "campaign", "x", "--domain", "../../outside", cwd=repo)
    assert run.exit_code == 2  # click's usage error: the option is a choice
    assert "is not one of 'campagnes', 'acquisition', 'automation', 'performance'" in run.stderr
    with pytest.raises(ScaffoldError, match="unknown domain"):
        new_spec(repo / "campaigns", "campaign", "x", "../../outside", "@team", repo)
    assert not (tmp_path / "outside").exists()


def test_new_never_writes_through_a_linked_domain_folder(
    campc: CliRun, repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "campaigns" / "acquisition").symlink_to(outside, target_is_directory=True)
    _refused(
        campc("new", "campaign", "x", "--domain", "acquisition", cwd=repo),
        "acquisition is a symbolic link",
    )
    assert list(outside.iterdir()) == []


def test_new_never_writes_through_a_linked_campaigns_folder(campc: CliRun, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "campagnes").mkdir(parents=True)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.campc]\ncampaigns = "campaigns"\n')
    (root / "campaigns").symlink_to(outside, target_is_directory=True)
    _refused(campc("new", "campaign", "x", cwd=root), "campaigns is a symbolic link")
    assert list((outside / "campagnes").iterdir()) == []


def test_new_never_writes_outside_the_project(campc: CliRun, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.campc]\ncampaigns = "../outside"\n')
    _refused(campc("new", "campaign", "x", cwd=root), "outside the project")
    assert not (tmp_path / "outside").exists()


def test_new_never_overwrites_a_file_or_a_link(campc: CliRun, repo: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.yaml"
    victim.write_text("precious\n")
    target = repo / "campaigns" / "performance" / "x.yaml"
    target.symlink_to(victim)
    _refused(campc("new", "experiment", "x", cwd=repo), "x.yaml")
    assert victim.read_text() == "precious\n"
    target.unlink()
    target.write_text("mine\n")
    _refused(campc("new", "experiment", "x", cwd=repo), "x.yaml")
    assert target.read_text() == "mine\n"
