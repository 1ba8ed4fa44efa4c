"""What changed since the previous data cut: new patients, responses, progressions, deaths, stopped
treatment and serious or severe AEs; the key numbers before and now (from the same analyses as the
pages); and retroactive changes to the older part of the data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from components.analyses.arms import arm_column, arm_levels, efficacy_population
from components.analyses.base import Options, Result, analysis, response_derivation, view
from components.analyses.overview import study_status
from components.analyses.response import ResponseOptions, response_overview
from components.analyses.survival import SurvivalOptions, default_view, kaplan_meier_endpoint
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.i18n import N_, _
from components.stats.changes import CutChanges, compare_events, metrics_table


@analysis(N_("Key numbers"))
def key_metrics(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """The numbers a steering committee follows from cut to cut: enrolled, treated, on treatment,
    response-evaluable, deaths, confirmed responders and ORR (response-evaluable), PFS events and
    median PFS (all treated; a randomized study's efficacy population) — each from the analysis the
    pages use."""
    st = study_status(cut, config, options).numbers
    out: dict[str, float | None] = {k: st[k] for k in ("Enrolled", "Treated", "On treatment", "Response-evaluable",
                                                       "Deaths")}
    if cut.has("adrs"):
        r = response_overview(cut, config, ResponseOptions(filters=options.filters)).numbers
        out["Confirmed responders"] = r["Responders"]
        out["Patients in the ORR"] = r["Patients"]  # its denominator: the too-early-to-assess are not in it
        out["ORR (%)"] = r["ORR (%)"]
    v = view(cut, options)
    population = default_view(config, v.tables["adsl"])[0] if v.has("adsl") else "SAFFL"
    pfs = kaplan_meier_endpoint(cut, config, SurvivalOptions(endpoint="PFS", population=population,
                                                             filters=options.filters))
    if pfs.detail.origin and pfs.detail.km is not None and pfs.detail.km.n:
        km = pfs.detail.km
        out["PFS events"] = km.events
        out["Median PFS (months)"] = (round(km.median / config.survival.days_per_month, 1)
                                      if not np.isnan(km.median) else None)
    return Result("", out)


#: The measures of :func:`key_metrics` (the "Measure" column of the comparison), translated on screen.
MEASURES = (N_("Enrolled"), N_("Treated"), N_("On treatment"), N_("Response-evaluable"), N_("Deaths"),
            N_("Confirmed responders"), N_("Patients in the ORR"), N_("ORR (%)"), N_("PFS events"),
            N_("Median PFS (months)"))
#: Measures of efficacy that pool the arms of a randomized study: shown by arm only (a pooled ORR or
#: median means nothing there; a steering member's blinded view has no arms and keeps them)
EFFICACY = ("Confirmed responders", "Patients in the ORR", "ORR (%)", "PFS events", "Median PFS (months)")

#: What is new since the previous cut, in the order of the page and the slide.
NEW_COUNTS = (N_("Newly enrolled"), N_("New or newly confirmed responses"), N_("New progressions"), N_("New deaths"),
              N_("Stopped treatment"), N_("New grade ≥3 or serious adverse events"))


@analysis(N_("Since the last cut"))
def cut_comparison(cut: DataCut, config: StudyConfig, options: Options, previous: DataCut | None = None) -> Result:
    """Everything new in ``cut`` since ``previous`` among the filtered subjects, the key numbers before
    and now, and retroactive changes."""
    if previous is None:
        raise ValueError("cut_comparison needs the previous cut")
    cur, old = view(cut, options), view(previous, options)
    rules = config.response
    bor = {}
    for name, c, v in (("cur", cut, cur), ("old", previous, old)):
        if c.has("adrs") and v.has("adsl"):
            full = response_derivation(c, rules, rules.confirmed_default, True)
            bor[name] = full.restrict(set(v.tables["adsl"]["USUBJID"])).bor
    metrics = metrics_table(dict(key_metrics(cut, config, options).numbers),
                            dict(key_metrics(previous, config, options).numbers) if old.has("adsl") else {})
    ch: CutChanges = compare_events(cur, old, bor.get("cur"), bor.get("old"), metrics)
    numbers: dict[str, object] = dict(zip(NEW_COUNTS, (len(ch.new_patients), len(ch.new_responses),
                                                       len(ch.new_progressions), len(ch.new_deaths),
                                                       len(ch.stopped_treatment), len(ch.new_ae)), strict=True))
    numbers["Retroactive changes"] = len(ch.retro)
    tables = {"metrics": ch.metrics, "new_patients": ch.new_patients, "new_responses": ch.new_responses,
              "new_progressions": ch.new_progressions, "new_deaths": ch.new_deaths,
              "stopped_treatment": ch.stopped_treatment, "new_ae": ch.new_ae, "retro": ch.retro}
    notes: tuple[str, ...] = ()
    arms = arm_options(cut, config, options)
    if arms is not None:
        col, per_arm = arms
        by_arm = pd.DataFrame({"Measure": ch.metrics["Measure"]})
        for a, opts in per_arm:
            now = key_metrics(cut, config, opts).numbers
            before = key_metrics(previous, config, opts).numbers if old.has("adsl") else {}
            by_arm[a] = [f"{_num(before.get(m))} → {_num(now.get(m))}" for m in by_arm["Measure"]]
            numbers.update({f"{m}, {a}": now.get(m) for m in ("Enrolled", "Deaths", "ORR (%)") if m in now})
        tables["metrics_by_arm"] = by_arm
        tables["metrics"] = ch.metrics[~ch.metrics["Measure"].isin(EFFICACY)].reset_index(drop=True)
        arm_of = dict(zip(cur.tables["adsl"]["USUBJID"], cur.tables["adsl"][col].astype(str), strict=False))
        for k in ("new_patients", "new_responses", "new_progressions", "new_deaths", "stopped_treatment", "new_ae"):
            t = tables[k]
            if "USUBJID" in t:
                tables[k] = t.assign(Arm=t["USUBJID"].map(arm_of))[["USUBJID", "Arm", *[c for c in t if c != "USUBJID"]]]
        notes = (_("By planned arm; before → now."),)
    return Result(_("Since the {date} cut").format(date=previous.cutoff_text), numbers, tables, None, notes, detail=ch)


def arm_options(cut: DataCut, config: StudyConfig, options: Options) -> tuple[str, list[tuple[str, Options]]] | None:
    """Randomized studies: the planned-arm column and, per arm (within the sidebar filters), the options
    that select it; None for a single-arm study."""
    if not cut.has("adsl"):
        return None
    adsl = cut.tables["adsl"]
    col = arm_column(config, adsl, efficacy_population(config, adsl) or "ITTFL")
    if col is None:
        return None
    chosen = dict(options.filters)
    out = []
    for a in arm_levels(config, adsl[col].dropna()):
        if col in chosen and a not in chosen[col]:
            continue
        out.append((a, replace(options, filters=tuple(sorted({**chosen, col: (a,)}.items())))))
    return col, out


def _num(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    return f"{v:g}"
