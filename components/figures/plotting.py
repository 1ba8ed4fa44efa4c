"""Shared plotly layout: the clinical theme, the context footnote every figure carries, export config.

Every figure names its study, population, endpoint and data cut in its own title and footnote, and
says SYNTHETIC when it shows demo data, so a pasted slide image is never orphaned.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

from components.figures.style import FONT_FAMILY, INK, TEXT_MUTED, TEXT_SOFT, VERMILION
from components.i18n import N_, _

TEMPLATE_NAME = "trial"


def _register_template() -> None:
    """The clinical theme as a registered default template: the 2-D cartesian part of plotly's
    ``simple_white`` (axis lines, outside ticks, no grid) with the project font and white backgrounds.

    A default template is attached to every new figure without re-validation, where naming one in
    ``update_layout`` re-validated it (~17 ms a figure); keeping only the parts these figures use
    (no 3-D scenes, maps, polar or ternary axes) also keeps ~6 KiB of template out of every figure
    the browser is sent."""
    full = pio.templates["simple_white"]
    layout = {k: full.layout[k] for k in ("autotypenumbers", "colorway", "hovermode", "hoverlabel",
                                          "xaxis", "yaxis", "coloraxis", "colorscale")}
    template = go.layout.Template(
        layout=layout,
        data={k: full.data[k] for k in ("bar", "scatter", "scattergl", "box", "heatmap") if full.data[k]},
    )
    template.layout.update(font={"family": FONT_FAMILY, "color": INK},
                           hoverlabel={"font": {"family": FONT_FAMILY}},
                           paper_bgcolor="white", plot_bgcolor="white")
    pio.templates[TEMPLATE_NAME] = template
    pio.templates.default = TEMPLATE_NAME


_register_template()


@dataclass(frozen=True)
class FigureContext:
    study: str
    cutoff: str
    population: str = ""
    endpoint: str = ""
    synthetic: bool = False
    note: str = ""
    presentation: bool = False
    subgroup: bool = False  # sidebar filters select a subset: p-values on the figure are a subgroup analysis

    def p_label(self, label: str) -> str:
        return f"{label} ({_(SUBGROUP_TAG)})" if self.subgroup else label

    def footnote(self, width: int = 85) -> str:
        """The study, cut-off, population and endpoint (and a note), wrapped at ``width`` columns
        (:func:`footnote_columns`)."""
        from components.figures.safe_text import plotly_text

        parts = [self.study, _("Data cut-off {date}").format(date=self.cutoff)]
        if self.population:
            parts.append(self.population)
        if self.endpoint:
            parts.append(self.endpoint)
        lines = [wrap(plotly_text(" · ".join(parts)), width)]
        if self.note:  # may name data values (filters, a patient)
            lines.append(wrap(plotly_text(self.note), width))
        return "<br>".join(lines)

    def with_(self, **changes: object) -> FigureContext:
        from dataclasses import replace

        return replace(self, **changes)  # type: ignore[arg-type]


SYNTHETIC_TAG = N_("SYNTHETIC DEMO DATA — not trial results")
SUBGROUP_TAG = N_("subgroup analysis")


def text_width(text: str) -> int:
    """Display columns of a text: a Chinese (East Asian wide) character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pieces(phrase: str, width: int) -> list[str]:
    """A phrase too long for a line, split at spaces, or (Chinese has none) every ``width`` columns."""
    if " " in phrase.strip():
        return phrase.split(" ")
    out, cur = [], ""
    for ch in phrase:
        if cur and text_width(cur + ch) > width:
            out.append(cur)
            cur = ""
        cur += ch
    return [*out, cur] if cur else out


def wrap(text: str, width: int = 115, sep: str = " · ") -> str:
    """Pack ``sep``-separated phrases into lines of at most ``width`` columns (plotly annotations do
    not wrap; a Chinese character counts two); a phrase longer than a line is split at spaces."""
    out: list[str] = []
    for para in text.split("<br>"):
        line = ""
        for phrase in para.split(sep):
            words = [phrase] if text_width(phrase) <= width else _pieces(phrase, width)
            for i, w in enumerate(words):
                joiner = sep if (i == 0 and line) else (" " if line else "")
                if line and text_width(line) + len(joiner) + text_width(w) > width:
                    out.append(line + (sep.rstrip() if i == 0 else ""))
                    line = w
                else:
                    line = line + joiner + w
        out.append(line)
    return "<br>".join(out)


AXIS_TITLE_STANDOFF = 15  # px between an axis's tick labels and its title (plotly's simple_white)
AXIS_PAD = 8  # px between the plot area and its axes (margin.pad), as Streamlit's chart theme draws them


SUBTITLE_COLUMNS = 62  # a subtitle line's width in columns at the base size (a half-width figure)
NARROW_TITLE_PX = 420  # the width a half-width figure's title may take (bold type, at 1,400 px)
BASE_SIZE, PRESENTATION_SIZE = 13, 17  # px: the figures' base font, on screen and in the presentation theme
SMALL_TYPE = 12  # px and under: a builder's small type (a dense axis, a label on a line), scaled with the theme


def base_font_size(ctx: FigureContext | None) -> int:
    return PRESENTATION_SIZE if ctx is not None and ctx.presentation else BASE_SIZE


def _scale_small_type(fig: go.Figure, factor: float) -> None:
    """Multiply the font sizes a builder set at or under :data:`SMALL_TYPE` (swimmer ids, risk-table
    rows, reference-line labels, bar texts) by ``factor``: the presentation theme's type is larger
    throughout, not only where the theme's defaults apply."""

    def bump(font: object) -> None:
        if font is not None and isinstance(font.size, (int, float)) and font.size <= SMALL_TYPE:
            font.size = round(font.size * factor)

    for a in fig.layout.annotations:
        bump(a.font)
    for name in [k for k in fig.layout if k.startswith(("xaxis", "yaxis"))]:
        bump(fig.layout[name].tickfont)
        bump(fig.layout[name].title.font)
    for shape in fig.layout.shapes:
        if shape.label is not None:
            bump(shape.label.font)
    for trace in fig.data:
        if "textfont" in trace:
            bump(trace.textfont)
    bump(fig.layout.legend.font)  # a builder's small legend (the theme's own is larger)


def footnote_columns(ctx: FigureContext | None, narrow: bool = False) -> int:
    """The footnote's line width in columns: 85 across the page, 70 in a half-width figure, fewer in the
    presentation theme's larger type (a longer line ran off a half-width figure's right edge)."""
    return round((70 if narrow else 85) * BASE_SIZE / base_font_size(ctx))


def footnote_height(ctx: FigureContext | None, narrow: bool = False) -> int:
    """Pixels the context footnote takes under a figure (16 per line, 22 in the presentation theme's
    larger type); the bottom margin is :func:`axis_room` more."""
    if ctx is None:
        return 0
    lines = 1 + ctx.footnote(footnote_columns(ctx, narrow)).count("<br>")
    return round(1.6 * (base_font_size(ctx) - 3)) * lines


def axis_room(ctx: FigureContext | None) -> int:
    """Pixels under the plot for the x axis's ticks, labels and title: 72, and 12 more for the
    presentation theme's larger labels (16 px) and title (18 px), which touched the footnote at 72."""
    return 72 + 3 * (base_font_size(ctx) - BASE_SIZE)


def finish_figure(
    fig: go.Figure,
    ctx: FigureContext | None,
    title: str,
    height: int | None = None,
    legend_title: str | None = None,
    legend: dict | None = None,
    subtitle: str | None = None,
    narrow: bool = False,
) -> go.Figure:
    """Apply the clinical theme, the title, the context footnote and the SYNTHETIC tag; data values in
    the traces are escaped (:func:`components.figures.safe_text.sanitise_figure`).

    The tag (and ``subtitle``) sit on a line of their own under the title, so they never overlap it
    however narrow the figure: an annotation a fixed distance below the figure's top (the top margin
    is fixed). The default legend is a column to the right of the plot, outside it: plotly widens the
    right margin to fit it, so however narrow the figure it never wraps up into the title, the tag or
    the plot (a horizontal legend above the plot grew upwards over them at 1024 px). ``legend``
    overrides the placement. ``narrow``: the figure stands in a column of about half the page, so its
    title, subtitle and footnote wrap sooner (the presentation theme's type ran off its right edge).
    The left margin is preset to what the y axes' labels will need
    (:func:`components.figures.margins.preset_left_margin`); automargin still grows it if needed."""
    from components.figures.margins import preset_left_margin, text_px
    from components.figures.safe_text import plotly_text, sanitise_figure

    sanitise_figure(fig)
    size = base_font_size(ctx)
    bottom = axis_room(ctx) + footnote_height(ctx, narrow)
    second = []
    # a figure may stand in a half-width column (~450 px): a subtitle longer than that line wraps, and
    # the SYNTHETIC tag then takes a line of its own, so neither runs off the figure's right edge
    columns = round(SUBTITLE_COLUMNS * BASE_SIZE / size * (1 if narrow else 2))
    long = bool(subtitle) and text_width(subtitle) + text_width(_(SYNTHETIC_TAG)) + 3 > columns
    if subtitle:
        second.append(f"<span style='color:{TEXT_SOFT}'>{wrap(subtitle, columns)}</span>")
    if ctx is not None and ctx.synthetic:
        second.append(f"<span style='color:{VERMILION}'><b>{_(SYNTHETIC_TAG)}</b></span>")
    lines = sum(part.count("<br>") + 1 for part in second) if long else min(len(second), 1)
    top = 80 + round(20 * size / BASE_SIZE) * lines if second else 80
    title_size = size + 4
    if narrow:  # a long title is set smaller rather than run off a half-width figure (plotly does not wrap it)
        title_size = max(min(title_size, int(NARROW_TITLE_PX / (1.08 * text_px(title, 1.0) or 1))), size)
    default_legend = {"title": {"text": legend_title or "", "side": "top", "font": {"size": size - 1}},
                      "orientation": "v", "yanchor": "top",
                      "y": 1.0, "x": 1.02, "xanchor": "left", "font": {"size": size - 1}}
    set_layout(  # font and backgrounds stated, not left to the template: Streamlit's chart theme
        # restyles what a template leaves open
        fig,
        font={"family": FONT_FAMILY, "size": size, "color": INK},
        # a half-width figure's title starts at its left edge, not the plot's: a wide y axis left it no room
        title={"text": f"<b>{plotly_text(title)}</b>", "x": 0.02 if narrow else 0.0, "xref": "container" if narrow else "paper",
               "xanchor": "left", "y": 0.99,
               "yref": "container", "yanchor": "top", "font": {"size": title_size, "family": FONT_FAMILY}},
        # pad (axes 8 px off the plot area, so a value at the range's end is not drawn on the axis
        # line) stated: Streamlit's theme sets it on screen and an exported image would otherwise lack it
        margin={"l": 70, "r": 30, "t": top, "b": bottom, "pad": AXIS_PAD},
        legend=_merged(default_legend, legend or {}),
        hoverlabel={"font": {"family": FONT_FAMILY, "size": size}},
        paper_bgcolor="white",
        plot_bgcolor="white",
        **({"height": height} if height else {}),
    )
    if size != BASE_SIZE:  # the builders' small type (tick labels, labels on lines, a legend) grows with the theme
        _scale_small_type(fig, size / BASE_SIZE)
    for name in [k for k in fig.layout if k.startswith(("xaxis", "yaxis"))]:
        axis = fig.layout[name]
        if name.startswith("y") and axis.automargin is None:  # the margin grows to fit labels and titles
            axis.automargin = True
        # tick and title sizes and the title's distance stated: Streamlit's chart theme sets its own where
        # a figure leaves them open (12 px ticks, 14 px titles 24 px out, also in the presentation theme),
        # so the screen differed from the exported image and the margin could not be known in advance
        if axis.tickfont.size is None:
            axis.tickfont.size = size - 1
        if axis.tickfont.color is None:  # dark enough to read projected (the theme's grey was 3.8:1)
            axis.tickfont.color = TEXT_SOFT
        if axis.title.font.size is None:
            axis.title.font.size = size + 1
        if axis.title.font.color is None:
            axis.title.font.color = TEXT_SOFT
        if axis.title.standoff is None:
            axis.title.standoff = AXIS_TITLE_STANDOFF
        if axis.title.text == "":  # no title: an empty one reserved a title's room in some plotly.js versions
            axis.title.text = None
    notes = Overlay()
    if second:
        notes.annotations.append({"text": ("<br>" if long else " · ").join(second), "xref": "paper",
                                  "yref": "paper", "x": 0.0, "y": 1.0,
                                  "yshift": top - 34, "xanchor": "left", "yanchor": "top", "showarrow": False,
                                  "align": "left", "font": {"size": size - 1}})
    if ctx is not None:
        notes.annotations.append({"text": ctx.footnote(footnote_columns(ctx, narrow)), "xref": "paper",
                                  "yref": "paper", "x": 0.0, "y": 0.0,
                                  "yshift": -bottom + 8, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                                  "align": "left", "font": {"size": size - 3, "color": TEXT_MUTED}})
    notes.apply(fig)
    if ctx is not None and ctx.presentation:
        for t in fig.data:  # thicker visible lines; invisible ones (CI band edges, width 0) stay invisible
            if t.type == "scatter" and "lines" in (t.mode or "lines"):
                width = t.line.width
                if width is None or width > 0:
                    t.line.width = max((width or 2) * 1.3, 2.5)
    preset_left_margin(fig)  # wide enough for the y labels: the browser draws the figure once, not twice
    return fig


def _merged(base: dict, new: dict) -> dict:
    """``new`` over ``base``, nested dicts merged key by key (as plotly's update does)."""
    out = dict(base)
    for k, v in new.items():
        out[k] = _merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def set_layout(fig: go.Figure, **props: object) -> go.Figure:
    """``fig.update_layout(**props)`` with the same merge semantics, at a quarter of the cost: each
    top-level property is merged with what the figure already has and assigned once (plotly's update
    machinery walks every nested key; ~12 ms a call against ~3 ms)."""
    for key, value in props.items():
        current = fig.layout[key]
        if isinstance(value, dict) and hasattr(current, "to_plotly_json"):
            value = _merged(current.to_plotly_json(), value)
        setattr(fig.layout, key, value)
    return fig


def export_config(filename: str, presentation_scale: int = 3) -> dict:
    """Plotly config: no camera in the toolbar. An image is exported with the figure's "Export" button
    (PNG for slides, SVG), made on the server and recorded in the audit trail; the browser's own camera
    download would leave no row. (``toImageButtonOptions`` stays for a script that calls plotly's
    ``downloadImage`` on purpose.)"""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "scale": presentation_scale,
        },
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "toImage"],
    }


# (xanchor, yanchor, position along the line in domain units) of a reference line's label, as plotly's
# add_hline / add_vline place them (plotly.shapeannotation.annotation_params_for_line)
_H_LABEL = {"right": ("left", "middle", 1), "bottom right": ("right", "top", 1), "top left": ("left", "bottom", 0),
            "bottom left": ("left", "top", 0)}
_V_LABEL = {"top": ("center", "bottom", 1), "top left": ("right", "top", 1)}


class Overlay:
    """Reference lines, shaded spans and their labels, added to a figure in one layout update.

    Plotly's ``add_hline``/``add_vline``/``add_vrect`` re-validate the layout on every call and, in a
    figure with subplots, add a shape per subplot: ~5 ms a line, 0.6 s for a patient profile. ``axis``
    is the subplot's axis suffix ("" for x/y, "3" for x3/y3)."""

    def __init__(self) -> None:
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []

    def hline(self, y: float, line: dict, label: str | None = None, position: str = "right",
              font: dict | None = None, axis: str = "") -> Overlay:
        self.shapes.append({"type": "line", "xref": f"x{axis} domain", "x0": 0, "x1": 1, "yref": f"y{axis}",
                            "y0": y, "y1": y, "line": line})
        if label:
            xanchor, yanchor, x = _H_LABEL[position]
            self.annotations.append({"text": label, "xref": f"x{axis} domain", "x": x, "yref": f"y{axis}", "y": y,
                                     "xanchor": xanchor, "yanchor": yanchor, "showarrow": False, "font": font or {}})
        return self

    def vline(self, x: float, line: dict, label: str | None = None, position: str = "top",
              font: dict | None = None, axis: str = "") -> Overlay:
        self.shapes.append({"type": "line", "xref": f"x{axis}", "x0": x, "x1": x, "yref": f"y{axis} domain",
                            "y0": 0, "y1": 1, "line": line})
        if label:
            xanchor, yanchor, y = _V_LABEL[position]
            self.annotations.append({"text": label, "xref": f"x{axis}", "x": x, "yref": f"y{axis} domain", "y": y,
                                     "xanchor": xanchor, "yanchor": yanchor, "showarrow": False, "font": font or {}})
        return self

    def vrect(self, x0: float, x1: float, fillcolor: str, opacity: float = 1.0, label: str | None = None,
              font: dict | None = None, axis: str = "", top: bool = False) -> Overlay:
        """A shaded x span over the whole plot height, labelled inside at its bottom left (``top``: its
        top left, where rising curves such as a cumulative incidence start out of the way)."""
        self.shapes.append({"type": "rect", "xref": f"x{axis}", "x0": x0, "x1": x1, "yref": f"y{axis} domain",
                            "y0": 0, "y1": 1, "fillcolor": fillcolor, "opacity": opacity, "line": {"width": 0}})
        if label:
            self.annotations.append({"text": label, "xref": f"x{axis}", "x": min(x0, x1), "yref": f"y{axis} domain",
                                     "y": 1 if top else 0, "xanchor": "left", "yanchor": "top" if top else "bottom",
                                     "showarrow": False, "font": font or {}})
        return self

    def apply(self, fig: go.Figure) -> go.Figure:
        # assigned as plain dicts: update_layout with the figure's own annotation objects in the list
        # re-checks them property by property (80 ms for a patient profile; this takes 7 ms)
        if self.shapes:
            fig.layout.shapes = [*(s.to_plotly_json() for s in fig.layout.shapes), *self.shapes]
        if self.annotations:
            fig.layout.annotations = [*(a.to_plotly_json() for a in fig.layout.annotations), *self.annotations]
        return fig
