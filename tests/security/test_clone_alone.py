"""A clone alone passes its tests: nothing outside docs reads the shared folder beside the project,
and the API specs the fakes validate against are vendored with their licences."""
from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NEEDLES = (b".." + b"/shared", b".." + b"\\shared")  # spelled in parts so this file does not match itself
SPECS = ROOT / "tests" / "fakes" / "specs"


def test_no_tracked_file_outside_docs_reads_the_shared_folder() -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    offenders = []
    for name in filter(None, tracked.decode().split("\0")):
        if name.startswith("docs/") or not (ROOT / name).is_file():
            continue
        text = (ROOT / name).read_bytes()
        if any(needle in text for needle in NEEDLES):
            offenders.append(name)
    assert offenders == []


def test_the_specs_are_vendored_with_their_licences() -> None:
    for spec in ("line/messaging-api.yml", "line/webhook.yml", "telegram/api.json"):
        assert (SPECS / spec).stat().st_size > 1000, spec
    assert "Apache License" in (SPECS / "line" / "LICENSE").read_text()
    assert "MIT" in (SPECS / "telegram" / "LICENSE").read_text()
