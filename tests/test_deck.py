"""Issue 20: the deck's slides, checked by machine: every shape inside the slide, no two text or
picture shapes overlapping, tables paginated, provenance in the speaker notes."""

from __future__ import annotations

import io
import re
from itertools import combinations

import pytest

from components.data.config import load_config
from components.data.datasets import load_cut
from components.reports.deck import build_deck, table_pages
from components.reports.report import build_report
from tests.conftest import DEMO_DIR, ROOT, demo_cuts


def _boxes(slide) -> list[tuple[str, float, float, float, float]]:
    emu = 914400
    return [(sh.name, sh.left / emu, sh.top / emu, sh.width / emu, sh.height / emu) for sh in slide.shapes]


def _overlap(a, b) -> float:
    _, ax, ay, aw, ah = a
    _, bx, by, bw, bh = b
    w = min(ax + aw, bx + bw) - max(ax, bx)
    h = min(ay + ah, by + bh) - max(ay, by)
    return w * h if w > 1e-6 and h > 1e-6 else 0.0


def check_geometry(data: bytes) -> list[str]:
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    W, H = prs.slide_width / 914400, prs.slide_height / 914400
    problems = []
    for n, slide in enumerate(prs.slides, start=1):
        boxes = _boxes(slide)
        for name, x, y, w, h in boxes:
            if x < 0 or y < 0 or x + w > W + 1e-6 or y + h > H + 1e-6:
                problems.append(f"slide {n}: {name} outside the slide ({x:.2f}, {y:.2f}, {w:.2f}×{h:.2f})")
        for a, b in combinations(boxes, 2):
            if _overlap(a, b):
                problems.append(f"slide {n}: {a[0]} overlaps {b[0]}")
    return problems


@pytest.fixture(scope="module")
def default_deck() -> bytes:
    cuts = demo_cuts()
    return build_deck(load_cut(cuts[-1]), load_config(), load_cut(cuts[-2]))


def test_no_shape_overlaps_or_leaves_the_slide_in_the_default_deck(default_deck):
    assert check_geometry(default_deck) == []


def test_every_slide_carries_provenance_in_its_notes(default_deck):
    from pptx import Presentation

    prs = Presentation(io.BytesIO(default_deck))
    for slide in prs.slides:
        notes = slide.notes_slide.notes_text_frame.text
        assert "Data cut-off 2026-11-01" in notes
        assert re.search(r"adsl: adsl\.csv sha256 [0-9a-f]{64}", notes)
        assert "Study config: study.toml" in notes and "App version: git" in notes


def test_the_response_table_slide_has_one_row_per_category():
    from pptx import Presentation

    items = [i for i in build_report(load_cut(DEMO_DIR), load_config()) if i.key == "response_table"]
    data = build_deck(load_cut(DEMO_DIR), load_config(), items=items)
    slide = Presentation(io.BytesIO(data)).slides[1]
    (table,) = [sh.table for sh in slide.shapes if sh.has_table]
    first = [r.cells[0].text for r in table.rows]
    assert first[0] == "Category" and len(first) == len(set(first))  # no category repeated per population


def test_a_long_table_is_paginated_and_stays_inside_the_slides():
    import pandas as pd

    from components.reports.report import ReportItem

    long = pd.DataFrame({"Preferred term": [f"Term {i} with a fairly long MedDRA name" for i in range(45)],
                         "Patients": range(45)})
    pages = table_pages(long)
    assert sum(len(p) for p in pages) == 45 and len(pages) == 3
    data = build_deck(load_cut(DEMO_DIR), load_config(), items=[ReportItem("long", "A long listing", table=long,
                                                                           note="A note under the table.")])
    assert check_geometry(data) == []
    from pptx import Presentation

    titles = [s.shapes[0].text_frame.text for s in Presentation(io.BytesIO(data)).slides][1:]
    assert titles == ["A long listing (1/3)", "A long listing (2/3)", "A long listing (3/3)"]


def test_the_deck_of_another_studys_cut_is_clean():
    """The CDISC-style cut in generic mode: also inside the slides, no overlap."""
    from dataclasses import replace

    from components.data.study_match import match_study

    cut = load_cut(ROOT / "data" / "demo-cdisc")
    config = match_study(cut, load_config()).config
    items = [replace(i, figure=None) for i in build_report(cut, config)]
    assert check_geometry(build_deck(cut, config, items=items)) == []


def _add_everything(at, clicked: list[str] | None = None) -> int:
    """Click every 'Add to meeting deck' button on every page and lazy tab; returns the clicks (the
    keys clicked go to ``clicked``)."""
    from tests.walk import walk

    clicks = 0

    def click_all(at) -> None:
        nonlocal clicks
        for b in [b for b in at.button if str(b.key).startswith("deck_add_") and not b.disabled]:
            at.button(key=b.key).click().run()
            clicks += 1
            if clicked is not None:
                clicked.append(str(b.key).removeprefix("deck_add_"))

    found = walk(at, each=click_all)
    assert not any(v for v in found.values() if any(p.startswith("exception") for p in v)), found
    return clicks


def test_the_deck_built_from_the_screen_with_every_addable_item(app_factory):
    from components.reports.meeting import meeting_deck
    from components.ui.deck_builder import DECK_KEY

    at = app_factory()
    clicked: list[str] = []
    clicks = _add_everything(at, clicked)
    deck = at.session_state[DECK_KEY]
    assert clicks >= 15 and len(deck) == clicks
    # tables too, not only figures: the site table, listings, the exposure summary, the patient's tabs
    for key in ("site_table", "response_listing", "exposure_summary", "focus_distribution", "designs",
                "operating_characteristics", "p95_fisher", "ctdna_clearance"):
        assert key in clicked, key
    assert any(k.startswith("patient_") for k in clicked)
    assert all(item.note.startswith(("Settings:", "No filters", "Filters:")) for item in deck)
    # the sidebar lists them (once its panel is opened), and reorders and removes
    first, second = deck[0].title, deck[1].title
    assert "deck_down_0" not in [b.key for b in at.button]  # a closed panel draws nothing
    at.session_state["deck_panel"] = True
    at.run()
    at.button(key="deck_down_0").click().run()
    assert [i.title for i in at.session_state[DECK_KEY][:2]] == [second, first]
    at.button(key="deck_del_0").click().run()
    assert len(at.session_state[DECK_KEY]) == clicks - 1
    cuts = demo_cuts()
    # every item's slide; pictures of the first three only (the default deck's test renders them all: the
    # picture box is the same for every figure)
    from dataclasses import replace

    items = [i if k < 3 else replace(i, figure=None, table=i.table if i.table is not None else _stub(i.title))
             for k, i in enumerate(at.session_state[DECK_KEY])]
    data = meeting_deck(items, load_cut(cuts[-1]), load_config(), load_cut(cuts[-2]))
    assert check_geometry(data) == []
    from pptx import Presentation

    slides = Presentation(io.BytesIO(data)).slides
    assert len(slides) >= clicks + 1  # title, since-last-cut summary, every item (long tables on several)
    assert "Since the last cut" in slides[1].shapes[0].text_frame.text


def test_a_slide_keeps_the_settings_and_filters_in_its_footnote(app_factory):
    from components.ui.deck_builder import DECK_KEY

    at = app_factory()
    at.run()
    at.switch_page("pages/response.py").run()
    at.multiselect(key="flt_SITEID").select("01").run()
    at.toggle(key="wf_letters").set_value(True).run()
    at.button(key="deck_add_waterfall").click().run()
    (item,) = at.session_state[DECK_KEY]
    assert "best-response letters on the bars" in item.note and "Site: 01" in item.note
    assert item.title.endswith("— Site: 01")  # the filters in the title too, not only the footnote
    assert "=" not in item.note.split("Filters")[0]  # settings in words, not "letters = True"


def _stub(title: str):
    import pandas as pd

    return pd.DataFrame({"Figure": [title]})


def test_the_deck_opens_with_a_summary_and_its_titles_state_the_results():
    """Issue 36 item 4: a one-page summary after the title slide, and titles that state the result
    ("ORR 33% (6/18): above H0 21%, below the 43% target so far"), their numbers the analyses' own."""
    from components.analyses.response import ResponseOptions, response_overview
    from components.reports.report import build_report

    cuts = demo_cuts()
    cut, config = load_cut(cuts[-1]), load_config()
    items = build_report(cut, config, load_cut(cuts[-2]))
    assert items[0].key == "summary"
    pe = response_overview(cut, config, ResponseOptions()).detail.decision
    primary = next(i for i in items if i.key == "primary")
    rate = pe.responders / pe.evaluable
    assert primary.title.startswith(f"ORR {rate:.0%} ({pe.responders}/{pe.evaluable}) so far (H0 21%, H1 43%); ")
    assert f"{pe.more_needed} more responders needed (≥ {pe.rule.critical} of {pe.rule.n})" in primary.title
    table = next(i for i in items if i.key == "response_table").table
    assert "Too early to assess (not in N)" in list(table.iloc[:, 0])  # the patients the N leaves out, in the table
    summary = items[0].table
    assert primary.title in list(summary.iloc[:, 1])
    topics = list(summary.iloc[:, 0])
    for topic in ("Enrollment", "Primary endpoint", "Safety", "Data quality"):
        assert topic in topics, topics
    safety = next(i for i in items if i.key == "safety")
    assert safety.title.startswith("Grade ≥3 adverse events in ") and "patients" in safety.title
