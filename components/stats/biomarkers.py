"""Exploratory biomarkers: p95HER2 (IHC, Western blot) and response, ctDNA dynamics, and any other
marker found in the biomarker table (ADLB-style rows).

Statistics: Cohen's kappa for assay agreement (Cohen, Educ Psychol Meas 1960; statsmodels
``cohens_kappa``), Fisher's exact test for 2×2 tables (two-sided) with the conditional-MLE odds ratio
and its exact CI (as R ``fisher.test``), the Fisher–Freeman–Halton exact test for larger tables
where an expected count is below 5 (the chi-square test otherwise; Cochran, Biometrics 1954),
Clopper–Pearson intervals for rates, and the Mann–Whitney U test for continuous markers by response
(scipy ``mannwhitneyu``, two-sided). All exploratory and unadjusted for multiplicity: every p-value
is shown with its group sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from components.i18n import N_
from components.stats.contingency import OddsRatio, conditional_odds_ratio, fisher_freeman_halton
from components.stats.recist import clopper_pearson

NOT_ASSESSABLE = N_("Not assessable")
RESPONDER_LABELS = (N_("Responder"), N_("Non-responder"))  # shown translated: _(label)


@dataclass(frozen=True)
class TwoByTwo:
    table: pd.DataFrame  # 2×2 counts (rows, columns labelled)
    odds: OddsRatio  # conditional MLE with exact CI (R fisher.test); not estimable with a zero cell
    p_value: float  # Fisher's exact, two-sided
    n: int

    @property
    def odds_ratio(self) -> float:
        return self.odds.estimate


def fisher_2x2(a: pd.Series, b: pd.Series, a_levels: tuple[str, str], b_levels: tuple[str, str]) -> TwoByTwo:
    """2×2 table of two binary classifications (only rows with a level of each) and Fisher's test."""
    keep = a.isin(a_levels) & b.isin(b_levels)
    aa, bb = a[keep], b[keep]
    counts = np.array([[int(((aa == x) & (bb == y)).sum()) for y in b_levels] for x in a_levels])
    tab = pd.DataFrame(counts, index=list(a_levels), columns=list(b_levels))
    if counts.sum() == 0:
        return TwoByTwo(tab, conditional_odds_ratio(counts), np.nan, 0)
    res = stats.fisher_exact(counts, alternative="two-sided")
    return TwoByTwo(tab, conditional_odds_ratio(counts), float(res.pvalue), int(counts.sum()))


def independence_test(tab: pd.DataFrame) -> tuple[float, str]:
    """(p, test name) for a table of counts: Fisher's exact for 2×2; for larger tables the
    Fisher–Freeman–Halton exact test when an expected count is below 5, else the chi-square test."""
    counts = tab.to_numpy()
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if min(counts.shape) < 2:
        return np.nan, "—"
    expected = stats.contingency.expected_freq(counts)
    if counts.shape == (2, 2) or expected.min() < 5:
        res = fisher_freeman_halton(counts)
        return res.p_value, res.method
    return float(stats.chi2_contingency(counts, correction=False)[1]), N_("chi-square")


def cohen_kappa(table: pd.DataFrame) -> tuple[float, float]:
    """Cohen's kappa of a square agreement table and the observed proportion of agreement."""
    from statsmodels.stats.inter_rater import cohens_kappa

    t = table.to_numpy(dtype=float)
    if t.sum() == 0:
        return np.nan, np.nan
    res = cohens_kappa(t)
    return float(res.kappa), float(np.trace(t) / t.sum())


# --------------------------------------------------------------------------- p95HER2


def p95_results(adlb: pd.DataFrame, ihc_param: str, wb_param: str, ihc_positive_min: int) -> pd.DataFrame:
    """Per subject: IHC score text and status (positive when score ≥ the configured minimum), WB
    status; not-assessable results kept as such."""
    ihc = adlb[adlb["PARAMCD"] == ihc_param].sort_values("ADT").groupby("USUBJID").tail(1).set_index("USUBJID")
    wb = adlb[adlb["PARAMCD"] == wb_param].sort_values("ADT").groupby("USUBJID").tail(1).set_index("USUBJID")
    ids = sorted(set(ihc.index) | set(wb.index))
    out = pd.DataFrame({"USUBJID": ids})
    score = out["USUBJID"].map(ihc["AVAL"]) if "AVAL" in ihc else pd.Series(np.nan, index=out.index)
    text = out["USUBJID"].map(ihc["AVALC"]) if "AVALC" in ihc else pd.Series(np.nan, index=out.index)
    out["IHC_SCORE"] = score
    out["IHC"] = np.where(score.notna(), np.where(score >= ihc_positive_min, "Positive", "Negative"),
                          np.where(out["USUBJID"].isin(ihc.index), NOT_ASSESSABLE, "Missing"))
    out["IHC_TEXT"] = text.fillna(out["IHC"])
    wbc = out["USUBJID"].map(wb["AVALC"]) if "AVALC" in wb else pd.Series(np.nan, index=out.index)
    out["WB"] = wbc.str.capitalize().replace({"Not assessable": NOT_ASSESSABLE}).fillna("Missing")
    return out


def response_by_group(bor: pd.DataFrame, groups: pd.Series, order: list[str] | None = None) -> pd.DataFrame:
    """ORR (CR + PR) with exact 95% CI per group; groups indexed by USUBJID."""
    d = bor.assign(GROUP=bor["USUBJID"].map(groups).fillna("Missing"))
    rows = []
    for g in order or sorted(d["GROUP"].unique()):
        sub = d[d["GROUP"] == g]
        n, k = len(sub), int(sub["BOR"].isin(["CR", "PR"]).sum())
        lo, hi = clopper_pearson(k, n)
        rows.append({"Group": g, "N": n, "Responders": k, "ORR": k / n if n else np.nan, "95% CI low": lo, "95% CI high": hi})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- ctDNA


def ctdna_series(adlb: pd.DataFrame, adsl: pd.DataFrame, param: str, lod: float) -> pd.DataFrame:
    """Per sample: USUBJID, DAY (since first dose), WEEK, VAF (%), DETECTED (VAF ≥ LOD; AVAL 0 or AVALC
    'NOT DETECTED' = undetectable), PLOT (LOD/2 for undetectable, for a log axis)."""
    ct = adlb[adlb["PARAMCD"] == param].merge(adsl[["USUBJID", "TRTSDT"]], on="USUBJID")
    ct = ct[ct["ADT"].notna() & ct["TRTSDT"].notna()].copy()
    ct["DAY"] = (ct["ADT"] - ct["TRTSDT"]).dt.days
    ct["WEEK"] = ct["DAY"] / 7.0
    notdet = ct["AVALC"].fillna("").str.upper().str.contains("NOT DETECTED") if "AVALC" in ct else False
    ct["VAF"] = ct["AVAL"].astype(float)
    ct["DETECTED"] = ~notdet & (ct["VAF"] >= lod)
    ct["PLOT"] = np.where(ct["DETECTED"], ct["VAF"], lod / 2)
    return ct[["USUBJID", "ADT", "DAY", "WEEK", "VAF", "DETECTED", "PLOT"]].sort_values(["USUBJID", "DAY"]).reset_index(drop=True)


def early_change(series: pd.DataFrame, early_day: int, window: int, lod: float) -> pd.DataFrame:
    """Per subject: baseline (last sample on or before day 0) and the sample nearest ``early_day``
    within ± ``window`` days; log10 fold change (undetectable set to LOD/2), clearance (detectable
    at baseline, undetectable at the early time point) and molecular response (≥ 50% decrease or
    clearance)."""
    base = series[series["DAY"] <= 0].groupby("USUBJID").tail(1).set_index("USUBJID")
    cand = series[(series["DAY"] - early_day).abs() <= window].copy()
    cand["DIST"] = (cand["DAY"] - early_day).abs()
    early = cand.sort_values(["USUBJID", "DIST", "DAY"]).groupby("USUBJID").head(1).set_index("USUBJID")
    ids = sorted(set(base.index) & set(early.index))
    out = pd.DataFrame({"USUBJID": ids})
    out["BASE_VAF"] = out["USUBJID"].map(base["VAF"])
    out["BASE_DETECTED"] = out["USUBJID"].map(base["DETECTED"]).astype(bool)
    out["EARLY_DAY"] = out["USUBJID"].map(early["DAY"])
    out["EARLY_VAF"] = out["USUBJID"].map(early["VAF"])
    out["EARLY_DETECTED"] = out["USUBJID"].map(early["DETECTED"]).astype(bool)
    b = np.where(out["BASE_DETECTED"], out["BASE_VAF"], lod / 2)
    e = np.where(out["EARLY_DETECTED"], out["EARLY_VAF"], lod / 2)
    out["LOG10_FOLD"] = np.log10(e / b)
    out["PCT_CHANGE"] = 100 * (e - b) / b
    out["CLEARED"] = out["BASE_DETECTED"] & ~out["EARLY_DETECTED"]
    out["MOLECULAR_RESPONSE"] = out["BASE_DETECTED"] & (out["CLEARED"] | (out["PCT_CHANGE"] <= -50))
    return out


# --------------------------------------------------------------------------- other markers


@dataclass(frozen=True)
class MarkerPanel:
    paramcd: str
    name: str
    kind: str  # "continuous" | "categorical"
    data: pd.DataFrame  # USUBJID, VALUE, RESPONDER
    p_value: float
    test: str
    n_groups: dict[str, int]
    unit: str = ""


def other_markers(adlb: pd.DataFrame, bor: pd.DataFrame, exclude: set[str], adsl: pd.DataFrame) -> list[MarkerPanel]:
    """A panel per remaining PARAMCD: the baseline value (last on or before the first dose, else the
    first) by response. Numeric results → Mann–Whitney U; character results →
    :func:`independence_test`."""
    panels = []
    resp = bor.set_index("USUBJID")["BOR"].isin(["CR", "PR"])
    lb = adlb[~adlb["PARAMCD"].isin(exclude)].merge(adsl[["USUBJID", "TRTSDT"]], on="USUBJID", how="left")
    for code, g in lb.groupby("PARAMCD", sort=True):
        pre = g[g["ADT"].isna() | g["TRTSDT"].isna() | (g["ADT"] <= g["TRTSDT"])]
        pick = (pre if len(pre) else g).sort_values("ADT").groupby("USUBJID").tail(1)
        pick = pick[pick["USUBJID"].isin(resp.index)]
        name = str(g["PARAM"].dropna().iloc[0]) if "PARAM" in g and g["PARAM"].notna().any() else code
        unit = str(g["AVALU"].dropna().iloc[0]) if "AVALU" in g and g["AVALU"].notna().any() else ""
        r = pick["USUBJID"].map(resp).map({True: "Responder", False: "Non-responder"})
        if pick["AVAL"].notna().mean() >= 0.5:
            d = pd.DataFrame({"USUBJID": pick["USUBJID"], "VALUE": pick["AVAL"].astype(float), "RESPONDER": r}).dropna()
            a = d.loc[d["RESPONDER"] == "Responder", "VALUE"]
            b = d.loc[d["RESPONDER"] == "Non-responder", "VALUE"]
            p = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue) if len(a) and len(b) else np.nan
            panels.append(MarkerPanel(code, name, "continuous", d, p, N_("Mann–Whitney U"),
                                      {"Responder": len(a), "Non-responder": len(b)}, unit))
        else:
            d = pd.DataFrame({"USUBJID": pick["USUBJID"], "VALUE": pick["AVALC"], "RESPONDER": r}).dropna()
            p, test = independence_test(pd.crosstab(d["VALUE"], d["RESPONDER"]))
            panels.append(MarkerPanel(code, name, "categorical", d, p, test,
                                      d["RESPONDER"].value_counts().to_dict(), unit))
    return panels
