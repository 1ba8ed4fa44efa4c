"""Property-based tests: malformed tables thrown at the loader always give either valid tables or a
clear validation report — never an unhandled exception, never a table breaking the contract.

The number of generated cases is printed in the test summary."""

from __future__ import annotations

import io

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.data.contract import TABLES, required_columns, rules_for
from components.data.datasets import load_files
from components.data.validation import ERROR, INFO, WARNING

CASES = {"csv": 0, "binary": 0}
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

VALUES = st.one_of(
    st.just(""), st.sampled_from(["NA", "ND", ".", "Y", "N", "CR", "PR", "PD", "SD", "NE", "Positive", "0", "1", "3"]),
    st.text(max_size=12),  # unicode, control characters, quotes
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: d.isoformat()), st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["2026-02-30", "2026-13-01", "2026-03", "0000-00-00", "9999-12-31", "1e308", "-0"]),
)
SUBJECTS = st.sampled_from(["S1", "S2", "S3", "S1 ", "", "NA", "s1"])


@st.composite
def table_csv(draw, table: str) -> bytes:
    columns = sorted({r.column for r in rules_for(table)})
    keep = draw(st.lists(st.sampled_from(columns), unique=True, min_size=0, max_size=len(columns)))
    if draw(st.booleans()):  # usually keep the required ones, so deeper checks are reached
        keep = list(dict.fromkeys(required_columns(table) + keep))
    extra = draw(st.lists(st.sampled_from(["EXTRA", "名字", "notes", "USUBJID"]), max_size=2))
    n = draw(st.integers(min_value=0, max_value=6))
    data = {}
    for col in keep + extra:
        strategy = SUBJECTS if col == "USUBJID" else VALUES
        data[col] = draw(st.lists(strategy, min_size=n, max_size=n))
    df = pd.DataFrame(data)
    raw = df.to_csv(index=False).encode("utf-8") if len(df.columns) else b""
    cut_at = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=max(len(raw), 0))))
    return raw if cut_at is None else raw[:cut_at]  # sometimes truncated


@st.composite
def data_cuts(draw) -> dict[str, bytes]:
    tables = draw(st.lists(st.sampled_from(TABLES), unique=True, min_size=1, max_size=4))
    if draw(st.booleans()) and "adsl" not in tables:
        tables.append("adsl")
    return {f"{t}.csv": draw(table_csv(t)) for t in tables}


def _check_contract(cut) -> None:
    for f in cut.issues:
        assert f.severity in (ERROR, WARNING, INFO) and isinstance(f.message, str) and f.table
    for name, df in cut.tables.items():
        assert all(c in df.columns for c in required_columns(name)), name
        for rule in rules_for(name):
            if rule.column not in df.columns or rule.condition is not None:
                continue
            col = df[rule.column]
            if rule.value_required:  # a "column"-required rule keeps rows without a value
                assert col.notna().all(), (name, rule.column)
            if rule.allowed:
                assert col.dropna().astype(str).isin(rule.allowed).all(), (name, rule.column)
            if rule.min is not None:
                assert (pd.to_numeric(col, errors="coerce").dropna() >= rule.min).all()
            if rule.type == "date" and cut.cutoff is not None and rule.column != "DCUTDT":
                assert (col.dropna() <= cut.cutoff).all(), (name, rule.column)
    if "adsl" in cut.tables:
        assert cut.tables["adsl"]["USUBJID"].is_unique
        subjects = set(cut.tables["adsl"]["USUBJID"])
        for name, df in cut.tables.items():
            if name not in ("adsl", "screening") and "USUBJID" in df:
                assert set(df["USUBJID"]) <= subjects, name


@SETTINGS
@given(data_cuts())
def test_malformed_csv_cuts_never_raise_and_keep_the_contract(files):
    CASES["csv"] += 1
    before = dict(files)
    cut = load_files(files)
    assert files == before  # the input is not modified
    _check_contract(cut)


@SETTINGS
@given(st.sampled_from(["adsl.parquet", "adsl.xpt", "adsl.xlsx", "data.xlsx", "adsl.csv"]), st.binary(max_size=400))
def test_garbage_files_give_a_finding_not_an_exception(name, blob):
    CASES["binary"] += 1
    cut = load_files({name: blob})
    assert not cut.has("adsl") or cut.tables["adsl"]["USUBJID"].is_unique
    assert cut.issues  # something is always said about a file that cannot be a valid adsl


def test_huge_and_unicode_values_in_a_valid_frame():
    df = pd.DataFrame({"STUDYID": ["S"], "USUBJID": ["患者-001"], "SITEID": ["01"], "AGE": ["1e308"], "SEX": ["F"],
                       "ECOGBL": ["0"], "RFICDT": ["2026-01-01"], "LSTALVDT": ["2026-02-01"], "DCUTDT": ["2026-03-01"],
                       "SAFFL": ["N"], "EFFFL": ["N"]})
    buf = io.BytesIO()
    df.to_csv(buf, index=False)
    cut = load_files({"adsl.csv": buf.getvalue()})
    assert not cut.has("adsl")  # the only row has an impossible age
    assert any(f.column == "AGE" and "impossible value (too large)" in f.message for f in cut.issues)


def test_zz_cases_ran():
    """Runs last in this module: the generated cases were exercised (counts in the summary)."""
    assert CASES["csv"] >= 100 and CASES["binary"] >= 100
