"""Building a fixture repository into a temporary folder, for the golden tests."""

from __future__ import annotations

from pathlib import Path

from compiler.commands import pipeline
from compiler.config import settings
from tests.conftest import UPDATE_GOLDENS

GOLDEN = Path(__file__).parent / "golden"


def build_fixture(name: str, out: Path) -> pipeline.BuildResult:
    """Build tests/golden/<name>/ (with its own pyproject.toml) into `out`."""
    root = GOLDEN / name
    result = pipeline.build(settings.load(root), out=out, cwd=root)
    assert not result.check.failed, [d.message for d in result.check.diagnostics]
    return result


VENDORED = "site/assets/"
"""Files a build copies from the package unchanged (Mermaid, the stylesheet): the golden
trees leave them out; `tests/test_site.py` holds them equal to the package's."""


def tree(folder: Path, vendored: bool = True) -> dict[str, bytes]:
    """Every file below `folder`, by relative path (without the site's copied assets
    when `vendored` is False)."""
    found = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    if not vendored:
        found = {path: data for path, data in found.items() if not path.startswith(VENDORED)}
    return found


def xlsx_dump(data: bytes) -> str:
    """A workbook as text: sheets, frozen panes, column widths, and every cell's value or
    formula, number format and weight. Golden tests compare this, not the zip bytes."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    lines = []
    for sheet in book.worksheets:
        lines.append(f"[{sheet.title}] freeze={sheet.freeze_panes}")
        widths = {
            k: round(v.width, 2) for k, v in sorted(sheet.column_dimensions.items()) if v.width
        }
        lines.append(f"  widths={widths}")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                bold = " bold" if cell.font and cell.font.b else ""
                lines.append(f"  {cell.coordinate}={cell.value!r} fmt={cell.number_format!r}{bold}")
    return "\n".join(lines) + "\n"


def _vendored(built: Path, folder: str) -> list[str]:
    here = Path(folder).relative_to(built).as_posix() + "/"
    return ["assets"] if here == "site/" else []


def _comparable(path: str, content: bytes) -> bytes:
    return xlsx_dump(content).encode() if path.endswith(".xlsx") else content


def assert_tree_matches_golden(name: str, built: Path) -> None:
    """The built files equal tests/golden/<name>/expected/ (workbooks as normalized dumps)."""
    expected_dir = GOLDEN / name / "expected"
    if UPDATE_GOLDENS:
        import shutil

        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(built, expected_dir, ignore=lambda folder, names: _vendored(built, folder))
        return
    expected, actual = tree(expected_dir), tree(built, vendored=False)
    assert sorted(actual) == sorted(expected), "files differ from tests/golden/{name}/expected"
    for path, content in expected.items():
        assert _comparable(path, actual[path]) == _comparable(path, content), (
            f"{path} differs from tests/golden/{name}/expected/{path}; if intended, rerun "
            "with CAMPC_UPDATE_GOLDENS=1 and review the diff"
        )
