"""Data quality per site: protocol deviations found in the data, and site rates against the study rate
(funnel plot), as Gilead's {gsm} risk-based monitoring scores them.

References
- gsm (Gilead-BioStats), ``Analyze_NormalApprox``, binary outcome: the study rate
  μ = Σxᵢ / Σnᵢ; zᵢ⁰ = (pᵢ − μ) / √(μ(1 − μ)/nᵢ); over-dispersion φ = mean(zᵢ⁰²); score
  zᵢ = (pᵢ − μ) / √(φ μ(1 − μ)/nᵢ) (0 when μ is 0 or 1, or φ is 0); ``Flag_NormalApprox`` with gsm's
  default thresholds (−3, −2, 2, 3): z ≥ 2 amber, z ≥ 3 red, z < −2 and z < −3 low. A site without a
  denominator is left out before μ and φ (gsm would carry it as NaN). The funnel's limits are μ ± k√(φ μ(1 − μ)/n).
- Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med 2005;24:1185–1202
  (the funnel plot; multiplicative over-dispersion).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from components.data.config import Drug, EligibilitySettings
from components.i18n import N_, _

#: gsm's default thresholds on the score: |z| ≥ 2 amber, ≥ 3 red
AMBER, RED = 2.0, 3.0
#: a dose within this fraction of a protocol dose level is that level (rounding of mg/m² doses)
DOSE_TOLERANCE = 0.05

DEVIATION_COLUMNS = ["USUBJID", "SITEID", "CATEGORY", "DEVIATION", "DATE"]
ELIGIBILITY = N_("Eligibility")
DOSING = N_("Dosing")


def eligibility_deviations(adsl: pd.DataFrame, rules: EligibilitySettings) -> pd.DataFrame:
    """Patients outside the protocol's eligibility as ADSL records it: AGE outside [age_min, age_max],
    ECOGBL not among ``ecog``, SEX not ``sex`` (each check only where the config states the rule and
    ADSL has the column). A missing value is listed too ("not recorded"): eligibility cannot be shown."""
    rows: list[dict] = []
    site = adsl["SITEID"] if "SITEID" in adsl else pd.Series("", index=adsl.index)

    def add(mask: pd.Series, text: pd.Series | str) -> None:
        for i in adsl.index[mask.fillna(False).to_numpy(bool)]:
            rows.append({"USUBJID": adsl.at[i, "USUBJID"], "SITEID": site.at[i], "CATEGORY": ELIGIBILITY,
                         "DEVIATION": text if isinstance(text, str) else text.at[i], "DATE": pd.NaT})

    if "AGE" in adsl and (rules.age_min is not None or rules.age_max is not None):
        age = pd.to_numeric(adsl["AGE"], errors="coerce")
        lo = -np.inf if rules.age_min is None else rules.age_min
        hi = np.inf if rules.age_max is None else rules.age_max
        add((age < lo) | (age > hi), age.map(lambda a: _("age {age} outside {range}").format(
            age=f"{a:g}", range=rules.age_text())))
        add(age.isna(), _("age not recorded"))
    if "ECOGBL" in adsl and rules.ecog:
        ecog = pd.to_numeric(adsl["ECOGBL"], errors="coerce")
        allowed = "–".join(str(v) for v in (min(rules.ecog), max(rules.ecog))) if len(rules.ecog) > 1 else str(rules.ecog[0])
        add(ecog.notna() & ~ecog.isin(rules.ecog), ecog.map(lambda e: _("ECOG {ecog} at baseline (allowed {allowed})").format(
            ecog=f"{e:g}", allowed=allowed)))
        add(ecog.isna(), _("ECOG at baseline not recorded"))
    if "SEX" in adsl and rules.sex:
        sex = adsl["SEX"].astype("string").str.strip().str.upper()
        add(sex.notna() & ~sex.eq(rules.sex.upper()), sex.fillna("").map(lambda x: _("sex {sex} (protocol: {protocol})").format(
            sex=x, protocol=rules.sex)))
    return pd.DataFrame(rows, columns=DEVIATION_COLUMNS)


def _levels(drug: Drug) -> tuple[float, ...]:
    return tuple(sorted({drug.dose, *drug.dose_levels, *(d for _day, d in drug.escalation)}))


def dosing_deviations(adex: pd.DataFrame, adsl: pd.DataFrame, regimen: tuple[Drug, ...]) -> pd.DataFrame:
    """Administrations of a regimen drug (ADEX EXTRT, case-insensitive) whose dose EXDOSE is above the
    protocol's planned dose that day (the escalation step for a daily drug, else the starting dose), or
    is none of the protocol's dose levels; within :data:`DOSE_TOLERANCE` counts as the level. A zero
    dose (held) is not a deviation here (holds are on the Safety page's exposure tab)."""
    need = {"USUBJID", "EXTRT", "EXDOSE"}
    if adex is None or not need <= set(adex.columns) or not regimen:
        return pd.DataFrame(columns=DEVIATION_COLUMNS)
    site = adsl.set_index("USUBJID")["SITEID"] if "SITEID" in adsl else pd.Series(dtype=str)
    start = adsl.set_index("USUBJID")["TRTSDT"] if "TRTSDT" in adsl else pd.Series(dtype="datetime64[ns]")
    ex = adex.assign(_DRUG=adex["EXTRT"].astype("string").str.strip().str.casefold(),
                     _DOSE=pd.to_numeric(adex["EXDOSE"], errors="coerce"))
    date = pd.to_datetime(ex["ASTDT"], errors="coerce") if "ASTDT" in ex else pd.Series(pd.NaT, index=ex.index)
    rows: list[dict] = []
    for drug in regimen:
        sub = ex[ex["_DRUG"].eq(drug.drug.casefold()) & (ex["_DOSE"] > 0)]
        levels = np.array(_levels(drug))
        for i, r in sub.iterrows():
            dose, d = float(r["_DOSE"]), date.at[i]
            t0 = start.get(r["USUBJID"])
            day = (d - t0).days + 1 if pd.notna(d) and t0 is not None and pd.notna(t0) else None
            planned = drug.planned_dose_on_day(day) if (drug.daily and day is not None) else drug.dose
            unit = drug.unit.replace("m2", "m²")
            if dose > planned * (1 + DOSE_TOLERANCE):
                text = _("{drug} {dose} {unit}, above the planned {planned} {unit}").format(
                    drug=drug.drug, dose=f"{dose:g}", unit=unit, planned=f"{planned:g}")
            elif not (np.abs(levels - dose) <= DOSE_TOLERANCE * levels).any():
                text = _("{drug} {dose} {unit}, not a protocol dose level ({levels})").format(
                    drug=drug.drug, dose=f"{dose:g}", unit=unit, levels=", ".join(f"{v:g}" for v in levels[::-1]))
            else:
                continue
            rows.append({"USUBJID": r["USUBJID"], "SITEID": site.get(r["USUBJID"], ""), "CATEGORY": DOSING,
                         "DEVIATION": text, "DATE": d})
    return pd.DataFrame(rows, columns=DEVIATION_COLUMNS)


@dataclass(frozen=True)
class Funnel:
    """Site rates against the study rate (gsm's normal approximation, binary outcome).

    ``sites``: GroupID, Numerator, Denominator, Metric, Score, Flag (0, ±1 amber, ±2 red), one row per
    site with a denominator above 0; ``rate`` μ and ``phi`` φ as the module's reference defines them."""

    sites: pd.DataFrame
    rate: float
    phi: float

    def limits(self, n: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray]:
        """The funnel's lower and upper limits at ``k`` standard errors for site sizes ``n`` (clipped to
        0–1)."""
        se = np.sqrt(self.phi * self.rate * (1 - self.rate) / np.asarray(n, dtype=float))
        return np.clip(self.rate - k * se, 0, 1), np.clip(self.rate + k * se, 0, 1)


def funnel(numerators: pd.Series, denominators: pd.Series) -> Funnel:
    """gsm's ``Analyze_NormalApprox`` (binary) and its flags, on counts indexed by site."""
    df = pd.DataFrame({"Numerator": numerators, "Denominator": denominators}).fillna(0)
    df = df[df["Denominator"] > 0]
    df.index.name = "GroupID"
    df = df.reset_index()
    if df.empty:
        return Funnel(df.assign(Metric=[], Score=[], Flag=[]), float("nan"), float("nan"))
    mu = df["Numerator"].sum() / df["Denominator"].sum()
    metric = df["Numerator"] / df["Denominator"]
    degenerate = mu in (0.0, 1.0)
    z0 = pd.Series(0.0, index=df.index) if degenerate else (metric - mu) / np.sqrt(mu * (1 - mu) / df["Denominator"])
    phi = float((z0 ** 2).mean())
    if degenerate or phi == 0:
        z = pd.Series(0.0, index=df.index)
    else:
        z = (metric - mu) / np.sqrt(phi * mu * (1 - mu) / df["Denominator"])
    # gsm's Flag_NormalApprox: z < −3 → −2, z < −2 → −1, z ≥ 3 → 2, z ≥ 2 → 1 (strict on the low side)
    flag = np.select([z < -RED, z < -AMBER, z >= RED, z >= AMBER], [-2, -1, 2, 1], default=0)
    out = df.assign(Metric=metric, Score=z, Flag=flag)
    return Funnel(out, float(mu), phi)
