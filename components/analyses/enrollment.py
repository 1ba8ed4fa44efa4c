"""Enrollment analyses: accrual against plan with the projected completion, sites, the CONSORT flow
and enrollments per period."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from components.analyses.arms import arm_levels
from components.analyses.base import Options, Result, analysis, figure_context, view
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.data.vocabulary import variable_labels
from components.figures.enrollment_plots import accrual_figure, flow_figure, period_figure, site_figure
from components.i18n import N_, _
from components.stats.enrollment import (
    consort_flow,
    cumulative,
    period_counts,
    planned_by,
    planned_line,
    project_completion,
    projection_band,
    site_table,
)

COUNT_BY = {"RFICDT": N_("Consent date"), "TRTSDT": N_("First-dose date")}


@dataclass(frozen=True)
class AccrualOptions(Options):
    by: str = "RFICDT"  # RFICDT (consent) or TRTSDT (first dose)
    window_days: int | None = None  # rate window; None: the config's
    per_site: bool = False
    per_arm: bool = False  # randomized studies: one line per planned arm


def _population(by: str) -> str:
    """The population of a figure counted by ``by``, as shown."""
    return _("All enrolled") if by == "RFICDT" else _("All treated")


@analysis(N_("Enrollment"))
def accrual(cut: DataCut, config: StudyConfig, options: AccrualOptions) -> Result:
    """Cumulative enrollment against the planned line and the target, with the projected date of
    reaching the target (current rate) and its 90% predictive band."""
    adsl = view(cut, options).tables["adsl"]
    window = int(options.window_days or config.enrollment.projection_window_days)
    dates = adsl[options.by] if options.by in adsl else pd.Series(dtype="datetime64[ns]")
    d = config.design
    proj = project_completion(dates, d.n_enrolled if d else None, cut.cutoff, window)
    actual = cumulative(dates)
    ctx = figure_context(cut, config, options, _population(options.by), _("Enrollment"))
    site_lines = ({sid: cumulative(g[options.by]) for sid, g in adsl.groupby("SITEID")}
                  if options.per_site and "SITEID" in adsl else None)
    names = {x.id: x.name for x in config.sites}
    if options.per_arm and not config.single_arm and config.efficacy_arm in adsl:
        site_lines = {str(a): cumulative(g[options.by]) for a, g in adsl.groupby(config.efficacy_arm)}
        names = {a: a for a in site_lines}
    fig = accrual_figure(actual, planned_line(config), projection_band(proj, cut.cutoff), d.n_enrolled if d else None,
                         d.n_evaluable if d else None, cut.cutoff, ctx, by_site=site_lines,
                         site_names=names,
                         label=_("Enrolled (consent)") if options.by == "RFICDT" else _("Treated (first dose)"))
    plan_now = planned_by(config, cut.cutoff)
    numbers = {"Enrolled" if options.by == "RFICDT" else "Treated": proj.enrolled, "Target": proj.target,
               "Planned by the cut-off": round(plan_now) if plan_now == plan_now else None,
               "Recent rate per month": round(proj.rate_per_month, 2) if np.isfinite(proj.rate_per_month) else None,
               "Projected completion": f"{proj.expected:%Y-%m}" if proj.expected is not None else None}
    return Result("", numbers, {"cumulative": actual}, fig, (proj.sentence(),), detail=proj)


@analysis(N_("Sites"))
def sites(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """Per site: activation, screened, enrolled, treated, screen failures, weeks without a patient."""
    v = view(cut, options)
    table = site_table(v.tables["adsl"], v.tables.get("screening"), config, cut.cutoff)
    fig = site_figure(table, figure_context(cut, config, options, _("All enrolled"), _("Enrollment")))
    idle = table[table["Idle"]]
    numbers = {"Sites with patients": int((table["Enrolled"] > 0).sum()), "Idle sites": len(idle)}
    return Result("", numbers, {"sites": table, "idle": idle}, fig)


@analysis(N_("Patient flow by arm"))
def flow_by_arm(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """CONSORT 2010 per arm of a randomized study (:func:`components.stats.enrollment.consort_by_arm`):
    allocation, treatment received, follow-up and analysis, by the arm as randomized."""
    from components.stats.enrollment import consort_by_arm

    v = view(cut, options)
    adsl = v.tables["adsl"]
    planned = next((c for c in (config.efficacy_arm, "TRT01P", "ARM") if c in adsl), None)
    if config.single_arm or planned is None:
        return Result("", {}, {}, None, (_("Not a randomized study (one arm in the config or the data)."),))
    actual = next((c for c in (config.safety_arm, "TRT01A", "ACTARM") if c in adsl), None)
    table = consort_by_arm(adsl, planned, actual)
    table = table[["Stage", *arm_levels(config, table.columns[1:])]]  # the config's arm order, the reference last
    table = table.rename(columns={"Stage": N_("Stage")})
    table["Stage"] = [x if x.startswith("  ") else _(x) for x in table["Stage"]]  # stages translated, reasons as given
    numbers = {f"Randomized, {a}": int(table.iloc[0][a]) for a in table.columns[1:]}
    return Result(_("Patient flow by arm (CONSORT 2010)"), numbers, {"by_arm": table}, None,
                  (_("By the arm as randomized; treatment received as the actual arm records it. Reasons are those of the "
                     "treatment's end (DCTREAS, else DCSREAS or DCDECOD)."),))


@analysis(N_("Patient flow"))
def flow(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """The CONSORT flow from screening to analysis, with the check that every box adds up."""
    v = view(cut, options)
    f = consort_flow(v.tables["adsl"], v.tables.get("screening"))
    population = _("All screened") if v.has("screening") else _("All enrolled (no screening log)")
    fig = flow_figure(f, figure_context(cut, config, options, population, _("Patient flow")))
    counts = pd.DataFrame([{"Box": k, "Patients": n} for k, n in f.counts.items()])
    return Result("", dict(f.counts), {"counts": counts}, fig, tuple(f.checks()))


@dataclass(frozen=True)
class PeriodOptions(Options):
    by: str = "RFICDT"
    freq: str = "M"  # M (month) or W (week)


@analysis(N_("Enrollments per period"))
def periods(cut: DataCut, config: StudyConfig, options: PeriodOptions) -> Result:
    adsl = view(cut, options).tables["adsl"]
    counts = period_counts(adsl[options.by], options.freq, cut.cutoff)
    fig = period_figure(counts, figure_context(cut, config, options, _population(options.by), _("Enrollment")),
                        "month" if options.freq == "M" else "week")
    return Result("", {"Periods": len(counts), "Most in one period": int(counts["N"].max()) if len(counts) else 0},
                  {"counts": counts}, fig)


@analysis(N_("Randomization balance"))
def randomization_balance(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """Patients per planned arm by site and by each stratification factor (counts, with the
    experimental share): the balance a stratified randomization should keep."""
    adsl = view(cut, options).tables["adsl"]
    arm = config.efficacy_arm
    if config.single_arm or arm not in adsl:
        return Result("", {}, {}, None, (_("Not a randomized study."),))
    arms = arm_levels(config, adsl[arm].dropna())
    tables = {}
    for factor in ["SITEID", *[c for c in config.strata if c in adsl]]:
        tab = pd.crosstab(adsl[factor].astype("string").fillna("(missing)"), adsl[arm]).reindex(columns=arms, fill_value=0)
        tab["Total"] = tab.sum(axis=1)
        tab.index.name = config.strata_labels.get(factor, "Site" if factor == "SITEID" else factor)
        tables[factor] = tab.reset_index()
    counts = adsl[arm].value_counts()
    numbers = {f"Randomized, {a}": int(counts.get(a, 0)) for a in arms}
    return Result("", numbers, tables, None, (_("By planned arm; strata: {strata}.").format(
        strata=variable_labels(config, config.strata) or _("none")),))
