"""The research tools stay runnable, and the product packages never import them."""

import ast
import subprocess
import sys

import pytest
from support import ROOT

COMMANDS = [
    "research.compare",
    "research.discard",
    "research.latency",
    "research.learning_curve",
    "research.retrain_cost",
]


@pytest.mark.parametrize("module", COMMANDS)
def test_each_research_command_starts(module):
    result = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert f"python -m {module}" in result.stdout


def imported(path) -> set[str]:
    """Return the top-level packages a source file imports (relative imports left out)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["service", "model"])
def test_the_product_imports_no_research(package):
    sources = sorted((ROOT / package).rglob("*.py"))

    assert sources
    assert [str(path) for path in sources if "research" in imported(path)] == []
