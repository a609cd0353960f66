"""What the layer contracts can't say. The layers themselves (db ← domain ← reports ← UI, CLI,
web; Streamlit only in the UI; pages never import each other and write no SQL) are import-linter
contracts in pyproject.toml, run by `make test` (`lint-imports`); this test checks that they
are there and run in `make test`, and the rest."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_layer_contracts_are_configured_and_run_by_make_test() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    by_source = {tuple(c.get("source_modules", c.get("modules", []))): c for c in contracts}
    assert by_source[("db",)]["forbidden_modules"] == ["portfolio", "reports", "streamlit"]
    assert "reports" in by_source[("reports",)]["source_modules"]
    domain = next(c for c in contracts if "portfolio.services" in c.get("source_modules", []))
    assert {"streamlit", "portfolio.ui", "portfolio.cli", "reports"} <= set(
        domain["forbidden_modules"]
    )
    assert any(c["type"] == "independence" for c in contracts)
    assert not any(c.get("ignore_imports") for c in contracts)  # no exemptions
    # every top-level module of the domain is under the domain contract
    top = {p.stem for p in (ROOT / "portfolio").glob("*.py") if p.stem != "__init__"}
    packages = {p.name for p in (ROOT / "portfolio").iterdir() if (p / "__init__.py").exists()}
    listed = {m.split(".", 1)[1] for m in domain["source_modules"]}
    assert (top | packages) - listed == {"ui", "cli", "web"}
    assert "lint-imports" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_defusedxml_guards_openpyxl() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_no_private_name_is_imported_from_another_module() -> None:
    """``_x`` is a module's own: another module that needs it needs a public name."""
    import ast

    found = []
    for folder in ("db", "portfolio", "reports"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.ImportFrom)
                    and node.module
                    and node.level == 0
                    and node.module.split(".")[0] in ("db", "portfolio", "reports")
                ):
                    found += [
                        f"{path.relative_to(ROOT)}: {node.module}.{a.name}"
                        for a in node.names
                        if a.name.startswith("_")
                    ]
    assert found == []


def test_the_soft_delete_condition_is_written_once() -> None:
    """Rows in use are ``Model.active()`` (db.models.base.Archivable), never a hand-written
    ``archived`` condition in a query."""
    import re

    hand_written = re.compile(r"\.archived\.is_\(False\)|\.archived\s*==\s*False")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("portfolio", "reports", "db")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if hand_written.search(line) and path != ROOT / "db" / "models" / "base.py"
    ]
    assert found == []
