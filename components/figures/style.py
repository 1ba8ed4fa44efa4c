"""One source of truth for colours, symbols and labels, used by every figure and table.

Colours are colour-blind safe: responses follow the oncology convention (CR dark blue, PR light
blue, SD grey, PD vermilion, NE light grey), categorical sets use the Okabe–Ito palette
(Okabe & Ito 2008, "Color Universal Design"), CTCAE grades a single-hue sequential ramp so that
order reads by lightness even without colour vision.
"""

from __future__ import annotations

# Named colours of the figures' furniture (text, grids, panels) and accents: every colour a figure uses
# is defined in this module.
BLACK = "#000000"
BLUE = "#0072B2"
BLUE_TINT = "#E6F2FA"
BROWN = "#7F4F00"
DARK_ORANGE = "#B07A00"
DARK_RED = "#7F0000"
GRADE_1 = "#FEE08B"
GRADE_2 = "#FDAE61"
GREEN = "#009E73"
GREEN_TINT = "#E9F6F1"
GREY_40 = "#666666"
GREY_43 = "#6E6E6E"
GREY_53 = "#888888"
GREY_55 = "#8C8C8C"
GREY_60 = "#999999"
GREY_62 = "#9E9E9E"
GREY_73 = "#BBBBBB"
GREY_74 = "#BDBDBD"
GREY_80 = "#CCCCCC"
GREY_85 = "#D9D9D9"
GREY_87 = "#DDDDDD"
GREY_94 = "#F0F0F0"
GREY_95 = "#F2F2F2"
GRID = "#EEEEEE"
INK = "#222222"
NAVY = "#08306B"
NAVY_TITLE = "#0B2545"
NAVY_TINT = "#E8EEF7"
OLIVE = "#B8A800"
ORANGE = "#E69F00"
ORANGE_TINT = "#FDF3E6"
PANEL = "#F3F3F3"
PANEL_LIGHT = "#FAFAFA"
PLUM = "#99557A"
PURPLE = "#CC79A7"
RED = "#D73027"
RUST = "#9A4400"
SKY = "#56B4E9"
TEXT = "#333333"
TEXT_MUTED = "#555555"
TEXT_SOFT = "#444444"
VERMILION = "#D55E00"
WHITE = "#FFFFFF"
YELLOW = "#F0E442"


def rgba(hex_color: str, alpha: float) -> str:
    """A colour of this module with transparency, as plotly's rgba() string."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


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

# Headers on screen of the columns the app derives (the data's own columns take theirs from the data
# dictionary's "header" column).
COLUMN_HEADERS = {
    "BOR": "Best overall response", "BOR_DETAIL": "BOR (detail)", "DERIVED": "BOR (app)", "GIVEN": "BOR (ADRS)",
    "SOURCE": "BOR from", "BEST_PCHG": "Best % change", "N_POST": "Post-baseline scans", "RESP_DATE": "First response",
    "CONF_DATE": "Confirmed", "PD_DATE": "First PD", "N_ASSESS": "Assessments", "NEW_LESION": "New lesion",
    "LAST_ADEQUATE": "Last adequate assessment", "SD_END": "Disease control until", "CR_THEN_PR": "CR then PR",
    "UNCONFIRMED_RESP": "Unconfirmed response", "WEEK": "Week", "NADIR": "Nadir", "PCHG_NADIR": "% change from nadir",
    "OVR": "Visit response", "EVENT": "Event (1 = yes)", "DAYS": "Days", "STATUS": "Status (1 event, 2 competing, 0 censored)",
    "FIRST": "First episode", "DOSE": "Dose", "DRUG": "Drug", "KIND": "Kind", "DATE": "Date", "DETAIL": "Detail",
    "TOTAL": "Delivered", "PLANNED": "Planned", "RDI": "RDI", "ONGOING": "On treatment", "END": "Last dose or cut-off",
    "BEFORE": "Before", "NOW": "Now", "BASE_VAF": "Baseline VAF", "EARLY_VAF": "Early VAF", "PCT_CHANGE": "% change",
    "CLEARED": "Cleared", "BASE_DETECTED": "Detected at baseline", "MOLECULAR_RESPONSE": "Molecular response",
    "VALUE": "Value", "RESPONDER": "Response", "LABEL": "Patient (short)", "FU_END": "Follow-up until",
    "DETECTED": "Detected", "PLOT_VAL": "Plotted value", "DAY": "Day", "N": "N", "PATIENTS": "Patients",
    "TTR_DAYS": "Time to response (days)", "TTR_WEEKS": "Time to response (weeks)",
}

FONT_FAMILY = "Inter, 'Helvetica Neue', Arial, sans-serif"


def categorical_colors(values: list[str]) -> dict[str, str]:
    """Stable colours for categories (e.g. sites) in their given order."""
    return {v: EXTENDED[i % len(EXTENDED)] for i, v in enumerate(values)}


def arm_colors(present: list[str], order: list[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """Arms in the study's display order (the config's ``arms``, then any others sorted) and their
    colours: the same arm has the same colour in every figure (KM, waterfall, swimmer, RDI, forest)."""
    seen = set(present)
    cats = [a for a in (order or []) if a in seen] + sorted(seen - set(order or []))
    return cats, categorical_colors(cats)


def bor_color(bor: str | None) -> str:
    return BOR_COLORS.get(str(bor), MISSING_COLOR)


def p_value_text(p: float, digits: int = 3) -> str:
    """'p = 0.042', or 'p < 0.001' below the shown precision (never 'p = 0.000'); '—' when undefined."""
    if p != p:
        return "p = —"
    floor = 10 ** -digits
    return f"p < {floor:.{digits}f}" if p < floor else f"p = {p:.{digits}f}"
