"""The steering-committee deck (PowerPoint, python-pptx) and a self-contained HTML report with the
interactive figures, built from :mod:`components.reports.report` — the pages' own figure builders.

Command line, for a nightly job (no app needed):

    python -m components.reports.deck --data data/demo --out deck.pptx --html report.html

``--data`` is a cut folder or a cuts directory (then the newest cut, compared with the one before).
"""

from __future__ import annotations

import argparse
import html
import io
import sys
from pathlib import Path

import pandas as pd

from components.analyses.base import Filters
from components.data.config import StudyConfig, load_config
from components.data.datasets import DataCut, list_cuts, load_cut
from components.data.study_match import match_study
from components.figures.export import image_server, to_image
from components.figures.plotting import SYNTHETIC_TAG
from components.figures.style import GREY_87, INK, NAVY_TITLE, TEXT, TEXT_MUTED, TEXT_SOFT, VERMILION
from components.reports.report import ReportItem, build_report, key_numbers_text

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9


def _pptx():
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    return Presentation, RGBColor, Inches, Pt


def _text(slide, text: str, left: float, top: float, width: float, height: float, size: int = 14,
          bold: bool = False, color: str = INK) -> None:
    Presentation, RGBColor, Inches, Pt = _pptx()
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        para.font.size = Pt(size)
        para.font.bold = bold
        para.font.color.rgb = RGBColor.from_string(color.lstrip("#"))


def _title(slide, title: str, cut: DataCut, config: StudyConfig) -> None:
    _text(slide, title, 0.4, 0.25, 10.5, 0.7, size=26, bold=True, color=NAVY_TITLE)
    _text(slide, f"{config.id} · data cut-off {cut.cutoff_text}", 0.4, 0.85, 9, 0.4, size=12, color=TEXT_MUTED)
    if cut.synthetic:
        _text(slide, SYNTHETIC_TAG, 8.6, 0.3, 4.4, 0.5, size=13, bold=True, color=VERMILION)


def _table(slide, df: pd.DataFrame, top: float = 1.4, max_rows: int = 18) -> None:
    Presentation, RGBColor, Inches, Pt = _pptx()
    df = df.head(max_rows).astype(str)
    rows, cols = len(df) + 1, len(df.columns)
    width = min(12.4, 1.6 * cols + 2.5)
    shape = slide.shapes.add_table(rows, cols, Inches(0.45), Inches(top), Inches(width), Inches(0.32 * rows))
    table = shape.table
    for j, c in enumerate(df.columns):
        table.cell(0, j).text = str(c)
    for i, row in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            table.cell(i, j).text = "" if v in ("nan", "None") else v
    for i in range(rows):
        for j in range(cols):
            for p in table.cell(i, j).text_frame.paragraphs:
                p.font.size = Pt(11 if rows > 12 else 12)


def build_deck(cut: DataCut, config: StudyConfig, compare: DataCut | None = None,
               items: list[ReportItem] | None = None, filters: Filters = ()) -> bytes:
    """The .pptx as bytes: a title slide, then one slide per figure (a picture) or table. ``cut`` is
    the whole cut; ``filters`` select the subjects shown."""
    Presentation, RGBColor, Inches, Pt = _pptx()
    items = items if items is not None else build_report(cut, config, compare, presentation=True, filters=filters)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    blank = prs.slide_layouts[6]
    s = prs.slides.add_slide(blank)
    _text(s, config.title, 0.6, 1.4, 12, 1.6, size=32, bold=True, color=NAVY_TITLE)
    _text(s, f"{config.id} · {config.design_text}", 0.6, 3.0, 12, 0.6, size=16, color=TEXT)
    _text(s, f"Data cut-off {cut.cutoff_text}" + (f" (compared with {compare.cutoff_text})" if compare else ""),
          0.6, 3.7, 12, 0.5, size=16, color=TEXT)
    _text(s, key_numbers_text(cut, config, filters), 0.6, 4.3, 12, 0.5, size=14, color=TEXT_MUTED)
    _text(s, "Populations: all enrolled; safety = all treated (SAFFL); response-evaluable = EFFFL.", 0.6, 4.8, 12, 0.5,
          size=12, color=TEXT_MUTED)
    if cut.synthetic:
        _text(s, SYNTHETIC_TAG, 0.6, 5.8, 12, 0.6, size=22, bold=True, color=VERMILION)
    with image_server():
        for item in items:
            slide = prs.slides.add_slide(blank)
            _title(slide, item.title, cut, config)
            if item.figure is not None:
                png = to_image(item.figure, "png", width=1600, scale=1.5)
                from PIL import Image

                w, h = Image.open(io.BytesIO(png)).size
                max_w, max_h = 12.4, 6.0
                scale = min(max_w / (w / 150), max_h / (h / 150))
                pw, ph = w / 150 * scale, h / 150 * scale
                slide.shapes.add_picture(io.BytesIO(png), Inches((SLIDE_W - pw) / 2), Inches(1.3), Inches(pw), Inches(ph))
            if item.table is not None:
                _table(slide, item.table)
            if item.note:
                _text(slide, item.note, 0.45, 7.0, 12.4, 0.4, size=11, color=TEXT_SOFT)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def build_html(cut: DataCut, config: StudyConfig, compare: DataCut | None = None,
               items: list[ReportItem] | None = None, filters: Filters = ()) -> str:
    """A single self-contained HTML file (plotly.js inlined once) with the interactive figures."""
    items = items if items is not None else build_report(cut, config, compare, presentation=False, filters=filters)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(config.id)} · data cut {cut.cutoff_text}</title>",
        f"<style>body{{font-family:Inter,Helvetica,Arial,sans-serif;max-width:1200px;margin:24px auto;color:{INK}}}"
        f"h1{{color:{NAVY_TITLE}}}table{{border-collapse:collapse;margin:8px 0 24px}}td,th{{border:1px solid {GREY_87};"
        f"padding:4px 8px;font-size:13px}}.synthetic{{color:{VERMILION};font-weight:bold}}.note{{color:{TEXT_MUTED}}}"
        "</style></head><body>",
        f"<h1>{html.escape(config.title)}</h1>",
        f"<p>{html.escape(config.id)} · data cut-off {cut.cutoff_text}"
        + (f" · compared with {compare.cutoff_text}" if compare else "") + "</p>",
        f"<p>{html.escape(key_numbers_text(cut, config, filters))}</p>",
    ]
    if cut.synthetic:
        parts.append(f"<p class='synthetic'>{SYNTHETIC_TAG}</p>")
    first = True
    for item in items:
        parts.append(f"<h2 id='{item.key}'>{html.escape(item.title)}</h2>")
        if item.figure is not None:
            parts.append(item.figure.to_html(full_html=False, include_plotlyjs=True if first else False,
                                             div_id=f"fig-{item.key}", config={"displaylogo": False}))
            first = False
        if item.table is not None:
            parts.append(item.table.to_html(index=False, escape=True, border=0))
        if item.note:
            parts.append(f"<p class='note'>{html.escape(item.note)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def resolve_cuts(data: Path, compare: Path | None) -> tuple[DataCut, DataCut | None]:
    """The cut to report and its comparison (the previous cut of a cuts directory by default)."""
    cuts = list_cuts(data)
    cut = load_cut(data)
    if compare is not None:
        return cut, load_cut(compare)
    if len(cuts) >= 2 and Path(cut.source) == cuts[-1].path:
        return cut, load_cut(cuts[-2].path)
    return cut, None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m components.reports.deck", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="a cut folder, or a cuts directory (newest cut)")
    ap.add_argument("--compare", type=Path, help="the comparison cut (default: the previous cut of --data)")
    ap.add_argument("--out", type=Path, help="the PowerPoint file to write")
    ap.add_argument("--html", type=Path, help="the HTML report to write")
    ap.add_argument("--config", type=Path, help="the study config (default: data/study.toml)")
    args = ap.parse_args(argv)
    if not args.out and not args.html:
        ap.error("give --out and/or --html")
    config = load_config(args.config) if args.config else load_config()
    cut, compare = resolve_cuts(args.data, args.compare)
    if not cut.has("adsl"):
        print(f"error: no usable adsl in {args.data}: " + "; ".join(f.message for f in cut.errors[:3]), file=sys.stderr)
        return 2
    for f in cut.errors:
        print(f"warning: {f.message}", file=sys.stderr)
    match = match_study(cut, config)
    if match.message:
        print(f"note: {match.message}", file=sys.stderr)
    config = match.config
    if args.out:
        args.out.write_bytes(build_deck(cut, config, compare))
        print(f"wrote {args.out}")
    if args.html:
        args.html.write_text(build_html(cut, config, compare), encoding="utf-8")
        print(f"wrote {args.html}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
