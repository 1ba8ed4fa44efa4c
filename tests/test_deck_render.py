"""Issue 36 item 4: every deck, drawn by LibreOffice, keeps every line of text inside its box and the slide
— the default deck and the deck of every item a user can add from the screen, on the single-arm and the
phase III demo, in English and Chinese. The shape-geometry check (tests/test_deck.py) passed on decks
whose titles ran over their subtitles and whose tables ran off the slide; this one reads the drawn text.

Needs Debian's libreoffice-impress and poppler-utils (scripts/test installs them); under CI=true their
absence is a failure, elsewhere a skip."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from components.data.config import load_config
from components.data.datasets import load_cut
from components.i18n import using
from components.reports.deck import build_deck
from tests import slide_render
from tests.conftest import ROOT

if not slide_render.available():
    if os.environ.get("CI") == "true":
        raise RuntimeError("LibreOffice (soffice) and poppler (pdftotext) are needed: apt-get install "
                           "libreoffice-impress poppler-utils")
    pytest.skip("LibreOffice or poppler is not installed", allow_module_level=True)

STUDIES = {"single-arm": (ROOT / "data" / "demo", ROOT / "data" / "study.toml"),
           "phase3": (ROOT / "data" / "demo-phase3", ROOT / "data" / "phase3_demo.toml")}


def _cuts(folder: Path):
    cuts = sorted(p for p in folder.iterdir() if p.is_dir())
    return load_cut(cuts[-1]), load_cut(cuts[-2])


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("study", sorted(STUDIES))
def test_the_default_deck_keeps_its_text_in_its_boxes(study, lang, tmp_path):
    folder, config = STUDIES[study]
    cut, previous = _cuts(folder)
    with using(lang):
        data = build_deck(cut, load_config(config), previous)
    found = slide_render.check(data, tmp_path)
    assert not found, "\n".join(map(str, found))


def _every_item_deck(app_factory, monkeypatch, study: str, lang: str) -> bytes:
    """The deck of every item the screen can add (AppTest clicks every "Add to meeting deck" button on every
    page and tab), with the pictures left out: a picture has no text to check, and the default deck's test
    draws every figure."""
    from components.reports.meeting import meeting_deck
    from components.ui.deck_builder import DECK_KEY
    from tests.test_deck import _add_everything

    folder, config = STUDIES[study]
    monkeypatch.setenv("TRIAL_STUDY_CONFIG", str(config))
    at = app_factory(folder, query={"lang": lang})
    clicks = _add_everything(at)
    items = at.session_state[DECK_KEY]
    assert clicks >= 15 and len(items) == clicks
    items = [replace(i, figure=None) for i in items]
    cut, previous = _cuts(folder)
    with using(lang):
        return meeting_deck(items, cut, load_config(config), previous)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("study", sorted(STUDIES))
def test_the_deck_of_every_item_keeps_its_text_in_its_boxes(study, lang, app_factory, monkeypatch, tmp_path):
    data = _every_item_deck(app_factory, monkeypatch, study, lang)
    found = slide_render.check(data, tmp_path)
    assert not found, "\n".join(map(str, found))


def test_the_check_finds_text_outside_its_box(tmp_path):
    """The check itself: a title too long for its box (drawn by python-pptx without the deck's fitting)
    is found outside it, and one that fits is not."""
    import io

    from pptx import Presentation
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    for text in ("Short title", "A title far too long for a box one line high, " * 4):
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        frame = slide.shapes.add_textbox(Inches(0.4), Inches(0.2), Inches(8), Inches(0.5)).text_frame
        frame.word_wrap = True
        frame.text = text
        frame.paragraphs[0].font.size = Pt(24)
    out = io.BytesIO()
    prs.save(out)
    found = slide_render.check(out.getvalue(), tmp_path)
    assert found and {f.slide for f in found} == {2}
