"""How the test suite is laid out: fixtures live in tests/fixtures/ and load through the root
conftest's ``pytest_plugins``; no file under tests/ imports from a conftest."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def conftest_imports(path: Path) -> list[str]:
    """The modules named ``conftest`` (or ``….conftest``) that ``path`` imports from."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module or ''}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [n for n in names if "conftest" in n.split(".")]
    return found


def test_no_file_under_tests_imports_from_a_conftest() -> None:
    found = [
        f"{path.relative_to(TESTS)}: {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for name in conftest_imports(path)
    ]
    assert found == []


def test_the_root_conftest_only_lists_the_fixture_plugins() -> None:
    tree = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    body = [
        n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
    ]
    assert len(body) == 1 and isinstance(body[0], ast.Assign)
    assert [t.id for t in body[0].targets if isinstance(t, ast.Name)] == ["pytest_plugins"]
    plugins = ast.literal_eval(body[0].value)
    assert plugins[0] == "tests.fixtures.base"  # pins the clock before anything imports the app
    modules = {f"tests.fixtures.{p.stem}" for p in (TESTS / "fixtures").glob("*.py")}
    assert set(plugins) == modules - {"tests.fixtures.__init__"}


def test_every_test_folder_is_a_package() -> None:
    folders = {p.parent for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts}
    assert [
        str(f.relative_to(TESTS)) for f in sorted(folders) if not (f / "__init__.py").exists()
    ] == []
