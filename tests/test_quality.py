"""Data quality per site (issue 36 item 3): protocol deviations found in the data, gsm's funnel scores
worked by hand, and the Enrollment page's "Data quality" tab on both demos."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from components.data.config import Drug, EligibilitySettings
from components.stats.quality import DOSING, ELIGIBILITY, dosing_deviations, eligibility_deviations, funnel

T = pd.Timestamp


def test_funnel_scores_as_gsm_normal_approximation_by_hand():
    """Three sites, 2/10, 1/10 and 9/20: μ = 12/40 = 0.3. Unadjusted zᵢ⁰ = (pᵢ − μ)/√(μ(1−μ)/nᵢ):
    −0.1/√0.021, −0.2/√0.021, 0.15/√0.0105; φ = mean(z⁰²) = (0.01/0.021 + 0.04/0.021 + 0.0225/0.0105)/3
    = (10/21 + 40/21 + 45/21)/3 = 95/63; zᵢ = zᵢ⁰/√φ."""
    f = funnel(pd.Series({"A": 2, "B": 1, "C": 9}), pd.Series({"A": 10, "B": 10, "C": 20}))
    assert f.rate == pytest.approx(0.3)
    assert f.phi == pytest.approx(95 / 63)
    z = f.sites.set_index("GroupID")["Score"]
    root = math.sqrt(95 / 63)
    assert z["A"] == pytest.approx(-0.1 / math.sqrt(0.021) / root)   # −0.5620
    assert z["B"] == pytest.approx(-0.2 / math.sqrt(0.021) / root)   # −1.1239
    assert z["C"] == pytest.approx(0.15 / math.sqrt(0.0105) / root)  # 1.1921
    assert list(f.sites["Flag"]) == [0, 0, 0]
    lo, hi = f.limits([10], 2)
    assert hi[0] == pytest.approx(0.3 + 2 * math.sqrt(95 / 63 * 0.021))


def test_funnel_flags_at_gsm_thresholds():
    """Ten sites of 20 with 2 events each and one with 14: μ = 34/220; the outlier's score is ≥ 3 (red)
    even after the over-dispersion it causes, the others are within ±2."""
    num = pd.Series({**{f"S{i}": 2 for i in range(10)}, "X": 14})
    den = pd.Series({**{f"S{i}": 20 for i in range(10)}, "X": 20})
    f = funnel(num, den)
    mu = 34 / 220
    z0x = (14 / 20 - mu) / math.sqrt(mu * (1 - mu) / 20)
    z0s = (2 / 20 - mu) / math.sqrt(mu * (1 - mu) / 20)
    phi = (z0x ** 2 + 10 * z0s ** 2) / 11
    flags = f.sites.set_index("GroupID")
    assert flags.loc["X", "Score"] == pytest.approx(z0x / math.sqrt(phi))
    assert flags.loc["X", "Score"] >= 3 and flags.loc["X", "Flag"] == 2
    assert (flags.drop("X")["Flag"] == 0).all()


def test_funnel_without_events_scores_zero():
    f = funnel(pd.Series({"A": 0, "B": 0}), pd.Series({"A": 5, "B": 0}))
    assert list(f.sites["GroupID"]) == ["A"]  # a site without a denominator has no rate
    assert f.rate == 0 and list(f.sites["Score"]) == [0.0]


def test_eligibility_deviations():
    adsl = pd.DataFrame({"USUBJID": ["a", "b", "c", "d", "e", "f"], "SITEID": ["01"] * 6,
                         "AGE": [18, 75, 17, 76, None, 50], "ECOGBL": [0, 1, 1, 0, 2, None],
                         "SEX": ["F", "F", "F", "F", "F", "M"]})
    rules = EligibilitySettings(age_min=18, age_max=75, ecog=(0, 1), sex="F")
    d = eligibility_deviations(adsl, rules)
    assert set(d["CATEGORY"]) == {ELIGIBILITY}
    got = {(r.USUBJID, r.DEVIATION) for r in d.itertuples()}
    assert got == {("c", "age 17 outside 18–75"), ("d", "age 76 outside 18–75"), ("e", "age not recorded"),
                   ("e", "ECOG 2 at baseline (allowed 0–1)"), ("f", "ECOG at baseline not recorded"),
                   ("f", "sex M (protocol: F)")}
    assert eligibility_deviations(adsl, EligibilitySettings()).empty  # no rule, no check


def test_dosing_deviations():
    """Neratinib escalates 120 (days 1–7), 160 (8–14), then 240; eribulin 1.4 mg/m² with levels 1.1 and
    0.7. Above the day's planned dose, or no protocol level (±5%), is a deviation; a hold (0) is not."""
    nera = Drug("Neratinib", 240, "mg", "PO", "", (240, 200, 160, 120), daily=True,
                escalation=((1, 120), (8, 160), (15, 240)))
    eri = Drug("Eribulin", 1.4, "mg/m2", "IV", "", (1.4, 1.1, 0.7))
    adsl = pd.DataFrame({"USUBJID": ["p"], "SITEID": ["03"], "TRTSDT": [T("2026-01-01")]})
    adex = pd.DataFrame({"USUBJID": ["p"] * 7,
                         "EXTRT": ["Neratinib", "NERATINIB", "Neratinib", "Eribulin", "Eribulin", "Eribulin", "Eribulin"],
                         "EXDOSE": [120, 240, 240, 1.4, 1.35, 1.0, 0],
                         "ASTDT": [T("2026-01-01"), T("2026-01-05"), T("2026-01-20"), T("2026-01-01"),
                                   T("2026-01-08"), T("2026-01-22"), T("2026-01-29")]})
    d = dosing_deviations(adex, adsl, (nera, eri))
    assert set(d["CATEGORY"]) == {DOSING} and set(d["SITEID"]) == {"03"}
    assert list(d["DEVIATION"]) == ["Neratinib 240 mg, above the planned 120 mg",  # day 5, escalation step 120
                                    "Eribulin 1 mg/m², not a protocol dose level (1.4, 1.1, 0.7)"]
    assert list(d["DATE"]) == [T("2026-01-05"), T("2026-01-22")]


# ---------------------------------------------------------------- the page


def _quality_tab(app_factory, cuts=None):
    at = app_factory(cuts).run() if cuts is not None else app_factory().run()
    at.switch_page("pages/enrollment.py")
    at.session_state["enrollment_section"] = "Data quality"
    at.run()
    assert not at.exception, at.exception
    return at


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_data_quality_tab_on_the_demo(app_factory):
    at = _quality_tab(app_factory)
    assert _metric(at, "Awaiting their first scan") == "6"  # no scan yet, first scan's window open
    assert _metric(at, "Scans missed / expected").endswith("/ 39")
    # the demo misses no scan: nothing to score, said (no "0.00" per site)
    assert any("nothing to score" in c.value for c in at.caption)
    assert any("data-entry dates" in c.value for c in at.caption)  # said, never a 0


def test_data_quality_tab_lists_a_deviation_and_a_missed_scan(app_factory, tmp_path, latest_cut, edit_table):
    """A copy of the demo with one patient aged 80 and one patient's scans after the first removed: the
    deviation and the missed scans are listed and counted at their site."""
    import shutil

    cuts = tmp_path / "cuts"
    shutil.copytree(latest_cut, cuts / latest_cut.name)
    adsl = pd.read_csv(latest_cut / "adsl.csv", dtype=str)
    old, site = adsl.loc[0, "USUBJID"], adsl.loc[0, "SITEID"]

    def age_80(df):
        df.loc[df["USUBJID"] == old, "AGE"] = "80"
        return df

    edit_table(cuts / latest_cut.name, "adsl", age_80)
    rs = pd.read_csv(latest_cut / "adrs.csv", dtype=str)
    ovr = rs[rs["PARAMCD"] == "OVR"]
    counts = ovr.groupby("USUBJID").size()
    gap = counts[counts >= 3].index[0]
    later = ovr[ovr["USUBJID"] == gap].sort_values("ADT")["ADT"].iloc[1:]

    def drop_scans(df):
        return df[~((df["USUBJID"] == gap) & df["ADT"].isin(later))]

    edit_table(cuts / latest_cut.name, "adrs", drop_scans)
    at = _quality_tab(app_factory, cuts)
    assert _metric(at, "Patients with a protocol deviation") == "1"
    text = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "age 80 outside 18–75" in text and old in text
    assert gap in text  # in the listing of scans overdue or missed
    sites = next(df.value for df in at.dataframe if "Any deviation" in df.value.columns)
    row = sites[sites["Site"].astype(str).str.startswith(site)].iloc[0]
    assert row["Eligibility"] == 1 and row["Any deviation"] == 1
    missed, expected = _metric(at, "Scans missed / expected").split(" / ")
    assert int(missed) >= 1


def test_a_check_without_a_rule_is_not_available_never_zero():
    """The CDISC-style demo's config has no [eligibility]: its site table says "—" for eligibility, and
    a rate without any event is not scored (no "0.00" per site)."""
    from components.analyses.quality import NA, QualityOptions, data_quality
    from components.data.config import load_config
    from components.data.datasets import load_cut
    from tests.conftest import ROOT

    cut = load_cut(sorted((ROOT / "data" / "demo-cdisc").iterdir())[-1])
    res = data_quality(cut, load_config(ROOT / "data" / "cdisc_demo.toml"), QualityOptions(metric="deviation"))
    sites = res.tables["sites"]
    assert (sites["ELIG_DEV"] == NA).all()
    assert any("not checked" in n for n in res.notes)
    if res.numbers["Patients with a protocol deviation"] == 0:
        assert (sites["SCORE"] == "—").all() and any("nothing to score" in n for n in res.notes)
