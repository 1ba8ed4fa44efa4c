"""What changed since the previous data cut: new patients, responses, progressions, deaths, stopped
treatment and serious or severe AEs; the key numbers before and now (from the same analyses as the
pages); and retroactive changes to the older part of the data."""

from __future__ import annotations

import numpy as np

from components.analyses.base import Options, Result, analysis, response_derivation, view
from components.analyses.overview import study_status
from components.analyses.response import ResponseOptions, response_overview
from components.analyses.survival import SurvivalOptions, kaplan_meier_endpoint
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.stats.changes import CutChanges, compare_events, metrics_table


@analysis("Key numbers")
def key_metrics(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """The numbers a steering committee follows from cut to cut: enrolled, treated, on treatment,
    response-evaluable, deaths, confirmed responders and ORR (response-evaluable), PFS events and
    median PFS (all treated) — each from the analysis the pages use."""
    st = study_status(cut, config, options).numbers
    out: dict[str, float | None] = {k: st[k] for k in ("Enrolled", "Treated", "On treatment", "Response-evaluable",
                                                       "Deaths")}
    if cut.has("adrs"):
        r = response_overview(cut, config, ResponseOptions(filters=options.filters)).numbers
        out["Confirmed responders"] = r["Responders"]
        out["ORR (%)"] = r["ORR (%)"]
    pfs = kaplan_meier_endpoint(cut, config, SurvivalOptions(endpoint="PFS", filters=options.filters))
    if pfs.detail.origin and pfs.detail.km is not None and pfs.detail.km.n:
        km = pfs.detail.km
        out["PFS events"] = km.events
        out["Median PFS (months)"] = (round(km.median / config.survival.days_per_month, 1)
                                      if not np.isnan(km.median) else None)
    return Result("", out)


@analysis("Since the last cut")
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
    numbers = {"Newly enrolled": len(ch.new_patients), "New or newly confirmed responses": len(ch.new_responses),
               "New progressions": len(ch.new_progressions), "New deaths": len(ch.new_deaths),
               "Stopped treatment": len(ch.stopped_treatment),
               "New grade ≥3 or serious adverse events": len(ch.new_ae), "Retroactive changes": len(ch.retro)}
    tables = {"metrics": ch.metrics, "new_patients": ch.new_patients, "new_responses": ch.new_responses,
              "new_progressions": ch.new_progressions, "new_deaths": ch.new_deaths,
              "stopped_treatment": ch.stopped_treatment, "new_ae": ch.new_ae, "retro": ch.retro}
    return Result(f"Since the {previous.cutoff_text} cut", numbers, tables, None, detail=ch)
