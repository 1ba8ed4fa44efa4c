"""The floors of components/ (README, "The layers"): each imports only the floors below it; only
components/ui calls Streamlit; every colour is defined in components/figures/style.py."""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import ROOT

FLOORS = ["data", "stats", "figures", "analyses", "reports", "audit", "ui"]
ALLOWED = {
    "data": {"data"},
    "stats": {"data", "stats"},
    "figures": {"data", "stats", "figures"},
    "analyses": {"data", "stats", "figures", "analyses"},
    "reports": {"data", "stats", "figures", "analyses", "reports"},
    "audit": {"data", "figures", "audit"},  # the audit trail's store: no analysis, no Streamlit
    "ui": {"data", "stats", "figures", "analyses", "reports", "audit", "ui"},
}
MODULES = sorted(p for p in (ROOT / "components").rglob("*.py") if p.parent.name in FLOORS)


def _imports(path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_floor_imports_only_the_floors_below(path):
    floor = path.parent.name
    for mod in _imports(path):
        parts = mod.split(".")
        if parts[0] == "components" and len(parts) > 1 and parts[1] in FLOORS:
            assert parts[1] in ALLOWED[floor], f"{path.relative_to(ROOT)} ({floor}) imports {mod}"
        if parts[0] == "streamlit":
            assert floor == "ui", f"{path.relative_to(ROOT)} calls Streamlit"


def test_every_colour_lives_in_style():
    pattern = re.compile(r"#[0-9A-Fa-f]{6}\b|rgba\(\d")
    style = ROOT / "components" / "figures" / "style.py"
    offenders = []
    for path in [*(ROOT / "components").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        if path != style:
            offenders += [f"{path.relative_to(ROOT)}:{i}" for i, line in enumerate(path.read_text().splitlines(), 1)
                          if pattern.search(line)]
    assert offenders == []
