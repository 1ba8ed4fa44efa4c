"""One source of truth for colours, symbols and labels, used by every figure and table.

Colours are colour-blind safe: responses follow the oncology convention (CR dark blue, PR light
blue, SD grey, PD vermilion, NE light grey), categorical sets use the Okabe–Ito palette
(Okabe & Ito 2008, "Color Universal Design"), CTCAE grades a single-hue sequential ramp so that
order reads by lightness even without colour vision.
"""

from __future__ import annotations

BOR_ORDER = ("CR", "PR", "SD", "PD", "NE")
BOR_COLORS = {
    "CR": "#08306B",
    "PR": "#6BAED6",
    "SD": "#8C8C8C",
    "PD": "#D55E00",
    "NE": "#D9D9D9",
}
BOR_LABELS = {
    "CR": "Complete response (CR)",
    "PR": "Partial response (PR)",
    "SD": "Stable disease (SD)",
    "PD": "Progressive disease (PD)",
    "NE": "Not evaluable (NE)",
}
MISSING_COLOR = "#BDBDBD"

OKABE_ITO = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
)
# Beyond 8 categories: the Okabe–Ito colours at two lighter/darker shades keep contrast.
EXTENDED = OKABE_ITO + ("#B07A00", "#2E86C1", "#006D50", "#B8A800", "#004F7C", "#9A4400", "#99557A", "#555555")

GRADE_COLORS = {
    1: "#FEE08B",
    2: "#FDAE61",
    3: "#D73027",
    4: "#7F0000",
    5: "#1A1A1A",
}
GRADE_LABELS = {1: "Grade 1", 2: "Grade 2", 3: "Grade 3", 4: "Grade 4", 5: "Grade 5"}

P95_ORDER = ("Positive", "Negative", "Not assessable", "Missing")
P95_COLORS = {
    "Positive": "#CC79A7",
    "Negative": "#009E73",
    "Not assessable": "#D9D9D9",
    "Missing": MISSING_COLOR,
}

# As lines (KM curves, trajectories) light greys would vanish: darker shades of the same meaning.
P95_LINE_COLORS = {**P95_COLORS, "Not assessable": "#8C8C8C", "Missing": "#6E6E6E"}

# Drugs of a regimen: fixed colours by position in the config's regimen list.
DRUG_COLORS = ("#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")

REFERENCE_LINE = {"color": "#444444", "width": 1.2, "dash": "dash"}
ZERO_LINE = {"color": "#222222", "width": 1}
GUIDE_LINE = {"color": "#999999", "width": 1, "dash": "dot"}  # a target or threshold, not a rule

# Swimmer and profile event markers: distinct shapes, so they read in greyscale too.
EVENT_MARKERS = {
    "response": {"symbol": "triangle-up", "color": "#08306B", "size": 11, "label": "First response (CR/PR)"},
    "confirmation": {"symbol": "diamond-open", "color": "#08306B", "size": 10, "label": "Response confirmed"},
    "progression": {"symbol": "x", "color": "#D55E00", "size": 11, "label": "Progression (PD)"},
    "death": {"symbol": "square", "color": "#000000", "size": 9, "label": "Death"},
    "dose_reduction": {"symbol": "triangle-down", "color": "#E69F00", "size": 12, "label": "Dose reduced"},
    "dose_hold": {"symbol": "line-ns", "color": "#7F4F00", "size": 11, "label": "Dose held"},
    "ae_g3": {"symbol": "circle", "color": "#D73027", "size": 8, "label": "Grade ≥3 adverse event"},
    "ongoing": {"symbol": "arrow-right", "color": "#222222", "size": 12, "label": "On treatment at the cut"},
    "new_lesion": {"symbol": "asterisk", "color": "#D55E00", "size": 10, "label": "New lesion"},
}

POPULATION_LABELS = {
    "EFFFL": "Response-evaluable population",
    "SAFFL": "Safety population (all treated)",
    "ALL": "All enrolled",
}

FONT_FAMILY = "Inter, 'Helvetica Neue', Arial, sans-serif"


def categorical_colors(values: list[str]) -> dict[str, str]:
    """Stable colours for categories (e.g. sites) in their given order."""
    return {v: EXTENDED[i % len(EXTENDED)] for i, v in enumerate(values)}


def bor_color(bor: str | None) -> str:
    return BOR_COLORS.get(str(bor), MISSING_COLOR)
