"""One direction of dependency: db ← portfolio ← ui; Streamlit only in the UI."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "portfolio" / "ui"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_streamlit_only_in_the_ui() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("db", "portfolio", "reports", "migrations")
        for p in python_files(folder)
        if UI not in p.parents
        and any(n == "streamlit" or n.startswith("streamlit.") for n in imports_of(p))
    ]
    assert offenders == []


def test_db_depends_on_nothing_of_ours() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in python_files("db")
        if any(n.split(".")[0] in ("portfolio", "reports") for n in imports_of(p))
    ]
    assert offenders == []


def test_services_do_not_import_ui_or_reports() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in python_files("portfolio")
        if UI not in p.parents
        and any(n.startswith("portfolio.ui") or n.split(".")[0] == "reports" for n in imports_of(p))
        and "cli" not in p.parts
        and "web" not in p.parts
    ]
    assert offenders == []


def test_ui_pages_do_not_write_sql() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted(UI.rglob("*.py"))
        if any(
            n in ("sqlalchemy", "sqlite3", "psycopg") or n.startswith("sqlalchemy.")
            for n in imports_of(p)
        )
        and p.name != "runtime.py"
    ]
    assert offenders == []


def test_defusedxml_guards_openpyxl() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
