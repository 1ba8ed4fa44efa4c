"""Seeded generator of the SYNTHETIC demo trial (not trial results).

It simulates one complete "true" course for every patient (screening, enrollment, dosing with
neratinib escalation, holds and reductions, eribulin and fulvestrant administrations, tumour
assessments every 6 weeks with plausible sums of diameters, RECIST 1.1 per-visit responses,
adverse events, progression, death, biomarkers), then cuts that truth at each data cut-off date, so
successive cuts are consistent, as real ones are. Two records of the older cut differ from the
newer one on purpose (a re-dated assessment and an upgraded AE grade: the corrections data managers
make between cuts), so that the "Since last cut" page has retroactive edits to show.

A second style, ``--style cdisc``, writes the same kind of trial the way another sponsor's standard
ADaM cut looks (plain CDISC-pilot conventions): only ADaM IG ADSL variables (no ECOGBL, RFICDT,
DCUTDT, EFFFL), three arms in ARM/ACTARM/TRT01P/TRT01A, the tumour sum as SDIAM, overall response as
OVRLRESP with "MISSING" records, duration of response as RSD, grades in ATOXGR, causality on a scale
(AEREL: NONE/UNLIKELY/POSSIBLE/PROBABLE/DEFINITE), consent as an ISO 8601 date-time (RFICDTC),
subjects never treated, no screening log and no biomarkers. Its study config is
``data/cdisc_demo.toml``.

Usage (from the project root):
    python data/make_demo.py                     # the committed demo: 28 patients, two cuts
    python data/make_demo.py --style cdisc       # the committed CDISC-style demo (data/demo-cdisc)
    python data/make_demo.py --patients 5000 --cuts 2026-11-01 --out /tmp/big --format parquet

The study facts (sites, regimen, assessment interval) come from the study config.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.data.config import StudyConfig, load_config  # noqa: E402

GENERATOR_VERSION = 1
DEFAULT_SEED = 39
DEFAULT_PATIENTS = 28
DEFAULT_CUTS = ("2026-08-01", "2026-11-01")
HORIZON_DAYS = 1500

SF_REASONS = (
    ("HER2-positive status not confirmed", 0.30),
    ("Inadequate organ function", 0.20),
    ("ECOG performance status 2 or more", 0.15),
    ("Untreated or symptomatic CNS metastases", 0.15),
    ("No measurable or evaluable disease", 0.10),
    ("Withdrew consent", 0.10),
)

# term, system organ class, probability per patient, grade probabilities (1..), related probability
OTHER_AES = (
    ("Fatigue", "General disorders and administration site conditions", 0.45, (0.6, 0.35, 0.05), 0.8),
    ("Nausea", "Gastrointestinal disorders", 0.40, (0.7, 0.27, 0.03), 0.8),
    ("Vomiting", "Gastrointestinal disorders", 0.18, (0.7, 0.25, 0.05), 0.8),
    ("Alopecia", "Skin and subcutaneous tissue disorders", 0.30, (0.6, 0.4), 0.95),
    ("Peripheral sensory neuropathy", "Nervous system disorders", 0.22, (0.55, 0.35, 0.10), 0.9),
    ("Alanine aminotransferase increased", "Investigations", 0.22, (0.7, 0.2, 0.1), 0.7),
    ("Aspartate aminotransferase increased", "Investigations", 0.18, (0.75, 0.2, 0.05), 0.7),
    ("Decreased appetite", "Metabolism and nutrition disorders", 0.25, (0.7, 0.28, 0.02), 0.7),
    ("Anaemia", "Blood and lymphatic system disorders", 0.28, (0.5, 0.4, 0.1), 0.7),
    ("Abdominal pain", "Gastrointestinal disorders", 0.15, (0.7, 0.28, 0.02), 0.6),
    ("Hypokalaemia", "Metabolism and nutrition disorders", 0.10, (0.5, 0.3, 0.2), 0.5),
    ("Injection site pain", "General disorders and administration site conditions", 0.12, (0.9, 0.1), 0.95),
    ("Stomatitis", "Gastrointestinal disorders", 0.10, (0.7, 0.3), 0.8),
    ("Rash", "Skin and subcutaneous tissue disorders", 0.10, (0.8, 0.2), 0.7),
    ("Pyrexia", "General disorders and administration site conditions", 0.10, (0.8, 0.2), 0.3),
)
AE_DISC_TERMS = (
    ("Peripheral sensory neuropathy", "Nervous system disorders"),
    ("Fatigue", "General disorders and administration site conditions"),
    ("Diarrhoea", "Gastrointestinal disorders"),
)


@dataclass
class Visit:
    day: int  # days after first dose (first dose = day 0 here; study day = day + 1)
    sld: float | None
    ovr: str
    new_lesion: bool


@dataclass
class Patient:
    idx: int
    usubjid: str
    subjid: str
    siteid: str
    scrnid: str
    scrndt: date
    enrldt: date
    trtsdt: date | None
    age: int
    ecog: int
    p95: str
    priorln: int
    tdxd: str
    visceral: bool
    bsa: float
    measurable: bool
    cls: str = "SD"
    baseline_day: int = -7
    baseline_sld: float | None = None
    visits: list[Visit] = field(default_factory=list)
    disc_day: int | None = None
    disc_reason: str = ""
    death_day: int | None = None
    death_cause: str = ""
    contacts: list[int] = field(default_factory=list)
    aes: list[dict] = field(default_factory=list)
    exposure: list[dict] = field(default_factory=list)
    biomarkers: list[dict] = field(default_factory=list)
    arm: str = ""  # randomized studies: the arm (phase III style); empty for the single-arm study
    effect: float = 1.0  # the arm's effect on response probability and time to progression
    strata: tuple[str, ...] = ()
    randdt: date | None = None

    def d(self, day: int) -> date:
        assert self.trtsdt is not None
        return self.trtsdt + timedelta(days=int(day))


# --------------------------------------------------------------------------- enrollment


def make_sites(config: StudyConfig, n_patients: int, rng: np.random.Generator, last_cut: date):
    sites = [(s.id, s.activated or s.planned_activation) for s in config.sites]
    n_sites = max(len(sites), math.ceil(n_patients / 15))
    first = min(a for _i, a in sites if a is not None)
    span = (last_cut - first).days
    for k in range(len(sites) + 1, n_sites + 1):
        sites.append((f"{k:02d}" if k < 100 else str(k), first + timedelta(days=int(rng.uniform(0, span * 0.8)))))
    prod = rng.gamma(4.0, 0.5, len(sites))
    prod[0] = 1.5 * prod.max()  # the lead site recruits most, and from the start
    return sites, prod


def sample_dates(rng, sites, prod, n: int, start: date, end: date) -> tuple[list[date], list[int]]:
    """Dates from the inhomogeneous Poisson process with intensity = sum of active sites'
    productivity, conditional on n events; the site of each drawn ∝ productivity among active."""
    days = (end - start).days
    act = np.array([(a - start).days for _s, a in sites])
    grid = np.arange(days)
    active = grid[:, None] >= act[None, :]
    weight = (active * prod[None, :]).sum(axis=1)
    p = weight / weight.sum()
    chosen = np.sort(rng.choice(grid, size=n, p=p))
    out_sites = []
    for d in chosen:
        w = active[d] * prod
        out_sites.append(int(rng.choice(len(sites), p=w / w.sum())))
    return [start + timedelta(days=int(d)) for d in chosen], out_sites


# --------------------------------------------------------------------------- tumour course


def recist_ovr(sld: float, baseline: float, nadir: float, new_lesion: bool) -> str:
    """Per-visit overall response from target lesions (RECIST 1.1 section 4.3.1, table 1)."""
    if new_lesion:
        return "PD"
    if sld >= 1.2 * nadir and sld - nadir >= 5:
        return "PD"
    if sld == 0:
        return "CR"
    if (sld - baseline) / baseline <= -0.30:
        return "PR"
    return "SD"


def simulate_course(p: Patient, rng: np.random.Generator, interval: int) -> None:
    """Assessments, progression, discontinuation and death for one treated patient."""
    resp_p = min({"Positive": 0.60, "Negative": 0.20}.get(p.p95, 0.38) * p.effect, 0.95)
    u = rng.uniform()
    if u < resp_p:
        p.cls = "CR" if rng.uniform() < 0.18 else "PR"
    else:
        p.cls = "SD" if rng.uniform() < 0.6 else "PD"
    depth = {"CR": -100.0, "PR": rng.uniform(-80, -32), "SD": rng.uniform(-27, 12)}.get(p.cls, 0.0)
    t_prog = {
        "CR": 120 + rng.exponential(420),
        "PR": 84 + rng.exponential(300),
        "SD": 60 + rng.exponential(150),
        "PD": 0,
    }[p.cls] * (p.effect if p.cls != "PD" else 1.0)
    p.baseline_day = -int(rng.integers(1, 22))
    base = float(round(rng.uniform(22, 150))) if p.measurable else None
    p.baseline_sld = base

    # Competing reasons to stop treatment (the earliest applies; progression added below).
    stops = []
    if rng.uniform() < 0.10:
        stops.append((int(rng.uniform(30, 400)), "Adverse event"))
    if rng.uniform() < 0.05:
        stops.append((int(rng.uniform(20, 300)), "Withdrawal by subject"))
    if rng.uniform() < 0.03:
        stops.append((int(rng.uniform(60, 500)), "Death"))
    if rng.uniform() < 0.02:
        stops.append((int(rng.uniform(60, 400)), "Physician decision"))
    first_stop = min(stops) if stops else (HORIZON_DAYS, "")

    nadir = base
    visits: list[Visit] = []
    k = 1
    pd_day = None
    scans_stop = HORIZON_DAYS
    if first_stop[1] in ("Withdrawal by subject", "Physician decision") or (
        first_stop[1] == "Adverse event" and rng.uniform() < 0.3
    ):
        scans_stop = first_stop[0]
    if first_stop[1] == "Death":
        scans_stop = first_stop[0]
    while True:
        day = interval * k + int(rng.integers(-4, 5))
        if day > min(scans_stop, HORIZON_DAYS):
            break
        k += 1
        if rng.uniform() < 0.03:
            visits.append(Visit(day, None, "NE", False))
            continue
        progressing = day >= t_prog
        new_lesion = False
        if not p.measurable:
            ovr = "PD" if progressing else "NON-CR/NON-PD"
            new_lesion = progressing
            visits.append(Visit(day, None, ovr, new_lesion))
            if ovr == "PD":
                pd_day = day
                break
            continue
        assert base is not None and nadir is not None
        frac = 1 - math.exp(-day / 45.0)
        pct = depth * frac + rng.normal(0, 3.0)
        if p.cls == "CR" and k >= 3 and pct < -80:
            sld = 0.0
        else:
            sld = max(0.0, round(base * (1 + min(pct, 60) / 100.0)))
            if sld == 0.0 and p.cls != "CR":
                sld = 5.0
        if progressing:
            if rng.uniform() < 0.3:
                new_lesion = True
            else:
                sld = float(round(max(nadir * rng.uniform(1.22, 1.6), nadir + 6)))
        ovr = recist_ovr(sld, base, nadir, new_lesion)
        visits.append(Visit(day, sld, ovr, new_lesion))
        nadir = min(nadir, sld)
        if ovr == "PD":
            pd_day = day
            break
    p.visits = visits

    if pd_day is not None and pd_day + 10 < first_stop[0]:
        p.disc_day, p.disc_reason = pd_day + int(rng.integers(0, 11)), "Progressive disease"
    elif first_stop[1]:
        p.disc_day, p.disc_reason = first_stop
    if p.disc_reason == "Death":
        p.death_day, p.death_cause = p.disc_day, "Other cause"
    elif pd_day is not None:
        p.death_day = pd_day + int(rng.exponential(300)) + 20
        p.death_cause = "Disease progression"
    end = p.disc_day if p.disc_day is not None else HORIZON_DAYS
    on_trt = list(range(0, min(end, HORIZON_DAYS) + 1, 21))
    follow = list(range(end + 28, HORIZON_DAYS, 56)) if p.disc_day is not None else []
    contacts = sorted(set(on_trt + follow + [v.day for v in visits]))
    if p.death_day is not None:
        contacts = [c for c in contacts if c < p.death_day] + [p.death_day]
    p.contacts = contacts


# --------------------------------------------------------------------------- dosing and AEs


def _ae(term: str, soc: str, grade: int, start: int, end: int, related: bool, action: str,
        drug: str = "", serious: bool | None = None, rng: np.random.Generator | None = None) -> dict:
    if serious is None:
        serious = grade >= 3 and rng is not None and rng.uniform() < 0.25
    return {"term": term, "soc": soc, "grade": grade, "start": start, "end": end,
            "related": related, "action": action, "drug": drug, "serious": bool(serious)}


def simulate_treatment(p: Patient, rng: np.random.Generator, config: StudyConfig) -> None:
    """Neratinib escalation/holds/reductions with diarrhoea, eribulin with neutropenia,
    fulvestrant on its schedule, other AEs."""
    end = p.disc_day if p.disc_day is not None else HORIZON_DAYS
    n_days = end + 1
    ner = config.drug("Neratinib")
    eri = config.drug("Eribulin")
    ful = config.drug("Fulvestrant")
    aes: list[dict] = []
    exposure: list[dict] = []

    if ner is not None:
        planned = np.array([ner.planned_dose_on_day(d + 1) for d in range(n_days)], dtype=float)
        cap = np.full(n_days, ner.dose)
        paused = rng.uniform() < 0.12
        if paused:
            cap[:] = 160.0
        held = np.zeros(n_days, dtype=bool)
        reason = np.array([""] * n_days, dtype=object)
        reason[planned < ner.dose] = "Escalation"
        if paused:
            reason[14:] = "Escalation paused (tolerability)"
        episodes = []
        if rng.uniform() < 0.9:
            episodes.append((int(1 + rng.gamma(2.0, 3.0)), (0.5, 0.35, 0.15)))
        for _ in range(rng.poisson(1.2)):
            if n_days > 20:
                episodes.append((int(rng.uniform(15, min(n_days, 200))), (0.62, 0.32, 0.06)))
        for onset, probs in sorted(episodes):
            if onset >= n_days:
                continue
            grade = int(rng.choice([1, 2, 3], p=probs))
            dur = int({1: rng.integers(2, 6), 2: rng.integers(3, 9), 3: rng.integers(4, 11)}[grade])
            stop = min(onset + dur, n_days - 1)
            action = "DOSE NOT CHANGED"
            if grade == 3:
                action = "DRUG INTERRUPTED"
                held[onset : stop + 1] = True
                reason[onset : stop + 1] = "Adverse event: Diarrhoea"
                current = min(planned[onset], cap[onset])
                lower = [lv for lv in ner.dose_levels if lv < current]
                if lower:
                    cap[stop + 1 :] = np.minimum(cap[stop + 1 :], lower[0])
                    reason[stop + 1 :] = "Dose reduced: Diarrhoea"
            aes.append(_ae("Diarrhoea", "Gastrointestinal disorders", grade, onset, stop, True,
                           action, "Neratinib", rng=rng))
        dose = np.where(held, 0.0, np.minimum(planned, cap))
        run_start = 0
        for dd in range(1, n_days + 1):
            if dd == n_days or dose[dd] != dose[run_start] or reason[dd] != reason[run_start]:
                exposure.append({"drug": ner.drug, "dose": float(dose[run_start]), "unit": ner.unit,
                                 "start": run_start, "end": dd - 1, "adj": reason[run_start]})
                run_start = dd

    if eri is not None:
        level = 0
        cycle_days = eri.cycle_days or 21
        for c_start in range(0, n_days, cycle_days):
            neutro = rng.uniform() < (0.12 if c_start < 84 else 0.05)
            for dose_day in eri.cycle_dose_days or (1,):
                day = c_start + dose_day - 1
                if day >= n_days:
                    break
                if neutro and dose_day != 1:
                    exposure.append({"drug": eri.drug, "dose": 0.0, "unit": eri.unit, "start": day,
                                     "end": day, "adj": "Adverse event: Neutrophil count decreased"})
                    continue
                adj = "Dose reduced: Neutrophil count decreased" if level > 0 else ""
                exposure.append({"drug": eri.drug, "dose": eri.dose_levels[level] if eri.dose_levels else eri.dose,
                                 "unit": eri.unit, "start": day, "end": day, "adj": adj})
            if neutro:
                onset = c_start + 6
                if onset < n_days:
                    grade = int(rng.choice([3, 4], p=(0.75, 0.25)))
                    aes.append(_ae("Neutrophil count decreased", "Investigations", grade, onset,
                                   onset + int(rng.integers(5, 10)), True, "DOSE REDUCED", "Eribulin",
                                   serious=False))
                    if rng.uniform() < 0.08:
                        aes.append(_ae("Febrile neutropenia", "Blood and lymphatic system disorders", 3,
                                       onset + 1, onset + 6, True, "DRUG INTERRUPTED", "Eribulin",
                                       serious=True))
                    level = min(level + 1, max(len(eri.dose_levels) - 1, 0))
            elif rng.uniform() < 0.12 and c_start + 7 < n_days:
                aes.append(_ae("Neutrophil count decreased", "Investigations", int(rng.choice([1, 2])),
                               c_start + 7, c_start + 12, True, "DOSE NOT CHANGED", "Eribulin",
                               serious=False))

    if ful is not None:
        days = [0, 14, 28] + list(range(56, n_days, 28))
        for day in days:
            if day < n_days:
                exposure.append({"drug": ful.drug, "dose": ful.dose, "unit": ful.unit, "start": day,
                                 "end": day, "adj": ""})

    for term, soc, prob, grades, rel in OTHER_AES:
        if rng.uniform() < prob:
            onset = int(min(rng.exponential(60), max(n_days - 1, 0)))
            grade = int(rng.choice(range(1, len(grades) + 1), p=np.array(grades) / sum(grades)))
            dur = int(rng.integers(3, 35))
            action = "DOSE NOT CHANGED" if grade < 3 else str(rng.choice(["DRUG INTERRUPTED", "DOSE NOT CHANGED"]))
            aes.append(_ae(term, soc, grade, onset, onset + dur, rng.uniform() < rel, action, rng=rng))

    if p.disc_reason == "Adverse event" and p.disc_day is not None:
        term, soc = AE_DISC_TERMS[int(rng.integers(0, len(AE_DISC_TERMS)))]
        aes.append(_ae(term, soc, 3, max(p.disc_day - 5, 0), p.disc_day + 20, True, "DRUG WITHDRAWN",
                       serious=rng.uniform() < 0.5))
    p.aes = aes
    p.exposure = exposure


def simulate_biomarkers(p: Patient, rng: np.random.Generator, config: StudyConfig) -> None:
    bm = config.biomarkers
    rows = []
    base_day = p.baseline_day
    if p.p95 == "Not assessable":
        rows.append({"param": bm.p95_ihc_param, "name": "p95HER2 IHC score", "cat": "p95HER2",
                     "aval": None, "avalc": "NOT ASSESSABLE", "unit": "", "day": base_day, "visit": "Baseline"})
        rows.append({"param": bm.p95_wb_param, "name": "p95HER2 Western blot", "cat": "p95HER2",
                     "aval": None, "avalc": "NOT ASSESSABLE", "unit": "", "day": base_day, "visit": "Baseline"})
    else:
        pos = p.p95 == "Positive"
        score = int(rng.choice([2, 3], p=(0.55, 0.45))) if pos else int(rng.choice([0, 1], p=(0.5, 0.5)))
        rows.append({"param": bm.p95_ihc_param, "name": "p95HER2 IHC score", "cat": "p95HER2",
                     "aval": float(score), "avalc": f"{score}+" if score else "0", "unit": "",
                     "day": base_day, "visit": "Baseline"})
        wb_pos = pos if rng.uniform() < 0.85 else not pos
        rows.append({"param": bm.p95_wb_param, "name": "p95HER2 Western blot", "cat": "p95HER2",
                     "aval": None, "avalc": "POSITIVE" if wb_pos else "NEGATIVE", "unit": "",
                     "day": base_day, "visit": "Baseline"})
    il6_med = 12.0 if p.p95 == "Positive" else 6.0
    il6 = float(round(rng.lognormal(math.log(il6_med), 0.5), 1))
    rows.append({"param": "PDL1CPS", "name": "PD-L1 combined positive score", "cat": "Immune",
                 "aval": float(round(rng.lognormal(math.log(4 if p.p95 == "Positive" else 2), 0.9), 1)),
                 "avalc": None, "unit": "", "day": base_day, "visit": "Baseline"})
    rows.append({"param": "IL6", "name": "Interleukin-6", "cat": "Immune", "aval": il6, "avalc": None,
                 "unit": "pg/mL", "day": base_day, "visit": "Baseline"})

    responder = p.cls in ("CR", "PR")
    detected = rng.uniform() < 0.85
    v0 = 10 ** rng.normal(math.log10(3.0), 0.45)
    if responder:
        drop = rng.uniform(0.8, 2.3) if rng.uniform() < 0.8 else rng.uniform(0.0, 0.5)
    elif p.cls == "SD":
        drop = rng.uniform(-0.1, 1.0)
    else:
        drop = rng.uniform(-0.6, 0.4)
    last_day = p.visits[-1].day if p.visits else 42
    sample_days = [min(base_day, -1), 21, 42] + [v.day for v in p.visits if v.day > 42]
    pd_day = next((v.day for v in p.visits if v.ovr == "PD"), None)
    for i, day in enumerate(sample_days):
        if day > last_day and day > 42:
            break
        if i == 0:
            val = v0
        else:
            val = v0 * 10 ** (-drop * min(1.0, day / 21.0))
            if pd_day is not None and day >= pd_day - 42:
                val = max(val, v0 * 10 ** rng.uniform(-0.2, 0.4))
            val *= 10 ** rng.normal(0, 0.12)
        if not detected or val < bm.ctdna_lod:
            aval, avalc = 0.0, "NOT DETECTED"
        else:
            aval, avalc = float(round(val, 2)), None
        visit = "Baseline" if i == 0 else ("Cycle 2 Day 1" if day == 21 else f"Week {round(day / 7)}")
        rows.append({"param": bm.ctdna_param, "name": "ctDNA maximum variant allele fraction",
                     "cat": "ctDNA", "aval": aval, "avalc": avalc, "unit": bm.ctdna_unit, "day": day,
                     "visit": visit})
        if day == 21:
            rows.append({"param": "IL6", "name": "Interleukin-6", "cat": "Immune",
                         "aval": float(round(il6 * (0.5 if responder else 1.1) * 10 ** rng.normal(0, 0.1), 1)),
                         "avalc": None, "unit": "pg/mL", "day": 21, "visit": "Cycle 2 Day 1"})
    p.biomarkers = rows


# --------------------------------------------------------------------------- the trial


#: The demo's laboratory tests: (PARAMCD, PARAM, PARCAT1, unit, LLN, ULN, baseline range, decimals). Female
#: adult reference ranges of a Chinese hospital laboratory (SYNTHETIC, as everything here).
LAB_PANEL = (
    ("NEUT", "Neutrophils (10^9/L)", "HEMATOLOGY", "10^9/L", 2.0, 7.5, (2.6, 6.0), 2),
    ("ALT", "Alanine aminotransferase (U/L)", "CHEMISTRY", "U/L", 7.0, 40.0, (12.0, 34.0), 0),
    ("AST", "Aspartate aminotransferase (U/L)", "CHEMISTRY", "U/L", 13.0, 35.0, (15.0, 31.0), 0),
    ("BILI", "Total bilirubin (umol/L)", "CHEMISTRY", "umol/L", 3.4, 20.5, (5.0, 15.0), 1),
    ("CREAT", "Creatinine (umol/L)", "CHEMISTRY", "umol/L", 41.0, 81.0, (48.0, 75.0), 0),
)
#: Which adverse event drives which test, and the value band (× ULN; neutrophils in 10^9/L) of each grade.
LAB_AE = {"Neutrophil count decreased": ("NEUT", {1: (1.55, 1.95), 2: (1.05, 1.45), 3: (0.55, 0.95), 4: (0.15, 0.45)}),
          "Alanine aminotransferase increased": ("ALT", {1: (1.2, 2.8), 2: (3.2, 4.8), 3: (5.5, 9.0)}),
          "Aspartate aminotransferase increased": ("AST", {1: (1.2, 2.8), 2: (3.2, 4.8), 3: (5.5, 9.0)})}


def simulate_labs(p: Patient, rng: np.random.Generator) -> None:
    """Haematology and chemistry at baseline and before every eribulin dose (day 1 and day 8 of each cycle),
    plus a sample on the first day of each laboratory adverse event, consistent with the adverse events:
    a grade-3 neutropenia has a neutrophil count in the grade-3 band, an ALT increase of grade 2 an ALT of
    3–5 × ULN (CTCAE v5.0). Drawn from a generator of its own, so the other tables do not change."""
    base = {code: float(rng.uniform(*rng_range)) for code, _n, _c, _u, _lo, _hi, rng_range, _d in LAB_PANEL}
    days = sorted({p.baseline_day} | {e["start"] for e in p.exposure if e["drug"] == "Eribulin"}
                  | {a["start"] for a in p.aes if a["term"] in LAB_AE})
    for day in days:
        for code, name, cat, unit, lo, hi, _r, decimals in LAB_PANEL:
            if day == p.baseline_day:
                value = base[code]
            else:
                value = base[code] * float(rng.uniform(0.78, 1.08) if code == "NEUT" else rng.uniform(0.85, 1.2))
                for ae in p.aes:
                    test, bands = LAB_AE.get(ae["term"], (None, {}))
                    if test == code and ae["start"] <= day <= ae["end"] and ae["grade"] in bands:
                        low, high = bands[ae["grade"]]
                        value = float(rng.uniform(low, high)) * (1.0 if code == "NEUT" else hi)
            visit = "Baseline" if day == p.baseline_day else f"Day {day + 1}"
            p.biomarkers.append({"param": code, "name": name, "cat": cat, "aval": round(value, decimals),
                                 "avalc": None, "unit": unit, "day": day, "visit": visit, "lo": lo, "hi": hi,
                                 "ablfl": "Y" if day == p.baseline_day else None})


def simulate_trial(n_patients: int, seed: int, last_cut: date, config: StudyConfig,
                   never_treated_rate: float = 0.03, assign=None) -> tuple[list[Patient], list[dict]]:
    """``assign(patient, rng)``, when given, randomizes each enrolled patient (sets arm, effect,
    strata) before the course is simulated."""
    rng = np.random.default_rng(seed)
    sites, prod = make_sites(config, n_patients, rng, last_cut)
    start = min(a for _s, a in sites)
    interval = 7 * config.response.assessment_interval_weeks
    # Enrollment (eligibility confirmed) dates of the n patients enrolled by the last cut.
    enr_dates, enr_sites = sample_dates(rng, sites, prod, n_patients, start, last_cut)
    n_fail = round(n_patients * 0.35)
    sf_dates, sf_sites = sample_dates(rng, sites, prod, n_fail, start, last_cut)
    screening: list[dict] = []
    seq: dict[str, int] = {}
    scr_seq: dict[str, int] = {}
    patients: list[Patient] = []

    def scr_id(site: str) -> str:
        scr_seq[site] = scr_seq.get(site, 0) + 1
        return f"S{site}-{scr_seq[site]:03d}"

    people = sorted(
        [(d, s, "ENROLLED") for d, s in zip(enr_dates, enr_sites, strict=True)]
        + [(d, s, "SCREEN FAILURE") for d, s in zip(sf_dates, sf_sites, strict=True)]
        + [(last_cut - timedelta(days=int(rng.integers(1, 10))), int(rng.integers(0, len(sites))), "PENDING")
           for _ in range(2 if n_patients < 100 else n_patients // 50)]
    )
    for outcome_date, site_ix, outcome in people:
        site = sites[site_ix][0]
        scrndt = outcome_date - timedelta(days=int(rng.integers(3, 15)))
        scrndt = max(scrndt, sites[site_ix][1])
        row = {"SCRNID": scr_id(site), "SITEID": site, "SCRNDT": scrndt, "OUTDT": outcome_date,
               "OUTCOME": outcome, "SFREAS": "", "USUBJID": ""}
        if outcome == "SCREEN FAILURE":
            reasons, probs = zip(*SF_REASONS, strict=True)
            row["SFREAS"] = str(rng.choice(reasons, p=probs))
        if outcome == "PENDING":
            row["OUTDT"] = last_cut + timedelta(days=30)
        if outcome == "ENROLLED":
            seq[site] = seq.get(site, 0) + 1
            subjid = f"{site}-{seq[site]:03d}"
            usubjid = f"{config.id}-{subjid}"
            row["USUBJID"] = usubjid
            never_treated = rng.uniform() < never_treated_rate
            trtsdt = None if never_treated else outcome_date + timedelta(days=int(rng.integers(1, 8)))
            p95 = str(rng.choice(["Positive", "Negative", "Not assessable"], p=(0.45, 0.45, 0.10)))
            pat = Patient(
                idx=len(patients), usubjid=usubjid, subjid=subjid, siteid=site, scrnid=row["SCRNID"],
                scrndt=scrndt, enrldt=outcome_date, trtsdt=trtsdt,
                age=int(np.clip(round(rng.normal(52, 9)), 28, 75)),
                ecog=int(rng.uniform() < 0.55), p95=p95,
                priorln=int(np.clip(1 + rng.poisson(1.4), 1, 6)),
                tdxd="Progression" if rng.uniform() < 0.8 else "Intolerance",
                visceral=bool(rng.uniform() < 0.65),
                bsa=float(round(rng.normal(1.62, 0.12), 2)),
                measurable=bool(rng.uniform() > 0.04),
            )
            if assign is not None:
                assign(pat, rng)
            if never_treated:
                pat.disc_day, pat.disc_reason = 0, "Withdrawal by subject"
                pat.contacts = [0]
            else:
                simulate_course(pat, rng, interval)
                simulate_treatment(pat, rng, config)
                simulate_biomarkers(pat, rng, config)
            patients.append(pat)
        screening.append(row)
    return patients, screening


def _investigator_bor(visits: list[Visit], trt_day0: int, confirm_days: int, sd_days: int) -> tuple[str, int | None]:
    """The sites' own confirmed BOR (a simpler reading than the app's: any later CR/PR at least
    ``confirm_days`` later confirms). Returns (BOR, day of first response)."""
    resp = [v for v in visits if v.ovr in ("CR", "PR")]
    for v in resp:
        later = [w for w in resp if w.day - v.day >= confirm_days]
        if later:
            best = "CR" if v.ovr == "CR" and any(w.ovr == "CR" for w in later) else "PR"
            return best, v.day
    if any(v.ovr in ("SD", "PR", "CR", "NON-CR/NON-PD") and v.day >= sd_days for v in visits):
        return ("NON-CR/NON-PD" if any(v.ovr == "NON-CR/NON-PD" for v in visits) else "SD"), None
    if any(v.ovr == "PD" for v in visits):
        return "PD", None
    return "NE", None


def _tte(p: Patient, study: str, param: str, name: str, start: int, event_day: int | None,
         evdesc: str, cens_day: int, cdesc: str) -> dict:
    """One ADTTE row; AVAL = ADT − STARTDT + 1 days (ADaM)."""
    if event_day is not None:
        adt, cnsr, e, c = event_day, 0, evdesc, ""
    else:
        adt, cnsr, e, c = cens_day, 1, "", cdesc
    return {"STUDYID": study, "USUBJID": p.usubjid, "PARAMCD": param, "PARAM": name,
            "AVAL": float(adt - start + 1), "CNSR": cnsr, "STARTDT": p.d(start), "ADT": p.d(adt),
            "EVNTDESC": e, "CNSDTDSC": c}


def cut_tables(patients: list[Patient], screening: list[dict], cutoff: date, config: StudyConfig) -> dict[str, pd.DataFrame]:
    """Everything known at ``cutoff``: the ADaM tables of that data cut."""
    study = config.id
    adsl, adrs, adtr, adtte, adae, adex, adlb = ([] for _ in range(7))
    conf_days, sd_days = config.response.confirmation_min_days, config.response.sd_min_days
    for p in patients:
        if p.enrldt > cutoff:
            continue
        treated = p.trtsdt is not None and p.trtsdt <= cutoff
        day_cut = (cutoff - p.trtsdt).days if p.trtsdt is not None else -1
        disc_known = p.disc_day is not None and (p.trtsdt is None or p.d(p.disc_day) <= cutoff)
        died = p.death_day is not None and treated and p.d(p.death_day) <= cutoff
        if p.trtsdt is None:
            last_alive = p.enrldt
        else:
            known = [c for c in p.contacts if c <= day_cut]
            last_alive = p.d(max(known)) if known and treated else p.enrldt
        adsl.append({
            "STUDYID": study, "USUBJID": p.usubjid, "SUBJID": p.subjid, "SITEID": p.siteid,
            "AGE": p.age, "SEX": "F", "ECOGBL": p.ecog, "RFICDT": p.scrndt,
            "TRTSDT": p.trtsdt if treated else None,
            "TRTEDT": (p.d(p.disc_day) if treated and disc_known else None),
            "EOTSTT": ("DISCONTINUED" if disc_known else ("ONGOING" if treated else "")),
            "DCSREAS": p.disc_reason if disc_known else "",
            "DTHDT": p.d(p.death_day) if died else None,
            "DTHCAUS": p.death_cause if died else "",
            "LSTALVDT": last_alive, "DCUTDT": cutoff,
            "SAFFL": "Y" if treated else "N",
            "EFFFL": "Y" if treated and p.measurable else "N",
            "HRSTAT": "Positive", "HER2STAT": "Positive", "P95STAT": p.p95,
            "PRIORLN": p.priorln, "TDXDRSN": p.tdxd, "VISCFL": "Y" if p.visceral else "N",
            "BSABL": p.bsa,
        })
        if p.arm:  # randomized: arms (planned = actual here), randomization date, strata
            adsl[-1].update({"ARM": p.arm, "TRT01P": p.arm, "ACTARM": p.arm if treated else "Not Treated",
                             "TRT01A": p.arm if treated else "", "RANDDT": p.randdt, "ITTFL": "Y",
                             "STRAT1": p.strata[0], "STRAT2": p.strata[1]})
        # Screening-period records (baseline scan, baseline samples) exist once they are dated, even
        # for a patient not yet dosed at the cut.
        if p.trtsdt is not None and p.measurable and p.baseline_sld is not None and p.d(p.baseline_day) <= cutoff:
            adtr.append({"STUDYID": study, "USUBJID": p.usubjid, "PARAMCD": "SUMDIAM",
                         "PARAM": "Sum of diameters of target lesions (mm)", "AVAL": p.baseline_sld,
                         "ADT": p.d(p.baseline_day), "AVISIT": "Baseline", "AVISITN": 0, "ABLFL": "Y",
                         "BASE": p.baseline_sld, "CHG": 0.0, "PCHG": 0.0})
        if p.trtsdt is not None:
            for b in p.biomarkers:
                if p.d(b["day"]) <= cutoff and (treated or b["day"] < 0):
                    adlb.append({"STUDYID": study, "USUBJID": p.usubjid, "PARAMCD": b["param"], "PARAM": b["name"],
                                 "PARCAT1": b["cat"], "AVAL": b["aval"], "AVALC": b["avalc"], "AVALU": b["unit"],
                                 "ADT": p.d(b["day"]), "AVISIT": b["visit"],
                                 "ADY": b["day"] + 1 if b["day"] >= 0 else b["day"]})
                    if "hi" in b:  # a laboratory test: its reference range and the baseline flag
                        adlb[-1].update({"ANRLO": b["lo"], "ANRHI": b["hi"], "ABLFL": b["ablfl"]})
        if not treated:
            if p.arm and p.randdt is not None and p.randdt <= cutoff:
                # randomized, not (yet) treated: in the ITT analysis all the same, censored at randomization
                # for PFS (no adequate assessment) and at the last date known alive for OS (ICH E9 §5.2.1)
                alive_days = (last_alive - p.randdt).days
                for param, name, cdesc_itt, days in (
                        ("PFS", "Progression-free survival (days)", "Randomization (no adequate assessment)", 0),
                        ("OS", "Overall survival (days)", "Last known alive", max(alive_days, 0))):
                    adtte.append({"STUDYID": study, "USUBJID": p.usubjid, "PARAMCD": param, "PARAM": name,
                                  "AVAL": float(days + 1), "CNSR": 1, "STARTDT": p.randdt,
                                  "ADT": p.randdt + timedelta(days=days), "EVNTDESC": "", "CNSDTDSC": cdesc_itt})
            continue
        visits = [v for v in p.visits if v.day <= day_cut]
        for v in visits:
            week = round(v.day / 7)
            common = {"STUDYID": study, "USUBJID": p.usubjid, "ADT": p.d(v.day),
                      "AVISIT": f"Week {week}", "AVISITN": week}
            adrs.append({**common, "PARAMCD": "OVR", "PARAM": "Overall response by investigator (RECIST 1.1)",
                         "AVALC": v.ovr})
            adrs.append({**common, "PARAMCD": "NEWLIND", "PARAM": "New lesion indicator",
                         "AVALC": "Y" if v.new_lesion else "N"})
            if v.sld is not None and p.baseline_sld is not None:
                chg = v.sld - p.baseline_sld
                adtr.append({**common, "PARAMCD": "SUMDIAM", "PARAM": "Sum of diameters of target lesions (mm)",
                             "AVAL": v.sld, "ABLFL": "N", "BASE": p.baseline_sld, "CHG": chg,
                             "PCHG": round(100 * chg / p.baseline_sld, 2)})
        bor, resp_day = _investigator_bor(visits, 0, conf_days, sd_days)
        last_ovr = max((v.day for v in visits), default=None)
        adrs.append({"STUDYID": study, "USUBJID": p.usubjid, "PARAMCD": "CBOR",
                     "PARAM": "Confirmed best overall response by investigator (RECIST 1.1)",
                     "AVALC": bor, "ADT": p.d(resp_day if resp_day is not None else (last_ovr or 0)),
                     "AVISIT": "", "AVISITN": None})

        # Time to event (AVAL = ADT − STARTDT + 1, ADaM).
        pd_visit = next((v for v in visits if v.ovr == "PD"), None)
        adequate = [v for v in visits if v.ovr != "NE"]
        last_adequate = adequate[-1].day if adequate else 0
        death_day = p.death_day if died else None
        window = 2 * 7 * config.response.assessment_interval_weeks + 7

        if pd_visit is not None:
            pfs_event, pfs_desc = pd_visit.day, "Disease progression"
        elif death_day is not None and death_day - last_adequate <= window:
            pfs_event, pfs_desc = death_day, "Death"
        else:
            pfs_event, pfs_desc = None, ""
        # a randomized study's PFS and OS count from randomization (ITT), a single-arm study's from the first dose
        origin = -(p.trtsdt - p.randdt).days if p.arm and p.randdt is not None else 0
        cdesc = ("Last adequate tumour assessment" if adequate else
                 "Randomization (no adequate assessment)" if origin else "First dose (no adequate assessment)")
        adtte.append(_tte(p, study, "PFS", "Progression-free survival (days)", origin, pfs_event, pfs_desc,
                          last_adequate if adequate else origin, cdesc))
        os_cens = (last_alive - p.trtsdt).days
        adtte.append(_tte(p, study, "OS", "Overall survival (days)", origin, death_day, "Death", os_cens, "Last known alive"))
        if resp_day is not None:
            adtte.append(_tte(p, study, "DOR", "Duration of response (days)", resp_day, pfs_event, pfs_desc,
                             last_adequate, "Last adequate tumour assessment"))

        for i, ae in enumerate(sorted(p.aes, key=lambda a: a["start"]), start=1):
            if ae["start"] > day_cut:
                continue
            trtedt_day = p.disc_day if disc_known and p.disc_day is not None else None
            teae = ae["start"] >= 0 and (trtedt_day is None or ae["start"] <= trtedt_day + 30)
            adae.append({
                "STUDYID": study, "USUBJID": p.usubjid, "AESEQ": i, "AETERM": ae["term"].upper(),
                "AEDECOD": ae["term"], "AEBODSYS": ae["soc"], "AETOXGR": ae["grade"],
                "ASTDT": p.d(ae["start"]), "AENDT": p.d(ae["end"]) if ae["end"] <= day_cut else None,
                "AESER": "Y" if ae["serious"] else "N",
                "AREL": "RELATED" if ae["related"] else "NOT RELATED",
                "TRTEMFL": "Y" if teae else "N", "AEACN": ae["action"], "AEACNDRG": ae["drug"],
                "AEOUT": "RECOVERED/RESOLVED" if ae["end"] <= day_cut else "NOT RECOVERED/NOT RESOLVED",
            })
        for ex in p.exposure:
            if ex["start"] > day_cut:
                continue
            end = min(ex["end"], day_cut)
            adex.append({"STUDYID": study, "USUBJID": p.usubjid, "EXTRT": ex["drug"], "EXDOSE": ex["dose"],
                         "EXDOSU": ex["unit"], "ASTDT": p.d(ex["start"]), "AENDT": p.d(end),
                         "EXADJ": ex["adj"]})

    scr = []
    for row in screening:
        if row["SCRNDT"] > cutoff:
            continue
        outcome = row["OUTCOME"] if row["OUTDT"] <= cutoff else "IN SCREENING"
        scr.append({"SCRNID": row["SCRNID"], "SITEID": row["SITEID"], "SCRNDT": row["SCRNDT"],
                    "SCRNOUT": outcome, "SFREAS": row["SFREAS"] if outcome == "SCREEN FAILURE" else "",
                    "USUBJID": row["USUBJID"] if outcome == "ENROLLED" else ""})
    frames = {"adsl": adsl, "adrs": adrs, "adtr": adtr, "adtte": adtte, "adae": adae, "adex": adex,
              "screening": scr, "adlb": adlb}
    out = {}
    for name, rows in frames.items():
        df = pd.DataFrame(rows)
        for col in df.columns:
            if col.endswith("DT") and col not in ("DCUTDT",) or col == "DCUTDT":
                df[col] = pd.to_datetime(df[col])
        out[name] = df
    return out


def retro_edits(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The older cut's values that data management corrected later (applied to the older cut):
    one assessment date entered 3 days early, one AE grade recorded one grade lower."""
    adrs = tables["adrs"].copy()
    adtr = tables["adtr"].copy()
    ovr = adrs[(adrs["PARAMCD"] == "OVR")]
    if len(ovr):
        first = ovr.iloc[0]
        same = (adrs["USUBJID"] == first["USUBJID"]) & (adrs["ADT"] == first["ADT"]) & adrs["PARAMCD"].isin(["OVR", "NEWLIND"])
        adrs.loc[same, "ADT"] = first["ADT"] - pd.Timedelta(days=3)
        same_tr = (adtr["USUBJID"] == first["USUBJID"]) & (adtr["ADT"] == first["ADT"])
        adtr.loc[same_tr, "ADT"] = first["ADT"] - pd.Timedelta(days=3)
    adae = tables["adae"].copy()
    g3 = adae.index[(adae["AETOXGR"] == 3) & (adae["AEDECOD"] == "Diarrhoea")]
    if len(g3):
        adae.loc[g3[0], "AETOXGR"] = 2
        adae.loc[g3[0], "AEACN"] = "DOSE NOT CHANGED"
    return {**tables, "adrs": adrs, "adtr": adtr, "adae": adae}


def write_cut(tables: dict[str, pd.DataFrame], folder: Path, fmt: str, cutoff: date, seed: int,
              n_patients: int, label: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file():
            old.unlink()
    for name, df in tables.items():
        if fmt == "csv":
            out = df.copy()
            for col in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[col]):
                    out[col] = out[col].dt.strftime("%Y-%m-%d")
            out.to_csv(folder / f"{name}.csv", index=False)
        elif fmt == "parquet":
            df.to_parquet(folder / f"{name}.parquet", index=False)
        elif fmt == "xpt":
            import pyreadstat

            out = df.copy()
            for col in out.columns:
                if out[col].dtype == object:
                    out[col] = out[col].fillna("").astype(str)
            pyreadstat.write_xport(out, str(folder / f"{name}.xpt"), table_name=name.upper()[:8],
                                   file_format_version=5)
        else:
            raise ValueError(f"unknown format {fmt}")
    (folder / "cut.toml").write_text(
        "# Written by data/make_demo.py. SYNTHETIC data: not trial results.\n"
        f'cutoff = "{cutoff.isoformat()}"\n'
        f'label = "{label}"\n'
        "synthetic = true\n"
        f"seed = {seed}\n"
        f"patients_at_last_cut = {n_patients}\n"
        f"generator_version = {GENERATOR_VERSION}\n",
        encoding="utf-8",
    )


def make_demo(out: Path, patients: int = DEFAULT_PATIENTS, seed: int = DEFAULT_SEED,
              cuts: tuple[str, ...] = DEFAULT_CUTS, fmt: str = "csv",
              config: StudyConfig | None = None) -> list[Path]:
    """Write one folder per cut under ``out``; returns the folders (oldest first)."""
    config = config or load_config()
    cut_dates = sorted(date.fromisoformat(c) for c in cuts)
    patients_list, screening = simulate_trial(patients, seed, cut_dates[-1], config)
    for p in patients_list:  # laboratory values, from a generator of their own (the other tables stay as they were)
        if p.trtsdt is not None:
            simulate_labs(p, np.random.default_rng([seed, p.idx, 36]))
    folders = []
    for i, c in enumerate(cut_dates):
        tables = cut_tables(patients_list, screening, c, config)
        if i < len(cut_dates) - 1:
            tables = retro_edits(tables)
        folder = out / c.isoformat()
        write_cut(tables, folder, fmt, c, seed, patients, f"Data cut {c.isoformat()} (SYNTHETIC)")
        folders.append(folder)
    return folders


CDISC_STUDY = "CDISCPILOT01-ONC"
CDISC_ARMS = ("Drug X 10 mg", "Drug X 20 mg", "Standard of care")
CDISC_DRUGS = {"Neratinib": "DRUG X", "Eribulin": "DRUG Y", "Fulvestrant": "DRUG Z"}
CDISC_DEFAULTS = {"patients": 48, "seed": 11, "out": ROOT / "data" / "demo-cdisc"}


def cdisc_style(tables: dict[str, pd.DataFrame], seed: int) -> dict[str, pd.DataFrame]:
    """The cut's tables rewritten in plain CDISC-pilot conventions (see the module docstring).
    Seeded per subject, so successive cuts agree."""
    def rng_for(key: str) -> np.random.Generator:
        return np.random.default_rng([seed, *key.encode()])

    adsl = tables["adsl"].copy()
    ids = {}
    for u, site, subj in zip(adsl["USUBJID"], adsl["SITEID"], adsl["SUBJID"], strict=True):
        ids[u] = f"01-{700 + int(site)}-{1000 + int(str(subj).split('-')[-1])}"
    arm = {u: CDISC_ARMS[int(rng_for(u).integers(0, len(CDISC_ARMS)))] for u in adsl["USUBJID"]}
    treated = adsl["TRTSDT"].notna()
    out = pd.DataFrame({
        "STUDYID": CDISC_STUDY,
        "USUBJID": adsl["USUBJID"].map(ids),
        "SUBJID": adsl["USUBJID"].map(ids).str[-4:],
        "SITEID": adsl["SITEID"].map(lambda s: str(700 + int(s))),
        "AGE": adsl["AGE"], "AGEU": "YEARS", "SEX": adsl["SEX"],
        "RACE": adsl["USUBJID"].map(lambda u: "ASIAN" if rng_for(u + "r").uniform() < 0.8 else "WHITE"),
        "ARM": adsl["USUBJID"].map(arm),
        "ACTARM": np.where(treated, adsl["USUBJID"].map(arm), "Not Treated"),
        "TRT01P": adsl["USUBJID"].map(arm),
        "TRT01A": np.where(treated, adsl["USUBJID"].map(arm), ""),
        # consent as an ISO 8601 date-time string (SDTM DM.RFICDTC carried into ADSL)
        "RFICDTC": adsl["RFICDT"].dt.strftime("%Y-%m-%dT09:30"),
        "RANDDT": adsl["RFICDT"] + pd.Timedelta(days=7),
        "TRTSDT": adsl["TRTSDT"], "TRTEDT": adsl["TRTEDT"],
        "EOSSTT": np.where(adsl["DTHDT"].notna(), "DISCONTINUED", "ONGOING"),
        "DCSREAS": adsl["DCSREAS"],
        "DTHDT": adsl["DTHDT"], "DTHFL": np.where(adsl["DTHDT"].notna(), "Y", ""),
        "LSTALVDT": adsl["LSTALVDT"],
        "SAFFL": adsl["SAFFL"], "ITTFL": "Y",
    })
    res = {"adsl": out}

    def recode(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df["STUDYID"] = CDISC_STUDY
        df["USUBJID"] = df["USUBJID"].map(ids)
        return df

    adrs = recode(tables["adrs"])
    adrs["PARAMCD"] = adrs["PARAMCD"].replace({"OVR": "OVRLRESP"})
    ne = (adrs["PARAMCD"] == "OVRLRESP") & (adrs["AVALC"] == "NE")
    adrs.loc[ne, "AVALC"] = "MISSING"
    res["adrs"] = adrs
    adtr = recode(tables["adtr"])
    adtr["PARAMCD"] = adtr["PARAMCD"].replace({"SUMDIAM": "SDIAM"})
    adtr["PARAM"] = "Target Lesions Sum of Diameters by Investigator"
    res["adtr"] = adtr
    adtte = recode(tables["adtte"])
    adtte["PARAMCD"] = adtte["PARAMCD"].replace({"DOR": "RSD"})
    res["adtte"] = adtte
    adae = recode(tables["adae"]).rename(columns={"AETOXGR": "ATOXGR"})
    scale_rel, scale_not = ("POSSIBLE", "PROBABLE", "DEFINITE"), ("NONE", "UNLIKELY")
    adae["AEREL"] = [
        (scale_rel if r == "RELATED" else scale_not)[int(rng_for(f"{u}{q}").integers(0, 3 if r == "RELATED" else 2))]
        for u, q, r in zip(adae["USUBJID"], adae["AESEQ"], adae["AREL"], strict=True)
    ]
    res["adae"] = adae.drop(columns=["AREL", "AEACNDRG"])
    adex = recode(tables["adex"])
    adex["EXTRT"] = adex["EXTRT"].map(CDISC_DRUGS)
    res["adex"] = adex
    return res


def make_cdisc_demo(out: Path, patients: int, seed: int, cuts: tuple[str, ...], fmt: str = "csv") -> list[Path]:
    """The CDISC-style demo (``--style cdisc``): the simulated trial, cut, then rewritten."""
    config = load_config(ROOT / "data" / "study.toml")  # the simulation's clinical course and regimen
    cut_dates = sorted(date.fromisoformat(c) for c in cuts)
    patients_list, screening = simulate_trial(patients, seed, cut_dates[-1], config, never_treated_rate=0.08)
    folders = []
    for c in cut_dates:
        tables = cdisc_style(cut_tables(patients_list, screening, c, config), seed)
        folder = out / c.isoformat()
        write_cut(tables, folder, fmt, c, seed, patients, f"CDISC-style cut {c.isoformat()} (SYNTHETIC)")
        folders.append(folder)
    return folders


PHASE3_ARMS = ("NER-FUL-ERI", "Eribulin (physician's choice)")  # experimental, control
PHASE3_DEFAULTS = {"patients": 300, "seed": 23, "out": ROOT / "data" / "demo-phase3",
                   "config": ROOT / "data" / "phase3_demo.toml", "cuts": ("2027-06-01", "2027-12-01")}


def phase3_randomizer(seed: int):
    """1:1 stratified permuted blocks of 4 by ECOG (0 / 1) and visceral disease (yes / no); the control
    arm's effect 0.6 (fewer responses, shorter time to progression)."""
    blocks: dict[tuple[str, str], list[str]] = {}
    block_rng = np.random.default_rng(seed + 1000)

    def assign(p: Patient, rng: np.random.Generator) -> None:
        stratum = (f"ECOG {p.ecog}", "Visceral" if p.visceral else "Non-visceral")
        if not blocks.get(stratum):
            blocks[stratum] = list(block_rng.permutation([PHASE3_ARMS[0], PHASE3_ARMS[0], PHASE3_ARMS[1], PHASE3_ARMS[1]]))
        p.arm = blocks[stratum].pop()
        p.effect = 1.0 if p.arm == PHASE3_ARMS[0] else 0.6
        p.strata = stratum
        p.randdt = p.enrldt

    return assign


def control_arm_toxicity(p: Patient, rng: np.random.Generator) -> None:
    """Eribulin alone: the neratinib diarrhoea and the fulvestrant injection-site reactions go; diarrhoea
    of eribulin monotherapy (about 15%, grade 1–2, as in EMBRACE) comes from the patient's own random
    stream, so the main stream, and with it every efficacy outcome, is unchanged."""
    p.aes = [a for a in p.aes if a["drug"] not in ("Neratinib", "Fulvestrant") and a["term"] != "Injection site pain"]
    p.exposure = [e for e in p.exposure if e["drug"] == "Eribulin"]
    last = p.disc_day if p.disc_day is not None else HORIZON_DAYS
    if last > 0 and rng.uniform() < 0.15:
        onset = int(min(rng.exponential(40), last))
        grade = int(rng.choice([1, 2], p=(0.7, 0.3)))
        p.aes.append(_ae("Diarrhoea", "Gastrointestinal disorders", grade, onset, onset + int(rng.integers(2, 6)), False,
                         "DOSE NOT CHANGED", serious=False))


def make_phase3_demo(out: Path, patients: int, seed: int, cuts: tuple[str, ...], fmt: str = "csv") -> list[Path]:
    """The randomized phase III demo (``--style phase3``), with its own config (data/phase3_demo.toml):
    the control arm receives eribulin only (its exposure rows of the other drugs are not written)."""
    config = load_config(PHASE3_DEFAULTS["config"])
    cut_dates = sorted(date.fromisoformat(c) for c in cuts)
    patients_list, screening = simulate_trial(patients, seed, cut_dates[-1], config, assign=phase3_randomizer(seed))
    control = {p.usubjid for p in patients_list if p.arm == PHASE3_ARMS[1]}
    for p in patients_list:
        if p.usubjid in control:
            control_arm_toxicity(p, np.random.default_rng([seed, p.idx]))
    folders = []
    for c in cut_dates:
        tables = cut_tables(patients_list, screening, c, config)
        adex = tables["adex"]
        tables["adex"] = adex[~(adex["USUBJID"].isin(control) & (adex["EXTRT"] != "Eribulin"))].reset_index(drop=True)
        folder = out / c.isoformat()
        write_cut(tables, folder, fmt, c, seed, patients, f"Phase III data cut {c.isoformat()} (SYNTHETIC)")
        folders.append(folder)
    return folders


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=DEFAULT_PATIENTS,
                        help="patients enrolled at the last cut (default 28)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cuts", default=",".join(DEFAULT_CUTS), help="cut-off dates, comma-separated")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--format", choices=("csv", "parquet", "xpt"), default="csv")
    parser.add_argument("--style", choices=("study", "cdisc", "phase3"), default="study",
                        help="study: this study's cut (default); cdisc: a plain CDISC-pilot-style cut of "
                             "another study (defaults: 48 patients, seed 11, data/demo-cdisc)")
    args = parser.parse_args(argv)
    given = set(argv if argv is not None else sys.argv[1:])
    if args.style == "phase3":
        d = PHASE3_DEFAULTS
        folders = make_phase3_demo(args.out if "--out" in given else d["out"],
                                   args.patients if "--patients" in given else d["patients"],
                                   args.seed if "--seed" in given else d["seed"],
                                   tuple(args.cuts.split(",")) if "--cuts" in given else d["cuts"], args.format)
    elif args.style == "cdisc":
        given = set(argv if argv is not None else sys.argv[1:])
        patients = args.patients if "--patients" in given else CDISC_DEFAULTS["patients"]
        seed = args.seed if "--seed" in given else CDISC_DEFAULTS["seed"]
        out = args.out if "--out" in given else CDISC_DEFAULTS["out"]
        folders = make_cdisc_demo(out, patients, seed, tuple(args.cuts.split(",")), args.format)
    else:
        folders = make_demo(args.out, args.patients, args.seed, tuple(args.cuts.split(",")), args.format)
    for f in folders:
        print(f"wrote {f}")


if __name__ == "__main__":
    main()
