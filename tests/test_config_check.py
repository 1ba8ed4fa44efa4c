"""A study config with a misspelt key or a wrong type says so, naming the file, section and key (issue 37
"every config file"; issue 33 item 4), on every page."""

from __future__ import annotations

import tomllib

from components.data.config import DEFAULT_CONFIG, parse_config
from components.data.config_check import check_config
from tests.conftest import ROOT


def _raw() -> dict:
    return tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))


def test_the_shipped_configs_have_no_problems():
    for name in ("study.toml", "phase3_demo.toml", "cdisc_demo.toml"):
        raw = tomllib.loads((ROOT / "data" / name).read_text(encoding="utf-8"))
        assert check_config(raw, name) == (), name


def test_misspelt_keys_and_wrong_types_are_named():
    raw = _raw()
    raw["response"]["confirmation_min_day"] = 28  # misspelt
    raw["response"]["confirmed_default"] = "true"  # a string, not true
    raw["survival"]["tick_months"] = "3"
    raw["design"]["alpah"] = 0.05
    raw["sites"][0]["activatd"] = "2026-01-01"
    raw["respones"] = {}
    raw["data"]["max_rows"] = 1.5
    problems = check_config(raw, "study.toml")
    text = "\n".join(problems)
    assert "study.toml [response]: unknown key confirmation_min_day (did you mean confirmation_min_days?)" in text
    assert "[response]: confirmed_default = 'true' is not a true/false" in text
    assert "[survival]: tick_months = '3' is not a number" in text
    assert "[design]: unknown key alpah (did you mean alpha?)" in text
    assert "[[sites]] #1: unknown key activatd (did you mean activated?)" in text
    assert "unknown section [respones] (did you mean response?)" in text
    assert "[data]: max_rows = 1.5 is not a whole number" in text
    assert len(problems) == 7
    assert parse_config(raw).problems == problems


def test_the_pages_show_the_problems(app_factory, tmp_path, monkeypatch):
    text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace("confirmation_min_days", "confirmation_min_day", 1)
    text = text.replace('cuts_dir = "data/demo"', f'cuts_dir = "{ROOT / "data" / "demo"}"')
    bad = tmp_path / "study.toml"
    bad.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TRIAL_STUDY_CONFIG", str(bad))
    at = app_factory().run()
    at.switch_page("pages/response.py").run()
    assert not at.exception
    assert any("confirmation\\_min\\_day" in w.value and "did you mean" in w.value for w in at.warning)
