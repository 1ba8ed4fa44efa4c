"""Shared plotly layout: the clinical theme, the context footnote every figure carries, export config.

Every figure names its study, population, endpoint and data cut in its own title and footnote, and
says SYNTHETIC when it shows demo data, so a pasted slide image is never orphaned.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from components.style import FONT_FAMILY


@dataclass(frozen=True)
class FigureContext:
    study: str
    cutoff: str
    population: str = ""
    endpoint: str = ""
    synthetic: bool = False
    note: str = ""
    presentation: bool = False

    def footnote(self, width: int = 115) -> str:
        parts = [self.study, f"Data cut-off {self.cutoff}"]
        if self.population:
            parts.append(self.population)
        if self.endpoint:
            parts.append(self.endpoint)
        lines = [wrap(" · ".join(parts), width)]
        if self.note:
            lines.append(wrap(self.note, width))
        return "<br>".join(lines)

    def with_(self, **changes: object) -> FigureContext:
        from dataclasses import replace

        return replace(self, **changes)  # type: ignore[arg-type]


SYNTHETIC_TAG = "SYNTHETIC DEMO DATA — not trial results"


def wrap(text: str, width: int = 115, sep: str = " · ") -> str:
    """Pack ``sep``-separated phrases into lines of at most ``width`` characters (plotly annotations
    do not wrap); a phrase longer than a line is split at spaces."""
    out: list[str] = []
    for para in text.split("<br>"):
        line = ""
        for phrase in para.split(sep):
            words = [phrase] if len(phrase) <= width else phrase.split(" ")
            for i, w in enumerate(words):
                joiner = sep if (i == 0 and line) else (" " if line else "")
                if line and len(line) + len(joiner) + len(w) > width:
                    out.append(line + (sep.rstrip() if i == 0 else ""))
                    line = w
                else:
                    line = line + joiner + w
        out.append(line)
    return "<br>".join(out)


def base_font_size(ctx: FigureContext | None) -> int:
    return 17 if ctx is not None and ctx.presentation else 13


def finish_figure(
    fig: go.Figure,
    ctx: FigureContext | None,
    title: str,
    height: int | None = None,
    legend_title: str | None = None,
    legend: dict | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Apply the clinical theme, the title, the context footnote and the SYNTHETIC tag.

    The tag (and ``subtitle``) sit on a line of their own under the title, so they never overlap it
    however narrow the figure: an annotation a fixed distance below the figure's top (the top margin
    is fixed). ``legend`` overrides the default legend placement (horizontal, above the plot)."""
    size = base_font_size(ctx)
    footnote_lines = 0 if ctx is None else 1 + ctx.footnote().count("<br>")
    bottom = 72 + 16 * footnote_lines
    second = []
    if subtitle:
        second.append(f"<span style='color:#444444'>{subtitle}</span>")
    if ctx is not None and ctx.synthetic:
        second.append(f"<span style='color:#D55E00'><b>{SYNTHETIC_TAG}</b></span>")
    top = 100 if second else 80
    fig.update_layout(
        template="simple_white",
        font={"family": FONT_FAMILY, "size": size, "color": "#222222"},
        title={"text": f"<b>{title}</b>", "x": 0.0, "xref": "paper", "xanchor": "left", "y": 0.99,
               "yref": "container", "yanchor": "top", "font": {"size": size + 4}},
        margin={"l": 70, "r": 30, "t": top, "b": bottom},
        legend={"title": {"text": legend_title or ""}, "orientation": "h", "yanchor": "bottom",
                "y": 1.0, "x": 0.0, "xanchor": "left", "font": {"size": size - 1}},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": size}},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    if second:
        fig.add_annotation(text=" · ".join(second), xref="paper", yref="paper", x=0.0, y=1.0,
                           yshift=top - 34, xanchor="left", yanchor="top", showarrow=False, align="left",
                           font={"size": size - 1})
    if legend:
        fig.update_layout(legend=legend)
    if height:
        fig.update_layout(height=height)
    if ctx is not None:
        fig.add_annotation(
            text=ctx.footnote(), xref="paper", yref="paper", x=0.0, y=0.0, yshift=-bottom + 8,
            xanchor="left", yanchor="bottom", showarrow=False, align="left",
            font={"size": size - 3, "color": "#555555"},
        )
    if ctx is not None and ctx.presentation:
        for t in fig.data:  # thicker visible lines; invisible ones (CI band edges, width 0) stay invisible
            if t.type == "scatter" and "lines" in (t.mode or "lines"):
                width = t.line.width
                if width is None or width > 0:
                    t.line.width = max((width or 2) * 1.3, 2.5)
    return fig


def export_config(filename: str, presentation_scale: int = 3) -> dict:
    """Plotly config: the toolbar's camera exports a PNG at presentation resolution."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "scale": presentation_scale,
        },
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }
