"""Biomarkers: 2×2 tables, kappa, Fisher, ctDNA clearance on hand-made data; the page with and
without the biomarker table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from components.stats.biomarkers import cohen_kappa, ctdna_series, early_change, fisher_2x2, other_markers, p95_results

D0 = pd.Timestamp("2026-01-01")


def test_two_by_two_and_fisher_against_scipy():
    """IHC vs WB on 10 patients: (+,+) 4, (+,−) 1, (−,+) 1, (−,−) 3, one not assessable (left out)."""
    ihc = pd.Series(["Positive"] * 5 + ["Negative"] * 4 + ["Not assessable"])
    wb = pd.Series(["Positive"] * 4 + ["Negative"] + ["Positive"] + ["Negative"] * 3 + ["Positive"])
    t = fisher_2x2(ihc, wb, ("Positive", "Negative"), ("Positive", "Negative"))
    assert t.table.to_numpy().tolist() == [[4, 1], [1, 3]] and t.n == 9
    ref = stats.fisher_exact([[4, 1], [1, 3]])
    assert t.p_value == pytest.approx(ref.pvalue)
    # the odds ratio is R's conditional MLE (fisher.test), not the sample odds ratio 4·3/(1·1) = 12
    assert t.odds_ratio != pytest.approx(12.0) and t.odds.estimable


def test_fisher_freeman_halton_matches_r_fisher_test(r_reference):
    """Issue 15 (8): exact r×c p-values equal R fisher.test on every stored table (scipy's r×c
    fisher_exact is Monte Carlo only)."""
    from components.stats.contingency import fisher_freeman_halton

    for case in r_reference["fisher_rxc"]["tables"]:
        res = fisher_freeman_halton(np.array(case["rows"]))
        assert res.exact, case["rows"]
        assert res.p_value == pytest.approx(case["p_value"], rel=1e-9, abs=1e-12), case["rows"]


def test_conditional_odds_ratio_matches_r_and_zero_cells_are_not_estimable(r_reference):
    from components.stats.contingency import conditional_odds_ratio

    for case in r_reference["fisher_rxc"]["tables"]:
        if case["nrow"] != 2 or case["ncol"] != 2:
            continue
        odds = conditional_odds_ratio(np.array(case["rows"]))
        if case["odds_ratio"] == "Inf" or case["odds_ratio"] == 0:
            assert not odds.estimable and "not estimable" in odds.text()
            continue
        assert odds.estimate == pytest.approx(case["odds_ratio"], rel=1e-3)
        assert odds.lower == pytest.approx(case["conf_int"][0], rel=1e-3)
        assert odds.upper == pytest.approx(case["conf_int"][1], rel=1e-3)


def test_small_tables_use_the_exact_test_not_chi_square():
    from components.stats.biomarkers import independence_test

    small = pd.DataFrame([[3, 1], [2, 4], [0, 5]])
    p, name = independence_test(small)
    assert name == "Fisher–Freeman–Halton exact" and p == pytest.approx(0.0959040959, abs=1e-9)
    large = pd.DataFrame([[30, 12], [25, 40], [20, 35]])
    assert independence_test(large)[1] == "chi-square"


def test_cohen_kappa_by_hand_and_statsmodels():
    """po = 7/9; pe = (5·5 + 4·4)/81 = 41/81; κ = (po − pe)/(1 − pe) = (63 − 41)/(81 − 41) = 0.55."""
    table = pd.DataFrame([[4, 1], [1, 3]])
    kappa, agree = cohen_kappa(table)
    assert kappa == pytest.approx(22 / 40)
    assert agree == pytest.approx(7 / 9)
    from statsmodels.stats.inter_rater import cohens_kappa

    assert kappa == pytest.approx(cohens_kappa(table.to_numpy()).kappa)


def test_p95_results_classify_by_ihc_score():
    adlb = pd.DataFrame({
        "USUBJID": ["A", "B", "C", "A", "B", "C"], "PARAMCD": ["P95IHC"] * 3 + ["P95WB"] * 3,
        "AVAL": [3.0, 1.0, None, None, None, None], "AVALC": ["3+", "1+", "NOT ASSESSABLE", "POSITIVE", "NEGATIVE", "NOT ASSESSABLE"],
        "ADT": [D0] * 6,
    })
    r = p95_results(adlb, "P95IHC", "P95WB", 2).set_index("USUBJID")
    assert list(r["IHC"]) == ["Positive", "Negative", "Not assessable"]
    assert list(r["WB"]) == ["Positive", "Negative", "Not assessable"]


def _series():
    """A: 2.0% at baseline, undetectable on day 21 → cleared. B: 4.0% → 1.6% on day 24 (−60%, not
    cleared, molecular response). C: undetectable at baseline (left out of clearance). D: 1.0 → 1.2."""
    adsl = pd.DataFrame({"USUBJID": list("ABCD"), "TRTSDT": [D0] * 4})
    rows = [("A", -3, 2.0, None), ("A", 21, 0.0, "NOT DETECTED"), ("B", -1, 4.0, None), ("B", 24, 1.6, None),
            ("C", -2, 0.0, "NOT DETECTED"), ("C", 20, 0.0, "NOT DETECTED"), ("D", -5, 1.0, None), ("D", 35, 0.2, None),
            ("D", 19, 1.2, None)]
    adlb = pd.DataFrame([{"USUBJID": u, "PARAMCD": "CTDNAVAF", "ADT": D0 + pd.Timedelta(days=d), "AVAL": v, "AVALC": c}
                         for u, d, v, c in rows])
    return adsl, adlb


def test_clearance_and_molecular_response_on_hand_made_series():
    adsl, adlb = _series()
    s = ctdna_series(adlb, adsl, "CTDNAVAF", lod=0.1)
    e = early_change(s, early_day=21, window=7, lod=0.1).set_index("USUBJID")
    assert e.loc["A", "CLEARED"] and e.loc["A", "MOLECULAR_RESPONSE"]
    assert not e.loc["B", "CLEARED"] and e.loc["B", "PCT_CHANGE"] == pytest.approx(-60) and e.loc["B", "MOLECULAR_RESPONSE"]
    assert not e.loc["C", "BASE_DETECTED"] and not e.loc["C", "CLEARED"]
    # D: day 19 is nearer day 21 than day 35 is; +20% is no molecular response
    assert e.loc["D", "EARLY_DAY"] == 19 and not e.loc["D", "MOLECULAR_RESPONSE"]


def test_other_markers_appear_without_code_changes():
    adsl = pd.DataFrame({"USUBJID": list("ABCDEF"), "TRTSDT": [D0] * 6})
    bor = pd.DataFrame({"USUBJID": list("ABCDEF"), "BOR": ["PR", "PR", "CR", "SD", "PD", "SD"]})
    adlb = pd.DataFrame({
        "USUBJID": list("ABCDEF") * 2, "PARAMCD": ["NEWMARK"] * 6 + ["GENOTYPE"] * 6, "PARAM": ["New marker"] * 6 + ["Genotype"] * 6,
        "AVAL": [9.0, 8.0, 7.5, 2.0, 1.0, 3.0] + [None] * 6,
        "AVALC": [None] * 6 + ["mut", "mut", "wt", "wt", "wt", "wt"], "ADT": [D0] * 12,
    })
    panels = {p.paramcd: p for p in other_markers(adlb, bor, set(), adsl)}
    assert panels["NEWMARK"].kind == "continuous"
    ref = stats.mannwhitneyu([9.0, 8.0, 7.5], [2.0, 1.0, 3.0], alternative="two-sided").pvalue
    assert panels["NEWMARK"].p_value == pytest.approx(ref)
    assert panels["GENOTYPE"].kind == "categorical" and panels["GENOTYPE"].test == "Fisher's exact"
    # mutated: 2 responders, 0 non-responders; wild type: 1 and 3 (two-sided p is orientation-free)
    assert panels["GENOTYPE"].p_value == pytest.approx(stats.fisher_exact([[2, 0], [1, 3]]).pvalue)


def test_page_with_and_without_the_biomarker_table(app_factory, cut_copy):
    at = app_factory().run()
    at.switch_page("pages/biomarkers.py").run()
    assert not at.exception
    assert any("Cohen's κ" in m.value for m in at.markdown)
    for section, expected in (("ctDNA", "Fisher's exact test"), ("Other markers", "non-responders")):
        at.session_state["biomarker_section"] = section
        at.run()
        assert not at.exception
        assert any(expected in m.value for m in [*at.markdown, *at.caption]), section
    (cut_copy / "adlb.csv").unlink()
    at = app_factory(cut_copy).run()
    at.switch_page("pages/biomarkers.py").run()
    assert not at.exception and not at.error
    assert any("Biomarkers (ADLB) [adlb]" in i.value for i in at.info)


def test_ihc_scores_are_listed_in_their_own_order_not_by_count():
    """Issue 36 (6): 0, 1+, 2+, 3+, then not assessable — whatever the counts."""
    from components.analyses.base import Options
    from components.analyses.biomarkers import p95_assays
    from components.data.config import load_config
    from components.data.datasets import load_cut
    from tests.conftest import demo_cuts

    cut = load_cut(demo_cuts()[-1])
    adlb = cut.tables["adlb"]
    ihc = adlb["PARAMCD"] == "P95IHC"
    # make 3+ the most frequent score, so that an order by count would put it first
    changed = adlb.assign(AVAL=adlb["AVAL"].where(~ihc | adlb["AVAL"].isna(), 3.0),
                          AVALC=adlb["AVALC"].where(~ihc | adlb["AVAL"].isna(), "3+"))
    changed.loc[changed.index[ihc][:2], ["AVAL", "AVALC"]] = [0.0, "0"]
    changed.loc[changed.index[ihc][2:4], ["AVAL", "AVALC"]] = [1.0, "1+"]
    table = p95_assays(cut.with_tables({**cut.tables, "adlb": changed}), load_config(), Options()).tables["ihc"]
    scored = [t for t in table["IHC"] if t in ("0", "1+", "2+", "3+")]
    assert scored == sorted(scored, key=["0", "1+", "2+", "3+"].index) and scored[0] == "0"
    assert table["Patients"].iloc[-1] <= table.set_index("IHC").loc["3+", "Patients"]
