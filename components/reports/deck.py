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
import re
import sys
from pathlib import Path

import pandas as pd

from components.analyses.base import Filters
from components.data.config import StudyConfig, load_config
from components.data.datasets import DataCut, list_cuts, load_cut
from components.data.study_match import match_study
from components.figures.export import image_server, to_image
from components.figures.plotting import SYNTHETIC_TAG, text_width
from components.figures.style import CJK_FONT, GREY_87, INK, NAVY_TITLE, TEXT, TEXT_MUTED, TEXT_SOFT, VERMILION
from components.i18n import _, set_language, translate_frame
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


# The slide grid (inches): every shape lies in one of these boxes, so none overlaps another and all
# lie inside the slide (tests/test_deck.py opens every slide and checks it).
MARGIN = 0.4
TITLE_BOX = (MARGIN, 0.22, 8.9, 0.62)
TAG_BOX = (9.45, 0.25, SLIDE_W - 9.45 - MARGIN, 0.45)
SUBTITLE_BOX = (MARGIN, 0.86, SLIDE_W - 2 * MARGIN, 0.34)
BODY_BOX = (MARGIN, 1.3, SLIDE_W - 2 * MARGIN, 5.5)
NOTE_BOX = (MARGIN, 6.9, SLIDE_W - 2 * MARGIN, 0.45)
ROW_H = 0.3  # table row height (11 pt text on one line)


def _title(slide, title: str, cut: DataCut, config: StudyConfig, page: str = "") -> None:
    width = text_width(title)
    size = 24 if width <= 48 else 20 if width <= 62 else 17
    _text(slide, title + page, *TITLE_BOX, size=size, bold=True, color=NAVY_TITLE)
    # who may see the slide (the session's role: BLINDED, CLOSED SESSION — IDMC), on every slide
    _text(slide, _("{study} · data cut-off {date}").format(study=config.id, date=cut.cutoff_text)
          + (f" · {_(config.stamp)}" if config.stamp else ""), *SUBTITLE_BOX, size=12,
          color=VERMILION if config.stamp else TEXT_MUTED, bold=bool(config.stamp))
    if cut.synthetic:
        _text(slide, _(SYNTHETIC_TAG), *TAG_BOX, size=12, bold=True, color=VERMILION)


def table_pages(df: pd.DataFrame, body_height: float = BODY_BOX[3], row_h: float = ROW_H) -> list[pd.DataFrame]:
    """A long table split into slides of as many rows as fit the body (each with its header row)."""
    per = max(int(body_height // row_h) - 1, 1)
    return [df.iloc[i:i + per] for i in range(0, max(len(df), 1), per)]


def _column_widths(df: pd.DataFrame, total: float) -> list[float]:
    """Widths proportional to the longest text of each column (header included), at least 0.8 in."""
    longest = [max([text_width(str(c))] + [text_width(str(v)) for v in df[c]]) for c in df.columns]
    raw = [max(n, 4) for n in longest]
    widths = [total * n / sum(raw) for n in raw]
    return [max(w, 0.8) for w in widths]


def _table(slide, df: pd.DataFrame) -> None:
    """A native, editable table in the body box (rows of :data:`ROW_H`; the caller paginates)."""
    Presentation, RGBColor, Inches, Pt = _pptx()
    df = df.astype(str)
    rows, cols = len(df) + 1, len(df.columns)
    left, top, body_w, _height = BODY_BOX
    widths = _column_widths(df, body_w)
    width = min(body_w, sum(widths))
    widths = [w * width / sum(widths) for w in widths]
    shape = slide.shapes.add_table(rows, cols, Inches(left), Inches(top), Inches(width), Inches(ROW_H * rows))
    table = shape.table
    for j, w in enumerate(widths):
        table.columns[j].width = Inches(w)
    for i in range(rows):
        table.rows[i].height = Inches(ROW_H)
    for j, c in enumerate(df.columns):
        table.cell(0, j).text = str(c)
    for i, row in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            table.cell(i, j).text = "" if v in ("nan", "None", "NaT") else v
    for i in range(rows):
        for j in range(cols):
            cell = table.cell(i, j)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            for p in cell.text_frame.paragraphs:
                p.font.size = Pt(11)


def provenance(cut: DataCut, config: StudyConfig, filters: Filters = ()) -> str:
    """Speaker notes: where the slide's numbers come from — cut-off, the cut's files with SHA-256, the
    study config, the app version (git commit) and when the deck was made."""
    import datetime
    import hashlib
    import subprocess

    lines = [_("Data cut-off {date}; cut {name} ({source}).").format(date=cut.cutoff_text, name=cut.name,
                                                                     source=cut.source or _("uploaded files"))]
    folder = Path(cut.source) if cut.source else None
    for table, name in sorted(cut.files.items()):
        path = folder / name if folder is not None else None
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path is not None and path.is_file() else "n/a"
        lines.append(f"{table}: {name} sha256 {digest}")
    lines.append((_("Study config: {file} (study {study}, generic mode).") if config.generic else
                  _("Study config: {file} (study {study}).")).format(file=config.path.name, study=config.id))
    if filters:
        lines.append(_("Filters: {filters}").format(
            filters="; ".join(_("{column} in {values}").format(column=k, values=", ".join(v)) for k, v in filters)))
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).resolve().parents[2],
                                capture_output=True, text=True, timeout=5).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    lines.append(_("App version: git {commit}. Made {when}.").format(
        commit=commit, when=f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"))
    return "\n".join(lines)


def _title_slide(s, cut: DataCut, config: StudyConfig, compare: DataCut | None, filters: Filters, notes: str) -> None:
    # the study config's texts, in the study's catalog language where it has them (locale/.../study.po)
    _text(s, _(config.title), 0.6, 1.4, 12, 1.6, size=32, bold=True, color=NAVY_TITLE)
    _text(s, " · ".join(x for x in (config.id, _(config.design_text)) if x), 0.6, 3.0, 12, 0.6, size=16, color=TEXT)
    cutoff = (_("Data cut-off {date} (compared with {previous})").format(date=cut.cutoff_text, previous=compare.cutoff_text)
              if compare else _("Data cut-off {date}").format(date=cut.cutoff_text))
    _text(s, cutoff, 0.6, 3.7, 12, 0.5, size=16, color=TEXT)
    _text(s, key_numbers_text(cut, config, filters), 0.6, 4.3, 12, 0.5, size=14, color=TEXT_MUTED)
    _text(s, _("Populations: all enrolled; safety = all treated (SAFFL); response-evaluable = EFFFL."), 0.6, 4.8, 12,
          0.5, size=12, color=TEXT_MUTED)
    tag = " · ".join(t for t in (_(config.stamp) if config.stamp else "", _(SYNTHETIC_TAG) if cut.synthetic else "") if t)
    if tag:
        _text(s, tag, 0.6, 5.8, 12, 0.6, size=22, bold=True, color=VERMILION)
    s.notes_slide.notes_text_frame.text = notes


def build_deck(cut: DataCut, config: StudyConfig, compare: DataCut | None = None,
               items: list[ReportItem] | None = None, filters: Filters = (), title_slide: bool = True) -> bytes:
    """The .pptx as bytes: a title slide, then one slide per figure (a picture) or table. ``cut`` is
    the whole cut; ``filters`` select the subjects shown. The deck is in the language active when it is
    built (``with using("zh"):``)."""
    Presentation, RGBColor, Inches, Pt = _pptx()
    items = items if items is not None else build_report(cut, config, compare, presentation=True, filters=filters)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    blank = prs.slide_layouts[6]
    notes = provenance(cut, config, filters)
    if title_slide:
        _title_slide(prs.slides.add_slide(blank), cut, config, compare, filters, notes)
    with image_server():
        for item in items:
            table = _slide_table(item)
            pages = table_pages(table) if table is not None and item.figure is None else [table]
            for k, part in enumerate(pages):
                slide = prs.slides.add_slide(blank)
                more = f" ({k + 1}/{len(pages)})" if len(pages) > 1 else ""
                _title(slide, item.title, cut, config, more)
                if item.figure is not None:
                    png = to_image(item.figure, "png", width=1600, scale=1.5)
                    from PIL import Image

                    w, h = Image.open(io.BytesIO(png)).size
                    left, top, max_w, max_h = BODY_BOX
                    scale = min(max_w / (w / 150), max_h / (h / 150))
                    pw, ph = w / 150 * scale, h / 150 * scale
                    slide.shapes.add_picture(io.BytesIO(png), Inches(left + (max_w - pw) / 2), Inches(top), Inches(pw),
                                             Inches(ph))
                elif part is not None:
                    _table(slide, part)
                if item.note:
                    _text(slide, item.note, *NOTE_BOX, size=11, color=TEXT_SOFT)
                slide.notes_slide.notes_text_frame.text = notes
    east_asian_font(prs)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def east_asian_font(prs) -> None:
    """Name the CJK font (style.CJK_FONT) as every run's East Asian typeface (``a:ea``): PowerPoint and
    LibreOffice then draw Chinese with it instead of a fallback that may lack the glyphs."""
    from pptx.oxml.ns import qn

    def runs(shape):
        if shape.has_text_frame:
            for para in shape.text_frame.paragraphs:
                yield from para.runs
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                for cell in row.cells:
                    for para in cell.text_frame.paragraphs:
                        yield from para.runs

    for slide in prs.slides:
        for shape in slide.shapes:
            for run in runs(shape):
                rpr = run._r.get_or_add_rPr()
                ea = rpr.find(qn("a:ea"))
                if ea is None:
                    ea = rpr.makeelement(qn("a:ea"), {})
                    rpr.append(ea)
                ea.set("typeface", CJK_FONT)


def _slide_table(item: ReportItem) -> pd.DataFrame | None:
    """An item's table in the run's language: headers, and the cells of its label columns."""
    return None if item.table is None else translate_frame(item.table, values=item.translate)


def build_html(cut: DataCut, config: StudyConfig, compare: DataCut | None = None,
               items: list[ReportItem] | None = None, filters: Filters = ()) -> str:
    """A single self-contained HTML file (plotly.js inlined once) with the interactive figures."""
    items = items if items is not None else build_report(cut, config, compare, presentation=False, filters=filters)
    head = _("{study} · data cut {date}").format(study=config.id, date=cut.cutoff_text)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(head)}</title>",
        f"<style>body{{font-family:Inter,Helvetica,Arial,sans-serif;max-width:1200px;margin:24px auto;color:{INK}}}"
        f"h1{{color:{NAVY_TITLE}}}table{{border-collapse:collapse;margin:8px 0 24px}}td,th{{border:1px solid {GREY_87};"
        f"padding:4px 8px;font-size:13px}}.synthetic{{color:{VERMILION};font-weight:bold}}.note{{color:{TEXT_MUTED}}}"
        "</style></head><body>",
        f"<h1>{html.escape(config.title)}</h1>",
        "<p>" + html.escape(_("{study} · data cut-off {date}").format(study=config.id, date=cut.cutoff_text))
        + (html.escape(" · " + _("compared with {date}").format(date=compare.cutoff_text)) if compare else "") + "</p>",
        f"<p>{html.escape(key_numbers_text(cut, config, filters))}</p>",
    ]
    if cut.synthetic:
        parts.append(f"<p class='synthetic'>{html.escape(_(SYNTHETIC_TAG))}</p>")
    if config.stamp:
        parts.append(f"<p class='synthetic'>{html.escape(_(config.stamp))}</p>")
    first = True
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        # an id made of letters, digits, - and _ only: a key can hold data (a patient id, filter values),
        # and one with a quote closed the attribute and ran script when the report was opened
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", item.key).strip("-")[:60] or "item"
        slug = slug if slug not in seen else f"{slug}-{n}"
        seen.add(slug)
        parts.append(f"<h2 id='{slug}'>{html.escape(item.title)}</h2>")
        if item.figure is not None:
            parts.append(item.figure.to_html(full_html=False, include_plotlyjs=True if first else False,
                                             div_id=f"fig-{slug}", config={"displaylogo": False}))
            first = False
        table = _slide_table(item)
        if table is not None:
            parts.append(table.to_html(index=False, escape=True, border=0))
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
    ap.add_argument("--lang", help="en or zh (中文); default: the study config's [display] language")
    ap.add_argument("--role", help="who the deck is for: steering, site:01,02 (blinded), idmc or statistician; "
                                   "required for a randomized study (a blinded role gets pooled results and a deck "
                                   "stamped BLINDED, the IDMC one stamped CLOSED SESSION)")
    ap.add_argument("--unblinded-statisticians", action="store_true",
                    help="the statistician role is unblinded ([access] unblinded_statisticians)")
    args = ap.parse_args(argv)
    if not args.out and not args.html:
        ap.error("give --out and/or --html")
    config = load_config(args.config) if args.config else load_config()
    set_language(args.lang or config.language)  # the messages below, the deck and the report
    cut, compare = resolve_cuts(args.data, args.compare)
    if not cut.has("adsl"):
        print(f"error: no usable adsl in {args.data}: " + "; ".join(f.text() for f in cut.errors[:3]), file=sys.stderr)
        return 2
    for f in cut.errors:
        print(f"warning: {f.text()}", file=sys.stderr)
    match = match_study(cut, config)
    if match.message:
        print(f"note: {match.message}", file=sys.stderr)
    config = match.config
    from components.data.roles import Role, apply_role, parse_role
    from components.data.vocabulary import randomized_by_data

    role = parse_role(args.role, args.unblinded_statisticians) if args.role else Role("open")
    if args.role and role is None:
        ap.error(f"--role {args.role!r} is not a role: steering, idmc, statistician or site:<ids>")
    if role.kind == "open" and (not config.single_arm or randomized_by_data(cut.tables.get("adsl"))):
        ap.error("a randomized study's deck needs --role: who it is for decides whether it is blinded")
    cut, config = apply_role(cut, config, role)
    if compare is not None:
        compare = apply_role(compare, match.config, role)[0]
    if config.stamp:
        print(f"note: every slide is stamped {_(config.stamp)}", file=sys.stderr)
    if args.out:
        args.out.write_bytes(build_deck(cut, config, compare))
        print(f"wrote {args.out}")
    if args.html:
        args.html.write_text(build_html(cut, config, compare), encoding="utf-8")
        print(f"wrote {args.html}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
