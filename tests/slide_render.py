"""Render a deck as LibreOffice draws it and find text outside its box (issue 36 item 4).

A shape-geometry check passes on a deck whose title runs over its subtitle or whose table runs off the
slide: the shapes are where they were put, the *text* is not. Here Debian's LibreOffice Impress turns
the .pptx into a PDF (``soffice --headless --convert-to pdf``), poppler's ``pdftotext -bbox-layout``
gives every drawn line of text with its box, and each line is matched to the shape whose text holds it:
a line outside that shape's rectangle (or outside the slide) is a finding.

Used by tests/test_deck_render.py and by ``python -m tests.slide_render deck.pptx`` (prints the findings).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

EMU_PER_PT = 12700
TOLERANCE_PT = 3.0  # LibreOffice's and PowerPoint's line boxes differ by a point or two


def available() -> bool:
    return shutil.which("soffice") is not None and shutil.which("pdftotext") is not None


def render_pdf(pptx: bytes, workdir: Path, timeout: float = 300.0) -> Path:
    """The deck as LibreOffice draws it (PDF), in ``workdir``. Its own user profile, so two test processes
    never share one (LibreOffice refuses a profile in use)."""
    workdir.mkdir(parents=True, exist_ok=True)
    src = workdir / "deck.pptx"
    src.write_bytes(pptx)
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(["soffice", "--headless", "--norestore", "--nologo", f"-env:UserInstallation=file://{profile}",
                        "--convert-to", "pdf", "--outdir", str(workdir), str(src)],
                       check=True, capture_output=True, timeout=timeout, env={**os.environ, "HOME": str(profile)})
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = workdir / "deck.pdf"
    if not pdf.is_file():
        raise RuntimeError(f"LibreOffice wrote no PDF for {src}")
    return pdf


def _norm(text: str) -> str:
    """Text compared without spaces, in NFKC (ligatures, full-width forms), lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Line:
    page: int  # 0-based slide index
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def drawn_lines(pdf: Path) -> tuple[list[Line], tuple[float, float]]:
    """Every word of text drawn on each page, with its box in points; and the page size. Words, not
    poppler's lines: poppler joins the cells of a table's row into one line."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                         timeout=120).stdout.decode("utf-8", "replace")
    out = re.sub(r"<!DOCTYPE[^>]*>", "", out)
    root = ET.fromstring(out)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    lines: list[Line] = []
    size = (0.0, 0.0)
    for i, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page")):
        size = (float(page.get("width")), float(page.get("height")))
        for word in page.iterfind(".//h:word", ns):
            lines.append(Line(i, word.text or "", float(word.get("xMin")), float(word.get("yMin")),
                              float(word.get("xMax")), float(word.get("yMax"))))
    return lines, size


@dataclass(frozen=True)
class Box:
    text: str  # normalised (:func:`_norm`)
    x0: float
    y0: float
    x1: float
    y1: float
    name: str


def text_boxes(pptx: bytes) -> list[list[Box]]:
    """Per slide, each text-bearing shape's rectangle (points) with its text; a table's cells each carry
    the table's rectangle (a row that grows past the table's frame is text out of its box)."""
    import io

    from pptx import Presentation

    prs = Presentation(io.BytesIO(pptx))
    slides = []
    for slide in prs.slides:
        boxes = []
        for shape in slide.shapes:
            if shape.left is None:
                continue
            rect = (shape.left / EMU_PER_PT, shape.top / EMU_PER_PT, (shape.left + shape.width) / EMU_PER_PT,
                    (shape.top + shape.height) / EMU_PER_PT)
            if shape.has_text_frame and shape.text_frame.text.strip():
                boxes.append(Box(_norm(shape.text_frame.text), *rect, shape.name))
            elif getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    for cell in row.cells:
                        if cell.text.strip():
                            boxes.append(Box(_norm(cell.text), *rect, f"{shape.name} cell"))
        slides.append(boxes)
    return slides


@dataclass(frozen=True)
class Finding:
    slide: int  # 1-based
    text: str
    problem: str

    def __str__(self) -> str:
        return f"slide {self.slide}: {self.problem}: {self.text[:80]!r}"


def check(pptx: bytes, workdir: Path) -> list[Finding]:
    """Every drawn word that leaves the slide or the box of the shape that holds its text."""
    pdf = render_pdf(pptx, workdir)
    lines, (width, height) = drawn_lines(pdf)
    boxes = text_boxes(pptx)
    t = TOLERANCE_PT
    found: list[Finding] = []
    for line in lines:
        if not line.text.strip():
            continue
        slide = line.page + 1
        if line.x0 < -t or line.y0 < -t or line.x1 > width + t or line.y1 > height + t:
            found.append(Finding(slide, line.text, "off the slide"))
            continue
        key = _norm(line.text)
        owners = [b for b in (boxes[line.page] if line.page < len(boxes) else []) if key and key in b.text]
        if not owners:
            found.append(Finding(slide, line.text, "drawn text that no shape holds (split or re-flowed)"))
            continue
        inside = [b for b in owners if line.x0 >= b.x0 - t and line.y0 >= b.y0 - t and line.x1 <= b.x1 + t
                  and line.y1 <= b.y1 + t]
        if not inside:
            b = owners[0]
            found.append(Finding(slide, line.text, f"outside its box ({b.name}: "
                                                   f"{b.x0:.0f},{b.y0:.0f}–{b.x1:.0f},{b.y1:.0f} pt; line "
                                                   f"{line.x0:.0f},{line.y0:.0f}–{line.x1:.0f},{line.y1:.0f})"))
    return found


if __name__ == "__main__":
    data = Path(sys.argv[1]).read_bytes()
    with tempfile.TemporaryDirectory() as d:
        problems = check(data, Path(d))
    print("\n".join(map(str, problems)) or "no text outside its box")
    sys.exit(1 if problems else 0)
