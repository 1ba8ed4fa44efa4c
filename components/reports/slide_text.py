"""How much room a slide's text takes, measured with the fonts the deck names (issue 36 item 4).

The deck names Arial for Latin text and Noto Sans CJK SC for Chinese (:func:`components.reports.deck.set_fonts`);
LibreOffice draws Arial with Liberation Sans, whose advance widths are Arial's, so a width measured here
is the width PowerPoint and LibreOffice draw. Widths come from the font files (Pillow's FreeType), a
Chinese character takes one em; without the font files a conservative estimate (0.62 em a Latin
character) is used, so text measured wider than drawn rather than narrower.

Line heights as LibreOffice 7.4 draws them (measured on rendered decks): 1.21 em from line to line, and the
last line's glyph box 0.1 em more; Latin and Chinese alike. Between a Chinese character and Latin text
LibreOffice adds space (its "autospace"), counted here as 0.25 em.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache

LATIN_FONT = "Arial"
LINE_PITCH, LAST_LINE_EXTRA = 1.21, 0.1  # em
AUTOSPACE = 0.25  # em, between Chinese and Latin text
SAFETY = 0.97  # a line counted full at 97% of its width: LibreOffice also breaks at hyphens and dashes
FALLBACK_EM = 0.62  # a Latin character's advance when the font file is not found (wider than Arial's)
#: python-pptx's text frame insets (inches): 0.1 left and right, 0.05 top and bottom
INSET_X, INSET_Y = 0.1, 0.05
_CJK_RANGE = r"\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK = re.compile(f"[{_CJK_RANGE}]")
_RUNS = re.compile(f"[{_CJK_RANGE}]+|[^{_CJK_RANGE}]+")  # a text as alternating Chinese and other runs


@lru_cache(maxsize=4)
def _font(bold: bool):
    """The Latin font's file at 1000 units per em (None: not found)."""
    from PIL import ImageFont

    if shutil.which("fc-match") is None:
        return None
    try:
        path = subprocess.run(["fc-match", "-f", "%{file}", f"{LATIN_FONT}:{'bold' if bold else 'regular'}"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        return ImageFont.truetype(path, 1000) if path else None
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def width_pt(text: str, size: float, bold: bool = False) -> float:
    """The drawn width of one line of ``text`` at ``size`` points."""
    font = _font(bold)
    runs = _RUNS.findall(text)
    total = AUTOSPACE * size * max(len([r for r in runs if r.strip()]) - 1, 0) if len(runs) > 1 else 0.0
    for run in runs:
        if _CJK.match(run):
            total += len(run) * size
        elif font is not None:
            total += font.getlength(run) * size / 1000
        else:
            total += len(run) * FALLBACK_EM * size
    return total


#: punctuation that may not begin a line (kinsoku): it stays with the character before it
NO_LINE_START = set("）」』】》〉，。、；：！？)]}%,.;:!?")


def _tokens(paragraph: str) -> list[str]:
    """Break opportunities: words with their following space, each Chinese character alone — except that
    closing punctuation stays with the character before it, as LibreOffice keeps it (a "解）" went to the
    next line together)."""
    out: list[str] = []
    for piece in re.findall(r"\S+\s*|\s+", paragraph):
        buf = ""
        for ch in piece:
            if _CJK.match(ch) and ch in NO_LINE_START and (buf or out):
                if buf:
                    buf += ch
                else:
                    out[-1] += ch
            elif _CJK.match(ch):
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(ch)
            else:
                buf += ch
        if buf:
            out.append(buf)
    return out


def line_count(text: str, width_in: float, size: float, bold: bool = False) -> int:
    """Lines ``text`` takes when wrapped at ``width_in`` inches (its own line breaks kept); a word longer
    than the line counts the lines it is broken into."""
    limit = width_in * 72 * SAFETY
    lines = 0
    for paragraph in text.split("\n"):
        n, cur, prev = 1, 0.0, None
        for tok in _tokens(paragraph):
            visible = width_pt(tok.rstrip(), size, bold)
            kind = bool(_CJK.match(tok[0])) if tok.strip() else prev
            if cur and prev is not None and kind != prev:  # LibreOffice's space between Chinese and Latin
                cur += AUTOSPACE * size
            prev = kind
            if cur and cur + visible > limit:
                n += 1
                cur = 0.0
            if visible > limit:  # a word wider than the line: broken between characters, lines not quite full
                n += int(visible // (limit * 0.9))
                cur = visible % (limit * 0.9)
            else:
                cur += width_pt(tok, size, bold)
        lines += n
    return lines


def height_in(text: str, width_in: float, size: float, bold: bool = False, inset: bool = True) -> float:
    """The height in inches ``text`` takes in a text box ``width_in`` wide (the frame's insets included
    when ``inset``)."""
    inner = width_in - (2 * INSET_X if inset else 0)
    h = (line_count(text, inner, size, bold) * LINE_PITCH + LAST_LINE_EXTRA) * size / 72
    return h + (2 * INSET_Y if inset else 0)


def fit_size(text: str, width_in: float, height_in_max: float, sizes: tuple[float, ...], bold: bool = False) -> float:
    """The largest of ``sizes`` at which ``text`` fits the box; the smallest when none does."""
    for size in sizes:
        if height_in(text, width_in, size, bold) <= height_in_max:
            return size
    return sizes[-1]
