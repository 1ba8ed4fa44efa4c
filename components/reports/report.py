"""The standard figures and tables of a data cut, for the slide deck and the HTML report — built with
the same builders and derivations as the pages, in their default views."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.analyses import objective_response, primary_endpoint
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.figures.enrollment_plots import accrual_figure, flow_figure
from components.figures.km_plot import km_curves, km_figure, stats_lines
from components.figures.plotting import FigureContext
from components.figures.response_plots import waterfall_data, waterfall_figure
from components.figures.safety_plots import butterfly_figure
from components.figures.swimmer_plots import swimmer_figure
from components.stats.changes import CutChanges, compare_cuts
from components.stats.enrollment import consort_flow, cumulative, planned_line, project_completion, projection_band
from components.stats.recist import ResponseAnalysis, analyse_response, response_summary
from components.stats.safety import overview, safety_population, term_worst_grade_counts, treatment_emergent
from components.stats.summary import key_numbers
from components.stats.survival import ENDPOINTS, endpoint_data
from components.stats.swimmer import sort_bars, swimmer_data


@dataclass(frozen=True)
class ReportItem:
    key: str
    title: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    note: str = ""


def context(cut: DataCut, config: StudyConfig, population: str = "", endpoint: str = "",
            presentation: bool = True) -> FigureContext:
    return FigureContext(study=f"{config.id} · {config.short_title}", cutoff=cut.cutoff_text, population=population,
                         endpoint=endpoint, synthetic=cut.synthetic, presentation=presentation)


def analysis(cut: DataCut, config: StudyConfig) -> ResponseAnalysis | None:
    if not cut.has("adsl", "adrs"):
        return None
    return analyse_response(cut.tables["adsl"], cut.tables["adrs"], cut.tables.get("adtr"), config.response, True, True)


def build_report(cut: DataCut, config: StudyConfig, compare: DataCut | None = None,
                 presentation: bool = True, study_cut: DataCut | None = None) -> list[ReportItem]:
    """Enrollment, flow, the primary endpoint's decision, response table and waterfall, swimmer, KM
    for PFS and OS, safety overview and, with a comparison cut, the since-last-cut highlights.
    ``cut`` may be a filtered view; the decision is always taken on ``study_cut`` (the whole study,
    default ``cut``)."""
    items: list[ReportItem] = []
    adsl = cut.tables["adsl"]
    ra = analysis(cut, config)
    cutoff = cut.cutoff

    # enrollment
    proj = project_completion(adsl["RFICDT"], config.design.n_enrolled, cutoff, config.enrollment.projection_window_days)
    fig = accrual_figure(cumulative(adsl["RFICDT"]), planned_line(config), projection_band(proj, cutoff),
                         config.design.n_enrolled, config.design.n_evaluable, cutoff,
                         context(cut, config, "All enrolled", "Enrollment", presentation))
    items.append(ReportItem("enrollment", "Enrollment", fig, note=proj.sentence()))
    flow = consort_flow(adsl, cut.tables.get("screening"))
    items.append(ReportItem("flow", "CONSORT flow", flow_figure(flow, context(cut, config, "All screened", "Patient flow",
                                                                               presentation))))
    if ra is not None:
        rules, d = config.response, config.design
        table = response_summary(ra.bor, adsl, d.p0, rules)
        ev = adsl.loc[adsl["EFFFL"] == "Y", "USUBJID"]
        b = ra.bor[ra.bor["USUBJID"].isin(set(ev))]
        orr = objective_response(ra.bor, set(ev), d)
        whole = study_cut if study_cut is not None else cut
        ra_whole = ra if whole is cut else analysis(whole, config)
        if ra_whole is not None:
            pe = primary_endpoint(whole.tables["adsl"], ra_whole.bor, d)
            items.append(ReportItem("primary", "Primary endpoint: ORR against the protocol's decision rule",
                                    table=pe.table(),
                                    note="Whole study, whatever filters are on." if whole is not cut else ""))
        show = table.assign(**{"n (%)": [f"{n} ({p:.1f}%)" if not np.isnan(p) else str(n) for n, p in zip(table["n"], table["%"], strict=True)],
                               "95% CI": [f"{lo:.1f}–{hi:.1f}" if not np.isnan(lo) else "" for lo, hi in
                                          zip(table["95% CI low"], table["95% CI high"], strict=True)]})
        items.append(ReportItem("response_table", "Best overall response (RECIST 1.1, confirmed)",
                                table=show[["Population", "N", "Category", "n (%)", "95% CI"]],
                                note=f"ORR (evaluable): {orr.rate.text()}; {orr.test.name}: {orr.test.p_text}"))
        bars, missing = waterfall_data(ra.best[ra.best["USUBJID"].isin(set(ev))], ra.bor, adsl, set(ra.new_lesions))
        new = compare_new_subjects(cut, compare)
        items.append(ReportItem("waterfall", "Waterfall", waterfall_figure(
            bars, missing, context(cut, config, f"Response-evaluable (N = {len(b)})", "Best % change (RECIST 1.1)",
                                   presentation), highlight=new, site_names={s.id: s.name for s in config.sites})))
    drug = next((x.drug for x in config.regimen if x.escalation or x.dose_levels), "")
    bars, events = swimmer_data(adsl, ra.bor if ra is not None else None, cutoff, cut.tables.get("adex"),
                                cut.tables.get("adae"), drug)
    if len(bars):
        shown = sort_bars(bars).head(60)
        items.append(ReportItem("swimmer", "Swimmer", swimmer_figure(
            shown, events[events["USUBJID"].isin(set(shown["USUBJID"]))],
            context(cut, config, f"Treated (N = {len(bars)})", "Time on treatment", presentation), drug=drug,
            highlight=compare_new_subjects(cut, compare), site_names={s.id: s.name for s in config.sites})))
    for ep in ("PFS", "OS"):
        data, origin = endpoint_data(adsl, cut.tables.get("adtte"), ra.bor if ra is not None else None, ep,
                                     7 * config.response.assessment_interval_weeks)
        treated = set(adsl.loc[adsl["SAFFL"] == "Y", "USUBJID"])
        data = data[data["USUBJID"].isin(treated)]
        if origin and len(data):
            curves = km_curves(data, None, config.survival.conf_type)
            ctx = context(cut, config, "All treated", ENDPOINTS[ep], presentation)
            items.append(ReportItem(ep.lower(), ENDPOINTS[ep], km_figure(
                curves, ctx, ENDPOINTS[ep], days_per_month=config.survival.days_per_month,
                tick_months=config.survival.tick_months, stats_lines=stats_lines(curves, config.survival.days_per_month),
                y_title=f"{ENDPOINTS[ep]} probability")))
    if cut.has("adae"):
        n_saf = len(safety_population(adsl))
        teae = treatment_emergent(cut.tables["adae"], adsl, config.safety.teae_lag_days)
        ov = overview(teae, n_saf)
        items.append(ReportItem("safety", f"Safety overview (N = {n_saf})", table=ov[["Category", "n (%)"]]))
        counts = term_worst_grade_counts(teae, n_saf, 12)
        items.append(ReportItem("ae_butterfly", "Most frequent adverse events", butterfly_figure(
            counts, context(cut, config, f"Safety population (N = {n_saf})", "TEAEs, NCI-CTCAE v5.0", presentation), n_saf)))
    if compare is not None:
        ch = changes(cut, compare, config)
        items.append(ReportItem("changes", f"Since the {compare.cutoff_text} cut", table=highlights(ch), note=(
            f"{len(ch.retro)} retroactive change(s) to records dated before {compare.cutoff_text}." if len(ch.retro) else "")))
    return items


def compare_new_subjects(cut: DataCut, compare: DataCut | None) -> set[str] | None:
    if compare is None or not compare.has("adsl"):
        return None
    return set(cut.tables["adsl"]["USUBJID"]) - set(compare.tables["adsl"]["USUBJID"])


def changes(cut: DataCut, compare: DataCut, config: StudyConfig) -> CutChanges:
    return compare_cuts(cut, compare, analysis(cut, config), analysis(compare, config), config)


def highlights(ch: CutChanges) -> pd.DataFrame:
    """The since-last-cut slide: key numbers before → now, and counts of what is new."""
    rows = [{"": r.Measure, "Before": _num(r.Before), "Now": _num(r.Now), "Change": _num(r.Change, signed=True)}
            for r in ch.metrics.itertuples(index=False)]
    for label, df in (("New patients", ch.new_patients), ("New or newly confirmed responses", ch.new_responses),
                      ("New progressions", ch.new_progressions), ("New deaths", ch.new_deaths),
                      ("Stopped treatment", ch.stopped_treatment), ("New grade ≥3 or serious AEs", ch.new_ae)):
        rows.append({"": label, "Before": "", "Now": str(len(df)), "Change": ""})
    return pd.DataFrame(rows)


def _num(v: float, signed: bool = False) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "NR" if not signed else ""
    text = f"{v:+g}" if signed else f"{v:g}"
    return text


def key_numbers_text(cut: DataCut, config: StudyConfig) -> str:
    k = key_numbers(cut.tables["adsl"], config, cut.tables.get("screening"))
    return (f"Enrolled {k.enrolled}/{k.target_enrolled} · treated {k.treated} · on treatment {k.on_treatment} · "
            f"response-evaluable {k.evaluable}/{k.target_evaluable} · deaths {k.deaths}")
