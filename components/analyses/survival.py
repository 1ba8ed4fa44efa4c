"""Time-to-event analyses: Kaplan–Meier for PFS, OS and DoR with number at risk, medians, landmarks
and, by subgroup, the log-rank test and Cox hazard ratios."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from components.analyses.arms import ARM_COLUMNS, POPULATION_FLAGS, arm_column, arm_levels, efficacy_populations
from components.analyses.base import Options, Result, analysis, figure_context, response_derivation, view
from components.analyses.decision import population_subjects
from components.data import vocabulary
from components.data.config import StudyConfig
from components.data.contract import column_header, column_label
from components.data.datasets import DataCut
from components.data.filters import FILTER_LABELS
from components.data.roles import is_arm_column
from components.data.vocabulary import Endpoint, variable_labels
from components.figures.km_plot import at_risk_table, km_curves, km_figure, median_text, risk_ticks, stats_lines
from components.figures.style import OKABE_ITO, P95_LINE_COLORS, categorical_colors
from components.i18n import N_, _
from components.stats.comparative import HazardRatio, LogRank, hazard_ratio, logrank, missing_value
from components.stats.pvalues import PValue, p_text, p_value_text
from components.stats.recist import dor_left_out
from components.stats.summary import died
from components.stats.survival import (
    GroupComparison,
    compare_groups,
    endpoint_data,
    hr_text,
    kaplan_meier,
    landmark_table,
    reverse_km_followup,
)

POPULATIONS = POPULATION_FLAGS

PREFERRED_GROUPS = ("TRT01P", "TRT01A", "P95STAT", "PRIORLN", "VISCFL", "ECOGBL", "TDXDRSN", "SITEID")
NOT_GROUPS = ("USUBJID", "STUDYID", "SEX", "SAFFL", "EFFFL", "EOTSTT", "DCSREAS", "DTHCAUS", "HRSTAT", "HER2STAT", "SUBJID")


def populations(config: StudyConfig, adsl: pd.DataFrame) -> dict[str, str]:
    """The populations a survival curve can be drawn in (:func:`components.analyses.arms.efficacy_populations`)."""
    return efficacy_populations(config, adsl)


def default_view(config: StudyConfig, adsl: pd.DataFrame) -> tuple[str, str | None]:
    """The (population, group) a survival curve opens with: for a randomized study the efficacy
    population compared by planned arm (the protocol's analysis); otherwise all treated, one curve.
    The page, the deck and the since-last-cut numbers all start from here."""
    population = next(iter(populations(config, adsl)))
    return population, arm_column(config, adsl, population)


def group_candidates(adsl: pd.DataFrame) -> list[str]:
    """ADSL columns a curve can be split by: the usual subgroups, then any categorical column with 2–8
    levels."""
    out = [c for c in PREFERRED_GROUPS if c in adsl]
    out += [c for c in adsl.columns if c not in out and adsl[c].dtype == object and 1 < adsl[c].nunique() <= 8
            and c not in NOT_GROUPS]
    return out


@dataclass(frozen=True)
class SurvivalOptions(Options):
    endpoint: str = "PFS"  # PFS, OS or DOR
    population: str = "SAFFL"  # SAFFL (all treated) or EFFFL (response-evaluable)
    group_by: str | None = None  # an ADSL column: one curve per level, log-rank test and Cox HRs
    conf_type: str | None = None  # None: the config's
    show_ci: bool = True
    y_percent: bool = True
    risk_table: str = "kmunicate"  # "kmunicate" (at risk, events, censored) or "at_risk"
    tick_months: float | None = None  # None: the config's
    landmarks: tuple[float, ...] | None = None  # None: the config's
    title: str | None = None


@dataclass(frozen=True)
class SurvivalDetail:
    origin: str  # "adtte", "derived" or "" (not available)
    km: object  # the pooled KMResult
    comparison: GroupComparison | None
    follow_up: tuple[float, float, float]
    stratified: object = None  # StratifiedComparison of a two-arm comparison (k arms: the table "stratified")
    group_label: str = ""  # what the curves are split by, as the title says it ("" for one curve)
    endpoint: Endpoint | None = None  # the endpoint's vocabulary entry (name, source, time origin)


def endpoint_info(cut: DataCut, code: str) -> Endpoint | None:
    """The cut's vocabulary entry for an endpoint code (:mod:`components.data.vocabulary`)."""
    return vocabulary.endpoint(cut.tables, code)


def cut_endpoints(cut: DataCut) -> tuple[Endpoint, ...]:
    """The endpoints of a cut (the sponsor's ADTTE parameters, and what the app can derive), in order."""
    return vocabulary.endpoints(cut.tables)


def endpoint_note(endpoint: str, origin: str, randomized: bool = False) -> str:
    """What a derived endpoint is, said under its curve ("" for the sponsor's)."""
    if origin != "derived":
        return ""
    how = {"DOR": _("from the first confirmed CR/PR to progression or death, censored at the last adequate "
                    "assessment."),
           "PFS": _("from randomization to progression or death (FDA 2018 guidance rules), every randomized "
                    "patient, censored at the last adequate assessment.") if randomized else
           _("from the first dose to progression or death (FDA 2018 guidance rules), censored at the last "
             "adequate assessment."),
           "OS": _("from randomization to death, every randomized patient, censored at the last date known "
                   "alive.") if randomized else
           _("from the first dose to death, censored at the last date known alive.")}[endpoint]
    return _("{endpoint} is derived by the app (ADTTE has no {param} rows): {how}").format(
        endpoint=_(vocabulary.KNOWN[endpoint][0]), param=endpoint, how=how)


def _bor(cut: DataCut, config: StudyConfig, adsl: pd.DataFrame) -> pd.DataFrame | None:
    """The BOR table (the sponsor's where ADRS gives it) of the filtered subjects, None without ADRS."""
    if not cut.has("adrs"):
        return None
    rules = config.response
    return response_derivation(cut, rules, rules.confirmed_default, True).restrict(set(adsl["USUBJID"])).bor


def endpoint_rows(cut: DataCut, config: StudyConfig, options: Options, endpoint: str) -> tuple[pd.DataFrame, str]:
    """USUBJID, AVAL, EVENT … of one endpoint for the filtered subjects, from ADTTE or derived with the
    configured assessment interval and window (the same for every page, the deck and the report)."""
    adsl = view(cut, options).tables["adsl"]
    bor = _bor(cut, config, adsl)
    return endpoint_data(adsl, view(cut, options).tables.get("adtte"), bor, endpoint,
                         7 * config.response.assessment_interval_weeks, config.response.assessment_window_days)


def _palette(group_by: str, levels: list[str]) -> dict[str, str]:
    if group_by == "P95STAT":
        return P95_LINE_COLORS
    if group_by in ("TRT01A", "TRT01P", "ARM", "ACTARM"):
        return dict(zip(levels, OKABE_ITO, strict=False))
    return categorical_colors(levels)


@analysis("Kaplan–Meier")
def kaplan_meier_endpoint(cut: DataCut, config: StudyConfig, options: SurvivalOptions) -> Result:
    """Kaplan–Meier of one endpoint in one population, optionally by subgroup (R survfit's CIs and
    median; log-rank and Cox HR with Efron ties for groups; by arm, each arm against the reference,
    stratified by the randomization factors when the config names them)."""
    sv = config.survival
    dpm = sv.days_per_month
    conf_type = options.conf_type or sv.conf_type
    ep = options.endpoint
    info = endpoint_info(cut, ep)
    if info is None:
        return Result(ep, {"Patients": 0}, {}, None,
                      (_("{param} cannot be shown: ADTTE has no {param} rows and the app cannot derive it from this "
                         "cut.").format(param=ep),),
                      detail=SurvivalDetail("", None, None, (np.nan, np.nan, np.nan)))
    name = info.label
    data, origin = endpoint_rows(cut, config, options, ep)
    adsl = view(cut, options).tables["adsl"]
    if not origin:
        return Result(name, {"Patients": 0}, {}, None,
                      (_("{endpoint} cannot be shown: ADTTE has no {param} rows and ADRS is missing to derive it.").format(
                          endpoint=name, param=ep),),
                      detail=SurvivalDetail("", None, None, (np.nan, np.nan, np.nan)))
    ids = population_subjects(adsl, options.population)
    data = data[data["USUBJID"].isin(ids)].merge(adsl, on="USUBJID", how="left", suffixes=("", "_adsl"))
    randomized = vocabulary.time_origin_column(cut.tables["adsl"]) == "RANDDT"
    notes = tuple(n for n in (endpoint_note(ep, origin, randomized),) if n)
    left_out = pd.DataFrame(columns=["USUBJID", "BOR", "REASON"])
    if ep == "DOR" and origin == "derived":
        bor = _bor(cut, config, adsl)
        left_out = dor_left_out(bor[bor["USUBJID"].isin(ids)], adsl)
        if len(left_out):
            shown = "; ".join(f"{r.USUBJID} ({r.REASON})" for r in left_out.head(3).itertuples())
            more = (" " + _("and {n} more: the table below lists them all.").format(n=len(left_out) - 3)
                    if len(left_out) > 3 else "")
            notes += (_("{n} responder(s) of this population are not on the curve: {who}.").format(
                n=len(left_out), who=shown) + more,)
    if data.empty:
        return Result(name, {"Patients": 0}, {}, None, notes,
                      detail=SurvivalDetail(origin, kaplan_meier([], []), None, (np.nan, np.nan, np.nan)))

    pop_label = POPULATIONS.get(options.population, options.population)
    pop_shown = _(pop_label)
    if ep == "DOR" and origin == "derived":  # the sponsor's DoR rows are whoever the sponsor gave one
        pop_label = f"Responders ({pop_label.lower()})"
        pop_shown = _("Responders ({population})").format(population=pop_shown[:1].lower() + pop_shown[1:])
    if ep == "OS" and origin == "adtte" and ("DTHDT" in adsl or "DTHFL" in adsl):
        in_adsl = set(adsl.loc[died(adsl).to_numpy(), "USUBJID"]) & set(data["USUBJID"])
        events = set(data.loc[data["EVENT"] == 1, "USUBJID"])
        if events != in_adsl:  # the sponsor's two records of death disagree: both are said
            notes += (_("The sponsor's sources disagree: ADTTE's OS has {events} death(s) in this population, ADSL "
                        "records {adsl} (DTHDT/DTHFL); {both} are in both. The curve is ADTTE's.").format(
                events=len(events), adsl=len(in_adsl), both=len(events & in_adsl)),)

    def plain(t: str) -> str:
        return "".join(ch for ch in t.lower() if ch.isalnum())

    if origin == "adtte" and info.sponsor_param and not plain(info.sponsor_param).startswith(plain(info.name)):
        notes += (_("From the sponsor's ADTTE, where it is \"{param}\".").format(param=info.sponsor_param),)
    pop_shown = f"{pop_shown} (N = {data['USUBJID'].nunique()})"  # the population's N, on the figure too
    groups = None
    is_arm = options.group_by in ARM_COLUMNS
    if options.group_by and options.group_by in data:
        levels = sorted(data[options.group_by].astype("string").fillna("(missing)").unique())
        if is_arm and config.arms:  # the config's arm order (and so colours), the reference last
            levels = arm_levels(config, levels)
        curves = km_curves(data, options.group_by, conf_type, _palette(options.group_by, levels), levels=levels)
        groups = data[options.group_by].astype("string").fillna("(missing)")
    else:
        curves = km_curves(data, None, conf_type)
    lines = stats_lines(curves, dpm)
    cmp = None
    ctx = figure_context(cut, config, options, pop_shown, name,
                         note=_("Median in months (95% CI, Brookmeyer–Crowley, {transform}); NR = not reached").format(
                             transform=conf_type)
                         + (" · " + _("derived from ADSL/ADRS") if origin == "derived" else ""))
    stratified: dict[str, StratifiedComparison] = {}
    if groups is not None and groups.nunique() > 1:
        reference = config.reference_arm if is_arm else None
        cmp = compare_groups(data["AVAL"], data["EVENT"], groups, reference=reference)
        lines.append(ctx.p_label(_("Log-rank")) + " " + p_value_text(cmp.logrank_p))
        strata = [c for c in config.strata if c in data] if is_arm else []
        for h in cmp.hazard_ratios.to_dict("records"):
            lines.append(_("HR {level} vs {reference}: {hr}").format(level=h["level"], reference=h["reference"],
                                                                   hr=hr_text(h)))
            if strata:  # every arm against the reference, each stratified (k arms: k − 1 comparisons)
                stratified[str(h["level"])] = stratified_comparison(data, options.group_by, str(h["level"]),
                                                                    str(h["reference"]), strata)
        if len(stratified) == 1:
            only = next(iter(stratified.values()))
            lines.append(ctx.p_label(_("Stratified log-rank")) + " " + p_value_text(only.logrank.p_value))
            lines.append(_("Stratified HR: {hr}").format(hr=only.cox.text()))
        missing = max((c.logrank.n_missing_strata for c in stratified.values()), default=0)
        if missing:
            notes += (_("Stratified analyses: {n} patient(s) with a missing stratification factor ({strata}) are "
                        "left out, as R's survdiff and coxph do by default.").format(
                n=missing, strata=variable_labels(config, strata)),)
    group_label = ""
    if groups is not None:
        group_label = _(FILTER_LABELS.get(options.group_by) or column_label("adsl", options.group_by))
        group_label = group_label[:1].lower() + group_label[1:]
    title = options.title or (name if groups is None else _("{endpoint} by {group}").format(
        endpoint=name, group=group_label))
    tick = float(options.tick_months or sv.tick_months)
    fig = km_figure(curves, ctx, title, days_per_month=dpm, tick_months=tick, y_percent=options.y_percent,
                    show_ci=options.show_ci, risk_table=options.risk_table, stats_lines=lines,
                    x_title=info.x_title,
                    y_title=_("{endpoint} probability").format(endpoint=name))

    km_all = kaplan_meier(data["AVAL"], data["EVENT"], conf_type)
    fu = reverse_km_followup(data["AVAL"], data["EVENT"], conf_type)
    risk = pd.DataFrame(at_risk_table(curves, risk_ticks(curves, dpm, tick), dpm))
    landmarks = options.landmarks if options.landmarks is not None else sv.landmark_months
    per_group = pd.DataFrame([_group_row(c, landmarks, dpm) for c in curves])
    tables = {"at_risk": risk, "numbers": per_group}
    if len(left_out):
        tables["not_on_curve"] = left_out
    if cmp is not None and len(cmp.hazard_ratios):
        h = cmp.hazard_ratios
        tables["hazard_ratios"] = pd.DataFrame({
            # N and events of the group itself (the reference's are in the numbers table)
            "Group": h["level"], "vs": h["reference"], N_("N in group"): h["n"], N_("Events in group"): h["events"],
            "HR (95% CI)": [hr_text(r, 3) for _, r in h.iterrows()],
            N_("p-value (Wald test)"): [p_text(p) if ok else "—" for p, ok in zip(h["p"], h["estimable"], strict=True)]})
    numbers = {"Endpoint": info.name, "Population": pop_label, "Patients": km_all.n, "Events": km_all.events,
               "Median, months (95% CI)": median_text(km_all, dpm),
               "Median follow-up, months": round(fu[0] / dpm, 1) if not np.isnan(fu[0]) else None}
    if ep == "DOR" and origin == "derived":
        numbers["Responders not on the curve"] = len(left_out)
    if cmp is not None:
        numbers["Log-rank p"] = PValue(cmp.logrank_p)
    if len(stratified) == 1:
        only = next(iter(stratified.values()))
        numbers["Stratified log-rank p"] = PValue(only.logrank.p_value)
        numbers["Stratified HR"] = round(only.cox.hr, 3) if only.cox.estimable else None
    if stratified:
        rows = []
        for level, sc in stratified.items():
            lr, cx = sc.logrank, sc.cox
            comparison = _("{level} vs {reference}").format(level=level, reference=config.reference_arm)
            rows += [{N_("Comparison"): comparison,
                      "Analysis": _("Stratified log-rank ({strata})").format(strata=variable_labels(config, lr.stratified_by)),
                      "Result": f"χ² = {lr.chisq:.2f}, {p_value_text(lr.p_value, 4)}"},
                     {"Comparison": comparison,
                      "Analysis": _("Stratified Cox, Efron ties ({strata})").format(
                          strata=variable_labels(config, cx.stratified_by)),
                      "Result": f"HR {cx.text()}, {p_value_text(cx.p_value, 4)}" if cx.estimable else cx.note}]
        tables["stratified"] = pd.DataFrame(rows)
    return Result(title, numbers, tables, fig, notes,
                  detail=SurvivalDetail(origin, km_all, cmp, fu, next(iter(stratified.values()), None), group_label,
                                        endpoint=info))


@dataclass(frozen=True)
class StratifiedComparison:
    logrank: LogRank
    cox: HazardRatio


def stratified_comparison(data: pd.DataFrame, arm: str, experimental: str, reference: str,
                          strata: list[str]) -> StratifiedComparison:
    """The randomized comparison stratified by the randomization factors (R ``survdiff`` and
    ``coxph`` with ``+ strata()``)."""
    s = data[strata]  # a missing stratum leaves the patient out, as R's default na.action does
    arms = data[arm].astype("string").fillna("(missing)")
    return StratifiedComparison(logrank(data["AVAL"], data["EVENT"], arms, experimental, reference, s),
                                hazard_ratio(data["AVAL"], data["EVENT"], arms, experimental, reference, s))


def _group_row(c, landmarks, dpm: float) -> dict:
    def months(x: float) -> str:
        return "NR" if np.isnan(x) else f"{x / dpm:.2f}"

    def pct(v: float) -> str:
        return "n.e." if np.isnan(v) else f"{100 * v:.1f}"

    row = {"Group": c.label, "N": c.km.n, "Events": c.km.events, "Censored": c.km.n - c.km.events,
           "Median (months)": months(c.km.median), "95% CI low": months(c.km.median_ci[0]),
           "95% CI high": months(c.km.median_ci[1])}
    for lm in landmark_table(c.km, list(landmarks), dpm).itertuples():
        tag = f"{lm.month:g}-month"
        row[f"{tag} rate (%)"] = pct(lm.surv)
        row[f"{tag} 95% CI"] = "" if np.isnan(lm.surv) else f"{pct(lm.lower)}–{pct(lm.upper)}"
    return row


#: ADSL columns (by prefix) recorded after randomization: disposition, death, last contact — never a
#: subgroup (a subgroup is defined at baseline, ICH E9 §5.7).
AFTER_BASELINE = ("EOS", "EOT", "DC", "DTH", "ADTH", "LST", "DISCON", "COMPL", "LDDTH", "AEWITH")

SUBGROUP_COLUMNS = ("ECOGBL", "P95STAT", "VISCFL", "PRIORLN", "HRSTAT", "TDXDRSN")


@dataclass(frozen=True)
class ForestOptions(Options):
    endpoint: str = "PFS"
    population: str = "ITTFL"
    experimental: str | None = None  # the arm compared with the reference; None: the first other arm


def forest_arms(config: StudyConfig, adsl: pd.DataFrame, population: str) -> list[str]:
    """The arms a forest plot compares with the reference, one plot each (k arms: k − 1 plots), in the
    config's arm order; empty when the study has no reference arm or one arm in the data."""
    arm = arm_column(config, adsl, population)
    if arm is None or config.reference_arm is None:
        return []
    present = arm_levels(config, adsl[arm].dropna().astype(str))
    return [a for a in present if a != config.reference_arm] if config.reference_arm in present else []


@analysis("Subgroup forest plot")
def forest(cut: DataCut, config: StudyConfig, options: ForestOptions) -> Result:
    """HR of the experimental arm against the reference (Cox, Efron ties) within each level of the
    stratification factors and the usual subgroups, with the likelihood-ratio test of the arm ×
    subgroup interaction (R ``anova`` of ``coxph(~ arm + g)`` against ``coxph(~ arm * g)``). The
    overall HR is stratified by the randomization factors when the config names them."""
    from components.figures.forest_plot import forest_figure
    from components.stats.comparative import hazard_ratio, interaction_test

    ep = options.endpoint
    data, origin = endpoint_rows(cut, config, options, ep)
    adsl = view(cut, options).tables["adsl"]
    arm = arm_column(config, adsl, options.population)
    if not origin or arm is None or config.reference_arm is None or len(config.arms) < 2:
        return Result(_("Subgroup forest plot"), {}, {}, None, (_("The forest plot compares two arms of a randomized study."),))
    ids = population_subjects(adsl, options.population) if options.population in adsl else set(adsl["USUBJID"])
    data = data[data["USUBJID"].isin(ids)].merge(adsl, on="USUBJID", how="left", suffixes=("", "_adsl"))
    ref = config.reference_arm
    arms = forest_arms(config, adsl, options.population)
    exp = options.experimental if options.experimental in arms else (arms[0] if arms else None)
    if exp is None:
        return Result(_("Subgroup forest plot"), {}, {}, None,
                      (_("The reference arm ({reference}) has no patient in this population.").format(reference=ref),))
    data = data[data[arm].isin([exp, ref])]
    strata = [c for c in config.strata if c in data]
    overall = hazard_ratio(data["AVAL"], data["EVENT"], data[arm], exp, ref, data[strata] if strata else None)
    notes = []
    if overall.n_missing_strata:
        notes.append(_("The stratified HR leaves out {n} patient(s) with a missing stratification factor, as R's coxph "
                       "does by default.").format(n=overall.n_missing_strata))
    rows = [{"Subgroup": _("All patients"), "Level": "", "Label": _("All patients (stratified)") if strata else _("All patients"),
             "N": len(data), "Events": int(data["EVENT"].sum()), "HR": overall.hr, "Lower": overall.lower,
             "Upper": overall.upper, "Interaction p": None, "Overall": True, "Note": overall.note}]
    seen: list[pd.Series] = []
    # the study's subgroups, then any other categorical ADSL column of 2–4 levels (another study's SEX,
    # RACE, AGEGR1, REGION1, STRATA1 …: without them a generic-mode forest plot had one row)
    columns = [*strata, *[c for c in SUBGROUP_COLUMNS if c in data and c not in strata]]
    columns += [c for c in group_candidates(adsl) if c not in columns and c in data and c not in POPULATION_FLAGS
                and not c.endswith("FL") and not is_arm_column(c) and not c.startswith(AFTER_BASELINE)][:8]
    for col in columns:
        g = data[col].astype("string").where(~missing_value(data[col]))  # blank or missing: no level of its own
        if not 2 <= g.nunique() <= 4:  # a forest row per level: more levels are too thin to read
            continue
        if any(pd.crosstab(g, other).gt(0).sum(axis=1).eq(1).all() and g.nunique() == other.nunique() for other in seen):
            continue  # the same split as a stratification factor (e.g. ECOG as STRAT1): shown once
        seen.append(g)
        inter = interaction_test(data["AVAL"], data["EVENT"], data[arm], exp, ref, g)
        label = config.strata_labels.get(col) or _(column_header(col) or col)
        if inter.n_missing:
            notes.append(_("{label}: {n} patient(s) without a value are in no row and not in its interaction test (as "
                           "R leaves them out).").format(label=label, n=inter.n_missing))
        if inter.note:
            notes.append(f"{label}: {inter.note}")
        for k, level in enumerate(sorted(g.dropna().unique())):
            sub = data[g == level]
            h = hazard_ratio(sub["AVAL"], sub["EVENT"], sub[arm], exp, ref)
            rows.append({"Subgroup": label, "Level": level, "Label": f"{label}: {level}", "N": len(sub),
                         "Events": int(sub["EVENT"].sum()), "HR": h.hr, "Lower": h.lower, "Upper": h.upper,
                         "Interaction p": inter.p_value if k == 0 else None, "Overall": False, "Note": h.note})
    table = pd.DataFrame(rows)
    name = info.label if (info := endpoint_info(cut, ep)) is not None else ep
    ctx = figure_context(cut, config, options, _(POPULATIONS.get(options.population, options.population)),
                         name, note=_("Subgroup HRs unstratified; interaction p: likelihood-ratio test "
                                      "(exploratory)"))
    title = (_("{endpoint}: hazard ratio by subgroup").format(endpoint=name) if len(arms) == 1 else
             _("{endpoint}: HR by subgroup, {arm} vs {reference}").format(endpoint=name, arm=exp, reference=ref))
    fig = forest_figure(table, ctx, title, exp, ref)
    shown = table.assign(**{
        "HR (95% CI)": [r["Note"] or f"{r['HR']:.2f} ({r['Lower']:.2f}–{r['Upper']:.2f})" for _, r in table.iterrows()],
        "Interaction p": [p_text(p) if p is not None and p == p else "" for p in table["Interaction p"]]})[["Subgroup", "Level", "N", "Events", "HR (95% CI)", "Interaction p"]]
    heading = (_("Subgroup forest plot") if len(arms) == 1 else
               _("Subgroup forest plot: {arm} vs {reference}").format(arm=exp, reference=ref))
    return Result(heading, {"Overall HR": round(overall.hr, 3) if overall.estimable else None},
                  {"forest": shown, "rows": table}, fig,
                  (_("Exploratory: subgroups were not powered; an interaction p below 0.05 is expected by chance in "
                     "one of twenty subgroups."), *notes))
