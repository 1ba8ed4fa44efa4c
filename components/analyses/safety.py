"""Safety and exposure analyses: the TEAE overview, the SOC/PT table, the butterfly chart, the focus
toxicity (worst grades, cumulative incidence, dose before onset) and exposure (RDI, dose levels,
reductions and interruptions)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from components.analyses.base import Options, Result, analysis, figure_context, view
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.figures.safety_plots import (
    butterfly_figure,
    cumulative_incidence_figure,
    dose_level_figure,
    onset_dose_figure,
    rdi_figure,
)
from components.i18n import N_, _, language
from components.stats.exposure import (
    adjustments,
    dose_level_over_time,
    drug_order,
    exposure_summary,
    modification_summary,
    relative_dose_intensity,
)
from components.stats.safety import (
    GRADES,
    episodes,
    incidence_table,
    onset_by_dose,
    overview,
    safety_population,
    term_worst_grade_counts,
    time_to_first,
    treatment_emergent,
    worst_grade_distribution,
)
from components.stats.summary import died, fatal_ae

ENDPOINT = N_("TEAEs, NCI-CTCAE v5.0")


def _teae(cut: DataCut, config: StudyConfig, options: Options, local: bool = False
          ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(filtered ADSL, TEAEs of its safety population, N of the safety population); ``local``: the
    MedDRA names in the language on screen (tables of terms; never where a term is looked up)."""
    v = view(cut, options)
    adsl = v.tables["adsl"]
    adae = local_terms(v.tables["adae"]) if local else v.tables["adae"]
    teae = treatment_emergent(adae, adsl, config.safety.teae_lag_days)
    return adsl, teae, len(safety_population(adsl))


def local_terms(adae: pd.DataFrame) -> pd.DataFrame:
    """The MedDRA names in the language on screen: in Chinese, AEDECOD_CN / AEBODSYS_CN where the data
    carries them (each row keeps its English name where the Chinese one is blank); otherwise the data's
    own terms. Counting is unchanged: a PT and its Chinese name are the same term."""
    if language() == "en":
        return adae
    out = adae
    for col in ("AEDECOD", "AEBODSYS"):
        cn = f"{col}_CN"
        if cn in out and out[cn].notna().any():
            local = out[cn].astype("string").str.strip()
            out = out.assign(**{col: local.where(local.notna() & (local != ""), out[col]).astype(object)})
    return out


def _ctx(cut: DataCut, config: StudyConfig, options: Options, n_saf: int):
    return figure_context(cut, config, options, _("Safety population (N = {n})").format(n=n_saf), _(ENDPOINT))


#: Headers of the by-arm tables that name an arm (column names in English: code and tests use them), shown
#: in the session's language with the arm names as they are: :func:`arm_headers`.
ARM_HEADERS = (
    (r"^Difference (?P<a>.+) − (?P<ref>.+), any grade, points \(95% CI\)$",
     N_("Difference {a} − {ref}, any grade, points (95% CI)")),
    (r"^Difference (?P<a>.+) − (?P<ref>.+), points \(95% CI\)$", N_("Difference {a} − {ref}, points (95% CI)")),
    (r"^(?P<a>.+) \(N = (?P<n>\d+)\): any grade$", N_("{a} (N = {n}): any grade")),
    (r"^(?P<a>.+): grade ≥3$", N_("{a}: grade ≥3")),
)


def arm_headers(df: pd.DataFrame) -> pd.DataFrame:
    """A by-arm table (screen or slide) with the headers that name an arm in the run's language; the
    other headers are translated where it is shown. English: the table itself."""
    import re

    if language() == "en":
        return df

    def header(c: object) -> object:
        for pattern, text in ARM_HEADERS:
            m = re.match(pattern, str(c))
            if m:
                return _(text).format(**m.groupdict())
        return c

    return df.rename(columns=header)


def n_pct(n: int, denom: int) -> str:
    """'n (x.x%)' of a denominator (n alone without one)."""
    return f"{int(n)} ({100 * n / denom:.1f}%)" if denom else str(int(n))


#: The dose-modification table's columns as the page names them.
MODIFICATION_COLUMNS = (N_("Drug"), N_("Patients dosed"), N_("Reduced ≥1, n (%)"), N_("Interrupted ≥1, n (%)"),
                        N_("Withdrawn for an AE, n (%)"))


def modifications(adex: pd.DataFrame, adae: pd.DataFrame | None, config: StudyConfig) -> pd.DataFrame:
    """Dose modifications per drug, every drug of the regimen and of the exposure table (issue 36): n (%)
    of the patients dosed with that drug; "not available" where ADAE cannot say which drug was withdrawn."""
    raw = modification_summary(adex, adae, drug_order([d.drug for d in config.regimen], adex))
    out = raw[["Drug", "Patients dosed"]].copy()
    for col, name in (("Reduced", MODIFICATION_COLUMNS[2]), ("Interrupted", MODIFICATION_COLUMNS[3]),
                      ("Withdrawn for an AE", MODIFICATION_COLUMNS[4])):
        out[name] = [n_pct(int(n), int(d)) if pd.notna(n) else N_("not available")
                     for n, d in zip(raw[col], raw["Patients dosed"], strict=True)]
    return out  # (the events, per drug, kind and reason, are the counts table under it)


@analysis(N_("TEAE overview"))
def ae_overview(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """Patients with any TEAE, grade ≥3, serious, related, leading to dose changes, fatal."""
    _adsl, teae, n_saf = _teae(cut, config, options)
    ov = overview(teae, n_saf)
    how = (_("TRTEMFL = Y in ADAE.") if "TRTEMFL" in teae else
           _("from the first dose to {n} days after the last.").format(n=config.safety.teae_lag_days))
    numbers = {"Safety population": n_saf, **dict(zip(ov["Category"], ov["n (%)"], strict=True))}
    notes = (_("Treatment-emergent: {how} Each patient counts once per category.").format(how=how),)
    if ("DTHDT" in _adsl or "DTHFL" in _adsl) and len(teae):  # every fatal AE is a death ADSL should record
        dead = set(_adsl.loc[died(_adsl).to_numpy(), "USUBJID"])
        fatal = set(teae.loc[fatal_ae(teae).to_numpy(), "USUBJID"])
        if fatal - dead:
            notes += (_("{n} patient(s) with a fatal TEAE are not dead in ADSL (DTHDT/DTHFL records {d} deaths): the "
                        "sponsor's sources disagree; see the deaths on the Overview page.").format(
                n=len(fatal - dead), d=len(dead)),)
    return Result(_("Safety overview (N = {n})").format(n=n_saf), numbers, {"overview": ov}, None, notes)


@dataclass(frozen=True)
class AeTableOptions(Options):
    min_pct: float = 0.0  # preferred terms below this any-grade % are not shown as rows


@analysis(N_("TEAEs by system organ class and preferred term"))
def ae_table(cut: DataCut, config: StudyConfig, options: AeTableOptions) -> Result:
    """Patients by worst grade per SOC and PT, n (%) of the safety population."""
    _adsl, teae, n_saf = _teae(cut, config, options, local=True)
    table = incidence_table(teae, n_saf, options.min_pct)
    show = table.copy()
    for col in ["Any grade", *[f"Grade {g}" for g in GRADES], "Grade missing", "Grade ≥3"]:
        show[col] = [n_pct(v, n_saf) for v in table[col]]
    show["Term"] = np.where(table["Level"] == "SOC", table["Term"].str.upper(), "    " + table["Term"])
    grade_missing = int(teae.loc[teae["AETOXGR"].isna(), "USUBJID"].nunique()) if len(teae) else 0
    drop = ["Level", "SOC", "Any grade %", "Grade ≥3 %", *([] if grade_missing else ["Grade missing"])]
    show = show.drop(columns=drop).rename(columns={"Term": "System organ class / preferred term"})
    soc = table[table["Level"] == "SOC"]
    numbers = {"Safety population": n_saf, "SOCs shown": len(soc), "Terms shown": int((table["Level"] == "PT").sum()),
               "Patients with any TEAE": int(teae["USUBJID"].nunique())}
    numbers.update({f"SOC {r['Term']}": n_pct(r["Any grade"], n_saf) for _i, r in soc.head(3).iterrows()})
    note = _("n (%) of the safety population (N = {n}); SOC rows count each patient once at the worst grade "
             "within the SOC, including terms below the minimum incidence; sorted by frequency.").format(n=n_saf)
    notes = (note,)
    if grade_missing:
        numbers["Patients with a TEAE whose grade is missing"] = grade_missing
        notes += (_("{n} patient(s) have a TEAE with no CTCAE grade recorded: counted under any grade and under "
                    "'Grade missing' where no AE of the row has a grade; the grade columns show the worst grade "
                    "recorded.").format(n=grade_missing),)
    return Result("", numbers, {"table": table, "display": show}, None, notes)


@dataclass(frozen=True)
class ButterflyOptions(Options):
    top: int = 15


@analysis(N_("Most frequent adverse events by worst grade"))
def ae_butterfly(cut: DataCut, config: StudyConfig, options: ButterflyOptions) -> Result:
    _adsl, teae, n_saf = _teae(cut, config, options, local=True)
    counts = term_worst_grade_counts(teae, n_saf, options.top)
    fig = butterfly_figure(counts, _ctx(cut, config, options, n_saf), n_saf)
    numbers = {"Terms": len(counts), "Most frequent": (f"{counts['AEDECOD'].iloc[0]}: {n_pct(counts['n_any'].iloc[0], n_saf)}"
                                                        if len(counts) else None)}
    return Result(_("Most frequent adverse events by worst grade"), numbers, {"counts": counts.round(1)}, fig)


def focus_label(config: StudyConfig) -> str:
    sf = config.safety
    if not sf.focus_drug:  # the config's own names, from the study's catalog where it has them
        return _(sf.focus_term)
    return _("{term} under {drug}").format(term=_(sf.focus_term), drug=_(sf.focus_drug))


@analysis(N_("Focus toxicity"))
def focus_toxicity(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """The configured focus toxicity: worst grades, episodes and the cumulative incidence of the first
    episode (Aalen–Johansen, end of treatment and death competing)."""
    sf = config.safety
    adsl, teae, n_saf = _teae(cut, config, options)
    term = sf.focus_term
    dist = worst_grade_distribution(teae, term, n_saf)
    any_n = n_saf - int(dist.loc[dist["Worst grade"] == "None", "Patients"].iloc[0])
    g3 = int(dist[dist["Worst grade"].isin(["Grade 3", "Grade 4", "Grade 5"])]["Patients"].sum())
    ep = episodes(teae, term, cut.cutoff)
    numbers = {f"{term}, any grade": n_pct(any_n, n_saf), "Grade ≥3": n_pct(g3, n_saf),
               "Episodes per affected patient": (f"{ep['Episodes'].median():.0f} (max {ep['Episodes'].max():.0f})"
                                                 if len(ep) else None),
               "Median episode duration (days)": float(ep["Median duration (days)"].median()) if len(ep) else None}
    drug = config.drug(sf.focus_drug) if sf.focus_drug else None
    fig = None
    tables = {"distribution": dist.assign(**{"%": dist["%"].round(1)}), "episodes": ep}
    notes: tuple[str, ...] = ()
    if drug is not None and cut.has("adex"):
        ctx = _ctx(cut, config, options, n_saf)
        curves = {label: time_to_first(teae, adsl, term, cut.cutoff, g, sf.teae_lag_days)
                  for label, g in ((N_("Any grade"), 1), (N_("Grade ≥2"), 2), (N_("Grade ≥3"), 3))}
        cycle = next((d.cycle_days for d in config.regimen if d.cycle_days), 21)
        fig = cumulative_incidence_figure(curves, ctx, sf.focus_horizon_days, cycle,
                                          list(drug.escalation) or [(1, drug.dose)], term, drug.unit)
        tables["time_to_first"] = curves["Any grade"]
        notes = (_("Cumulative incidence of the first episode (Aalen–Johansen, as R survfit / cmprsk::cuminc), with the "
                   "end of treatment (last dose + {days} days) and death as competing events, censored at "
                   "the cut-off; shading: the {drug} escalation steps; dotted lines: cycles.").format(
                       days=sf.teae_lag_days, drug=drug.drug),)
    return Result(focus_label(config), numbers, tables, fig, notes)


@analysis(N_("Focus toxicity by dose before onset"))
def focus_onset_dose(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """Episodes of the focus toxicity by the focus drug's daily dose on the day before onset."""
    sf = config.safety
    drug = config.drug(sf.focus_drug) if sf.focus_drug else None
    if drug is None or not cut.has("adex"):
        return Result("", {}, {}, None, (_("Needs the focus drug ([safety] focus_drug) and the exposure table."),))
    adsl, teae, n_saf = _teae(cut, config, options)
    onsets = onset_by_dose(teae, view(cut, options).tables["adex"], sf.focus_term, drug.drug)
    fig = onset_dose_figure(onsets, _ctx(cut, config, options, n_saf), drug.drug, sf.focus_term, drug.unit)
    held = int((onsets["DOSE"] == 0).sum())
    return Result(_("Focus toxicity by dose before onset"), {"Episodes": len(onsets), "Started while the drug was held": held}, {"onsets": onsets}, fig)


@analysis(N_("Exposure"))
def exposure(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """Relative dose intensity per drug (each over its own first to last dose), dose levels of the daily
    drug by week, reductions and interruptions with reasons."""
    v = view(cut, options)
    adsl, adex = v.tables["adsl"], v.tables["adex"]
    n_saf = len(safety_population(adsl))
    ctx = _ctx(cut, config, options, n_saf)
    in_data = {str(x).lower() for x in adex["EXTRT"].dropna().unique()}
    planned = [d for d in config.regimen if d.drug.lower() in in_data]
    if not planned:
        summary = exposure_summary(adex)
        drugs = ", ".join(summary["Drug"]) or _("none")
        note = _("The study config has no planned schedule for the drugs in the exposure table ({drugs}), so relative "
                 "dose intensity cannot be computed; days on each drug are shown instead.").format(drugs=drugs)
        return Result("", {f"Patients dosed, {r['Drug']}": r["Patients"] for _i, r in summary.iterrows()},
                      {"summary": summary, "adjustments": pd.DataFrame(),
                       "modifications": modifications(adex, v.tables.get("adae"), config)}, None, (note,))
    rdi = pd.concat([relative_dose_intensity(adex, adsl, d, cut.cutoff) for d in config.regimen], ignore_index=True)
    arms = _safety_arms(config, adsl)
    by = ["DRUG"]
    if arms is not None:
        col, order = arms
        rdi = rdi.merge(adsl[["USUBJID", col]].rename(columns={col: "ARM"}), on="USUBJID", how="left")
        # an arm's regimen is the drugs its patients received: a drug nobody in the arm got (the control
        # arm's experimental drugs) is not that arm's regimen, not an RDI of 0
        given = rdi.groupby(["ARM", "DRUG"])["TOTAL"].transform("sum") > 0
        rdi = rdi[given].reset_index(drop=True)
        rdi["ARM"] = pd.Categorical(rdi["ARM"], categories=order)
        by = ["ARM", "DRUG"]
    summary = rdi.groupby(by, sort=False, observed=True).agg(
        Patients=("USUBJID", "nunique"), **{"Median days on the drug": ("DAYS", "median")},
        **{"Median RDI (%)": ("RDI", lambda x: round(100 * x.median(), 1))},
        **{"RDI < 80% (patients)": ("RDI", lambda x: int((x < 0.8).sum()))},
    ).reset_index().rename(columns={"DRUG": "Drug", "ARM": "Arm (actual)"})
    if arms is not None:
        summary = summary.sort_values("Arm (actual)", kind="stable").reset_index(drop=True)
        summary["Arm (actual)"] = summary["Arm (actual)"].astype(str)
        rdi["ARM"] = rdi["ARM"].astype(str)
    fig = rdi_figure(rdi, ctx, [d.drug for d in config.regimen], arms[1] if arms is not None else None)
    tables = {"summary": summary, "rdi": rdi.round(3)}
    parts = [a for a in (adjustments(adex, d.drug) for d in config.regimen) if len(a)]
    adj = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    tables["adjustments"] = adj
    tables["modifications"] = modifications(adex, v.tables.get("adae"), config)
    if len(adj):
        counts = adj.groupby(["DRUG", "KIND", "Reason"]).agg(Events=("USUBJID", "size"), Patients=("USUBJID", "nunique"))
        tables["adjustment_counts"] = (counts.reset_index().replace({"dose_reduction": "Reduction",
                                                                     "dose_hold": "Interruption"})
                                       .rename(columns={"DRUG": "Drug", "KIND": "Kind"}))
    numbers = {f"Median RDI, {r['Drug']}" + (f", {r['Arm (actual)']}" if arms is not None else "") + " (%)":
               r["Median RDI (%)"] for _i, r in summary.iterrows()}
    note = _("RDI = delivered / planned cumulative dose of each drug from its first to its last dose, with the planned "
             "schedule of the study config (escalation steps included).")
    if arms is not None:
        note += " " + _("By actual arm, safety population.")
    return Result(_("Exposure"), numbers, tables, fig, (note,))


def _safety_by_arm(cut: DataCut, config: StudyConfig, options: Options, local: bool = False):
    """Randomized studies: (safety population, its TEAEs, the actual-arm column, the arms in display
    order, the reference arm); None for a single-arm study."""
    adsl, teae, _n = _teae(cut, config, options, local)
    arms = _safety_arms(config, adsl)
    if arms is None or config.reference_arm is None:
        return None
    return safety_population(adsl), teae, arms[0], arms[1], config.reference_arm


def _safety_arms(config: StudyConfig, adsl: pd.DataFrame) -> tuple[str, list[str]] | None:
    """Randomized studies: the actual-arm column of the safety population and the arms in display order."""
    from components.analyses.arms import arm_column, arm_levels

    saf = safety_population(adsl)
    col = arm_column(config, saf, "SAFFL")
    return None if col is None else (col, arm_levels(config, saf[col].dropna()))


@analysis(N_("Dose levels over time"))
def dose_levels(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """Patients on each dose level of the daily drug, by week since the first dose."""
    daily = next((d for d in config.regimen if d.daily), None)
    if daily is None or not cut.has("adex"):
        return Result("", {}, {}, None, (_("No daily drug in the regimen."),))
    v = view(cut, options)
    levels = dose_level_over_time(v.tables["adex"], v.tables["adsl"], daily.drug, cut.cutoff)
    n_saf = len(safety_population(v.tables["adsl"]))
    fig = dose_level_figure(levels, _ctx(cut, config, options, n_saf), daily.drug, daily.unit, daily.dose)
    return Result(_("Dose levels over time"), {"Weeks": int(levels["DAY"].nunique()) if len(levels) else 0}, {"dose_levels": levels}, fig)


@analysis(N_("TEAE overview by arm"))
def ae_overview_by_arm(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """Randomized studies: the TEAE overview with one column per actual arm (n (%) of that arm's safety
    population) and, for each arm against the reference, the risk difference in percentage points with
    the Miettinen–Nurminen 95% CI."""
    from components.stats.comparative import rate_difference

    setup = _safety_by_arm(cut, config, options)
    if setup is None:
        return Result("", {}, {}, None, (_("Not a randomized study (one arm in the config or the data)."),))
    saf, teae, arm, arms, ref = setup
    per_arm = {}
    categories = overview(teae, max(len(saf), 1))["Category"].tolist()  # the same rows in every arm
    for a in arms:
        ids = set(saf.loc[saf[arm] == a, "USUBJID"])
        per_arm[a] = (overview(teae[teae["USUBJID"].isin(ids)], len(ids), categories), len(ids))
    table = pd.DataFrame({"Category": per_arm[arms[0]][0]["Category"]})
    for a in arms:
        ov, n = per_arm[a]
        table[f"{a} (N = {n})"] = ov["n (%)"].to_numpy()
    numbers = {}
    if ref in per_arm:
        ref_ov, ref_n = per_arm[ref]
        for a in arms:
            if a == ref:
                continue
            ov, n = per_arm[a]
            diffs = [rate_difference(int(k1), n, int(k2), ref_n).text().replace(" points", "")
                     if n and ref_n and k1 == k1 and k2 == k2 and k1 is not None and k2 is not None else "—"
                     for k1, k2 in zip(ov["Patients"], ref_ov["Patients"], strict=True)]
            table[f"Difference {a} − {ref}, points (95% CI)"] = diffs
            numbers.update({f"Any TEAE, {a} (%)": float(ov["%"].iloc[0])})
        numbers[f"Any TEAE, {ref} (%)"] = float(ref_ov["%"].iloc[0])
    return Result(_("TEAE overview by arm"), numbers, {"by_arm": table}, None,
                  (_("Safety population by actual arm; risk differences against {ref}, Miettinen–Nurminen "
                     "95% CI.").format(ref=ref),))


@analysis(N_("TEAEs by system organ class and preferred term, by arm"))
def ae_table_by_arm(cut: DataCut, config: StudyConfig, options: AeTableOptions) -> Result:
    """Randomized studies: patients per SOC and PT with one column pair per actual arm (any grade and
    grade ≥3 at the worst grade, n (%) of that arm's safety population) and the any-grade risk difference
    of each arm against the reference (Miettinen–Nurminen 95% CI). A term is a row when its any-grade
    incidence reaches ``min_pct`` in at least one arm; SOC rows count every patient in the SOC."""
    from components.stats.comparative import rate_difference

    setup = _safety_by_arm(cut, config, options, local=True)
    if setup is None:
        return Result("", {}, {}, None, (_("Not a randomized study (one arm in the config or the data)."),))
    saf, teae, arm, arms, ref = setup
    keys = ["Level", "SOC", "Term"]
    rows = incidence_table(teae, len(saf), 0.0)[keys]
    n_arm, counts = {}, {}
    for a in arms:
        ids = set(saf.loc[saf[arm] == a, "USUBJID"])
        n_arm[a] = len(ids)
        t = incidence_table(teae[teae["USUBJID"].isin(ids)], len(ids), 0.0)
        counts[a] = rows.merge(t, on=keys, how="left").fillna({"Any grade": 0, "Grade ≥3": 0, "Any grade %": 0.0})
    pct = pd.concat([counts[a]["Any grade %"] for a in arms], axis=1).max(axis=1)
    keep_pt = (rows["Level"] == "PT") & (pct >= options.min_pct)
    keep = keep_pt | ((rows["Level"] == "SOC") & rows["SOC"].isin(set(rows.loc[keep_pt, "SOC"])))
    table = rows[keep].reset_index(drop=True)
    show = pd.DataFrame({"System organ class / preferred term": np.where(
        table["Level"] == "SOC", table["Term"].str.upper(), "    " + table["Term"])})
    for a in arms:
        c = counts[a][keep].reset_index(drop=True)
        table[f"{a}: any grade"] = c["Any grade"].astype(int)
        table[f"{a}: grade ≥3"] = c["Grade ≥3"].astype(int)
        show[f"{a} (N = {n_arm[a]}): any grade"] = [n_pct(v, n_arm[a]) for v in table[f"{a}: any grade"]]
        show[f"{a}: grade ≥3"] = [n_pct(v, n_arm[a]) for v in table[f"{a}: grade ≥3"]]
    numbers: dict[str, object] = {f"Safety population, {a}": n_arm[a] for a in arms}
    if ref in arms and n_arm[ref]:
        for a in arms:
            if a == ref or not n_arm[a]:
                continue
            col = f"Difference {a} − {ref}, any grade, points (95% CI)"
            show[col] = [rate_difference(int(k1), n_arm[a], int(k2), n_arm[ref]).text().replace(" points", "")
                         for k1, k2 in zip(table[f"{a}: any grade"], table[f"{ref}: any grade"], strict=True)]
    numbers["Terms shown"] = int((table["Level"] == "PT").sum())
    for term in table.loc[table["Level"] == "PT", "Term"].head(3):
        i = table.index[(table["Level"] == "PT") & (table["Term"] == term)][0]
        numbers.update({f"{term}, {a}": show.loc[i, f"{a} (N = {n_arm[a]}): any grade"] for a in arms})
    note = _("Safety population by actual arm; n (%) of each arm at the patient's worst grade; a term is shown "
             "when its any-grade incidence reaches {pct}% in at least one arm; differences against "
             "{ref}, Miettinen–Nurminen 95% CI; rows ordered by the pooled frequency.").format(
                 pct=f"{options.min_pct:g}", ref=ref)
    return Result("", numbers, {"table": table, "display": show}, None, (note,))
