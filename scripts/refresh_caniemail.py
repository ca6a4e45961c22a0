"""Refresh campc's copy of caniemail's data from the npm registry.

    python scripts/refresh_caniemail.py [VERSION]

Downloads the `caniemail` package (`npm pack`, the latest version by default), checks
that it is still MIT-licensed, and writes its `data/caniemail.json` and licence into
`compiler/conventions/`. Review the diff (`git diff --stat`, then `campc check` on the
example: new data can add EMAIL021 findings) and commit it with the data's date.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "compiler" / "conventions"


def main(version: str = "latest") -> int:
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        packed = (
            subprocess.run(
                ["npm", "pack", f"caniemail@{version}", "--silent"],
                cwd=here,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        with tarfile.open(here / packed) as archive:
            archive.extractall(here, filter="data")
        package = here / "package"
        licence = (package / "LICENSE").read_text(encoding="utf-8")
        if not licence.startswith("MIT License"):
            print("caniemail is no longer MIT-licensed: not copied", file=sys.stderr)
            return 1
        data = json.loads((package / "data" / "caniemail.json").read_text(encoding="utf-8"))
        if not {"last_update_date", "nicenames", "data"} <= set(data):
            print("caniemail's data has a new shape: not copied", file=sys.stderr)
            return 1
        shutil.copyfile(package / "data" / "caniemail.json", TARGET / "caniemail.json")
        shutil.copyfile(package / "LICENSE", TARGET / "LICENSE-caniemail")
        release = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
        print(
            f"caniemail {release}, data of {data['last_update_date']}: {len(data['data'])} features"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
