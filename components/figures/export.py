"""Static images of figures (PNG, SVG) through plotly's kaleido, which drives the system Chromium
(Debian's ``chromium``); nothing is downloaded at run time."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import plotly.graph_objects as go

SLIDE_WIDTH_PX = 1600


class ExportUnavailable(RuntimeError):
    """Static export needs Chromium on the machine."""


def chromium_available() -> bool:
    return any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome"))


@contextmanager
def image_server() -> Iterator[None]:
    """Keep one browser for a batch of images (~0.2 s each instead of ~3 s)."""
    import kaleido

    if not chromium_available():
        raise ExportUnavailable("Static images need Chromium: apt-get install chromium")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kaleido.start_sync_server(silence_warnings=True)
        try:
            yield
        finally:
            kaleido.stop_sync_server(silence_warnings=True)


def to_image(fig: go.Figure, fmt: str = "png", width: int = SLIDE_WIDTH_PX, scale: float = 2.0) -> bytes:
    """The figure as PNG or SVG bytes at its own height (scaled with the width for slides)."""
    if not chromium_available():
        raise ExportUnavailable("Static images need Chromium: apt-get install chromium")
    height = fig.layout.height or 500
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fig.to_image(format=fmt, width=width, height=int(height), scale=scale if fmt == "png" else 1)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutral(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV
    injection); numbers, and text that is a plain number ("-5", "+1.5"), stay as they are."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value


def safe_csv(df) -> bytes:
    """The table as UTF-8 CSV for download, with formula-like text neutralised (:func:`_neutral`)."""
    out = df.copy()
    for col in out.columns:  # every text column: object, pandas string and categorical (of text) alike
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_datetime64_any_dtype(out[col])
                or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].astype(object).map(_neutral)
    out.columns = [_neutral(str(c)) for c in out.columns]
    return out.to_csv(index=False).encode("utf-8")
