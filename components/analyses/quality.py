"""Data quality per site: tumour scans due, done, missed and overdue against the protocol's schedule,
protocol deviations found in the data (eligibility, dosing), and each site's rate against the study's
(funnel plot, gsm's scoring)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.analyses.base import Options, Result, analysis, assessment_derivation, figure_context, view
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.figures.quality_plots import funnel_figure
from components.i18n import N_, _
from components.stats.quality import (
    DEVIATION_COLUMNS,
    DOSING,
    ELIGIBILITY,
    dosing_deviations,
    eligibility_deviations,
    funnel,
)
from components.stats.schedule import NOT_TREATED, OVERDUE

#: the site rates the funnel can show: key → (rate's name, what the site size counts)
METRICS = {"missed": (N_("Patients with a missed scan"), N_("Patients with a scan expected by the cut-off")),
           "overdue": (N_("Patients with a scan overdue"), N_("Patients followed with scans")),
           "deviation": (N_("Patients with a protocol deviation"), N_("Patients enrolled"))}


#: a site's gsm flag, as the table shows it (a rate far below the study's is flagged "low": fewer missed
#: scans or deviations than expected can also mean under-reporting)
FLAGS = {2: N_("red"), 1: N_("amber"), 0: "", -1: N_("low"), -2: N_("low"), "few": N_("too few to flag")}
#: a site with a denominator below this is scored but not flagged (gsm's nMinDenominator)
MIN_DENOMINATOR = 3
#: a count that could not be made (the check has no rule, or no data)
NA = "—"


@dataclass(frozen=True)
class QualityOptions(Options):
    metric: str = "missed"  # a key of METRICS


def _site_label(config: StudyConfig, site: str) -> str:
    name = config.site_name(site)
    return site if not name or name == site else f"{site} · {name}"


@analysis(N_("Data quality by site"))
def data_quality(cut: DataCut, config: StudyConfig, options: QualityOptions) -> Result:
    """Per site: scans expected by the cut-off, done, missed and overdue (:mod:`components.stats.schedule`),
    patients awaiting their first scan, eligibility and dosing deviations
    (:mod:`components.stats.quality`), and the chosen rate's gsm score with the funnel plot."""
    v = view(cut, options)
    adsl = v.tables["adsl"]
    ids = set(adsl["USUBJID"])
    sites = sorted(adsl["SITEID"].astype(str).unique()) if "SITEID" in adsl else []
    notes: list[str] = []
    sched = assessment_derivation(cut, config.response)
    if sched is not None:
        sched = sched[sched["USUBJID"].isin(ids)]
        sched = sched.assign(SITEID=sched["SITEID"].astype(str)) if "SITEID" in sched else sched.assign(SITEID="")
        notes.append(_("Scans: every {weeks} weeks from the first dose with a {window}-day window (`[response]` in the study "
                       "config), followed until progression, death, the end of study or the cut-off ({cutoff}).").format(
            weeks=config.response.assessment_interval_weeks, window=config.response.assessment_window_days,
            cutoff=cut.cutoff_text))
        if "EOSDT" not in adsl:
            notes.append(_("The cut has no end-of-study date (ADSL EOSDT): a patient who left the study counts as still "
                           "followed with scans; the listing gives each one's treatment status and discontinuation reason "
                           "to tell them apart."))
    else:
        notes.append(_("Scans due and overdue: not available — the cut has no cut-off date or no ADRS."))
    elig = eligibility_deviations(adsl, config.eligibility)
    dosing = dosing_deviations(v.tables.get("adex"), adsl, config.regimen)
    devs = pd.concat([d for d in (elig, dosing) if len(d)], ignore_index=True) if len(elig) or len(dosing) else \
        pd.DataFrame(columns=DEVIATION_COLUMNS)
    devs = devs.assign(SITEID=devs["SITEID"].astype(str))
    e = config.eligibility
    checks = [c for c in ((_("age {range}").format(range=e.age_text()) if e.age_min is not None or e.age_max is not None
                           else ""), (_("ECOG {values} at baseline").format(values=", ".join(map(str, e.ecog)))
                                      if e.ecog else ""), (_("sex {sex}").format(sex=e.sex) if e.sex else "")) if c]
    notes.append(_("Eligibility checked from ADSL: {checks} (`[eligibility]` in the study config).").format(
        checks="; ".join(checks)) if checks else
        _("Eligibility: not checked — the study config has no `[eligibility]` section."))
    notes.append(_("Dosing: a dose above the protocol's planned dose that day, or none of its dose levels (±5%), from "
                   "ADEX.") if v.has("adex") else _("Dosing deviations: not available — the cut has no ADEX."))
    notes.append(_("Time from visit to data entry: not available — ADaM cuts carry no data-entry dates (they are in "
                   "the EDC's audit trail)."))

    rows = []
    for site in sites:
        in_site = adsl["SITEID"].astype(str).eq(site)
        row = {"SITEID": site, "SITE": _site_label(config, site), "ENROLLED": int(in_site.sum())}
        if sched is not None:
            ss = sched[sched["SITEID"] == site]
            row.update({"TREATED": int((ss["STATUS"] != NOT_TREATED).sum()), "EXPECTED": int(ss["EXPECTED"].sum()),
                        "SCANS": int(ss["SCANS"].sum()), "MISSED": int(ss["MISSED"].sum()),
                        "EXPECTING": int((ss["EXPECTED"] > 0).sum()), "MISSED_PTS": int((ss["MISSED"] > 0).sum()),
                        "FOLLOWED": int(((ss["END_REASON"] == "cut-off") & (ss["STATUS"] != NOT_TREATED)).sum()),
                        "OVERDUE": int((ss["STATUS"] == OVERDUE).sum()), "AWAITING": int(ss["NOT_YET"].sum())})
        ds = devs[devs["SITEID"] == site]
        # a check that could not run is "—", never a 0 (no [eligibility] rules, or no ADEX)
        row.update({"ELIG_DEV": int(ds.loc[ds["CATEGORY"] == ELIGIBILITY, "USUBJID"].nunique()) if checks else NA,
                    "DOSE_DEV": int(ds.loc[ds["CATEGORY"] == DOSING, "USUBJID"].nunique()) if v.has("adex") else NA,
                    "ANY_DEV": int(ds["USUBJID"].nunique()) if checks or v.has("adex") else NA})
        rows.append(row)
    table = pd.DataFrame(rows)

    metric = options.metric if options.metric in METRICS else "missed"
    if metric != "deviation" and sched is None:
        metric = "deviation"
    num_col, den_col = {"missed": ("MISSED_PTS", "EXPECTING"), "overdue": ("OVERDUE", "FOLLOWED"),
                        "deviation": ("ANY_DEV", "ENROLLED")}[metric]
    fig = None
    f = None
    if len(table) and not (table[num_col] == NA).all():
        f = funnel(pd.to_numeric(table.set_index("SITEID")[num_col], errors="coerce"), table.set_index("SITEID")[den_col])
        score = f.sites.set_index("GroupID")
        scored = f.rate == f.rate and 0 < f.rate < 1  # no events (or all): nothing to score
        # text: a site without a denominator, or a study without events, has no score ("—", never 0.00)
        table["SCORE"] = table["SITEID"].map(score["Score"] if scored else {}).map(
            lambda v: "—" if pd.isna(v) else f"{v:.2f}")
        small = table[den_col] < MIN_DENOMINATOR
        table["FLAG"] = table["SITEID"].map(score["Flag"] if scored else {}).map(FLAGS).fillna("")
        if scored:
            table.loc[small & table["SITEID"].isin(score.index), "FLAG"] = FLAGS["few"]
        name, unit = METRICS[metric]
        ctx = figure_context(cut, config, options, _("All enrolled"), _("Data quality"))
        fig = funnel_figure(f, {r.SITEID: r.SITE for r in table.itertuples()}, _(name), _(unit), ctx)
        notes.append(_("Funnel: each site's rate against the study rate {rate}, scored as gsm's normal approximation with "
                       "over-dispersion φ = {phi}; limits at 2 and 3 standard errors (amber, red); a site with fewer than "
                       "{min} in the denominator is not flagged.").format(
            rate=f"{f.rate:.1%}", phi=f"{f.phi:.2f}", min=MIN_DENOMINATOR) if scored else
            _("Funnel: no site has an event of this kind ({metric}): there is nothing to score.").format(
                metric=_(name).lower()))

    status = [c for c in ("EOTSTT", "TRTEDT", "DCSREAS") if c in adsl]  # tells a patient who left from one overdue
    overdue = pd.DataFrame(columns=["USUBJID", "SITEID", "SCAN_STATUS", "LAST_SCAN", "NEXT_DUE", "DAYS_OVERDUE",
                                    "MISSED", *status])
    if sched is not None:
        late = sched[(sched["STATUS"] == OVERDUE) | (sched["MISSED"] > 0)].rename(columns={"STATUS": "SCAN_STATUS"})
        late = late.merge(adsl[["USUBJID", *status]], on="USUBJID", how="left")
        overdue = late[list(overdue.columns)].sort_values(["DAYS_OVERDUE", "MISSED"], ascending=False) \
            .reset_index(drop=True)
    got = lambda col: int(table[col].sum()) if col in table else None  # noqa: E731
    numbers = {
        "Scans expected": got("EXPECTED"), "Scans missed": got("MISSED"), "Patients with a scan overdue": got("OVERDUE"),
        "Patients with a missed scan": got("MISSED_PTS"),
        "Patients awaiting their first scan": got("AWAITING"),
        "Patients with a protocol deviation": int(devs["USUBJID"].nunique()) if checks or v.has("adex") else None,
        "Sites flagged (amber or red)": int(table["FLAG"].isin([FLAGS[1], FLAGS[2]]).sum()) if "FLAG" in table else 0,
    }
    return Result(_("Data quality by site"), numbers,
                  {"sites": table, "overdue": overdue, "deviations": devs.sort_values(["SITEID", "USUBJID"])
                   .reset_index(drop=True)}, fig, tuple(notes), detail=f)
