"""One source of truth for colours, symbols and labels, used by every figure and table.

Colours are colour-blind safe: responses follow the oncology convention (CR dark blue, PR light
blue, SD grey, PD vermilion, NE light grey), categorical sets use the Okabe–Ito palette
(Okabe & Ito 2008, "Color Universal Design"), CTCAE grades a single-hue sequential ramp so that
order reads by lightness even without colour vision.
"""

from __future__ import annotations

from components.i18n import N_

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
    "CR": N_("Complete response (CR)"),
    "PR": N_("Partial response (PR)"),
    "SD": N_("Stable disease (SD)"),
    "PD": N_("Progressive disease (PD)"),
    "NE": N_("Not evaluable (NE)"),
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
GRADE_LABELS = {1: N_("Grade 1"), 2: N_("Grade 2"), 3: N_("Grade 3"), 4: N_("Grade 4"), 5: N_("Grade 5")}

P95_ORDER = ("Positive", "Negative", "Not assessable", "Missing")
# data values, shown translated: _(P95_LABELS[v])
P95_LABELS = {v: v for v in (N_("Positive"), N_("Negative"), N_("Not assessable"), N_("Missing"))}
P95_COLORS = {
    "Positive": "#CC79A7",
    "Negative": "#009E73",
    "Not assessable": "#D9D9D9",
    "Missing": MISSING_COLOR,
}

# As lines (KM curves, trajectories) light greys would vanish: darker shades of the same meaning.
P95_LINE_COLORS = {**P95_COLORS, "Not assessable": "#8C8C8C", "Missing": "#6E6E6E"}

# Drugs of a regimen: fixed colours by position in the config's regimen list.
#: A drug's dose changes on the swimmer (shape: reduced ▼ or held ■; colour: the drug, in regimen order):
#: Okabe–Ito colours that none of the response bars (blues, grey, vermilion) uses.
SWIMMER_DRUG_COLORS = ("#E69F00", "#009E73", "#CC79A7", "#F0E442", "#7F4F00")
DRUG_COLORS = ("#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")

REFERENCE_LINE = {"color": "#444444", "width": 1.2, "dash": "dash"}
ZERO_LINE = {"color": "#222222", "width": 1}
GUIDE_LINE = {"color": "#999999", "width": 1, "dash": "dot"}  # a target or threshold, not a rule

# Swimmer and profile event markers: distinct shapes, so they read in greyscale too.
EVENT_MARKERS = {
    "response": {"symbol": "triangle-up", "color": "#08306B", "size": 11, "label": N_("First response (CR/PR)")},
    "confirmation": {"symbol": "diamond-open", "color": "#08306B", "size": 10, "label": N_("Response confirmed")},
    "progression": {"symbol": "x", "color": "#D55E00", "size": 11, "label": N_("Progression (PD)")},
    "death": {"symbol": "square", "color": "#000000", "size": 9, "label": N_("Death")},
    "dose_reduction": {"symbol": "triangle-down", "color": "#E69F00", "size": 12, "label": N_("Dose reduced")},
    "dose_hold": {"symbol": "square", "color": "#7F4F00", "size": 9, "label": N_("Dose held")},
    "ae_g3": {"symbol": "circle", "color": "#D73027", "size": 8, "label": N_("Grade ≥3 adverse event")},
    "ongoing": {"symbol": "arrow-right", "color": "#222222", "size": 12, "label": N_("On treatment at the cut")},
    "new_lesion": {"symbol": "asterisk", "color": "#D55E00", "size": 10, "label": N_("New lesion")},
}

POPULATION_LABELS = {
    "EFFFL": N_("Response-evaluable population"),
    "SAFFL": N_("Safety population (all treated)"),
    "ALL": N_("All enrolled"),
}

# Headers on screen of the columns the app derives (the data's own columns take theirs from the data
# dictionary's "header" column).
COLUMN_HEADERS = {
    "BOR": N_("Best overall response"), "BOR_DETAIL": N_("BOR (detail)"), "DERIVED": N_("BOR (app)"), "GIVEN": N_("BOR (ADRS)"),
    "SOURCE": N_("BOR from"), "BEST_PCHG": N_("Best % change"), "N_POST": N_("Post-baseline scans"), "RESP_DATE": N_("First response"),
    "CONF_DATE": N_("Confirmed"), "PD_DATE": N_("First PD"), "N_ASSESS": N_("Assessments"), "NOT_YET": N_("Too early to assess"), "NEW_LESION": N_("New lesion"),
    "LAST_ADEQUATE": N_("Last adequate assessment"), "SD_END": N_("Disease control until"), "CR_THEN_PR": N_("CR then PR"),
    "UNCONFIRMED_RESP": N_("Unconfirmed response"), "WEEK": N_("Week"), "NADIR": N_("Nadir"), "PCHG_NADIR": N_("% change from nadir"),
    "OVR": N_("Visit response"), "EVENT": N_("Event (1 = yes)"), "DAYS": N_("Days"), "STATUS": N_("Status (1 event, 2 competing, 0 censored)"),
    "FIRST": N_("First episode"), "DOSE": N_("Dose"), "DRUG": N_("Drug"), "KIND": N_("Kind"), "DATE": N_("Date"), "DETAIL": N_("Detail"),
    "TOTAL": N_("Delivered"), "PLANNED": N_("Planned"), "RDI": N_("RDI"), "ONGOING": N_("On treatment"), "END": N_("Last dose or cut-off"),
    "BEFORE": N_("Before"), "NOW": N_("Now"), "BASE_VAF": N_("Baseline VAF"), "EARLY_VAF": N_("Early VAF"), "PCT_CHANGE": N_("% change"),
    "CLEARED": N_("Cleared"), "BASE_DETECTED": N_("Detected at baseline"), "MOLECULAR_RESPONSE": N_("Molecular response"),
    "VALUE": N_("Value"), "RESPONDER": N_("Response"), "LABEL": N_("Patient (short)"), "FU_END": N_("Follow-up until"),
    "DETECTED": N_("Detected"), "PLOT_VAL": N_("Plotted value"), "DAY": N_("Day"), "N": N_("N"), "PATIENTS": N_("Patients"),
    "TTR_DAYS": N_("Time to response (days)"), "TTR_WEEKS": N_("Time to response (weeks)"),
    # data quality by site (components/analyses/quality.py)
    # (short: under the titles "Tumour scans by site" and "Protocol deviations by site", nine columns fit 1024 px)
    "SITE": N_("Site"), "ENROLLED": N_("Enrolled"), "TREATED": N_("Treated"), "EXPECTED": N_("Expected"),
    "SCANS": N_("Done"), "MISSED": N_("Missed"), "FOLLOWED": N_("Followed"),
    "OVERDUE": N_("Overdue now"), "AWAITING": N_("Awaiting first scan"),
    "MISSED_PTS": N_("Patients missing a scan"), "EXPECTING": N_("Patients with a scan expected"), "ELIG_DEV": N_("Eligibility"), "DOSE_DEV": N_("Dosing"),
    "ANY_DEV": N_("Any deviation"), "SCORE": N_("Score (gsm)"), "FLAG": N_("Flag"),
    "SCAN_STATUS": N_("Scan status"), "LAST_SCAN": N_("Last scan"), "NEXT_DUE": N_("Next scan due"),
    "DAYS_OVERDUE": N_("Days overdue"), "CATEGORY": N_("Category"), "DEVIATION": N_("Deviation"),
}

# Latin text in Inter/Arial; Chinese in Noto Sans CJK SC (Debian fonts-noto-cjk, installed by scripts/test) or
# the viewer's system CJK font: without one, Chinese is drawn as empty boxes in PNG exports and slides.
CJK_FONT = "Noto Sans CJK SC"
FONT_FAMILY = f"Inter, 'Helvetica Neue', Arial, '{CJK_FONT}', 'Microsoft YaHei', 'PingFang SC', sans-serif"


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
