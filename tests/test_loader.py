"""The loader on the demo data, in every file format, and the demo generator's reproducibility."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd
import pytest

from components.data.datasets import list_cuts, load_cut, load_files
from components.data.readers import folder_files
from tests.conftest import DEMO_DIR, demo_cuts, load_generator


def _generator():
    return load_generator()


@pytest.mark.parametrize("folder", demo_cuts(), ids=lambda p: p.name)
def test_demo_cuts_load_without_findings(folder: Path) -> None:
    cut = load_cut(folder)
    assert cut.issues == ()
    assert cut.synthetic
    for table in ("adsl", "adrs", "adtr", "adtte", "adae", "adex", "screening", "adlb"):
        assert cut.has(table), table
    adsl = cut.tables["adsl"]
    assert adsl["USUBJID"].is_unique
    assert pd.api.types.is_datetime64_any_dtype(adsl["TRTSDT"])
    assert (adsl["DCUTDT"] == cut.cutoff).all()


def test_demo_matches_the_issue() -> None:
    """28 of 35 enrolled at the 2026-11-01 cut; two cuts; about 8 sites; a mix of responses."""
    cuts = list_cuts(DEMO_DIR)
    assert [c.name for c in cuts] == ["2026-08-01", "2026-11-01"]
    cut = load_cut(DEMO_DIR)  # a cuts directory loads its latest cut
    assert cut.cutoff == pd.Timestamp("2026-11-01")
    assert len(cut.tables["adsl"]) == 28
    ovr = cut.tables["adrs"].query("PARAMCD == 'OVR'")["AVALC"]
    assert {"CR", "PR", "SD", "PD", "NE"} <= set(ovr)
    assert (cut.tables["screening"]["SCRNOUT"] == "SCREEN FAILURE").sum() > 0
    assert set(cut.tables["adae"]["AEDECOD"]) >= {"Diarrhoea", "Neutrophil count decreased", "Fatigue", "Nausea"}
    ner = cut.tables["adex"].query("EXTRT == 'Neratinib'")["EXDOSE"]
    assert {120.0, 160.0, 240.0} <= set(ner)


def test_tables_are_read_only_mapping() -> None:
    cut = load_cut(DEMO_DIR)
    with pytest.raises(TypeError):
        cut.tables["adsl"] = pd.DataFrame()  # type: ignore[index]


def test_generator_is_reproducible(tmp_path: Path) -> None:
    """Same seed, same files: the committed demo is exactly what the script makes."""
    gen = _generator()
    gen.make_demo(tmp_path)
    for committed in demo_cuts():
        made = tmp_path / committed.name
        names = sorted(p.name for p in committed.iterdir())
        assert names == sorted(p.name for p in made.iterdir())
        match, mismatch, errors = filecmp.cmpfiles(committed, made, names, shallow=False)
        assert not mismatch and not errors, mismatch


def test_generator_scales(tmp_path: Path) -> None:
    gen = _generator()
    (folder,) = gen.make_demo(tmp_path, patients=300, seed=11, cuts=("2026-11-01",))
    cut = load_cut(folder)
    assert cut.issues == ()
    assert len(cut.tables["adsl"]) == 300


@pytest.mark.parametrize("fmt", ["parquet", "xpt"])
def test_formats_load_to_the_same_numbers(tmp_path: Path, fmt: str) -> None:
    gen = _generator()
    (csv_folder,) = gen.make_demo(tmp_path / "csv", patients=40, seed=3, cuts=("2026-11-01",), fmt="csv")
    (other,) = gen.make_demo(tmp_path / fmt, patients=40, seed=3, cuts=("2026-11-01",), fmt=fmt)
    a, b = load_cut(csv_folder), load_cut(other)
    assert b.issues == ()
    for table in a.tables:
        left, right = a.tables[table], b.tables[table][a.tables[table].columns]
        pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=table)


def test_uploaded_bytes_load_like_the_folder(latest_cut: Path) -> None:
    files = {name: path.read_bytes() for name, path in folder_files(latest_cut).items()}
    up = load_files(files)
    folder = load_cut(latest_cut)
    assert up.issues == ()
    for table in folder.tables:
        pd.testing.assert_frame_equal(up.tables[table], folder.tables[table], obj=table)


def test_missing_folder_is_a_finding_not_an_exception(tmp_path: Path) -> None:
    cut = load_cut(tmp_path / "nope")
    assert not cut.has("adsl")
    assert "does not exist" in cut.issues[0].message
