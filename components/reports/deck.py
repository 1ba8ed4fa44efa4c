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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from components.analyses.base import Filters
from components.data.config import StudyConfig, load_config
from components.data.datasets import DataCut, list_cuts, load_cut
from components.data.study_match import match_study
from components.figures.export import image_server, to_image
from components.figures.plotting import SYNTHETIC_TAG
from components.figures.style import CJK_FONT, GREY_87, INK, NAVY_TITLE, TEXT, TEXT_MUTED, TEXT_SOFT, VERMILION
from components.i18n import _, set_language, translate_frame
from components.reports.report import ReportItem, build_report, key_numbers_text
from components.reports.slide_text import LATIN_FONT, fit_size, height_in, width_pt

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
FIGURE_PX = 1100  # a figure's width when drawn for a slide (CSS px)


def _pptx():
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    return Presentation, RGBColor, Inches, Pt


def _text(slide, text: str, left: float, top: float, width: float, height: float, size: float = 14,
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


# The slide grid (inches). The title, the footnote and so the body between them take the height their
# text needs, measured with the deck's fonts (components/reports/slide_text.py): a long title takes two
# lines and pushes the body down, never over its subtitle. tests/test_deck.py checks that no shape
# overlaps another or leaves the slide; tests/test_deck_render.py that LibreOffice draws every line of
# text inside its box.
MARGIN = 0.4
TOP = 0.22
TITLE_W = 8.9
TAG_BOX = (9.45, 0.2, SLIDE_W - 9.45 - MARGIN)  # left, top, width (height: the tag's)
SUBTITLE_H = 0.36
BOTTOM = 0.15  # below the footnote
GAP = 0.08
TITLE_SIZES = (24, 22, 20, 18, 16)  # a title at 16 pt or more, on one line or two
NOTE_SIZE = 12  # the footnote: read from the back of a room (it was 11 pt, and the figures' ~7 pt)
TABLE_SIZE = 12
TABLE_SIZES = (12, 11, 10, 9)  # a wide table's type shrinks to fit its columns unbroken, to 9 pt at least
CELL_MARGIN_X, CELL_MARGIN_Y = 0.08, 0.03  # inches, each side
ROW_H = 0.3  # the least row height (one line of 12-pt text and its margins)


@dataclass(frozen=True)
class Layout:
    """Where a slide's parts go (inches): the body's box between the header and the footnote."""

    title_h: float
    title_size: float
    subtitle_top: float
    body: tuple[float, float, float, float]  # left, top, width, height
    note_top: float
    note_h: float


def layout(title: str, note: str = "") -> Layout:
    """The slide's layout for its title and footnote (both measured, :mod:`components.reports.slide_text`)."""
    size = fit_size(title, TITLE_W, 0.95, TITLE_SIZES, bold=True)
    title_h = max(height_in(title, TITLE_W, size, bold=True), 0.6)
    subtitle_top = TOP + title_h + 0.02
    body_top = subtitle_top + SUBTITLE_H + GAP
    width = SLIDE_W - 2 * MARGIN
    note_h = height_in(note, width, NOTE_SIZE) if note else 0.0
    note_top = SLIDE_H - BOTTOM - note_h
    bottom = note_top - GAP if note else SLIDE_H - BOTTOM
    return Layout(title_h, size, subtitle_top, (MARGIN, body_top, width, bottom - body_top), note_top, note_h)


def _title(slide, title: str, cut: DataCut, config: StudyConfig, lay: Layout) -> None:
    _text(slide, title, MARGIN, TOP, TITLE_W, lay.title_h, size=lay.title_size, bold=True, color=NAVY_TITLE)
    # who may see the slide (the session's role: BLINDED, CLOSED SESSION — IDMC), on every slide
    _text(slide, _("{study} · data cut-off {date}").format(study=config.id, date=cut.cutoff_text)
          + (f" · {_(config.stamp)}" if config.stamp else ""), MARGIN, lay.subtitle_top, SLIDE_W - 2 * MARGIN,
          SUBTITLE_H, size=12, color=VERMILION if config.stamp else TEXT_MUTED, bold=bool(config.stamp))
    if cut.synthetic:
        tag = _(SYNTHETIC_TAG)
        left, top, width = TAG_BOX
        size = fit_size(tag, width, lay.subtitle_top - top - 0.02, (12, 11, 10), bold=True)
        _text(slide, tag, left, top, width, height_in(tag, width, size, bold=True), size=size, bold=True,
              color=VERMILION)


def table_size(df: pd.DataFrame, total: float) -> float:
    """The table's type: 12 pt, or smaller (to 9 pt) while its columns do not fit the body's width
    unbroken — a wide listing at 12 pt broke its patient ids over three lines."""
    for size in TABLE_SIZES:
        if sum(_needs(df, size)) <= total:
            return size
    return TABLE_SIZES[-1]


def _needs(df: pd.DataFrame, size: float) -> list[float]:
    """Each column's width for its longest cell (header included) unbroken, at least 0.6 in."""
    return [max(max([width_pt(str(c), size, bold=True)] + [width_pt(str(v), size) for v in df[c]]) / 72
                + 2 * CELL_MARGIN_X + 0.15, 0.6) for c in df.columns]


def _column_widths(df: pd.DataFrame, total: float, size: float = TABLE_SIZE) -> list[float]:
    """Each column as wide as its longest cell (header included) at the table's type; the wide ones shrunk
    when all are wider than the body (their cells then wrap, and the rows grow)."""
    need = _needs(df, size)
    if sum(need) > total:
        # shrink the wide columns first: the narrow ones (numbers) keep their width
        fair = total / len(need)
        narrow = [w for w in need if w <= fair]
        wide_total = total - sum(narrow)
        wide_need = sum(w for w in need if w > fair)
        need = [w if w <= fair else max(w * wide_total / wide_need, 0.6) for w in need]
        scale = total / sum(need)
        need = [w * scale for w in need] if scale < 1 else need
    return need


def _row_heights(df: pd.DataFrame, widths: list[float], size: float = TABLE_SIZE) -> list[float]:
    """Each row's height (header first): its tallest cell's wrapped lines, at least :data:`ROW_H`."""
    def h(values, bold=False) -> float:
        tallest = max(height_in(str(v), w - 2 * CELL_MARGIN_X - 0.04, size, bold=bold, inset=False)
                      for v, w in zip(values, widths, strict=True))
        return max(ROW_H * size / TABLE_SIZE, tallest + 2 * CELL_MARGIN_Y + 0.04)

    return [h(df.columns, bold=True)] + [h(row) for row in df.itertuples(index=False)]


@dataclass(frozen=True)
class TableFit:
    """A table measured once for its slides: the cells as shown, the type, each column's width and each
    row's height (header first). Every page of the table is drawn with them, so a page's rows are as
    tall as its pagination counted (a page re-measured alone could take larger type and taller rows)."""

    cells: pd.DataFrame
    size: float
    widths: list[float]
    heights: list[float]

    def pages(self, body_height: float) -> list[range]:
        """The rows of each slide: as many as fit the body under the header row."""
        pages, start, used = [], 0, self.heights[0]
        for i, h in enumerate(self.heights[1:]):
            if used + h > body_height and i > start:
                pages.append(range(start, i))
                start, used = i, self.heights[0]
            used += h
        pages.append(range(start, len(self.cells)))
        return pages


def fit_table(df: pd.DataFrame, width: float = SLIDE_W - 2 * MARGIN) -> TableFit:
    cells = slide_cells(df)
    size = table_size(cells, width)
    widths = _column_widths(cells, width, size)
    return TableFit(cells, size, widths, _row_heights(cells, widths, size))


def table_pages(df: pd.DataFrame, body_height: float = 5.5, width: float = SLIDE_W - 2 * MARGIN
                ) -> list[pd.DataFrame]:
    """A long table split into slides of as many rows as fit the body (each with its header row), by the
    rows' measured heights."""
    fit = fit_table(df, width)
    return [fit.cells.iloc[list(rows)] for rows in fit.pages(body_height)]


def _number(v: float) -> str:
    if v != v:
        return ""
    if float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:.3g}" if abs(v) < 0.1 else f"{v:.1f}"


def slide_cells(df: pd.DataFrame) -> pd.DataFrame:
    """A table's cells as a slide shows them: a number to one decimal (three significant digits under 0.1;
    the screen's listing rounds them too: a slide read "1.851851851"), true/false as yes/no, missing as
    empty."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_bool_dtype(col):
            out[c] = col.map({True: _("yes"), False: _("no")})
        elif pd.api.types.is_float_dtype(col):
            out[c] = col.map(_number)
    return out.astype(str).replace({"nan": "", "None": "", "NaT": "", "<NA>": ""})


def _table(slide, fit: TableFit, rows_shown: range, body: tuple[float, float, float, float]) -> None:
    """A native, editable table in the body box: the rows ``rows_shown`` of a measured table, each as tall
    as its text (the caller paginates)."""
    Presentation, RGBColor, Inches, Pt = _pptx()
    df = fit.cells.iloc[list(rows_shown)]
    rows, cols = len(df) + 1, len(df.columns)
    left, top, _body_w, _height = body
    size, widths = fit.size, fit.widths
    heights = [fit.heights[0], *(fit.heights[i + 1] for i in rows_shown)]
    shape = slide.shapes.add_table(rows, cols, Inches(left), Inches(top), Inches(sum(widths)), Inches(sum(heights)))
    table = shape.table
    for j, w in enumerate(widths):
        table.columns[j].width = Inches(w)
    for i, h in enumerate(heights):
        table.rows[i].height = Inches(h)
    for j, c in enumerate(df.columns):
        table.cell(0, j).text = str(c)
    for i, row in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            table.cell(i, j).text = v
    for i in range(rows):
        for j in range(cols):
            cell = table.cell(i, j)
            cell.margin_top = cell.margin_bottom = Inches(CELL_MARGIN_Y)
            cell.margin_left = cell.margin_right = Inches(CELL_MARGIN_X)
            for p in cell.text_frame.paragraphs:
                p.font.size = Pt(size)


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
    """The study's title, design, cut-off and key numbers, stacked down the slide as tall as each needs."""
    width = 12.0
    cutoff = (_("Data cut-off {date} (compared with {previous})").format(date=cut.cutoff_text, previous=compare.cutoff_text)
              if compare else _("Data cut-off {date}").format(date=cut.cutoff_text))
    tag = " · ".join(t for t in (_(config.stamp) if config.stamp else "", _(SYNTHETIC_TAG) if cut.synthetic else "") if t)
    # the study config's texts, in the study's catalog language where it has them (locale/.../study.po)
    title = _(config.title)
    parts = [(title, fit_size(title, width, 2.0, (32, 28, 24, 20), bold=True), True, NAVY_TITLE, 0.15),
             (" · ".join(x for x in (config.id, _(config.design_text)) if x), 16, False, TEXT, 0.05),
             (cutoff, 16, False, TEXT, 0.05),
             (key_numbers_text(cut, config, filters), 14, False, TEXT_MUTED, 0.0),
             (_("Populations: safety = every treated patient; response-evaluable = as the sponsor's ADSL flags it; "
                "response rates count those whose first scan's window has closed."), 14, False,
              TEXT_MUTED, 0.3)]
    if tag:
        parts.append((tag, 22, True, VERMILION, 0.0))
    top = 1.1
    for text, size, bold, color, after in parts:
        if not text:
            continue
        h = height_in(text, width, size, bold=bold)
        _text(s, text, 0.6, top, width, h, size=size, bold=bold, color=color)
        top += h + after
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
            probe = layout(item.title + " (1/2)", item.note)
            fit = fit_table(table, probe.body[2]) if table is not None and item.figure is None else None
            pages = fit.pages(probe.body[3]) if fit is not None else [None]
            for k, part in enumerate(pages):
                slide = prs.slides.add_slide(blank)
                title = item.title + (f" ({k + 1}/{len(pages)})" if len(pages) > 1 else "")
                lay = layout(title, item.note)
                _title(slide, title, cut, config, lay)
                left, top, max_w, max_h = lay.body
                if item.figure is not None:
                    # drawn 1100 px wide (×2.2 for sharpness): its type lands at ~12 pt on the slide (at
                    # 1600 px the figures' footnotes were ~7 pt)
                    png = to_image(item.figure, "png", width=FIGURE_PX, scale=2.2)
                    from PIL import Image

                    w, h = Image.open(io.BytesIO(png)).size
                    dpi = w / FIGURE_PX * 96
                    scale = min(max_w / (w / dpi), max_h / (h / dpi))
                    pw, ph = w / dpi * scale, h / dpi * scale
                    slide.shapes.add_picture(io.BytesIO(png), Inches(left + (max_w - pw) / 2), Inches(top), Inches(pw),
                                             Inches(ph))
                elif fit is not None:
                    _table(slide, fit, part, lay.body)
                if item.note:
                    _text(slide, item.note, MARGIN, lay.note_top, SLIDE_W - 2 * MARGIN, lay.note_h, size=NOTE_SIZE,
                          color=TEXT_SOFT)
                slide.notes_slide.notes_text_frame.text = notes
    east_asian_font(prs)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def east_asian_font(prs) -> None:
    """Name the deck's fonts on every run: Arial for Latin text (LibreOffice draws it with Liberation Sans,
    whose widths are Arial's, so what :mod:`components.reports.slide_text` measures is what is drawn; the
    theme's Calibri fell back to the wider DejaVu Sans and titles wrapped), and the CJK font
    (style.CJK_FONT) as the East Asian typeface (``a:ea``): PowerPoint and LibreOffice then draw Chinese
    with it instead of a fallback that may lack the glyphs."""
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
                run.font.name = LATIN_FONT
                rpr = run._r.get_or_add_rPr()
                ea = rpr.find(qn("a:ea"))
                if ea is None:
                    ea = rpr.makeelement(qn("a:ea"), {})
                    rpr.find(qn("a:latin")).addnext(ea)
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
