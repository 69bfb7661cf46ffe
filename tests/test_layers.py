"""The layers import one way: activities → housing → lamb_binh (the project)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each app must never import (the layers above it).
FORBIDDEN = {
    "activities": ("housing", "lamb_binh"),
    "housing": ("lamb_binh",),
}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_the_reader_sees_imports_of_every_form(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import housing.models\nfrom lamb_binh import settings\n"
        "def later():\n    from lamb_binh.dashboard import reports\n"
    )
    assert imported_modules(sample) == {"housing.models", "lamb_binh", "lamb_binh.dashboard"}


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_never_imports_a_layer_above_it(app):
    wrong = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if module.split(".")[0] in FORBIDDEN[app]
    ]
    assert wrong == []
