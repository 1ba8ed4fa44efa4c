"""RECIST 1.1 derivations: tumour-size changes, best overall response, response rates.

References
- Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST guideline
  (version 1.1). Eur J Cancer 2009;45:228–247 (cited as "RECIST 1.1 §…").
- admiralonco ``derive_param_confirmed_bor`` / ``derive_param_bor`` (pharmaverse): the confirmation
  rules are implemented as that function defines them, with one documented extension (below).
- Clopper CJ, Pearson ES. Biometrika 1934;26:404–413 (exact binomial confidence interval).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from components.data.config import Design, ResponseRules
from components.i18n import N_, _

RESPONSES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
RANK = {r: i for i, r in enumerate(RESPONSES)}
BOR_CATEGORIES = ("CR", "PR", "SD", "PD", "NE")
#: the response table's row of the patients too early to assess (components/stats/schedule.py), not in N
TOO_EARLY = N_("Too early to assess (not in N)")


# --------------------------------------------------------------------------- tumour size


def tumour_changes(adtr: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Sum of target-lesion diameters over time, with change from baseline and from nadir.

    One row per post-baseline SUMDIAM assessment (RECIST 1.1 §3.3, §4.3.1): ``PCHG`` is the percent
    change from baseline; ``NADIR`` the smallest sum so far (baseline and this assessment included);
    ``PCHG_NADIR`` the percent change from the smallest sum *before* this assessment, the reference
    for progression (≥ 20 % and ≥ 5 mm). ``WEEK`` counts weeks since the first dose (TRTSDT).
    Baseline is the ABLFL = "Y" row, else the BASE column, else the last assessment on or before
    the first dose.
    """
    cols = ["USUBJID", "ADT", "WEEK", "AVAL", "BASE", "CHG", "PCHG", "NADIR", "PCHG_NADIR"]
    sd = adtr[adtr["PARAMCD"] == "SUMDIAM"]
    if sd.empty:
        return pd.DataFrame(columns=cols)
    sd = sd.merge(adsl[["USUBJID", "TRTSDT"]], on="USUBJID", how="inner")
    ablfl = sd["ABLFL"] if "ABLFL" in sd else pd.Series(np.nan, index=sd.index)
    is_base = ablfl.eq("Y")
    if not is_base.any():
        is_base = pd.Series(False, index=sd.index)
    base_rows = sd[is_base].sort_values("ADT").groupby("USUBJID").tail(1).set_index("USUBJID")["AVAL"]
    pre = sd[~is_base & sd["TRTSDT"].notna() & (sd["ADT"] <= sd["TRTSDT"])]
    pre_base = pre.sort_values("ADT").groupby("USUBJID").tail(1).set_index("USUBJID")["AVAL"]
    base = sd["USUBJID"].map(base_rows)
    if "BASE" in sd:
        base = base.fillna(sd["BASE"])
    base = base.fillna(sd["USUBJID"].map(pre_base))
    post = sd[~is_base & ~(sd.index.isin(pre.index))].copy()
    post["BASE"] = base[post.index]
    post = post[post["BASE"].notna() & (post["BASE"] > 0)].sort_values(["USUBJID", "ADT"])
    if post.empty:
        return pd.DataFrame(columns=cols)
    post["CHG"] = post["AVAL"] - post["BASE"]
    post["PCHG"] = 100.0 * post["CHG"] / post["BASE"]
    running = post.groupby("USUBJID")["AVAL"].cummin()
    post["NADIR"] = np.minimum(running, post["BASE"])
    prior = post.groupby("USUBJID")["NADIR"].shift(1)
    prior = prior.fillna(post["BASE"])
    post["PCHG_NADIR"] = np.where(prior > 0, 100.0 * (post["AVAL"] - prior) / prior, np.nan)
    post["WEEK"] = (post["ADT"] - post["TRTSDT"]).dt.days / 7.0
    return post[cols].reset_index(drop=True)


def best_percent_change(changes: pd.DataFrame, adsl: pd.DataFrame, first_pd: pd.Series | None = None) -> pd.DataFrame:
    """Best (most negative) post-baseline percent change per subject, up to the first PD.

    Returns one row per adsl subject: USUBJID, BEST_PCHG (NaN when the subject has no
    post-baseline measurement), N_POST (number of post-baseline sums).
    """
    ch = changes
    if first_pd is not None and len(ch):
        limit = ch["USUBJID"].map(first_pd)
        ch = ch[limit.isna() | (ch["ADT"] <= limit)]
    agg = ch.groupby("USUBJID").agg(BEST_PCHG=("PCHG", "min"), N_POST=("PCHG", "size"))
    out = adsl[["USUBJID"]].merge(agg, left_on="USUBJID", right_index=True, how="left")
    out["N_POST"] = out["N_POST"].fillna(0).astype(int)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- best overall response


@dataclass(frozen=True)
class _Subject:
    bor: str
    bor_date: pd.Timestamp | None
    resp_date: pd.Timestamp | None
    conf_date: pd.Timestamp | None
    pd_date: pd.Timestamp | None
    last_adequate: pd.Timestamp | None
    sd_end: pd.Timestamp | None
    n_assess: int
    cr_then_pr: bool


def _confirmed(
    dates: list[pd.Timestamp], resp: list[str], i: int, level: str, rules: ResponseRules
) -> int | None:
    """Index of the assessment confirming ``resp[i]`` at ``level`` (CR or PR), else None.

    admiralonco rules: the window ends at the *first* later assessment that is CR (for CR) or CR/PR
    (for PR) at least ``confirmation_min_days`` later; the assessments after i up to that one must be
    CR/NE (CR) or CR/PR/SD/NE (PR) with at most ``confirmation_max_ne`` NE and at most one SD if
    ``confirmation_accept_sd`` (else none). A PR after a CR never reaches here as PR under the default
    reading (:func:`_subject_bor` reads it as PD).
    """
    min_days = rules.confirmation_min_days
    ok_end = {"CR": ("CR",), "PR": ("CR", "PR")}[level]
    j = None
    for k in range(i + 1, len(resp)):
        if resp[k] in ok_end and (dates[k] - dates[i]).days >= min_days:
            j = k
            break
    if j is None:
        return None
    between = resp[i + 1 : j + 1]
    allowed = {"CR": {"CR", "NE"}, "PR": {"CR", "PR", "SD", "NE"}}[level]
    if any(r not in allowed for r in between):
        return None
    if between.count("NE") > rules.confirmation_max_ne:
        return None
    if level == "PR" and between.count("SD") > (1 if rules.confirmation_accept_sd else 0):
        return None
    return j


def _pr_after_cr(resp: list[str]) -> set[int]:
    """Positions of the PRs that follow a CR anywhere earlier in the sequence."""
    first_cr = next((k for k, r in enumerate(resp) if r == "CR"), None)
    if first_cr is None:
        return set()
    return {k for k in range(first_cr + 1, len(resp)) if resp[k] == "PR"}


def _subject_bor(
    dates: list[pd.Timestamp], resp: list[str], trtsdt: pd.Timestamp | None, rules: ResponseRules, confirm: bool
) -> _Subject:
    """Best overall response of one subject from per-visit responses sorted by date."""
    n_all = len(resp)
    cr_then_pr = _pr_after_cr(resp)
    if not rules.cr_then_pr_as_pr:
        # RECIST 1.1 Table 3 footnote, primary reading: once a CR is met, disease seen again, even
        # disease meeting PR criteria, is progression at that point. Every PR after any CR is read as
        # PD, wherever it falls, so it can neither start nor confirm a response, and it is the
        # progression date of a derived PFS and DoR.
        resp = ["PD" if r == "PR" and k in cr_then_pr else r for k, r in enumerate(resp)]
    pd_date = next((d for d, r in zip(dates, resp, strict=True) if r == "PD"), None)
    if pd_date is not None:  # RECIST 1.1 §4.4: responses after progression do not count
        keep = [k for k, d in enumerate(dates) if d <= pd_date]
        dates, resp = [dates[k] for k in keep], [resp[k] for k in keep]
    adequate = [d for d, r in zip(dates, resp, strict=True) if r != "NE"]
    last_adequate = adequate[-1] if adequate else None
    sd_window = pd.Timedelta(days=rules.sd_min_days)
    late = [trtsdt is not None and (d - trtsdt) >= sd_window for d in dates]
    disease_control = [d for d, r in zip(dates, resp, strict=True) if r in ("CR", "PR", "SD", "NON-CR/NON-PD")]
    sd_end = disease_control[-1] if disease_control else None

    best, best_date, resp_date, conf_date = "NE", None, None, None
    if confirm:
        # The first CR or PR that is later confirmed (at PR level: by a CR or PR): where the response
        # begins, for the duration of response and the time to response (RECIST 1.1 §4.5: "from the
        # time measurement criteria are first met for CR/PR (whichever is first recorded)").
        first_pr = None
        for i, r in enumerate(resp):
            # A CR counts as "at least PR" only under the Table 3 footnote's alternative reading
            # (cr_then_pr_as_pr); by default a PR after a CR is PD (read above).
            at_least_pr = r == "PR" or (r == "CR" and rules.cr_then_pr_as_pr)
            if at_least_pr and (j := _confirmed(dates, resp, i, "PR", rules)) is not None:
                first_pr = (i, j)
                break
        for i, r in enumerate(resp):
            if r == "CR" and (j := _confirmed(dates, resp, i, "CR", rules)) is not None:
                best, best_date, conf_date = "CR", dates[i], dates[j]
                resp_date = dates[i] if first_pr is None or first_pr[0] > i else dates[first_pr[0]]
                break
        if best == "NE" and first_pr is not None:
            i, j = first_pr
            best, best_date, resp_date, conf_date = "PR", dates[i], dates[i], dates[j]
    else:
        for level in ("CR", "PR"):
            hit = next((d for d, r in zip(dates, resp, strict=True) if r == level), None)
            if hit is not None:
                best, best_date = level, hit
                resp_date = next(d for d, r in zip(dates, resp, strict=True) if r in ("CR", "PR"))
                break
    if best == "NE":
        sd = next((d for d, r, lt in zip(dates, resp, late, strict=True) if r in ("CR", "PR", "SD") and lt), None)
        non = next((d for d, r, lt in zip(dates, resp, late, strict=True) if r == "NON-CR/NON-PD" and lt), None)
        if sd is not None:
            best, best_date = "SD", sd
        elif non is not None:
            best, best_date = "NON-CR/NON-PD", non
        elif pd_date is not None:
            best, best_date = "PD", pd_date
    return _Subject(best, best_date, resp_date, conf_date, pd_date, last_adequate, sd_end, n_all, bool(cr_then_pr))


def post_baseline_assessments(adrs: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """The per-visit overall responses (ADRS OVR) that are assessments: dated, with a response, on or
    after the first dose and not the sponsor's baseline record (ABLFL = Y, a SCREENING or BASELINE
    visit: teal's sample OVRINV has both). RECIST 1.1 §4.3: responses are compared with the baseline.
    Columns USUBJID, ADT, AVALC (and ABLFL, AVISIT where present), sorted by subject and date."""
    ovr = adrs[adrs["PARAMCD"] == "OVR"]
    ovr = ovr[[c for c in ("USUBJID", "ADT", "AVALC", "ABLFL", "AVISIT") if c in ovr]].dropna(subset=["ADT", "AVALC"])
    ovr = ovr.sort_values(["USUBJID", "ADT"], kind="mergesort")
    trt = adsl.set_index("USUBJID")["TRTSDT"] if "TRTSDT" in adsl else pd.Series(dtype="datetime64[ns]")
    if len(ovr):
        start = pd.to_datetime(ovr["USUBJID"].map(trt), errors="coerce")
        base = (pd.to_datetime(ovr["ADT"]) < start).fillna(False)
        if "ABLFL" in ovr:
            base |= ovr["ABLFL"].astype("string").str.strip().str.upper().eq("Y").fillna(False)
        if "AVISIT" in ovr:
            base |= ovr["AVISIT"].astype("string").str.strip().str.upper().isin(["SCREENING", "BASELINE"]).fillna(False)
        ovr = ovr[~base.to_numpy()]
    return ovr


def best_overall_response(
    adrs: pd.DataFrame,
    adsl: pd.DataFrame,
    confirm: bool = True,
    rules: ResponseRules | None = None,
) -> pd.DataFrame:
    """Best overall response per subject from the per-visit overall responses (adrs OVR).

    RECIST 1.1 §4.4 (tables 1–3); confirmation as admiralonco's ``derive_param_confirmed_bor``:
    CR or PR counts only when a later assessment at least ``confirmation_min_days`` (28) after it
    confirms it (CR by CR; PR by PR or CR; NE in between allowed, at most one). A CR followed by a
    PR is read as RECIST 1.1 Table 3's footnote reads it first: the CR was real, so disease seen
    again, even meeting PR criteria, is progression at that point. Every PR after any CR is PD: it
    can neither start nor confirm a response, and the best response is SD or PD by the SD duration.
    (admiralonco differs here: it lets two PRs after a CR confirm each other, and does not end the
    sequence there.) ``cr_then_pr_as_pr`` switches to the footnote's alternative (the CR was not
    real: read as PR). SD (and
    NON-CR/NON-PD) needs an assessment at least ``sd_min_days`` after the first dose (TRTSDT);
    otherwise the response falls back to PD (if there is one) or NE. Assessments after the first PD
    are ignored. Rows before the first dose, or the sponsor's baseline (ABLFL = Y, a SCREENING or
    BASELINE visit), are not assessments (RECIST 1.1 §4.3: responses are compared with the baseline). A subject without any assessment is NE.

    Returns one row per adsl subject: USUBJID, BOR (CR, PR, SD, PD, NE; non-measurable disease's
    NON-CR/NON-PD reported as SD), BOR_DETAIL (NON-CR/NON-PD kept), BOR_DATE, RESP_DATE (the first
    assessment of CR or PR that is later confirmed: the start of the response, RECIST 1.1 §4.5),
    CONF_DATE, PD_DATE (first PD), LAST_ADEQUATE (last assessment other
    than NE, up to PD), SD_END (last CR/PR/SD/NON-CR/NON-PD up to PD), N_ASSESS, CR_THEN_PR.
    """
    rules = rules or ResponseRules()
    ovr = post_baseline_assessments(adrs, adsl)
    trt = adsl.set_index("USUBJID")["TRTSDT"] if "TRTSDT" in adsl else pd.Series(dtype="datetime64[ns]")
    groups = {k: (list(g["ADT"]), list(g["AVALC"])) for k, g in ovr.groupby("USUBJID", sort=False)}
    rows = []
    for subj in adsl["USUBJID"]:
        dates, resp = groups.get(subj, ([], []))
        t0 = trt.get(subj)
        t0 = None if t0 is None or pd.isna(t0) else t0
        s = _subject_bor(dates, resp, t0, rules, confirm)
        rows.append(
            {
                "USUBJID": subj,
                "BOR": "SD" if s.bor == "NON-CR/NON-PD" else s.bor,
                "BOR_DETAIL": s.bor,
                "BOR_DATE": s.bor_date,
                "RESP_DATE": s.resp_date,
                "CONF_DATE": s.conf_date,
                "PD_DATE": s.pd_date,
                "LAST_ADEQUATE": s.last_adequate,
                "SD_END": s.sd_end,
                "N_ASSESS": s.n_assess,
                "CR_THEN_PR": s.cr_then_pr,
            }
        )
    out = pd.DataFrame(rows)
    for c in ("BOR_DATE", "RESP_DATE", "CONF_DATE", "PD_DATE", "LAST_ADEQUATE", "SD_END"):
        out[c] = pd.to_datetime(out[c])
    return out


def cr_then_pr_text(rules: ResponseRules) -> str:
    """Which reading of RECIST 1.1 Table 3's footnote on a CR followed by a PR is in force."""
    if rules.cr_then_pr_as_pr:
        return _("the CR is re-read as PR (RECIST 1.1 Table 3 footnote, alternative reading: the CR was not real), "
                 "so it can be confirmed as PR (config: cr_then_pr_as_pr = true).")
    return _("the CR is taken as real, so a later PR is progression (RECIST 1.1 Table 3 footnote, primary "
             "reading): it neither starts nor confirms a response; best response SD or PD, never PR.")


def _given_rows(adrs: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    rows = adrs[adrs["PARAMCD"] == paramcd].dropna(subset=["AVALC"])
    return rows.sort_values("ADT").groupby("USUBJID").tail(1).set_index("USUBJID")


def given_bor(adrs: pd.DataFrame, paramcd: str) -> pd.Series:
    """The BOR/CBOR given in adrs (one per subject; NON-CR/NON-PD read as SD), by USUBJID."""
    return _given_rows(adrs, paramcd)["AVALC"].replace({"NON-CR/NON-PD": "SD"})


def _first_response_assessment(adrs: pd.DataFrame) -> pd.Series:
    """The date of each subject's first CR or PR overall response (adrs OVR), by USUBJID."""
    ovr = adrs[(adrs["PARAMCD"] == "OVR") & adrs["AVALC"].isin(["CR", "PR"])].dropna(subset=["ADT"])
    return ovr.groupby("USUBJID")["ADT"].min()


def bor_with_source(
    adrs: pd.DataFrame, adsl: pd.DataFrame, confirm: bool, rules: ResponseRules, prefer_given: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The BOR the page uses, and where the app's derivation disagrees with the BOR in adrs.

    When adrs carries a CBOR (confirmed) or BOR (unconfirmed) row for a subject and ``prefer_given``,
    that value is used (column SOURCE = "adrs"); otherwise the derived one ("derived").
    Returns (table with BOR, DERIVED, GIVEN, SOURCE, …), (disagreements).
    """
    derived = best_overall_response(adrs, adsl, confirm=confirm, rules=rules)
    rows = _given_rows(adrs, "CBOR" if confirm else "BOR")
    given = rows["AVALC"].replace({"NON-CR/NON-PD": "SD"})
    out = derived.rename(columns={"BOR": "DERIVED"})
    out["GIVEN"] = out["USUBJID"].map(given)
    use_given = prefer_given & out["GIVEN"].notna()
    out["BOR"] = np.where(use_given, out["GIVEN"], out["DERIVED"])
    out["SOURCE"] = np.where(use_given, "adrs", "derived")
    # A responder by the given BOR whose derivation finds no response has no derived start date: the
    # response starts at the given row's ADT (admiralonco's confirmed BOR carries the date of the first
    # response there), else at the subject's first CR/PR assessment in ADRS.
    need = out["BOR"].isin(["CR", "PR"]) & out["RESP_DATE"].isna()
    if need.any():
        row_date = out["USUBJID"].map(rows["ADT"]) if "ADT" in rows else pd.Series(pd.NaT, index=out.index)
        first = out["USUBJID"].map(_first_response_assessment(adrs))
        out.loc[need, "RESP_DATE"] = pd.to_datetime(row_date[need]).fillna(first[need])
    diff = out[out["GIVEN"].notna() & (out["GIVEN"] != out["DERIVED"])][["USUBJID", "GIVEN", "DERIVED"]]
    return out, diff.reset_index(drop=True)


def new_lesion_subjects(adrs: pd.DataFrame, pd_dates: pd.Series | None = None) -> set[str]:
    """Subjects with a new lesion (adrs NEWLIND = "Y"), up to their first PD when given."""
    nl = adrs[(adrs["PARAMCD"] == "NEWLIND") & (adrs["AVALC"] == "Y")]
    if pd_dates is not None and len(nl):
        limit = nl["USUBJID"].map(pd_dates)
        nl = nl[limit.isna() | (nl["ADT"] <= limit)]
    return set(nl["USUBJID"])


# --------------------------------------------------------------------------- rates and tests


@dataclass(frozen=True)
class ResponseRate:
    k: int
    n: int
    p0: float
    rate: float
    ci_low: float
    ci_high: float
    p_value: float
    level: float = 0.95

    def text(self) -> str:
        if self.n == 0:
            return "— (no patients)"
        return f"{self.k}/{self.n} = {self.rate:.1%} (95% CI {self.ci_low:.1%}–{self.ci_high:.1%})"


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact two-sided confidence interval for a binomial proportion (Clopper & Pearson 1934):
    lower = Beta(α/2; k, n−k+1), upper = Beta(1−α/2; k+1, n−k), with 0 and 1 at the edges."""
    if n == 0:
        return (float("nan"), float("nan"))
    a = 1.0 - level
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


def response_rate(k: int, n: int, p0: float, level: float = 0.95) -> ResponseRate:
    """Rate k/n with its exact (Clopper–Pearson) CI and the exact one-sided binomial p-value
    for H1: rate > p0, i.e. P(X ≥ k | n, p0)."""
    if n == 0:
        nan = float("nan")
        return ResponseRate(k, n, p0, nan, nan, nan, nan, level)
    lo, hi = clopper_pearson(k, n, level)
    p = float(stats.binom.sf(k - 1, n, p0))
    return ResponseRate(k, n, p0, k / n, lo, hi, p, level)


def clinical_benefit(bor: pd.DataFrame, trtsdt: pd.Series, rules: ResponseRules) -> pd.Series:
    """CR, PR, or SD lasting at least ``cbr_min_weeks`` (from first dose to the last assessment
    with disease control before PD, less the assessment window). Boolean by row of ``bor``."""
    need = pd.Timedelta(days=7 * rules.cbr_min_weeks - rules.assessment_window_days)
    start = bor["USUBJID"].map(trtsdt)
    long_sd = (bor["SD_END"] - start) >= need
    return bor["BOR"].isin(["CR", "PR"]) | ((bor["BOR"] == "SD") & long_sd.fillna(False))


def response_summary(
    bor: pd.DataFrame,
    adsl: pd.DataFrame,
    p0: float | None,
    rules: ResponseRules,
    populations: dict[str, str] | None = None,
    design: Design | None = None,
) -> pd.DataFrame:
    """Counts, percentages and exact 95% CIs for CR, PR, SD, PD, NE, ORR, DCR and CBR, per
    population (flag column of adsl → label), among the population's patients less those ``bor``
    marks NOT_YET (too early to assess: :mod:`components.stats.schedule`). The ORR rows carry the exact one-sided p-value
    against ``p0`` (none when ``p0`` is None: no design) and, with ``design``, the p-value of the
    protocol's test."""
    from components.stats.design import proportion_test

    populations = populations or {"EFFFL": "Response-evaluable", "SAFFL": "All treated"}
    cbr = clinical_benefit(bor, adsl.set_index("USUBJID")["TRTSDT"], rules)
    table = bor.assign(CBR=cbr.to_numpy())
    rows = []
    for flag, label in populations.items():
        ids = set(adsl.loc[adsl[flag] == "Y", "USUBJID"]) if flag in adsl else set(adsl["USUBJID"])
        sub = table[table["USUBJID"].isin(ids)]
        early = int(sub["NOT_YET"].sum()) if "NOT_YET" in sub else 0
        if "NOT_YET" in sub:  # too early to assess: not in the rates' denominator
            sub = sub[~sub["NOT_YET"]]
        n = len(sub)
        counts = {c: int((sub["BOR"] == c).sum()) for c in BOR_CATEGORIES}
        items = [(c, counts[c]) for c in BOR_CATEGORIES]
        items += [
            ("ORR (CR+PR)", counts["CR"] + counts["PR"]),
            ("DCR (CR+PR+SD)", counts["CR"] + counts["PR"] + counts["SD"]),
            (f"CBR (CR+PR+SD ≥{rules.cbr_min_weeks} wk)", int(sub["CBR"].sum())),
        ]
        for name, k in items:
            rr = response_rate(k, n, float("nan") if p0 is None else p0)
            rows.append(
                {
                    "Population": label,
                    "N": n,
                    "Category": name,
                    "n": k,
                    "%": round(100 * rr.rate, 1) if n else np.nan,
                    "95% CI low": round(100 * rr.ci_low, 1) if n else np.nan,
                    "95% CI high": round(100 * rr.ci_high, 1) if n else np.nan,
                }
            )
            if p0 is not None:
                rows[-1]["p vs H0 (exact, one-sided)"] = rr.p_value if name.startswith("ORR") else np.nan
            if design is not None:
                t = proportion_test(k, n, design.p0, design.method, design.alpha, design.sides)
                rows[-1][f"p vs H0 ({t.name})"] = t.p_value if name.startswith("ORR") else np.nan
        if early:  # said in the table, not only under it: the patients the N leaves out
            rows.append({"Population": label, "N": n, "Category": TOO_EARLY, "n": early, "%": np.nan,
                         "95% CI low": np.nan, "95% CI high": np.nan})
    return pd.DataFrame(rows)


def duration_of_response_data(bor: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """ADTTE-shaped DoR rows for responders: from the first assessment of the (confirmed) response
    to PD or death, censored at the last adequate assessment on or after the response's start (the
    start itself when there is none). AVAL = ADT − STARTDT + 1 days. Responders it cannot place are
    named by :func:`dor_left_out`."""
    cols = ["USUBJID", "PARAMCD", "STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC"]
    rows = [r for r in _dor_rows(bor, adsl) if "REASON" not in r]
    return pd.DataFrame(rows, columns=cols)


def dor_left_out(bor: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Responders (BOR CR or PR) who are not on the derived DoR curve, each with the reason: USUBJID,
    BOR, REASON. Empty when every responder counted is on it."""
    rows = [{"USUBJID": r["USUBJID"], "BOR": r["BOR"], "REASON": r["REASON"]} for r in _dor_rows(bor, adsl)
            if "REASON" in r]
    return pd.DataFrame(rows, columns=["USUBJID", "BOR", "REASON"])


def _dor_rows(bor: pd.DataFrame, adsl: pd.DataFrame) -> list[dict]:
    resp = bor[bor["BOR"].isin(["CR", "PR"])]
    death = adsl.set_index("USUBJID")["DTHDT"] if "DTHDT" in adsl else pd.Series(dtype="datetime64[ns]")
    rows: list[dict] = []
    for r in resp.itertuples(index=False):
        start = r.RESP_DATE
        if pd.isna(start):
            rows.append({"USUBJID": r.USUBJID, "BOR": r.BOR,
                         "REASON": "no response date: no CR or PR assessment in ADRS and no date on its BOR row"})
            continue
        dth = death.get(r.USUBJID)
        dth = None if dth is None or pd.isna(dth) else dth
        events = [(d, why) for d, why in ((r.PD_DATE, "Progression"), (dth, "Death")) if d is not None and pd.notna(d)]
        if events:
            adt, desc = min(events, key=lambda e: e[0])
            cnsr = 0
            if adt < start:
                rows.append({"USUBJID": r.USUBJID, "BOR": r.BOR, "REASON": (
                    f"{desc.lower()} on {adt:%Y-%m-%d}, before the response's start on {start:%Y-%m-%d} "
                    "(the sponsor's BOR and the per-visit responses disagree)")})
                continue
        else:
            last = r.LAST_ADEQUATE
            adt = last if pd.notna(last) and last >= start else start
            cnsr, desc = 1, "Last adequate tumour assessment"
        rows.append({"USUBJID": r.USUBJID, "PARAMCD": "DOR", "STARTDT": start, "ADT": adt,
                     "AVAL": float((adt - start).days + 1), "CNSR": cnsr,
                     "EVNTDESC": desc if cnsr == 0 else "", "CNSDTDSC": desc if cnsr == 1 else ""})
    return rows


def time_to_response(bor: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Days and weeks from the first dose to the first assessment of the response (responders), with
    the day count of every duration here: days = date − first dose + 1 (ADaM AVAL = ADT − STARTDT + 1;
    the first dose is day 1, as DoR, PFS and OS count)."""
    resp = bor[bor["BOR"].isin(["CR", "PR"]) & bor["RESP_DATE"].notna()][["USUBJID", "BOR", "RESP_DATE"]]
    resp = resp.merge(adsl[["USUBJID", "TRTSDT"]], on="USUBJID")
    resp["TTR_DAYS"] = (resp["RESP_DATE"] - resp["TRTSDT"]).dt.days + 1
    resp["TTR_WEEKS"] = resp["TTR_DAYS"] / 7.0
    return resp


# --------------------------------------------------------------------------- one analysis per cut


@dataclass(frozen=True)
class ResponseAnalysis:
    """Everything the response views derive from one cut (computed once, then filtered)."""

    bor: pd.DataFrame
    disagreements: pd.DataFrame
    changes: pd.DataFrame
    best: pd.DataFrame
    new_lesions: frozenset[str]
    has_given: bool

    def restrict(self, subjects: set[str]) -> ResponseAnalysis:
        keep = lambda df: df[df["USUBJID"].isin(subjects)].reset_index(drop=True)  # noqa: E731
        return ResponseAnalysis(keep(self.bor), keep(self.disagreements), keep(self.changes), keep(self.best),
                                frozenset(self.new_lesions & subjects), self.has_given)


def analyse_response(
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    adtr: pd.DataFrame | None,
    rules: ResponseRules,
    confirm: bool = True,
    prefer_given: bool = True,
) -> ResponseAnalysis:
    """BOR (given or derived), per-assessment tumour changes and best % change up to the first PD."""
    bor, diff = bor_with_source(adrs, adsl, confirm, rules, prefer_given)
    if confirm:  # which non-responders by confirmed BOR had an unconfirmed CR/PR (shown hatched)
        unconf = best_overall_response(adrs, adsl, confirm=False, rules=rules).set_index("USUBJID")["BOR"]
        bor["UNCONFIRMED_RESP"] = ~bor["BOR"].isin(["CR", "PR"]) & bor["USUBJID"].map(unconf).isin(["CR", "PR"])
    else:
        bor["UNCONFIRMED_RESP"] = False
    has_given = bool(adrs["PARAMCD"].isin(["CBOR" if confirm else "BOR"]).any())
    pd_dates = bor.set_index("USUBJID")["PD_DATE"]
    if adtr is not None and len(adtr):
        changes = tumour_changes(adtr, adsl)
    else:
        changes = pd.DataFrame(columns=["USUBJID", "ADT", "WEEK", "AVAL", "BASE", "CHG", "PCHG", "NADIR", "PCHG_NADIR"])
    limit = changes["USUBJID"].map(pd_dates) if len(changes) else pd.Series(dtype="datetime64[ns]")
    changes_to_pd = changes[limit.isna() | (changes["ADT"] <= limit)] if len(changes) else changes
    best = best_percent_change(changes_to_pd, adsl)
    return ResponseAnalysis(bor, diff, changes_to_pd.reset_index(drop=True), best,
                            frozenset(new_lesion_subjects(adrs, pd_dates)), has_given)
