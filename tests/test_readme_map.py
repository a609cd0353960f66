"""The README's folder map matches the tree: every path it names exists, and it names every
top-level entry, every package of the product and every module directly in db/, portfolio/
and reports/."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = re.compile(r"^( *)(\S+(?:, \S+)*)(?:\s{2,}|$)")
NAME = re.compile(r"^[\w.-]+/?$")
DESCRIPTION_COLUMN = 16  # names stand left of it, wrapped descriptions right of it


def folder_map() -> list[str]:
    """The paths of the map in the README's Architecture section (indentation: two spaces a
    level; several names on one line are separated by ", ")."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Architecture", 1)[1]
    block = section.split("```", 2)[1]
    paths: list[str] = []
    parents: list[tuple[int, str]] = []  # (indent, folder path)
    for line in block.splitlines()[1:]:
        match = ENTRY.match(line)
        if not match or not line.strip():
            continue
        indent, names = len(match.group(1)), match.group(2).split(", ")
        if indent >= DESCRIPTION_COLUMN or not all(NAME.match(n) for n in names):
            continue  # a continuation line of a description
        while parents and parents[-1][0] >= indent:
            parents.pop()
        base = parents[-1][1] if parents else ""
        for name in names:
            paths.append(base + name)
            if name.endswith("/"):
                parents.append((indent, base + name))
    return paths


def test_every_path_of_the_map_exists() -> None:
    paths = folder_map()
    assert len(paths) > 40
    assert [p for p in paths if not (ROOT / p.rstrip("/")).exists()] == []


def test_the_map_names_every_top_level_entry_package_and_product_module() -> None:
    listed = {p.rstrip("/") for p in folder_map()}
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    top = {t.split("/")[0] for t in tracked if not t.startswith(".")} - {"README.md"}
    packages = {
        str(p.parent.relative_to(ROOT))
        for folder in ("db", "portfolio", "reports")
        for p in (ROOT / folder).rglob("__init__.py")
    }
    modules = {
        str(p.relative_to(ROOT))
        for folder in ("db", "portfolio", "reports")
        for p in (ROOT / folder).glob("*.py")
        if p.name != "__init__.py"
    }
    assert sorted((top | packages | modules) - listed) == []
