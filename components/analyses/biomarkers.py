"""Exploratory biomarker analyses: p95HER2 status and response, the two p95HER2 assays, ctDNA
dynamics, and every other marker of the biomarker table at baseline by response."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from components.analyses.base import Options, Result, analysis, figure_context, response_derivation, view
from components.analyses.decision import evaluable_subjects
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.figures.biomarker_plots import (
    ctdna_figure,
    early_change_figure,
    marker_panel_figure,
    orr_by_group_figure,
)
from components.i18n import N_, _
from components.stats.biomarkers import (
    NOT_ASSESSABLE,
    cohen_kappa,
    ctdna_series,
    early_change,
    fisher_2x2,
    other_markers,
    p95_results,
    response_by_group,
)
from components.stats.pvalues import PValue

STATUS_ORDER = ["Positive", "Negative", NOT_ASSESSABLE, "Missing"]


def _evaluable(cut: DataCut, config: StudyConfig, options: Options):
    """(filtered ADSL, response derivation restricted to it, BOR of the response-evaluable, responder labels)."""
    adsl = view(cut, options).tables["adsl"]
    rules = config.response
    ra = response_derivation(cut, rules, rules.confirmed_default, True).restrict(set(adsl["USUBJID"]))
    ev = evaluable_subjects(adsl)
    bor = ra.bor[ra.bor["USUBJID"].isin(ev)]
    resp = bor.set_index("USUBJID")["BOR"].isin(["CR", "PR"]).map({True: "Responder", False: "Non-responder"})
    return adsl, ra, bor, resp


def _ctx(cut, config, options, n: int):
    return figure_context(cut, config, options, _("Response-evaluable (N = {n})").format(n=n), _("Exploratory biomarkers"))


@analysis(N_("Objective response rate by p95HER2 status"))
def p95_response(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """ORR by p95HER2 status (exact CIs) and Fisher's exact test, positive against negative, with the
    conditional-MLE odds ratio; not assessable and missing are shown, not tested."""
    adsl, _ra, bor, resp = _evaluable(cut, config, options)
    if "P95STAT" not in adsl:
        return Result("", {}, {}, None, (_("ADSL has no p95HER2 status (P95STAT)."),))
    status = adsl.set_index("USUBJID")["P95STAT"].fillna("Missing")
    counts = status.value_counts().reindex(STATUS_ORDER).dropna().astype(int)
    ev_status = set(status[status.index.isin(set(bor["USUBJID"]))])
    tab = response_by_group(bor, status, [g for g in STATUS_ORDER if g in ev_status])
    fig = orr_by_group_figure(tab, _ctx(cut, config, options, len(bor)), _("Objective response rate by p95HER2 status"))
    fx = fisher_2x2(bor["USUBJID"].map(status), bor["USUBJID"].map(resp), ("Positive", "Negative"),
                    ("Responder", "Non-responder"))
    numbers = {**{f"{k} (all enrolled)": int(v) for k, v in counts.items()},
               "Fisher p (positive vs negative)": PValue(fx.p_value) if fx.n else None,
               "Odds ratio (conditional MLE)": fx.odds.text(), "Patients in the test": fx.n,
               "Not assessable or missing (not tested)": len(bor) - fx.n}
    return Result(_("Objective response rate by p95HER2 status"), numbers, {"orr": tab.round(3), "two_by_two": fx.table},
                  fig, detail=fx)


@analysis(N_("Assays: IHC and Western blot"))
def p95_assays(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """IHC scores, Western blot results and their agreement (Cohen's κ), IHC ≥ the configured score
    read as positive."""
    bm = config.biomarkers
    adlb = view(cut, options).tables.get("adlb")
    if adlb is None or adlb.empty:
        return Result("", {}, {}, None, (_("The biomarker table is absent or empty."),))
    res = p95_results(adlb, bm.p95_ihc_param, bm.p95_wb_param, bm.p95_ihc_positive_min)
    if res.empty:
        return Result("", {}, {}, None, (_("No p95HER2 assay results in the biomarker table."),))
    agree = fisher_2x2(res["IHC"], res["WB"], ("Positive", "Negative"), ("Positive", "Negative"))
    kappa, pct = cohen_kappa(agree.table)
    # scores in their own order (0, 1+, 2+, 3+), then what has no score (not assessable, missing), as a
    # pathologist reads them — not by how many patients each has (issue 36)
    score = res.groupby("IHC_TEXT")["IHC_SCORE"].min()
    counts = res["IHC_TEXT"].value_counts()
    order = sorted(counts.index, key=lambda t: (pd.isna(score.get(t)), 0 if pd.isna(score.get(t)) else score.get(t), str(t)))
    tables = {"ihc": counts.reindex(order).rename_axis("IHC").reset_index(name="Patients"),
              "wb": res["WB"].value_counts().rename_axis("WB").reset_index(name="Patients"),
              "agreement": agree.table.rename_axis("IHC \\ WB")}
    numbers = {"Cohen's kappa": round(kappa, 3) if kappa == kappa else None,
               "Agreement (%)": round(100 * pct, 1) if pct == pct else None, "Patients with both": agree.n,
               "Not assessable or missing on either": len(res) - agree.n}
    return Result("", numbers, tables, None)


@analysis(N_("ctDNA trajectories"))
def ctdna(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """ctDNA over time on a log axis, undetectable samples at the limit of detection."""
    bm = config.biomarkers
    adsl, ra, bor, _resp = _evaluable(cut, config, options)
    adlb = view(cut, options).tables.get("adlb")
    if adlb is None or adlb.empty:
        return Result("", {}, {}, None, (_("The biomarker table is absent or empty."),))
    series = ctdna_series(adlb, adsl, bm.ctdna_param, bm.ctdna_lod)
    if series.empty:
        return Result("", {}, {}, None, (_("No ctDNA results ({param}) in the biomarker table.").format(param=bm.ctdna_param),))
    fig = ctdna_figure(series, ra.bor, _ctx(cut, config, options, len(bor)), bm.ctdna_lod, bm.ctdna_unit)
    return Result(_("ctDNA trajectories"), {"Patients": int(series["USUBJID"].nunique()), "Samples": len(series)},
                  {"series": series}, fig)


@analysis(N_("Early ctDNA change and response"))
def ctdna_early(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """Change from baseline at the early visit, clearance against response (Fisher's exact test) and
    molecular response (≥ 50% fall or clearance) beside the radiological one."""
    bm = config.biomarkers
    adsl, ra, bor, resp = _evaluable(cut, config, options)
    adlb = view(cut, options).tables.get("adlb")
    if adlb is None or adlb.empty:
        return Result("", {}, {}, None, (_("The biomarker table is absent or empty."),))
    early = early_change(ctdna_series(adlb, adsl, bm.ctdna_param, bm.ctdna_lod), bm.ctdna_early_day,
                         bm.ctdna_early_window_days, bm.ctdna_lod)
    early = early[early["USUBJID"].isin(set(bor["USUBJID"]))]
    if early.empty:
        return Result("", {}, {}, None, (_("No ctDNA results around day {day}.").format(day=bm.ctdna_early_day),))
    fig = early_change_figure(early, ra.bor, _ctx(cut, config, options, len(bor)), bm.ctdna_early_day)
    det = early[early["BASE_DETECTED"]]
    cl = fisher_2x2(det["CLEARED"].map({True: "Cleared", False: "Not cleared"}), det["USUBJID"].map(resp),
                    ("Cleared", "Not cleared"), ("Responder", "Non-responder"))
    mr = det.assign(**{"Molecular response": np.where(det["MOLECULAR_RESPONSE"], N_("yes"), N_("no")),
                       "Radiological (BOR)": det["USUBJID"].map(bor.set_index("USUBJID")["BOR"])})
    molecular = mr[["USUBJID", "BASE_VAF", "EARLY_VAF", "PCT_CHANGE", "Molecular response", "Radiological (BOR)"]].round(2)
    numbers = {"Patients": len(early), "Cleared": int(det["CLEARED"].sum()), "Not cleared": int((~det["CLEARED"]).sum()),
               "Undetectable at baseline (left out)": int((~early["BASE_DETECTED"]).sum()),
               "Fisher p (clearance vs response)": PValue(cl.p_value) if cl.n else None,
               "Odds ratio (conditional MLE)": cl.odds.text()}
    return Result(_("Early ctDNA change and response"), numbers,
                  {"early": early.round(3), "clearance": cl.table, "molecular": molecular}, fig, detail=cl)


def marker_codes(cut: DataCut, config: StudyConfig) -> list[str]:
    """The other parameters of the biomarker table (not ctDNA or the p95HER2 assays, and not the
    laboratory tests graded on the Safety page: components/stats/labs.py)."""
    from components.stats.labs import lab_test

    bm = config.biomarkers
    adlb = cut.tables.get("adlb")
    if adlb is None or adlb.empty:
        return []
    return sorted(c for c in set(adlb["PARAMCD"].dropna()) - {bm.ctdna_param, bm.p95_ihc_param, bm.p95_wb_param}
                  if lab_test(c) is None)


@dataclass(frozen=True)
class MarkerOptions(Options):
    paramcd: str = ""


@analysis(N_("Marker at baseline by response"))
def marker_panel(cut: DataCut, config: StudyConfig, options: MarkerOptions) -> Result:
    """One marker at baseline by response: Mann–Whitney U for numeric results; Fisher's exact,
    Fisher–Freeman–Halton or chi-square for categorical ones."""
    adsl, _ra, bor, _resp = _evaluable(cut, config, options)
    adlb = view(cut, options).tables.get("adlb")
    rows = adlb[adlb["PARAMCD"] == options.paramcd] if adlb is not None else pd.DataFrame()
    panels = other_markers(rows, bor, set(), adsl) if len(rows) else []
    if not panels:
        return Result("", {}, {}, None, (_("No results for {code}.").format(code=options.paramcd),))
    p = panels[0]
    fig = marker_panel_figure(p, _ctx(cut, config, options, len(bor)))
    numbers = {"Marker": p.name, "Test": p.test, "p": PValue(p.p_value) if p.p_value == p.p_value else None,
               "Responders": p.n_groups.get("Responder", 0), "Non-responders": p.n_groups.get("Non-responder", 0)}
    return Result(p.name, numbers, {"data": p.data}, fig, detail=p)
