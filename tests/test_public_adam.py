"""Issue 34: three public ADaM cuts of other producers, laid out as cuts (tests/data/public, each with
its licence and provenance), and the numbers the app shows on them against numbers R computed from
the ORIGINAL source files (tests/reference/public_adam_reference.R → public_adam_reference.json):

- the CDISC pilot (SAS XPORT as published; a non-oncology three-arm study with the TTDE endpoint),
- pharmaverseadam (admiral's oncology ADaM, Parquet; BOR/CBOR, RSD, SDIAM, screen failures in ADSL),
- teal's sample data, random.cdisc.data (CSV; BESRSPI, OVRINV, SLDINV, CRSD, TNE counted in "COUNT").

Each is opened as a user would open it: with this study's config, so in generic mode (the arms, the
reference arm and the populations come from the data). Nothing here is the app's own output: every
expected value is R's, or read off the raw file in the test.
"""

from __future__ import annotations

import json
import math
from functools import cache

import pandas as pd
import pytest

from components.analyses.base import Options
from components.analyses.overview import study_status
from components.analyses.response import ArmsOptions, response_by_arm
from components.analyses.safety import ae_overview_by_arm
from components.analyses.survival import SurvivalOptions, cut_endpoints, default_view, kaplan_meier_endpoint
from components.data.config import load_config
from components.data.datasets import load_cut
from components.data.study_match import match_study
from tests.conftest import ROOT

PUBLIC = ROOT / "tests" / "data" / "public"
REFERENCE = json.loads((ROOT / "tests" / "reference" / "public_adam_reference.json").read_text())
SETS = ("cdiscpilot", "pharmaverseadam", "tealsample")
SCREEN_FAILURE = "Screen Failure"


@cache
def _opened(name: str):
    cut = load_cut(PUBLIC / name)
    config = match_study(cut, load_config()).config
    return cut, config


def _arms(counts: dict) -> dict:
    """R's per-arm counts without the screen-failure pseudo-arm and the '(all)' total."""
    return {a: v for a, v in counts.items() if a not in (SCREEN_FAILURE, "(all)")}


def _column(table: pd.DataFrame, arm: str) -> str:
    return next(c for c in table.columns if c.startswith(f"{arm} (N = "))


def _app_code(config, paramcd: str) -> str:
    """The code the app reads a sponsor's ADTTE parameter as ([mapping] tte_params)."""
    return next((target for target, variants in config.data.codings.tte_params if paramcd in variants), paramcd)


# --------------------------------------------------------------------------- the cuts themselves


@pytest.mark.parametrize("name", SETS)
def test_each_public_cut_has_its_licence_and_provenance(name):
    folder = PUBLIC / name
    assert (folder / "LICENSE").stat().st_size > 100
    provenance = (folder / "PROVENANCE.md").read_text()
    assert REFERENCE[name]["source"]["commit"] in provenance


@pytest.mark.parametrize("name", SETS)
def test_generic_mode_takes_the_arms_and_the_reference_from_the_data(name):
    cut, config = _opened(name)
    ref = REFERENCE[name]
    assert config.generic
    assert set(config.arms) == set(_arms(ref["adsl"]["n_by_planned_arm"]))
    assert config.reference_arm == ref["reference_arm"]
    assert len(cut.tables["adsl"]) == sum(_arms(ref["adsl"]["n_by_planned_arm"]).values())  # screen failures out


# --------------------------------------------------------------------------- survival, from the sponsor's ADTTE


def _survival_cases():
    for name in SETS:
        for paramcd, ref in REFERENCE[name]["adtte"]["params"].items():
            yield pytest.param(name, paramcd, ref, id=f"{name}-{paramcd}")


@pytest.mark.parametrize(("name", "paramcd", "ref"), list(_survival_cases()))
def test_every_adtte_parameter_is_offered_and_equals_r(name, paramcd, ref):
    """Every PARAMCD of the sponsor's ADTTE is an endpoint, from ADTTE (never derived), by its PARAM;
    per planned arm N, events, KM median and its 95% CI (log transform, R's default), each arm's Cox HR
    against the reference fitted on the two arms (R coxph, Efron) and the log-rank test across arms."""
    cut, config = _opened(name)
    if ref["AVALU"] == "COUNT":  # teal's TNE: a count, not a time — not offered, and said so
        assert paramcd not in {e.code for e in cut_endpoints(cut)}
        assert any(f.column == "AVALU" and paramcd in f.message for f in cut.issues)
        return
    code = _app_code(config, paramcd)
    offered = {e.code: e for e in cut_endpoints(cut)}
    assert code in offered and offered[code].source == "adtte"
    if code not in ("PFS", "OS", "DOR"):  # the sponsor's own endpoint: named as the sponsor names it
        assert offered[code].label == ref["PARAM"]
    population, arm = default_view(config, cut.tables["adsl"])
    res = kaplan_meier_endpoint(cut, config, SurvivalOptions(endpoint=code, population=population, group_by=arm,
                                                             conf_type="log"))
    assert res.detail.origin == "adtte"
    dpm = config.survival.days_per_month
    numbers = res.tables["numbers"].assign(Arm=lambda t: t["Group"].str.replace(r" \(N=\d+\)$", "", regex=True))
    rows = numbers.set_index("Arm")
    for a, r in ref["per_arm"].items():
        if r["n"] == 0:
            continue
        got = rows.loc[a]
        assert (got["N"], got["Events"]) == (r["n"], r["events"]), a

        def months(v):
            return "NR" if v is None else f"{v / dpm:.2f}"

        assert got["Median (months)"] == months(r["median"]), a
        assert got["95% CI low"] == months(r["median_lcl"]), a
        assert got["95% CI high"] == months(r["median_ucl"]), a
    cmp = res.detail.comparison
    assert cmp.logrank_chisq == pytest.approx(ref["logrank_all_arms"]["chisq"], rel=1e-9)
    hrs = cmp.hazard_ratios.set_index("level")
    for a, c in ref["cox_pairwise"].items():
        finite = isinstance(c, dict) and c.get("hr") is not None and c.get("ucl") is not None
        if not finite:  # R: infinite coefficient or no events — the app must not print a number
            assert a not in hrs.index or not hrs.loc[a, "estimable"] or math.isinf(hrs.loc[a, "upper"]), a
            continue
        assert hrs.loc[a, "hr"] == pytest.approx(c["hr"], rel=1e-6), a
        assert hrs.loc[a, "lower"] == pytest.approx(c["lcl"], rel=1e-6), a
        assert hrs.loc[a, "upper"] == pytest.approx(c["ucl"], rel=1e-6), a
        assert hrs.loc[a, "p"] == pytest.approx(c["wald_p"], rel=1e-6), a


# --------------------------------------------------------------------------- response, from the sponsor's BOR


def _response_cases():
    for name in SETS:
        adrs = REFERENCE[name].get("adrs")
        if not adrs:
            continue
        for paramcd, ref in adrs["all_rows"].items():
            yield pytest.param(name, paramcd, ref, id=f"{name}-{paramcd}")


@pytest.mark.parametrize(("name", "paramcd", "ref"), list(_response_cases()))
def test_orr_by_arm_is_the_sponsors_bor(name, paramcd, ref):
    """The ORR by arm counts the sponsor's BOR parameter (CBOR/BESRSPI confirmed, BOR unconfirmed) in the
    efficacy population by planned arm: responders and N per arm equal R's count of the raw rows."""
    cut, config = _opened(name)
    confirmed = paramcd != "BOR"
    population, _arm = default_view(config, cut.tables["adsl"])
    res = response_by_arm(cut, config, ArmsOptions(population=population, confirmed=confirmed))
    arms = res.tables["arms"].set_index("Arm")
    for a, k in _arms(ref["responders_cr_pr"]).items():
        assert arms.loc[a, "Responders (CR+PR)"] == k, a
        assert arms.loc[a, "N"] == ref["n_with_row"][a], a


# --------------------------------------------------------------------------- safety, deaths, disposition


@pytest.mark.parametrize("name", SETS)
def test_ae_overview_by_arm_equals_the_raw_counts(name):
    """Patients with any TEAE, grade ≥ 3 (severity SEVERE where the cut has no grade: said on screen),
    serious and fatal (grade 5, AESDTH or AEOUT = FATAL), per actual arm of the safety population."""
    cut, config = _opened(name)
    ref = REFERENCE[name]["adae"]
    res = ae_overview_by_arm(cut, config, Options())
    table = res.tables["by_arm"].set_index("Category")
    grade3 = ref["grade_ge3"] or ref["severe_aesev"]
    for a, n in _arms(ref["safety_n"]).items():
        if n == 0:
            continue
        col = _column(res.tables["by_arm"], a)
        assert col == f"{a} (N = {n})"
        for category, counts in (("Any TEAE", ref["any_ae"]), ("Grade ≥3 TEAE", grade3),
                                 ("Serious TEAE", ref["serious"]), ("Fatal TEAE (grade 5)", ref["fatal"])):
            assert int(table.loc[category, col].split(" ")[0]) == counts[a], (category, a)


@pytest.mark.parametrize("name", SETS)
def test_deaths_completers_and_discontinuations(name):
    """Deaths are ADSL's DTHFL = Y (never 0 when the flag says 3); a completer (EOTSTT, else EOSSTT or
    DCDECOD = COMPLETED) is not discontinued."""
    cut, config = _opened(name)
    ref = REFERENCE[name]["adsl"]
    numbers = study_status(cut, config, Options()).numbers
    assert numbers["Deaths"] == ref["deaths"]["overall"]
    disposition = ref["discontinuation"]
    status = next(disposition[c]["(all)"] for c in ("EOTSTT", "EOSSTT", "DCDECOD") if disposition[c])
    assert numbers["Completed"] == status["COMPLETED"]
    ongoing = status.get("ONGOING", 0)
    assert numbers["Discontinued"] == len(cut.tables["adsl"]) - status["COMPLETED"] - ongoing
    assert numbers["On treatment"] == ongoing


def test_the_raw_files_are_the_ones_r_read():
    """The cuts hold the same subjects R counted (read back from the stored files, not through the app)."""
    adsl = pd.read_csv(next((PUBLIC / "tealsample").glob("*/adsl.csv")))
    assert len(adsl) == REFERENCE["tealsample"]["adsl"]["rows"]
    pilot = pd.read_sas(next((PUBLIC / "cdiscpilot").glob("*/adsl.xpt")), format="xport")
    assert len(pilot) == REFERENCE["cdiscpilot"]["adsl"]["rows"]
    pharma = pd.read_parquet(next((PUBLIC / "pharmaverseadam").glob("*/adsl.parquet")))
    assert len(pharma) == REFERENCE["pharmaverseadam"]["adsl"]["rows"]


def test_public_data_is_small():
    total = sum(p.stat().st_size for p in PUBLIC.rglob("*") if p.is_file())
    assert total < 9_000_000, total




# --------------------------------------------------------------------------- every page, as a user opens it


@pytest.mark.parametrize("name", SETS)
def test_every_page_and_tab_walks_without_an_error_box(app_factory, name):
    from tests.walk import walk

    found = walk(app_factory(PUBLIC / name))
    # teal's sample ADRS really has two overall responses on one date for 3 patients: that finding is
    # the one error box allowed, named on the Overview and pointed to from the other pages
    def data_error(message: str) -> bool:
        return "data error(s): see the Overview page" in message or (
            "**Errors (1)**" in message and "more than one row per subject" in message)

    bad = {k: [m for m in v if not (name == "tealsample" and data_error(m))] for k, v in found.items()}
    assert not {k: v for k, v in bad.items() if v}, bad


def test_the_survival_page_offers_the_sponsors_own_endpoint(app_factory):
    """The CDISC pilot's only ADTTE parameter, TTDE, is on the Survival page by its PARAM label, from
    ADTTE, with the reference arm named in the generic-mode banner."""
    at = app_factory(PUBLIC / "cdiscpilot").run()
    at.switch_page("pages/survival.py").run()
    assert not at.exception and not at.error
    assert at.session_state["surv_endpoint"] == "TTDE"  # the sponsor's endpoint first; OS is not derivable
    assert any("Time to First Dermatologic Event" in el.proto.help for el in at.button_group)
    banner = " ".join(w.value for w in at.warning)
    assert "reference arm Placebo" in banner


# --------------------------------------------------------------------------- an independent check's findings
# (a reviewer ran the app on public ADaM sets it had not seen: scda.2022, the R Consortium pilot 7
# synthetic data and its KN868 ADTTE/ADRS; each case below is that shape, made small by hand)


def _small(n: int = 6, **cols) -> pd.DataFrame:
    from tests.test_real_adam import _adsl

    return _adsl(n, **cols)


def _load_small(**tables: pd.DataFrame):
    from tests.test_real_adam import _load

    return _load("2027-06-30", **tables)  # a year of follow-up from 2026-01-10 fits before the cut


def test_aval_in_months_without_avalu_is_read_as_months():
    """KN868's ADTTE: no AVALU, ADT − STARTDT = 30.44 × AVAL in every row; the medians were 30 times too
    small. Hand case: 6 subjects, AVAL in months; each AVAL × 30.4375 is its span in days."""
    months = [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    start = pd.Timestamp("2026-01-10")
    adt = [(start + pd.Timedelta(days=round(m * 30.4375))).date().isoformat() for m in months]
    adtte = pd.DataFrame({"USUBJID": [f"S-{i}" for i in range(1, 7)], "PARAMCD": "PFS", "AVAL": months,
                          "CNSR": [0, 1, 0, 1, 0, 0], "STARTDT": "2026-01-10", "ADT": adt})
    cut = _load_small(adsl=_small(), adtte=adtte)
    assert cut.tables["adtte"]["AVAL"].tolist() == pytest.approx([m * 30.4375 for m in months])
    assert any(f.column == "AVAL" and "months" in f.message for f in cut.issues)
    # AVAL in days (ADT − STARTDT + 1) is left alone
    days = pd.DataFrame({"USUBJID": [f"S-{i}" for i in range(1, 7)], "PARAMCD": "PFS",
                         "AVAL": [float((pd.Timestamp(a) - start).days + 1) for a in adt], "CNSR": 0,
                         "STARTDT": "2026-01-10", "ADT": adt})
    cut = _load_small(adsl=_small(), adtte=days)
    assert cut.tables["adtte"]["AVAL"].tolist() == days["AVAL"].tolist()


def test_planned_arm_from_arm_when_adsl_has_only_arm_and_actarm():
    """scda.2022's ADSL has ARM and ACTARM only: efficacy fell to the actual arm. TRT01P comes from ARM."""
    adsl = _small(4, ARM=["A", "A", "B", "B"], ACTARM=["A", "B", "B", "B"])
    cut = _load_small(adsl=adsl)
    assert cut.tables["adsl"]["TRT01P"].tolist() == ["A", "A", "B", "B"]
    assert cut.tables["adsl"]["TRT01A"].tolist() == ["A", "B", "B", "B"]
    assert any(f.column == "TRT01P" and "ARM" in f.message for f in cut.issues)


def test_life_threatening_severity_is_grade_3_or_worse_and_fatal_unknowable_is_not_zero():
    """Pilot 7's ADAE without a grade column: LIFE-THREATENING was set to missing (grade ≥ 3: 7 instead of
    9), and "Fatal TEAE 0" was shown though severity cannot say death."""
    from components.analyses.safety import ae_overview

    adae = pd.DataFrame({"USUBJID": ["S-1", "S-2", "S-3"], "AEDECOD": "Nausea", "AEBODSYS": "GI",
                         "AESEV": ["MILD", "SEVERE", "LIFE-THREATENING"], "TRTEMFL": "Y",
                         "ASTDT": "2026-01-20"})
    cut = _load_small(adsl=_small(3), adae=adae)
    ov = ae_overview(cut, load_config(), Options()).tables["overview"].set_index("Category")
    assert ov.loc["Grade ≥3 TEAE", "Patients"] == 2
    assert ov.loc["Fatal TEAE (grade 5)", "n (%)"] == "not available"
    cut = _load_small(adsl=_small(3), adae=adae.assign(AEOUT=["RECOVERED", "FATAL", "RECOVERED"]))
    ov = ae_overview(cut, load_config(), Options()).tables["overview"].set_index("Category")
    assert ov.loc["Fatal TEAE (grade 5)", "Patients"] == 1


def test_an_adrs_of_bor_rows_alone_is_loaded():
    """KN868's ADRS has BOR rows and no ADT: it was rejected ("ADT: required column missing"), so the ORR
    was 'not available' though the sponsor gives BOR."""
    adrs = pd.DataFrame({"USUBJID": ["S-1", "S-2", "S-3", "S-4"], "PARAMCD": "BOR",
                         "AVALC": ["PR", "SD", "CR", "PD"]})
    cut = _load_small(adsl=_small(4), adrs=adrs)
    assert "adrs" in cut.tables and len(cut.tables["adrs"]) == 4
    assert any(f.table == "adrs" and f.column == "ADT" and "none" in f.message for f in cut.issues)


def test_no_disposition_at_all_is_not_available_not_zero():
    """KN868's ADSL: no TRTEDT, EOTSTT, EOSSTT or DCDECOD: 'Discontinued 0, Completed 0' were shown."""
    numbers = study_status(_load_small(adsl=_small(4)), load_config(), Options()).numbers
    assert numbers["Discontinued"] is None and numbers["On treatment"] is None and numbers["Completed"] is None
