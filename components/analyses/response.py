"""Response analyses (RECIST 1.1): the response summary with the primary decision, the waterfall and
the spider plot."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from components.analyses.base import Options, Result, analysis, figure_context, response_derivation, view
from components.analyses.decision import (
    ObjectiveResponse,
    PrimaryEndpoint,
    not_yet_assessed,
    objective_response,
    population_subjects,
    primary_endpoint,
    rated,
)
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.data.vocabulary import variable_labels
from components.figures.response_plots import spider_data, spider_figure, waterfall_data, waterfall_figure
from components.figures.style import BOR_LABELS, POPULATION_LABELS
from components.i18n import DEFAULT, N_, _, language
from components.stats.pvalues import PValue, p_text
from components.stats.recist import BOR_CATEGORIES as BOR_ORDER
from components.stats.recist import TOO_EARLY, ResponseAnalysis, cr_then_pr_text, response_summary, time_to_response

POPULATIONS = {"EFFFL": N_("Response-evaluable"), "SAFFL": N_("All treated")}


@dataclass(frozen=True)
class ResponseOptions(Options):
    population: str = "EFFFL"  # EFFFL (response-evaluable) or SAFFL (all treated)
    confirmed: bool | None = None  # None: the study config's default
    source: str = "adrs"  # "adrs": the BOR as ADRS gives it where present; "derived": the app's derivation


def _confirmed(config: StudyConfig, options: ResponseOptions) -> bool:
    return config.response.confirmed_default if options.confirmed is None else options.confirmed


def _restricted(cut: DataCut, config: StudyConfig, options: ResponseOptions) -> tuple[ResponseAnalysis, pd.DataFrame]:
    """The response derivation of the filtered subjects, and the filtered ADSL."""
    full = response_derivation(cut, config.response, _confirmed(config, options), options.source == "adrs")
    adsl = view(cut, options).tables["adsl"]
    return full.restrict(set(adsl["USUBJID"])), adsl


@dataclass(frozen=True)
class ResponseSummary:
    """The typed detail of :func:`response_overview`."""

    orr: ObjectiveResponse
    decision: PrimaryEndpoint | None  # None: the study config has no design
    response: ResponseAnalysis
    confirmed: bool
    has_given: bool
    cr_then_pr: tuple[str, ...]
    #: the ORR by ADRS's BOR and by the app's derivation (one of them is ``orr``); None when ADRS gives
    #: no BOR to compare with
    given_orr: ObjectiveResponse | None = None
    derived_orr: ObjectiveResponse | None = None
    #: the patients of the population whose two readings differ: USUBJID, GIVEN (ADRS), DERIVED (the app)
    differ: pd.DataFrame | None = None
    #: categories whose counts differ between the two readings: (category, ADRS's, the app's)
    category_counts: tuple[tuple[str, int, int], ...] = ()
    #: patients of the population too early to assess (left out of ``orr``), and the ORR that
    #: counts them as ADRS gives them; None when there are none
    not_yet: int = 0
    orr_counting_not_yet: ObjectiveResponse | None = None
    first_scan_text: str = ""

    def not_yet_sentence(self) -> str:
        """Who is left out of the ORR for not having reached the first scan, and the ORR with them as NE;
        "" when nobody is."""
        if not self.not_yet or self.orr_counting_not_yet is None:
            return ""
        return _("{n} patient(s) started treatment too recently for their first scheduled scan ({schedule}): too "
                 "early to assess, they are left out of the rates (ORR {orr}) until that scan's window closes, whatever "
                 "their scans show so far — a minimum-follow-up set, which an early scan for suspected progression "
                 "cannot bias. Counting every patient as ADRS does, the ORR is {with_ne}.").format(
            n=self.not_yet, schedule=self.first_scan_text, orr=self.orr.rate.text(),
            with_ne=self.orr_counting_not_yet.rate.text())

    def comparison_sentence(self) -> str:
        """Both readings of the ORR, when ADRS gives a BOR and the app's derivation counts differently;
        "" when they agree or there is nothing to compare."""
        if self.given_orr is None or self.derived_orr is None or self.differ is None or self.differ.empty:
            return ""
        given, derived = self.given_orr, self.derived_orr
        param = "CBOR" if self.confirmed else "BOR"
        who = "; ".join(f"{r.USUBJID} ({r.GIVEN} / {r.DERIVED})" for r in self.differ.head(8).itertuples())
        more = _(" and {n} more").format(n=len(self.differ) - 8) if len(self.differ) > 8 else ""
        text = _("The sponsor's {param} in ADRS gives ORR {given}; the app's RECIST 1.1 derivation gives {derived}. "
                 "{n} patient(s) differ ({param} / app): {who}{more}.").format(
            param=param, given=given.rate.text(), derived=derived.rate.text(), n=len(self.differ), who=who, more=more)
        if self.category_counts:  # e.g. CR 0 by CBOR beside 3 derived: said here, not only in the listing
            text += " " + _("Counts that differ ({param} / app): {counts}.").format(
                param=param, counts=", ".join(f"{c} {g} / {d}" for c, g, d in self.category_counts))
        return text


@analysis("Objective response rate — primary endpoint")
def response_overview(cut: DataCut, config: StudyConfig, options: ResponseOptions) -> Result:
    """ORR in the chosen population (exact CI, the protocol's test), the primary decision on the
    whole study, the best-overall-response table for both populations and the patient listing."""
    rules, design = config.response, config.design
    confirmed = _confirmed(config, options)
    ra, adsl = _restricted(cut, config, options)
    pop = population_subjects(adsl, options.population)
    orr = objective_response(ra.bor, pop, design)
    whole = response_derivation(cut, rules, rules.confirmed_default, True)
    decision = primary_endpoint(cut.tables["adsl"], whole.bor, design)

    table = response_summary(ra.bor, adsl, design.p0 if design else None, rules, design=design)
    wide = _wide(table)
    ttr = time_to_response(ra.bor, adsl).set_index("USUBJID")["TTR_WEEKS"]
    listing = ra.bor.merge(ra.best, on="USUBJID", how="left").merge(
        adsl[[c for c in ("USUBJID", "SITEID", "EFFFL") if c in adsl]], on="USUBJID")
    listing["TTR (weeks)"] = listing["USUBJID"].map(ttr).round(1)
    cols = ["USUBJID", "SITEID", "EFFFL", "BOR", "SOURCE", "DERIVED", "GIVEN", "BEST_PCHG", "RESP_DATE", "CONF_DATE",
            "TTR (weeks)", "PD_DATE", "N_ASSESS", "NOT_YET"]
    listing = listing[[c for c in cols if c in listing]]

    responses = (_("Confirmed responses; SD needs ≥{days} days from the first dose.") if confirmed
                 else _("Unconfirmed responses; SD needs ≥{days} days from the first dose."))
    notes = [responses.format(days=rules.sd_min_days), _("95% CI: exact (Clopper–Pearson)."),
             _("CR followed by PR: {rule}").format(rule=cr_then_pr_text(rules))]
    if (ra.bor["BOR_DETAIL"] == "NON-CR/NON-PD").any():
        notes.append(_("SD includes non-CR/non-PD (non-measurable disease only)."))
    r = orr.rate
    numbers = {
        "Population": POPULATIONS.get(options.population, options.population),
        "Responders": orr.k, "Patients": orr.n,
        "ORR (%)": round(100 * r.rate, 1) if orr.n else None,
        "95% CI low (%)": round(100 * r.ci_low, 1) if orr.n else None,
        "95% CI high (%)": round(100 * r.ci_high, 1) if orr.n else None,
    }
    if decision is not None:
        numbers.update({
            "p vs H0 (protocol's test)": PValue(orr.test.p_value) if orr.n else None,
            "Decision rule": f"≥ {decision.rule.critical} of {decision.rule.n}",
            "Responders, whole study": decision.responders,
            "Response-evaluable, whole study": decision.evaluable,
            "Protocol's test now, whole study": decision.test.verdict if decision.test.n else None,
        })
    else:
        notes.append(_("No single-arm response design in the study config for {study}: no test against H0 and no "
                       "decision rule.").format(study=config.id))
    has_given = bool(cut.tables["adrs"]["PARAMCD"].isin(["CBOR" if confirmed else "BOR"]).any())
    given = derived = differ = None
    category_counts: tuple = ()
    if has_given:  # both readings, side by side on the page (the sponsor's is used unless the user picks the app's)
        alt = response_derivation(cut, rules, confirmed, options.source != "adrs").restrict(set(adsl["USUBJID"]))
        other = objective_response(alt.bor, pop, design)
        differ = ra.disagreements[ra.disagreements["USUBJID"].isin(pop)].reset_index(drop=True)
        given, derived = (orr, other) if options.source == "adrs" else (other, orr)
        numbers["ORR (%), ADRS's BOR"] = round(100 * given.rate.rate, 1) if given.n else None
        numbers["ORR (%), the app's derivation"] = round(100 * derived.rate.rate, 1) if derived.n else None
        numbers["Patients whose ADRS and derived BOR differ"] = len(differ)
        rows = rated(ra.bor, pop)  # the patients the ORR counts
        rows = rows[rows["GIVEN"].notna()]
        category_counts = tuple((c, int((rows["GIVEN"] == c).sum()), int((rows["DERIVED"] == c).sum()))
                                for c in BOR_ORDER if (rows["GIVEN"] == c).sum() != (rows["DERIVED"] == c).sum())
    not_yet = not_yet_assessed(ra.bor, pop)
    counting = None
    if not_yet:
        counting = objective_response(ra.bor.assign(NOT_YET=False), pop, design)
        schedule = _("first scan {weeks} weeks after the first dose, {window}-day window").format(
            weeks=rules.assessment_interval_weeks, window=rules.assessment_window_days)
        numbers["Too early to assess (left out of the rates)"] = not_yet
        numbers["ORR (%), counting every patient"] = round(100 * counting.rate.rate, 1) if counting.n else None
    detail = ResponseSummary(orr, decision, ra, confirmed, has_given,
                             tuple(ra.bor.loc[ra.bor["CR_THEN_PR"], "USUBJID"]), given, derived, differ,
                             category_counts, not_yet, counting, schedule if not_yet else "")
    if not_yet:
        notes.insert(0, detail.not_yet_sentence())
    if cut.cutoff is None:
        notes.insert(0, _("The cut has no cut-off date: patients too early to assess cannot be told apart, so every "
                          "patient counts as ADRS gives them (a patient without a scan yet as NE)."))
    return Result(_("Objective response rate — primary endpoint"), numbers, {"summary": table, "summary_display": wide, "listing": listing,
                                "disagreements": ra.disagreements}, None, tuple(notes), detail=detail)


def _wide(table: pd.DataFrame) -> pd.DataFrame:
    """The response table as shown: one row per category, one column per population with n (%) and the
    95% CI in one cell ("6 (33.3%) [13.3–59.0]"): two columns a population cut the table at 1400 px."""
    show = table.copy()
    ci = [f" [{lo:.1f}–{hi:.1f}]" if pd.notna(lo) else "" for lo, hi in
          zip(show["95% CI low"], show["95% CI high"], strict=True)]
    show["cell"] = [(f"{a} ({b:.1f}%)" if pd.notna(b) else f"{a}") + c
                    for a, b, c in zip(show["n"], show["%"], ci, strict=True)]
    wide = show.pivot(index="Category", columns="Population", values="cell")
    wide = wide.reindex(show["Category"].drop_duplicates())
    pops = list(dict.fromkeys(show["Population"]))
    wide = wide[pops]
    def n_text(pop: str) -> str:  # "N=18/27" when some of the population are too early to assess
        rows = table[table["Population"] == pop]
        n = int(rows["N"].iloc[0])
        early = rows.loc[rows["Category"] == TOO_EARLY, "n"]
        return f"{n}/{n + int(early.iloc[0])}" if len(early) else f"{n}"

    wide.columns = [f"{pop} (N={n_text(pop)}) · n (%) [95% CI]" for pop in wide.columns]
    return wide.reset_index()


def wide_headers(wide: pd.DataFrame) -> pd.DataFrame:
    """The response table of :func:`_wide` in the run's language, for the screen and the slide: the
    headers ("Response-evaluable (N=27) · n (%)") and the categories (CR as "完全缓解 (CR)"); the
    analysis's table keeps its English names. English: the table as it is."""
    if language() == DEFAULT:
        return wide

    def header(c: object) -> object:
        if not isinstance(c, str) or " · " not in c:
            return c
        pop, what = c.rsplit(" · ", 1)
        label, sep, n = pop.partition(" (N=")
        return _("{population} · {what}").format(population=_(label) + sep + n, what=_(what))

    def category(c: str) -> str:
        if c in BOR_LABELS:
            return _(BOR_LABELS[c])
        cbr = re.fullmatch(r"CBR \(CR\+PR\+SD ≥(\d+) wk\)", str(c))  # its weeks come from the config
        return _("CBR (CR+PR+SD ≥{weeks} wk)").format(weeks=cbr.group(1)) if cbr else _(c)

    out = wide.rename(columns=header)
    if "Category" in out:
        out["Category"] = [category(c) for c in out["Category"]]
    return out


@dataclass(frozen=True)
class WaterfallOptions(ResponseOptions):
    color_by: str = "BOR"  # BOR, P95STAT or SITEID
    cap: float | None = None  # bars above this % are drawn at the cap; None: the config's
    letters: bool = False
    ids: bool = False
    highlight: tuple[str, ...] = ()  # subjects to outline (e.g. new since the comparison cut)
    highlight_label: str = ""
    title: str = N_("Best change from baseline in target lesions")
    per_arm: bool = True  # a randomized study: one panel per planned arm


@analysis("Waterfall")
def waterfall(cut: DataCut, config: StudyConfig, options: WaterfallOptions) -> Result:
    """Best % change in the sum of target-lesion diameters up to the first PD, one bar per patient
    of the population with a post-baseline measurement; the others listed."""
    ra, adsl = _restricted(cut, config, options)
    ids = population_subjects(adsl, options.population)
    arm = config.efficacy_arm if not config.single_arm and config.efficacy_arm in adsl else None
    bars, missing = waterfall_data(ra.best[ra.best["USUBJID"].isin(ids)], ra.bor, adsl, set(ra.new_lesions), arm)
    n = int(ra.bor["USUBJID"].isin(ids).sum())
    ctx = figure_context(cut, config, options, f"{_(POPULATION_LABELS[options.population])} (N = {n})",
                         _("Best % change (RECIST 1.1)"))
    cap = float(options.cap if options.cap is not None else config.response.waterfall_cap_pct)
    fig = waterfall_figure(bars, missing, ctx, color_by=options.color_by, cap=cap, show_letters=options.letters,
                           show_ids=options.ids, confirmed=_confirmed(config, options),
                           site_names={x.id: x.name for x in config.sites}, highlight=set(options.highlight) or None,
                           highlight_label=options.highlight_label, title=_(options.title), arm_order=list(config.arms),
                           panel_by=arm if options.per_arm else None)
    data = bars[[c for c in ("USUBJID", "SITEID", "BOR", "BEST_PCHG", "N_POST", "P95STAT", "NEW_LESION") if c in bars]]
    numbers = {"Patients with a bar": len(bars), "Without a post-baseline measurement": len(missing),
               "Deepest shrinkage (%)": round(float(bars["BEST_PCHG"].min()), 1) if len(bars) else None}
    return Result(_("Waterfall"), numbers, {"bars": data, "missing": missing}, fig)


@dataclass(frozen=True)
class SpiderOptions(ResponseOptions):
    highlight_subject: str | None = None
    cap: float | None = None


@analysis("Spider plot")
def spider(cut: DataCut, config: StudyConfig, options: SpiderOptions) -> Result:
    """% change from baseline over weeks since the first dose, one line per patient, up to PD."""
    ra, adsl = _restricted(cut, config, options)
    ids = population_subjects(adsl, options.population)
    sp = spider_data(ra.changes[ra.changes["USUBJID"].isin(ids)], ra.bor, view(cut, options).tables["adrs"],
                     ra.bor.set_index("USUBJID")["PD_DATE"])
    n = int(ra.bor["USUBJID"].isin(ids).sum())
    data_cols = ["USUBJID", "ADT", "WEEK", "AVAL", "PCHG", "PCHG_NADIR", "OVR", "BOR"]
    if sp.empty:
        why = (_("The spider plot needs tumour measurements (ADTR sums of diameters), which the data cut does not "
                 "provide.") if not cut.has("adtr")
               else _("No patient of this population has a baseline and a later tumour measurement."))
        return Result(_("Spider plot"), {"Patients": 0, "Assessments": 0}, {"lines": pd.DataFrame(columns=data_cols)}, None, (why,))
    ctx = figure_context(cut, config, options, f"{_(POPULATION_LABELS[options.population])} (N = {n})",
                         _("% change from baseline (RECIST 1.1)"))
    cap = float(options.cap if options.cap is not None else config.response.waterfall_cap_pct)
    fig = spider_figure(sp, ctx, highlight=options.highlight_subject, cap=cap,
                        interval_weeks=config.response.assessment_interval_weeks, confirmed=_confirmed(config, options))
    data = sp[data_cols]
    return Result(_("Spider plot"), {"Patients": int(sp["USUBJID"].nunique()), "Assessments": len(sp)}, {"lines": data},
                  fig)


@dataclass(frozen=True)
class ArmsOptions(ResponseOptions):
    population: str = "ITTFL"  # randomized: response in the intent-to-treat population by planned arm


@analysis("Objective response by arm")
def response_by_arm(cut: DataCut, config: StudyConfig, options: ArmsOptions) -> Result:
    """ORR per arm (exact Clopper–Pearson CI) in the efficacy population by planned arm; each arm
    against the configured reference: the difference with the Miettinen–Nurminen CI and the
    Cochran–Mantel–Haenszel test stratified by the randomization factors (R ``mantelhaen.test``)."""
    from components.analyses.arms import POPULATION_FLAGS, arm_column, arm_levels
    from components.stats.comparative import cmh_test, rate_difference
    from components.stats.recist import response_rate

    ra, adsl = _restricted(cut, config, options)
    arm = arm_column(config, adsl, options.population)
    if arm is None or config.reference_arm is None:
        return Result(_("Objective response by arm"), {}, {}, None,
                      (_("Not a randomized study (one arm in the config or the data)."),))
    ids = population_subjects(adsl, options.population) if options.population in adsl else set(adsl["USUBJID"])
    frame = adsl[adsl["USUBJID"].isin(ids)][["USUBJID", arm, *[c for c in config.strata if c in adsl]]]
    frame = frame.merge(ra.bor[["USUBJID", "BOR", *(["NOT_YET"] if "NOT_YET" in ra.bor else [])]], on="USUBJID",
                        how="left")
    early = frame["NOT_YET"].fillna(False).astype(bool) if "NOT_YET" in frame else pd.Series(False, index=frame.index)
    early_note = ""
    early_by_arm = frame.loc[early.to_numpy(), arm].value_counts()
    if early.any() and options.population == "EFFFL":  # as the pooled response-evaluable ORR counts them
        frame = frame[~early.to_numpy()]
        early_note = _("{n} response-evaluable patient(s) too early to assess at the cut-off are left out, as in the "
                       "ORR above ({per_arm}).")
    elif early.any():  # intent-to-treat keeps every randomized patient, as its definition asks
        early_note = _("Every patient of the population counts, as its definition asks: {n} of them too early to "
                       "assess at the cut-off count as non-responders here ({per_arm}).")
    if early_note:
        early_note = early_note.format(n=int(early_by_arm.sum()), per_arm="; ".join(
            f"{a}: {early_by_arm.get(a, 0)}" for a in arm_levels(config, early_by_arm.index)))
    frame["RESP"] = frame["BOR"].isin(["CR", "PR"]).astype(int)
    arms = arm_levels(config, frame[arm].dropna())
    ref = config.reference_arm
    rows, numbers = [], {}
    cmh_notes: list[str] = []
    for a in arms:
        sub = frame[frame[arm] == a]
        k, n = int(sub["RESP"].sum()), len(sub)
        rr = response_rate(k, n, 0.0)
        row = {"Arm": a, "N": n, "Responders (CR+PR)": k, "ORR (%)": round(100 * rr.rate, 1) if n else None,
               "95% CI (exact)": f"{100 * rr.ci_low:.1f}–{100 * rr.ci_high:.1f}" if n else "—",
               N_("Difference vs reference (95% CI)"): _("reference") if a == ref else "—",
               "CMH p (stratified)": ""}
        numbers[f"ORR {a} (%)"] = row["ORR (%)"]
        if a != ref and n and ref in arms:
            r = frame[frame[arm] == ref]
            diff = rate_difference(k, n, int(r["RESP"].sum()), len(r))
            row["Difference vs reference (95% CI)"] = diff.text()
            numbers[f"ORR difference {a} − {ref} (points)"] = round(100 * diff.difference, 1)
            strata = [c for c in config.strata if c in frame]
            if strata:
                two = frame[frame[arm].isin([a, ref])]
                cmh = cmh_test(two["RESP"], two[arm], two[strata], a, ref)
                if cmh.estimable:
                    odds = f"OR {cmh.odds_ratio:.2f}" if cmh.odds_ratio == cmh.odds_ratio else _("OR not estimable")
                    row["CMH p (stratified)"] = f"{p_text(cmh.p_value, 4)} ({odds})"
                    numbers[f"CMH p, {a} vs {ref}"] = PValue(cmh.p_value)
                else:
                    row["CMH p (stratified)"] = cmh.note
                if cmh.n_missing_strata:
                    cmh_notes.append(_("CMH, {a} vs {ref}: {n} patient(s) with a missing stratification factor are "
                                       "left out (as R's mantelhaen.test).").format(a=a, ref=ref, n=cmh.n_missing_strata))
        rows.append(row)
    table = pd.DataFrame(rows)
    bor = frame["BOR"].where(frame["BOR"].isin(BOR_ORDER), "NE")
    by_arm = pd.DataFrame({"Best overall response": [*BOR_ORDER, "ORR (CR+PR)", "DCR (CR+PR+SD)"]})
    for a in arms:
        b = bor[frame[arm] == a]
        n = len(b)
        counts = [int((b == c).sum()) for c in BOR_ORDER] + [int(b.isin(["CR", "PR"]).sum()),
                                                              int(b.isin(["CR", "PR", "SD"]).sum())]
        by_arm[f"{a} (N = {n})"] = [f"{k} ({100 * k / n:.1f}%)" if n else "0" for k in counts]
    label = POPULATION_FLAGS.get(options.population, options.population)
    notes = (_("Population: {population} by {arm_kind}; {responses}. Differences are each arm minus the "
               "reference ({ref}), with the Miettinen–Nurminen 95% CI; the CMH test (R's mantelhaen.test default: continuity correction when |O − E| ≥ ½) is stratified by "
               "{strata}.").format(
        population=_(label), ref=ref,
        arm_kind=_("planned arm") if arm in ("TRT01P", "ARM") else _("actual arm"),
        responses=_("confirmed responses") if _confirmed(config, options) else _("unconfirmed responses"),
        strata=variable_labels(config, [c for c in config.strata if c in frame]) or _("nothing (no strata in the data)")),)
    notes = (*notes, *([early_note] if early_note else []), *cmh_notes,
             _("Best overall response by arm: NE includes patients without a post-baseline assessment."))
    return Result(_("Objective response by arm"), numbers, {"arms": table, "bor_by_arm": by_arm}, None, notes)
