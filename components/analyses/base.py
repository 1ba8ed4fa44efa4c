"""What every analysis shares: its options, its named result, the figure context, a memo of the
per-cut derivations, and the "show the code" snippet.

An analysis is a function ``(cut, config, options) -> Result``: ``cut`` is the whole data cut as
loaded, ``config`` the study config, ``options`` a frozen dataclass of plain values (the sidebar
filters among them), so that a result is determined by its three inputs: it can be cached by them,
and reproduced from a Python session by the snippet :func:`code_snippet` writes.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from components.data.config import ResponseRules, StudyConfig
from components.data.datasets import DataCut
from components.data.filters import apply_filters, describe
from components.figures.plotting import FigureContext
from components.i18n import _
from components.stats.pvalues import PValue, p_text

Filters = tuple[tuple[str, tuple[str, ...]], ...]


def as_filters(selection: Mapping[str, Sequence[str]] | None) -> Filters:
    """The sidebar selection as an options value: active filters only, in a fixed order."""
    if not selection:
        return ()
    return tuple(sorted((str(k), tuple(str(v) for v in vals)) for k, vals in selection.items() if vals))


@dataclass(frozen=True)
class Options:
    """Options every analysis takes: the sidebar filters and the presentation theme."""

    filters: Filters = ()
    presentation: bool = False

    @property
    def selection(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.filters}

    @property
    def filter_text(self) -> str:
        return describe(self.selection)


def view(cut: DataCut, options: Options) -> DataCut:
    """The cut restricted to the subjects the filters select (the whole cut without filters)."""
    return apply_filters(cut, options.selection)


def new_subjects(cut: DataCut, previous: DataCut | None, filters: Filters = ()) -> tuple[str, ...]:
    """Subjects of ``cut`` (within the filters) who were not in ``previous``: "new since the last cut"."""
    if previous is None or not previous.has("adsl") or not cut.has("adsl"):
        return ()
    now = set(view(cut, Options(filters=filters)).tables["adsl"]["USUBJID"])
    return tuple(sorted(now - set(previous.tables["adsl"]["USUBJID"])))


def figure_context(cut: DataCut, config: StudyConfig, options: Options, population: str = "", endpoint: str = "",
                   note: str = "") -> FigureContext:
    """The context every figure carries: study, cut-off, population, endpoint, filters, SYNTHETIC."""
    notes = [n for n in (note, _("Filters: {filters}").format(filters=options.filter_text) if options.filters else "")
             if n]
    return FigureContext(study=f"{config.id} · {_(config.short_title)}", cutoff=cut.cutoff_text, population=population,
                         endpoint=endpoint, synthetic=cut.synthetic, note=" · ".join(notes),
                         presentation=options.presentation, subgroup=bool(options.filters))


@dataclass(frozen=True)
class Call:
    """How a result was made: the analysis function, its options and, for a comparison, the folder of
    the previous cut (for the code snippet)."""

    module: str
    function: str
    options: Options
    previous: str | None = None


@dataclass(frozen=True)
class Result:
    """A named result: key numbers (what the snippet prints and the tests compare), tables, an
    optional figure, notes for the caption, and the call that made it. ``detail`` carries a typed
    object where a page needs more than numbers and tables (e.g. the primary decision)."""

    title: str
    numbers: Mapping[str, Any] = field(default_factory=dict)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    figure: go.Figure | None = None
    notes: tuple[str, ...] = ()
    call: Call | None = None
    detail: Any = None

    def number_lines(self) -> list[str]:
        return [f"{k}: {format_number(v)}" for k, v in self.numbers.items()]

    def print(self) -> None:
        """Print the key numbers, one per line, as the page shows them."""
        print("\n".join(self.number_lines()))


def format_number(v: Any) -> str:
    """One text form of a key number for the page, the snippet and the tests."""
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, PValue):
        return p_text(v)
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"
    return str(v)


def analysis(title: str) -> Callable:
    """Decorator: record the call on the result (module, function, options)."""

    def wrap(fn: Callable[..., Result]) -> Callable:
        def run(cut: DataCut, config: StudyConfig, options: Options | None = None, **previous: DataCut) -> Result:
            opts = options if options is not None else _default_options(fn)
            res = fn(cut, config, opts, **previous)
            prev = previous.get("previous")
            return Result(res.title or _(title), res.numbers, res.tables, res.figure, res.notes,
                          Call(fn.__module__, fn.__name__, opts, prev.source if prev is not None else None), res.detail)

        run.__name__, run.__qualname__, run.__module__, run.__doc__ = fn.__name__, fn.__qualname__, fn.__module__, fn.__doc__
        run.__wrapped__ = fn  # type: ignore[attr-defined]
        run.options_type = fn.__annotations__.get("options")  # type: ignore[attr-defined]
        return run

    return wrap


def _default_options(fn: Callable) -> Options:
    hint = fn.__annotations__.get("options")
    cls = fn.__globals__.get(hint) if isinstance(hint, str) else hint
    return cls() if isinstance(cls, type) else Options()


def code_snippet(result: Result, cut: DataCut, config: StudyConfig) -> str:
    """A short, runnable Python snippet that reproduces ``result`` from the data-cut folder with the
    project's own functions (teal's "Show R code", for Python). Written from the call, never by hand."""
    if result.call is None:
        return ""
    c = result.call
    opts = type(c.options).__name__
    folder = cut.source if cut.source and cut.source != "upload" else None
    lines = [
        "# Run from the project folder (python3, with the project's requirements installed).",
        "from components.data.config import load_config",
        "from components.data.datasets import load_cut",
        f"from {c.module} import {opts}, {c.function}",
        "",
    ]
    if folder:
        lines.append(f"cut = load_cut({folder!r})")
    else:
        lines += ["# The uploaded files: save them in one folder and put its path here.",
                  "cut = load_cut('path/to/the/cut/folder')"]
    extra = ""
    if c.previous is not None:
        lines.append(f"previous = load_cut({c.previous!r})  # the comparison cut")
        extra = ", previous=previous"
    lines.append(f"config = load_config({str(config.path)!r})")
    if config.role:  # what this role may see, as the app gave it (components/data/roles.py)
        unblinded = config.role == "statistician" and not config.stamp.startswith("BLINDED")
        lines += ["from components.data.roles import apply_role, parse_role",
                  f"role = parse_role({config.role!r}{', True' if unblinded else ''})  # your role",
                  "cut, config = apply_role(cut, config, role)"]
        if c.previous is not None:
            lines.append("previous = apply_role(previous, load_config(" + repr(str(config.path)) + "), role)[0]")
    lines += [
        f"result = {c.function}(cut, config, {_options_repr(c.options)}{extra})",
        "result.print()  # the numbers on screen",
    ]
    if result.figure is not None:
        lines.append("# result.figure.show()  # the figure")
    if result.tables:
        lines.append(f"# result.tables[{next(iter(result.tables))!r}]  # tables: {', '.join(map(repr, result.tables))}")
    return "\n".join(lines)


def _options_repr(options: Options) -> str:
    """The options as a constructor call with only the values that differ from the defaults."""
    default = type(options)()
    args = [f"{f.name}={getattr(options, f.name)!r}" for f in fields(options)
            if getattr(options, f.name) != getattr(default, f.name)]
    return f"{type(options).__name__}({', '.join(args)})"


# --------------------------------------------------------------------------- per-cut memo


class _Memo:
    """Derivations computed once per loaded cut and settings (a cut is immutable once loaded): the
    entry dies with the cut."""

    def __init__(self) -> None:
        self._store: dict[tuple, tuple[weakref.ref, Any]] = {}

    def get(self, cut: DataCut, key: tuple, make: Callable[[], Any]) -> Any:
        k = (id(cut), *key)
        hit = self._store.get(k)
        if hit is not None and hit[0]() is cut:
            return hit[1]
        value = make()
        self._store[k] = (weakref.ref(cut, lambda _r, k=k: self._store.pop(k, None)), value)
        return value


MEMO = _Memo()


def response_derivation(cut: DataCut, rules: ResponseRules, confirm: bool, prefer_given: bool = True):
    """The cut's best overall responses, tumour changes and best % change (all subjects), once per cut
    and settings."""
    from components.stats.recist import analyse_response

    def make():
        ra = analyse_response(cut.tables["adsl"], cut.tables["adrs"], cut.tables.get("adtr"), rules, confirm,
                              prefer_given)
        # too early to assess (NOT_YET): the first scan's window had not closed by the cut-off — out of the
        # rates' denominator whatever the scans show so far (components/stats/schedule.py)
        from components.stats.schedule import Schedule, too_early

        adsl = cut.tables["adsl"]
        if cut.cutoff is None:
            ra.bor["NOT_YET"] = False
        else:
            early = pd.Series(too_early(adsl, cut.cutoff, Schedule.from_rules(rules)).to_numpy(), index=adsl["USUBJID"])
            ra.bor["NOT_YET"] = ra.bor["USUBJID"].map(early).fillna(False).astype(bool)
        return ra

    return MEMO.get(cut, ("response", rules, confirm, prefer_given), make)


def assessment_derivation(cut: DataCut, rules: ResponseRules) -> pd.DataFrame | None:
    """The tumour-assessment schedule of every patient at the cut-off (:func:`assessment_schedule`),
    once per cut; None when the cut has no cut-off date or no ADRS."""
    from components.stats.schedule import Schedule, assessment_schedule

    if cut.cutoff is None or "adrs" not in cut.tables or "adsl" not in cut.tables:
        return None

    def make():
        # the first PD of the BOR derivation the pages already made (it does not depend on confirmation or on
        # the BOR's source): not a second derivation
        bor = response_derivation(cut, rules, rules.confirmed_default, True).bor
        return assessment_schedule(cut.tables["adsl"], cut.tables["adrs"], bor.set_index("USUBJID")["PD_DATE"],
                                   cut.cutoff, Schedule.from_rules(rules))

    return MEMO.get(cut, ("schedule", rules.assessment_interval_weeks, rules.assessment_window_days), make)
