"""The standard figures and tables of a data cut, for the slide deck and the HTML report: the same
analyses as the pages (components.analyses), in their default views, so a slide and its page show
the same numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.analyses.base import Filters, Options, Result, new_subjects, view
from components.analyses.changes import NEW_COUNTS, cut_comparison
from components.analyses.enrollment import AccrualOptions, accrual, flow
from components.analyses.overview import study_status
from components.analyses.response import (
    ArmsOptions,
    ResponseOptions,
    WaterfallOptions,
    response_by_arm,
    response_overview,
    waterfall,
    wide_headers,
)
from components.analyses.safety import ButterflyOptions, ae_butterfly, ae_overview, ae_overview_by_arm, arm_headers
from components.analyses.survival import SurvivalOptions, cut_endpoints, default_view, kaplan_meier_endpoint
from components.analyses.swimmer import SwimmerOptions, swimmer
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.i18n import _

SWIMMER_MAX = 60  # patients on the swimmer slide (longest on treatment)


@dataclass(frozen=True)
class ReportItem:
    key: str
    title: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    note: str = ""
    result: Result | None = None  # the analysis it shows (numbers, and the call that made it)
    translate: tuple[str, ...] = ()  # columns of ``table`` whose cells are labels the app wrote (shown translated)


def build_report(cut: DataCut, config: StudyConfig, compare: DataCut | None = None, presentation: bool = True,
                 filters: Filters = ()) -> list[ReportItem]:
    """Enrollment, flow, the primary endpoint's decision, response table and waterfall, swimmer, KM for
    PFS and OS, safety overview and butterfly and, with a comparison cut, the since-last-cut
    highlights. ``cut`` is the whole cut; ``filters`` select the subjects shown (the decision is always
    taken on the whole study)."""
    base = {"filters": filters, "presentation": presentation}
    items: list[ReportItem] = []
    new = new_subjects(cut, compare, filters)
    label = _("new since {date}").format(date=compare.cutoff_text) if compare is not None and new else ""

    adsl = view(cut, Options(filters=filters)).tables["adsl"] if cut.has("adsl") else pd.DataFrame()
    survival_population, arms = default_view(config, adsl) if cut.has("adsl") else ("SAFFL", None)
    acc = accrual(cut, config, AccrualOptions(**base))
    items.append(ReportItem("enrollment", _("Enrollment"), acc.figure, note=acc.notes[0], result=acc))
    fl = flow(cut, config, Options(**base))
    items.append(ReportItem("flow", _("CONSORT flow"), fl.figure, result=fl))
    if cut.has("adrs"):
        ro = response_overview(cut, config, ResponseOptions(**base))
        pe = ro.detail.decision
        if pe is not None:
            items.append(ReportItem("primary", _("Primary endpoint: ORR against the protocol's decision rule"),
                                    table=pe.table(), note=_("Whole study, whatever filters are on.") if filters else "",
                                    result=ro, translate=("Item",)))
        orr = ro.detail.orr
        confirmed = ro.detail.confirmed
        ba = (response_by_arm(cut, config, ArmsOptions(**base, population=survival_population))
              if arms else None)
        if ba is not None and "arms" in ba.tables:
            title = (_("Best overall response by arm (RECIST 1.1, confirmed)") if confirmed
                     else _("Best overall response by arm (RECIST 1.1, unconfirmed)"))
            items.append(ReportItem("response_table", title, table=ba.tables["bor_by_arm"], note=ba.notes[-1], result=ba,
                                    translate=("Best overall response",)))
            items.append(ReportItem("response_by_arm", _("Objective response by arm"), table=ba.tables["arms"],
                                    note=ba.notes[0], result=ba))
        else:
            # one row per category, n (%) and CI per population; headers and categories in the run's language
            show = wide_headers(ro.tables["summary_display"])
            title = (_("Best overall response (RECIST 1.1, confirmed)") if confirmed
                     else _("Best overall response (RECIST 1.1, unconfirmed)"))
            items.append(ReportItem("response_table", title, table=show,
                                    note=_("ORR (response-evaluable): {rate}").format(rate=orr.rate.text())
                                         + (f"; {orr.test.name}: {orr.test.p_text}" if orr.test is not None else ""),
                                    result=ro))
        wf = waterfall(cut, config, WaterfallOptions(**base, highlight=new, highlight_label=label))
        items.append(ReportItem("waterfall", _("Waterfall"), wf.figure, result=wf))
    sw = swimmer(cut, config, SwimmerOptions(**base, page_size=SWIMMER_MAX, highlight=new, highlight_label=label))
    if sw.figure is not None:
        items.append(ReportItem("swimmer", _("Swimmer"), sw.figure, result=sw))
    for info in cut_endpoints(cut):  # the sponsor's every ADTTE parameter, and PFS/OS where derived (DoR: page only)
        ep = info.code
        if ep == "DOR":
            continue
        km = kaplan_meier_endpoint(cut, config, SurvivalOptions(**base, endpoint=ep, population=survival_population,
                                                                group_by=arms))
        if km.figure is not None:
            name = info.label
            items.append(ReportItem(ep.lower(), name, km.figure, result=km))
            if "stratified" in km.tables:
                primary = config.two_arm is not None and config.two_arm.endpoint == ep
                title = (_("Primary endpoint: {endpoint}, stratified comparison") if primary
                         else _("{endpoint}, stratified comparison")).format(endpoint=name)
                items.append(ReportItem(f"{ep.lower()}_comparison", title, table=km.tables["stratified"], result=km,
                                        note=_("Stratified by the randomization factors of the study config."),
                                        translate=("Analysis",)))
    if cut.has("adae"):
        ov = ae_overview(cut, config, Options(**base))
        by_arm = ae_overview_by_arm(cut, config, Options(**base)) if arms else None
        if by_arm is not None and "by_arm" in by_arm.tables:
            items.append(ReportItem("safety", _("Adverse events overview by arm"), table=arm_headers(by_arm.tables["by_arm"]),
                                    note=by_arm.notes[0], result=by_arm, translate=("Category",)))
        else:
            items.append(ReportItem("safety", ov.title, table=ov.tables["overview"][["Category", "n (%)"]], result=ov,
                                    translate=("Category",)))
        bf = ae_butterfly(cut, config, ButterflyOptions(**base, top=12))
        items.append(ReportItem("ae_butterfly", _("Most frequent adverse events"), bf.figure, result=bf))
    for part in (since_last_cut_item, since_last_cut_by_arm):
        summary = part(cut, config, compare, filters)
        if summary is not None:
            items.append(summary)
    return items


def since_last_cut_item(cut: DataCut, config: StudyConfig, compare: DataCut | None,
                        filters: Filters = ()) -> ReportItem | None:
    """The 'since last cut' summary slide: key numbers before → now and what is new."""
    if compare is None or not compare.has("adsl") or not cut.has("adsl"):
        return None
    ch = cut_comparison(cut, config, Options(filters=filters), previous=compare)
    retro = len(ch.tables["retro"])
    note = (_("{n} retroactive change(s) to records dated before {date}.").format(n=retro, date=compare.cutoff_text)
            if retro else "")
    return ReportItem("changes", _("Since the last cut ({date})").format(date=compare.cutoff_text), table=highlights(ch),
                      result=ch, note=note, translate=("",))


def since_last_cut_by_arm(cut: DataCut, config: StudyConfig, compare: DataCut | None,
                          filters: Filters = ()) -> ReportItem | None:
    """Randomized studies: the key numbers before → now for each arm."""
    if compare is None or not compare.has("adsl") or not cut.has("adsl"):
        return None
    ch = cut_comparison(cut, config, Options(filters=filters), previous=compare)
    if "metrics_by_arm" not in ch.tables:
        return None
    return ReportItem("changes_by_arm", _("Since the last cut ({date}), by arm").format(date=compare.cutoff_text),
                      table=ch.tables["metrics_by_arm"], result=ch, note=" ".join(ch.notes), translate=("Measure",))


def highlights(ch: Result) -> pd.DataFrame:
    """The since-last-cut slide: key numbers before → now, and counts of what is new."""
    rows = [{"": r.Measure, "Before": _num(r.Before), "Now": _num(r.Now), "Change": _num(r.Change, signed=True)}
            for r in ch.tables["metrics"].itertuples(index=False)]
    for label in NEW_COUNTS:
        rows.append({"": label, "Before": "", "Now": str(ch.numbers[label]), "Change": ""})
    return pd.DataFrame(rows)


def _num(v: float, signed: bool = False) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "NR" if not signed else ""
    return f"{v:+g}" if signed else f"{v:g}"


def key_numbers_text(cut: DataCut, config: StudyConfig, filters: Filters = ()) -> str:
    n = study_status(cut, config, Options(filters=filters)).numbers
    def of(k: str, target: str) -> str:
        return f"{n[k]}/{n[target]}" if n[target] is not None else f"{n[k]}"

    return _("Enrolled {enrolled} · treated {treated} · on treatment {on_treatment} · response-evaluable {evaluable} · "
             "deaths {deaths}").format(enrolled=of("Enrolled", "Target enrolled"), treated=n["Treated"],
                                       on_treatment="—" if n["On treatment"] is None else n["On treatment"],
                                       evaluable=of("Response-evaluable", "Target evaluable"),
                                       deaths="—" if n["Deaths"] is None else n["Deaths"])
