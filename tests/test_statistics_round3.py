"""Issue 31, statistics round 3: each item against a reference from outside the code — R output stored
with the script that made it (tests/reference/issue31_reference.R → .json: R 4.2.2, survival 3.5.3),
RECIST 1.1's text, hand-worked cases and simulation."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from components.data.config import ResponseRules, load_config
from components.stats.comparative import cmh_test, hazard_ratio, interaction_test, logrank
from components.stats.recist import (
    best_overall_response,
    bor_with_source,
    dor_left_out,
    duration_of_response_data,
    time_to_response,
)
from components.stats.survival import derive_pfs_os, kaplan_meier

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "issue31_reference.json").read_text())
START = pd.Timestamp("2026-01-01")
RULES = ResponseRules(confirmation_min_days=28, sd_min_days=35)


def _na(x):
    return np.nan if x is None else x


def _cut(sequences: dict[str, list[tuple[int, str]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ADSL (all treated on START, response-evaluable) and ADRS OVR rows from per-visit responses."""
    adsl = pd.DataFrame({"USUBJID": list(sequences), "TRTSDT": START, "EFFFL": "Y", "SAFFL": "Y", "DTHDT": pd.NaT,
                         "LSTALVDT": START + pd.Timedelta(days=300)})
    rows = [{"USUBJID": u, "PARAMCD": "OVR", "ADT": START + pd.Timedelta(days=d), "AVALC": r}
            for u, visits in sequences.items() for d, r in visits]
    return adsl, pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "ADT", "AVALC"])


# --------------------------------------------------------------------------- 1. a PR after a CR


def test_cr_then_pr_flips_nothing_in_the_primary_decision():
    """The reviewer's cut: 31 evaluable, 10 confirmed PRs, one CR d42, PR d84, PR d126, 20 SD. RECIST 1.1
    Table 3 footnote, primary reading: the PR after the CR is progression, so 10/31 responders. The
    protocol's normal test (H0 21%, two-sided 0.05): z = (10/31 − 0.21)/√(0.21·0.79/31) = 1.539, p =
    0.1238, not rejected; 11/31 would give z = 1.980, p = 0.0477, rejected (R 4.2.2: prop.test(k, 31, 0.21,
    correct = FALSE): √χ² 1.538939, p 0.1238192; for 11, 1.979896 and 0.04771526)."""
    from components.analyses.decision import primary_endpoint

    seqs = {f"R{i:02d}": [(42, "PR"), (84, "PR"), (126, "PR")] for i in range(10)}
    seqs["CRPR"] = [(42, "CR"), (84, "PR"), (126, "PR")]
    seqs.update({f"S{i:02d}": [(42, "SD"), (84, "SD")] for i in range(20)})
    adsl, adrs = _cut(seqs)
    bor = best_overall_response(adrs, adsl, confirm=True, rules=RULES)
    row = bor.set_index("USUBJID").loc["CRPR"]
    assert row["BOR"] == "SD" and row["PD_DATE"] == START + pd.Timedelta(days=84) and row["CR_THEN_PR"]
    design = load_config().design
    pe = primary_endpoint(adsl, bor, design)
    assert (pe.responders, pe.evaluable) == (10, 31)
    assert pe.test.statistic == pytest.approx(1.538939, abs=1e-6)
    assert pe.test.p_value == pytest.approx(0.1238192, abs=1e-7)
    assert not pe.test.reject


def test_cr_cr_pr_pr_is_no_response_either():
    adsl, adrs = _cut({"P": [(42, "CR"), (56, "CR"), (98, "PR"), (140, "PR")]})
    row = best_overall_response(adrs, adsl, confirm=True, rules=RULES).iloc[0]
    assert row["BOR"] == "SD" and row["PD_DATE"] == START + pd.Timedelta(days=98) and pd.isna(row["RESP_DATE"])


def test_pr_after_cr_is_the_progression_of_a_derived_pfs():
    """The same reading makes the PR on day 84 the PFS event: AVAL = 84 + 1 = 85 days, not censored."""
    adsl, adrs = _cut({"P": [(42, "CR"), (84, "PR"), (126, "PR")]})
    bor = best_overall_response(adrs, adsl, confirm=True, rules=RULES)
    pfs = derive_pfs_os(adsl, bor, interval_days=42).query("PARAMCD == 'PFS'").iloc[0]
    assert (pfs["CNSR"], pfs["AVAL"]) == (0, 85.0)


def test_no_pr_after_a_cr_ever_starts_or_confirms_a_response():
    """2,000 random sequences (seeded): under the default reading no response starts at, or is
    confirmed by, a PR that has a CR anywhere before it, and the progression date is never later than
    such a PR (RECIST 1.1 Table 3 footnote)."""
    rng = np.random.default_rng(31)
    seqs = {}
    for i in range(2000):
        n = rng.integers(1, 8)
        days = np.cumsum(rng.choice([14, 21, 28, 42, 56], size=n))
        seqs[f"P{i}"] = [(int(d), str(r)) for d, r in zip(days, rng.choice(["CR", "PR", "SD", "NE", "PD"], size=n,
                                                                             p=[.25, .35, .2, .1, .1]), strict=True)]
    adsl, adrs = _cut(seqs)
    bor = best_overall_response(adrs, adsl, confirm=True, rules=RULES).set_index("USUBJID")
    checked = 0
    for u, visits in seqs.items():
        first_cr = next((d for d, r in visits if r == "CR"), None)
        if first_cr is None:
            continue
        bad = [START + pd.Timedelta(days=d) for d, r in visits if r == "PR" and d > first_cr]
        if not bad:
            continue
        checked += 1
        b = bor.loc[u]
        assert b["PD_DATE"] <= bad[0], u
        for when in (b["RESP_DATE"], b["CONF_DATE"]):
            assert pd.isna(when) or when not in bad, u
    assert checked > 200


# --------------------------------------------------------------------------- 2. every responder on the DoR curve


def test_every_sponsor_responder_is_on_the_derived_dor_curve_or_named():
    """ADRS gives a CBOR of PR for three patients. P1's per-visit responses confirm it; P2's do not
    (PR d42, SD d84): the app derives no response, so the start is the CBOR row's ADT (day 42); P3 has
    no CR/PR visit and its CBOR row no date: named, with the reason. No responder is dropped silently."""
    adsl, adrs = _cut({"P1": [(42, "PR"), (84, "PR"), (126, "PD")], "P2": [(42, "PR"), (84, "SD"), (126, "SD")],
                       "P3": [(42, "SD")], "P4": [(42, "SD")]})
    cbor = pd.DataFrame({"USUBJID": ["P1", "P2", "P3", "P4"], "PARAMCD": "CBOR",
                         "ADT": [START + pd.Timedelta(days=42), START + pd.Timedelta(days=42), pd.NaT, pd.NaT],
                         "AVALC": ["PR", "PR", "PR", "SD"]})
    bor, diff = bor_with_source(pd.concat([adrs, cbor], ignore_index=True), adsl, True, RULES)
    assert set(bor.loc[bor["BOR"] == "PR", "USUBJID"]) == {"P1", "P2", "P3"}
    assert set(diff["USUBJID"]) == {"P2", "P3"}
    dor = duration_of_response_data(bor, adsl).set_index("USUBJID")
    left = dor_left_out(bor, adsl).set_index("USUBJID")
    assert set(dor.index) | set(left.index) == {"P1", "P2", "P3"}
    assert (dor.loc["P1", "AVAL"], dor.loc["P1", "CNSR"]) == (126 - 42 + 1, 0)
    # P2: from day 42 to its last adequate assessment (day 126), censored: 85 days
    assert (dor.loc["P2", "AVAL"], dor.loc["P2", "CNSR"]) == (85.0, 1)
    assert list(left.index) == ["P3"] and "no response date" in left.loc["P3", "REASON"]


def test_the_survival_page_names_responders_off_the_dor_curve(tmp_path, latest_cut, edit_table):
    """On the demo cut without ADTTE DOR rows, every responder the Response analysis counts is on the
    derived DoR curve or named in a note with the reason."""
    from components.analyses.response import ResponseOptions, response_overview
    from components.analyses.survival import SurvivalOptions, kaplan_meier_endpoint
    from components.data.datasets import load_cut

    folder = tmp_path / latest_cut.name
    shutil.copytree(latest_cut, folder)
    edit_table(folder, "adtte", lambda df: df[df["PARAMCD"] != "DOR"])
    # a responder by CBOR whose visits show no response at all and whose CBOR row has no date
    adrs = pd.read_csv(folder / "adrs.csv", dtype=str, keep_default_na=False)
    sd_patient = adrs.loc[(adrs["PARAMCD"] == "CBOR") & (adrs["AVALC"] == "SD"), "USUBJID"].iloc[0]

    def make_responder(df):
        mine = df["USUBJID"] == sd_patient
        df.loc[mine & (df["PARAMCD"] == "CBOR"), ["AVALC", "ADT"]] = ["PR", ""]
        df.loc[mine & (df["PARAMCD"] == "BOR"), ["AVALC", "ADT"]] = ["PR", ""]
        df.loc[mine & (df["PARAMCD"] == "OVR") & df["AVALC"].isin(["CR", "PR"]), "AVALC"] = "SD"
        return df

    edit_table(folder, "adrs", make_responder)
    cut, config = load_cut(folder), load_config()
    counted = response_overview(cut, config, ResponseOptions(population="SAFFL")).detail.response.bor
    responders = set(counted.loc[counted["BOR"].isin(["CR", "PR"]), "USUBJID"])
    res = kaplan_meier_endpoint(cut, config, SurvivalOptions(endpoint="DOR", population="SAFFL"))
    assert res.detail.origin == "derived"
    named = set(res.tables["not_on_curve"]["USUBJID"])
    assert named == {sd_patient}
    assert res.numbers["Patients"] + len(named) == len(responders)
    assert any(sd_patient in n and "no response date" in n for n in res.notes)


# --------------------------------------------------------------------------- 3. an AE with a blank grade


def test_an_ae_with_a_blank_grade_keeps_its_patient(tmp_path, latest_cut, edit_table):
    """ICH E3 §12.2: the AE counts under any grade; the patient whose only TEAE has no grade stays in
    'any TEAE', in the SOC/PT rows, and shows under 'Grade missing'; the loader says so (a warning
    naming the rows), never drops the row."""
    from components.analyses.base import Options
    from components.analyses.safety import AeTableOptions, ae_overview, ae_table
    from components.data.datasets import load_cut

    folder = tmp_path / latest_cut.name
    shutil.copytree(latest_cut, folder)
    before = load_cut(latest_cut)
    config = load_config()
    n_any = ae_overview(before, config, Options()).tables["overview"].set_index("Category").loc["Any TEAE", "Patients"]
    adae = pd.read_csv(folder / "adae.csv", dtype=str, keep_default_na=False)
    teae = adae[adae["TRTEMFL"] == "Y"] if "TRTEMFL" in adae else adae
    counts = teae["USUBJID"].value_counts()
    lone = counts[counts == 1].index[0] if (counts == 1).any() else counts.index[-1]
    edit_table(folder, "adae", lambda df: df.assign(AETOXGR=np.where(df["USUBJID"] == lone, "", df["AETOXGR"])))
    cut = load_cut(folder)
    assert any(f.table == "adae" and f.column == "AETOXGR" and "missing" in f.message for f in cut.issues)
    ov = ae_overview(cut, config, Options()).tables["overview"].set_index("Category")
    assert ov.loc["Any TEAE", "Patients"] == n_any
    assert ov.loc["TEAE with grade missing", "Patients"] == 1
    tab = ae_table(cut, config, AeTableOptions()).tables["table"]
    term = teae.loc[teae["USUBJID"] == lone, "AEDECOD"].iloc[0]
    row = tab[(tab["Level"] == "PT") & (tab["Term"] == term)].iloc[0]
    assert row["Grade missing"] >= 1 and row["Any grade"] >= row["Grade missing"]


# --------------------------------------------------------------------------- 4, 8. Cox and log-rank against R


@pytest.mark.parametrize("i", range(len(R["cox"])))
def test_cox_and_logrank_equal_r(i):
    """coxph (Efron) and survdiff, with and without strata(s1, s2); every third case has missing s1 values,
    which R's default na.action drops: the app drops them too and counts them. Cox to 1e-9 relative (R's
    convergence rule; issue 31 (8)), log-rank to 1e-9."""
    c = R["cox"][i]
    d = pd.DataFrame(c["data"])
    n_missing = int(d["s1"].isna().sum())
    for key, strata in (("unstratified", None), ("stratified", d[["s1", "s2"]])):
        h = hazard_ratio(d["t"], d["e"], d["arm"], "Experimental", "Control", strata)
        r = c[key]
        for got, want in ((h.coef, r["coef"]), (h.se, r["se"]), (h.hr, r["hr"]), (h.lower, r["lower"]),
                          (h.upper, r["upper"]), (h.p_value, r["p"])):
            assert got == pytest.approx(want, rel=1e-9), key
        assert h.n_missing_strata == (n_missing if strata is not None else 0)
    lr = logrank(d["t"], d["e"], d["arm"], "Experimental", "Control")
    assert lr.chisq == pytest.approx(c["logrank"]["chisq"], rel=1e-9)
    lrs = logrank(d["t"], d["e"], d["arm"], "Experimental", "Control", d[["s1", "s2"]])
    assert lrs.chisq == pytest.approx(c["logrank_stratified"]["chisq"], rel=1e-9)
    assert lrs.p_value == pytest.approx(c["logrank_stratified"]["p"], rel=1e-9)
    assert lrs.n_missing_strata == n_missing and len(d) - n_missing == c["logrank_stratified"]["n"]


def test_blank_strata_are_missing_not_a_level():
    """A blank or whitespace stratum is missing, as NA is: never an unlabelled stratum of its own."""
    c = next(c for c in R["cox"] if any(v is None for v in c["data"]["s1"]))
    d = pd.DataFrame(c["data"])
    blank = d.assign(s1=d["s1"].where(d["s1"].notna(), "  "))
    a = logrank(d["t"], d["e"], d["arm"], "Experimental", "Control", d[["s1", "s2"]])
    b = logrank(blank["t"], blank["e"], blank["arm"], "Experimental", "Control", blank[["s1", "s2"]])
    assert a.chisq == b.chisq and a.n_missing_strata == b.n_missing_strata > 0


def test_the_forest_plot_has_no_blank_label_and_says_who_it_left_out(tmp_path, edit_table):
    """Phase III demo with STRAT1 blank for five patients: the stratified HR leaves them out (said in a
    note), and no forest row has an empty or '(missing)' level."""
    from components.analyses.survival import ForestOptions, forest
    from components.data.config import load_config as load
    from components.data.datasets import load_cut

    root = Path(__file__).resolve().parents[1]
    src = sorted((root / "data" / "demo-phase3").iterdir())[-1]
    folder = tmp_path / src.name
    shutil.copytree(src, folder)
    config = load(root / "data" / "phase3_demo.toml")
    strat = config.strata[0]
    edit_table(folder, "adsl", lambda df: df.assign(**{strat: [("" if i < 5 else v) for i, v in enumerate(df[strat])]}))
    res = forest(load_cut(folder), config, ForestOptions())
    rows = res.tables["rows"]
    assert not rows.loc[~rows["Overall"], "Level"].astype(str).str.strip().isin(["", "(missing)"]).any()
    assert any("5 patient(s) with a missing stratification factor" in n for n in res.notes)


# --------------------------------------------------------------------------- 5. one day count


def test_time_to_response_counts_day_one_as_adam_does():
    """PR on day 42 after the first dose (ADT − TRTSDT = 42): TTR = 43 days, as ADaM's AVAL = ADT −
    STARTDT + 1 and the app's DoR, PFS and OS count."""
    adsl, adrs = _cut({"P": [(42, "PR"), (84, "PR")]})
    bor = best_overall_response(adrs, adsl, confirm=True, rules=RULES)
    assert list(time_to_response(bor, adsl)["TTR_DAYS"]) == [43]


# --------------------------------------------------------------------------- 6. CMH as R's mantelhaen.test


@pytest.mark.parametrize("i", range(len(R["cmh"])))
def test_cmh_equals_r(i):
    """mantelhaen.test(correct = TRUE / FALSE) on 80 random sets of strata, 23 of them with |Σ(O − E)| < ½
    (no continuity correction then); where R refuses (a stratum of one patient, or one stratum), the app
    does not compute it either and says why. An odds ratio R gives as 0 or Inf is 'not estimable'."""
    c = R["cmh"][i]
    d = pd.DataFrame(c["data"])
    for key, correct in (("correct", True), ("uncorrected", False)):
        got = cmh_test(d["resp"], d["arm"], d[["stratum"]], "Experimental", "Control", correct=correct)
        r = c[key]
        if "error" in r:
            assert not got.estimable and "R's mantelhaen.test refuses" in got.note
            continue
        if r["statistic"] is None:  # R's statistic is NaN: no variation within any stratum
            assert not got.estimable
            continue
        assert got.statistic == pytest.approx(r["statistic"], rel=1e-9, abs=1e-12)
        assert got.p_value == pytest.approx(r["p"], rel=1e-9)
        if r["or"] in (None, 0):
            assert np.isnan(got.odds_ratio)
        else:
            assert (got.odds_ratio, got.lower, got.upper) == pytest.approx((r["or"], r["lower"], r["upper"]), rel=1e-9)


def test_cmh_correction_is_skipped_below_one_half():
    """Hand-worked, R's rule. Stratum a (E: 1 of 2 respond, C: 1 of 2): x = 1, E(x) = 2·2/4 = 1, V = 2·2·2·2 /
    (4²·3) = 1/3. Stratum b (E: 1 of 1, C: 1 of 2): x = 1, E(x) = 1·2/3, V = 1·2·2·1/(3²·2) = 2/9.
    Δ = 1/3 < ½, so no correction even with correct = TRUE: χ² = (1/3)² / (5/9) = 0.2 (R mantelhaen.test
    gives 0.2 both ways). Δ = 1 in the second case: corrected (1 − ½)²/(2/3) = 0.375, uncorrected 1.5."""
    arm = ["E", "E", "C", "C", "E", "C", "C"]
    resp = [1, 0, 1, 0, 1, 1, 0]
    strata = pd.DataFrame({"s": ["a"] * 4 + ["b"] * 3})
    assert cmh_test(resp, arm, strata, "E", "C", correct=True).statistic == pytest.approx(0.2)
    assert cmh_test(resp, arm, strata, "E", "C", correct=False).statistic == pytest.approx(0.2)
    arm, resp = ["E", "E", "C", "C"] * 2, [1, 0, 1, 0, 1, 1, 0, 0]
    strata = pd.DataFrame({"s": ["a"] * 4 + ["b"] * 4})
    assert cmh_test(resp, arm, strata, "E", "C", correct=True).statistic == pytest.approx(0.375)
    assert cmh_test(resp, arm, strata, "E", "C", correct=False).statistic == pytest.approx(1.5)


# --------------------------------------------------------------------------- 7. interaction


@pytest.mark.parametrize("i", range(len(R["interaction"])))
def test_interaction_equals_r(i):
    """anova(coxph(~ arm + g), coxph(~ arm * g)): χ², df and p. Cases with a level that has one arm only
    (R fits it with an aliased term: fewer df, or none), and with missing g (left out, as R does)."""
    c = R["interaction"][i]
    d = pd.DataFrame(c["data"])
    got = interaction_test(d["t"], d["e"], d["arm"], "Experimental", "Control", d["g"])
    assert got.df == c["df"]
    assert got.n_missing == len(d) - c["n_used"]
    if c["df"] == 0:
        assert np.isnan(got.p_value) and got.note
    else:
        assert got.chisq == pytest.approx(c["chisq"], rel=1e-6, abs=1e-9)
        assert got.p_value == pytest.approx(c["p"], rel=1e-6)


# --------------------------------------------------------------------------- 9. p-values


def test_one_p_value_formatter():
    from components.analyses.base import format_number
    from components.stats.pvalues import PValue, p_text, p_value_text

    assert p_text(0.0004) == "< 0.001" and p_text(0.0421) == "0.042" and p_text(float("nan")) == "—"
    assert p_value_text(1e-9) == "p < 0.001" and p_value_text(0.5) == "p = 0.500"
    assert p_text(0.00004, 4) == "< 0.0001"
    assert format_number(PValue(1e-7)) == "< 0.001" and format_number(PValue(0.25)) == "0.250"


def test_no_p_value_reads_zero_in_the_primary_box_or_the_phase3_survival():
    """17/31 responders: the protocol's p is 1.5e-6 — the box says '< 0.001'; the phase III Survival view's
    Wald p column and key numbers never read 0.000."""
    from components.analyses.decision import objective_response
    from components.analyses.survival import SurvivalOptions, kaplan_meier_endpoint
    from components.data.datasets import load_cut
    from components.stats.pvalues import p_text

    bor = pd.DataFrame({"USUBJID": [f"P{i}" for i in range(31)], "BOR": ["PR"] * 17 + ["SD"] * 14})
    orr = objective_response(bor, set(bor["USUBJID"]), load_config().design)
    assert orr.test.p_value < 1e-3 and p_text(orr.test.p_value) == "< 0.001"
    assert "0.000" not in orr.test.p_text
    root = Path(__file__).resolve().parents[1]
    config = load_config(root / "data" / "phase3_demo.toml")
    cut = load_cut(sorted((root / "data" / "demo-phase3").iterdir())[-1])
    res = kaplan_meier_endpoint(cut, config, SurvivalOptions(population="ITTFL", group_by="TRT01P"))
    shown = [*res.tables["hazard_ratios"]["p-value (Wald test)"], *res.tables["stratified"]["Result"], *res.number_lines()]
    assert any("< 0.001" in x for x in shown)
    assert not any(re.search(r"(?<![\d.])0\.0+(?!\d*[1-9])", x) for x in shown if "p" in x.lower() or "<" in x), shown
    figure_text = json.dumps(res.figure.to_plotly_json()["layout"].get("annotations", []), ensure_ascii=False)
    assert "p = 0.000" not in figure_text


# --------------------------------------------------------------------------- 10. Kaplan-Meier medians


def test_km_median_and_quantiles_equal_r_on_400_cases():
    """print(fit)'s median and CI (R survmean) and quantile(fit, c(.25, .5, .75)) with their limits, for
    log-log, log and plain bands, on 400 small tied data sets: equal to R (1e-12). The app shows print's
    median everywhere; quantile() is R's quantile.survfit (R itself differs from print on a plateau at
    exactly 0.5 that runs to the end of follow-up)."""
    bad = []
    for i, c in enumerate(R["km"]):
        for ct in ("log-log", "log", "plain"):
            km = kaplan_meier(c["time"], c["event"], ct)
            r = c[ct]
            want = [_na(r["median"]), _na(r["lcl"]), _na(r["ucl"])]
            if not np.allclose([km.median, *km.median_ci], want, rtol=1e-12, equal_nan=True):
                bad.append((i, ct, "median"))
            for j, p in enumerate((0.25, 0.5, 0.75)):
                want = [_na(r["q"][j]), _na(r["ql"][j]), _na(r["qu"][j])]
                if not np.allclose(km.quantile(p), want, rtol=1e-12, equal_nan=True):
                    bad.append((i, ct, p))
    assert bad == []


# --------------------------------------------------------------------------- 11. enrollment early in a study


def test_one_patient_on_the_cutoff_day_projects_no_rate():
    from components.stats.enrollment import project_completion

    cut = pd.Timestamp("2026-11-01")
    p = project_completion(pd.Series([cut]), 35, cut, 120)
    assert p.expected is None and "too few to estimate" in p.sentence() and "30.4" not in p.sentence()


@pytest.mark.parametrize("per_month,cut_day,target", [(3.0, 60, 35), (3.0, 30, 35), (5.0, 20, 60)])
def test_early_projection_band_misses_late_no_more_than_it_should(per_month, cut_day, target):
    """Simulation (seeded): a Poisson process of known rate from day 0, daily dates, a cut-off early
    enough that the 120-day window is cut back to the first enrollment. The 90% band's upper end must be
    passed by the true completion date in at most 6% of trials (nominal 5%; counting the first patient
    made it 6–10.5%), and the band must cover 85–95%."""
    from components.stats.enrollment import project_completion

    rng = np.random.default_rng(3111)
    lam = per_month / 30.4375
    start = pd.Timestamp("2026-01-01")
    cut = start + pd.Timedelta(days=cut_day)
    late = hits = tried = 0
    for _ in range(1500):
        days = np.floor(np.cumsum(rng.exponential(1 / lam, size=target + 60)))
        before = days[days <= cut_day]
        if len(before) == 0 or len(before) >= target:
            continue
        p = project_completion(pd.Series(start + pd.to_timedelta(before, unit="D")), target, cut, 120)
        if p.expected is None:
            continue
        true = start + pd.Timedelta(days=float(days[target - 1]))
        tried += 1
        high = p.high if p.high is not None else pd.Timestamp.max  # None: more than a century away
        hits += p.low <= true <= high
        late += true > high
    assert tried > 1000
    assert late / tried <= 0.06, late / tried
    assert 0.85 <= hits / tried <= 0.95, hits / tried


# --------------------------------------------------------------------------- on the pages


P_ZERO = re.compile(r"\bp\b[^0-9<>]{0,40}?(?<![\d.])0\.0+(?![0-9]*[1-9])", re.IGNORECASE)


def _page_text(at) -> list[str]:
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    texts += [f"{m.label}: {m.value}" for m in at.metric]
    for df in [*(d.value for d in at.dataframe), *(t.value for t in at.table)]:
        cols = [c for c in df.columns if "p" in str(c).lower().split() or str(c).lower().startswith("p ")
                or "p-value" in str(c).lower() or "result" in str(c).lower()]
        texts += [f"{c}: {v}" for c in cols for v in df[c].astype(str)]
    return texts


def test_no_page_of_the_phase3_demo_shows_a_p_value_of_zero(app_factory, monkeypatch):
    """Issue 31 (9): every page and tab of the randomized demo (PFS p < 0.001 there), its text, metrics
    and p-value columns: no p-value reads 0.000, and '< 0.001' is shown where one is that small."""
    from tests.walk import walk

    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("TRIAL_STUDY_CONFIG", str(root / "data" / "phase3_demo.toml"))
    seen: list[str] = []
    found = walk(app_factory(root / "data" / "demo-phase3"), each=lambda at: seen.extend(_page_text(at)))
    assert not {k: v for k, v in found.items() if v}
    zeros = [t for t in seen if P_ZERO.search(t)]
    assert zeros == []
    assert any("< 0.001" in t for t in seen)


def test_the_response_page_shows_both_readings_when_they_differ(app_factory, tmp_path, latest_cut, edit_table):
    """Where the sponsor's CBOR and the app's RECIST derivation count differently, the Response page
    itself (above the tables, not in a listing tab) says both ORRs and names the patients."""
    folder = tmp_path / "cuts" / latest_cut.name
    shutil.copytree(latest_cut, folder)
    adrs = pd.read_csv(folder / "adrs.csv", dtype=str, keep_default_na=False)
    adsl = pd.read_csv(folder / "adsl.csv", dtype=str, keep_default_na=False)
    evaluable = set(adsl.loc[adsl["EFFFL"] == "Y", "USUBJID"])
    cbor = adrs[(adrs["PARAMCD"] == "CBOR") & adrs["USUBJID"].isin(evaluable)]
    flipped = cbor.loc[cbor["AVALC"] == "SD", "USUBJID"].iloc[0]
    edit_table(folder, "adrs", lambda df: df.assign(AVALC=np.where((df["PARAMCD"] == "CBOR") & (df["USUBJID"] == flipped),
                                                                   "PR", df["AVALC"])))
    at = app_factory(folder.parent).run()
    at.switch_page("pages/response.py").run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning).replace("\\", "")  # Markdown escapes; a warning: the ORR differs
    assert "The sponsor's CBOR in ADRS gives ORR" in warning and "the app's RECIST 1.1 derivation gives" in warning
    assert f"{flipped} (PR / SD)" in warning


def test_the_enrollment_metric_and_sentence_say_the_same_rate(app_factory):
    """The rate in the metric and in the projection sentence are one number (3.55 once read 3.5 and 3.6)."""
    at = app_factory().run()
    at.switch_page("pages/enrollment.py").run()
    assert not at.exception
    metric = next(m.value for m in at.metric if m.label == "Recent rate")
    sentence = next(m.value for m in at.markdown if "patients/month" in m.value)
    assert re.search(r"rate of ([\d.]+) patients/month", sentence).group(1) == metric.split(" ")[0]


# --------------------------------------------------------------------------- issue 37: files that leave nothing behind


def test_an_xport_upload_leaves_no_file_on_disk(tmp_path, monkeypatch):
    """Issue 37 (5): the XPORT bytes are read through an anonymous in-memory file; nothing is written to
    the temporary directory (a kill -9 mid-read leaves no patient file)."""
    import tempfile

    import pyreadstat

    from components.data.readers import read_xport_bytes

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    src = tmp_path.parent / "x.xpt"
    pyreadstat.write_xport(pd.DataFrame({"USUBJID": ["A", "B"], "AGE": [50.0, 60.0]}), str(src))
    data = src.read_bytes()
    src.unlink()
    out = read_xport_bytes(data)
    assert list(out["USUBJID"]) == ["A", "B"] and list(tmp_path.iterdir()) == []


def test_a_broken_or_mistyped_cut_toml_is_a_finding_of_its_own_cut(tmp_path, latest_cut):
    """Issue 37 (3) and 32 (7): synthetic = "false" (a string) is not read as true; a cut.toml that is not
    TOML does not take the other cuts down; both are findings of that cut."""
    from components.data.datasets import list_cuts, load_cut

    good, typed, broken = tmp_path / "2026-01-01", tmp_path / "2026-02-01", tmp_path / "2026-03-01"
    for f in (good, typed, broken):
        shutil.copytree(latest_cut, f)
    (typed / "cut.toml").write_text('synthetic = "false"\nlabel = "typed"\nsurprise = 1\n')
    (broken / "cut.toml").write_text("synthetic = = true\n")
    refs = list_cuts(tmp_path)
    assert [r.path.name for r in refs] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    t = load_cut(typed)
    assert not t.synthetic and t.has("adsl")
    assert any(f.column == "synthetic" and "wrong type" in f.message for f in t.issues)
    assert any(f.column == "surprise" and "unknown key" in f.message for f in t.issues)
    b = load_cut(broken)
    assert b.has("adsl") and any("cannot be read" in f.message for f in b.issues)
    assert load_cut(good).has("adsl")
