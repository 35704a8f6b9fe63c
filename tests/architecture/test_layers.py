"""The layers hold: the base (speech/, vision/) knows nothing above it, the core (assistant/) knows neither the
web edge nor the dialogue actions. Checked on the imports of every module, including imports inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# package → the first-party packages it must never import
FORBIDDEN: dict[str, set[str]] = {
    "speech": {"assistant", "server", "actions", "vision"},
    "vision": {"assistant", "server", "actions", "speech"},
    "assistant": {"server", "actions"},
    "actions": {"server"},
}


def _imported_packages(path: Path) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {(alias.name.split(".")[0], node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add((node.module.split(".")[0], node.lineno))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_nothing_above_it(package: str) -> None:
    offences = [f"{path.relative_to(ROOT)}:{line} imports {name}"
                for path in sorted((ROOT / package).rglob("*.py"))
                for name, line in sorted(_imported_packages(path)) if name in FORBIDDEN[package]]
    assert offences == []


def test_runtime_packages_hold_no_benchmarks_or_test_helpers() -> None:
    """Benchmarks live in bench/, test helpers in tests/: nothing a user installs carries them."""
    offences = [str(path.relative_to(ROOT)) for package in ("assistant", "speech", "vision", "server", "actions")
                for path in (ROOT / package).rglob("*.py")
                if path.stem in ("bench", "synth", "synthetic", "fakes") or path.stem.startswith("test_")]
    assert offences == []


def test_every_runtime_module_imports() -> None:
    """mypy ignores imports it cannot find; this does not: a module moved or deleted breaks here first."""
    import importlib
    import pkgutil

    broken = []
    for package in ("assistant", "actions", "server", "speech", "vision"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if ".migrations." in module.name or module.name.endswith((".migrations", "__main__")):
                continue  # Alembic loads its environment and versions itself; __main__ runs the CLI
            try:
                importlib.import_module(module.name)
            except ImportError as error:
                broken.append(f"{module.name}: {error}")
    assert broken == []
