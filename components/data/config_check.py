"""Strict reading of the study config (issue 37, "every config file"; issue 33 item 4): an unknown or
misspelt key, or a value of the wrong type, is a problem naming the file, the section and the key (with
the closest known key), instead of being ignored silently.

The known keys and their types come from the dataclasses the config fills (``ResponseRules``,
``DataSettings``, ``Drug``, ``Site`` …), so a new setting is known as soon as it has a field.
"""

from __future__ import annotations

import dataclasses
import difflib
from datetime import date
from pathlib import Path
from typing import Any

from components.data import config as cfg
from components.i18n import N_, _

#: Keys read from sections that do not map one to one to a dataclass, with their kinds.
STUDY_KEYS = {"id": "text", "short_title": "text", "title": "text", "phase": "text or number", "design": "text",
              "population": "text", "lead_site": "text", "principal_investigator": "text", "status": "text",
              "arms": "list", "reference_arm": "text", "country": "text"}
RANDOMIZATION_KEYS = {"strata": "list", "strata_labels": "table", "efficacy_arm": "text", "safety_arm": "text",
                      "efficacy_population": "text"}
DISPLAY_KEYS = {"language": "text"}
#: Sections whose keys are fields of one dataclass.
SECTIONS = {"response": cfg.ResponseRules, "survival": cfg.SurvivalSettings, "safety": cfg.SafetySettings,
            "enrollment": cfg.EnrollmentSettings, "biomarkers": cfg.BiomarkerSettings,
            "eligibility": cfg.EligibilitySettings}
KNOWN_SECTIONS = {"study", "design", "randomization", "display", "endpoints", "mapping", "regimen", "sites", "data",
                  *SECTIONS}


#: The kinds on screen.
KINDS = {"text": N_("text"), "number": N_("number"), "whole number": N_("whole number"), "true/false": N_("true/false"),
         "list": N_("list"), "table": N_("table"), "date": N_("date"), "text or number": N_("text or number"),
         "any": N_("value")}


def _kind(annotation: str) -> str:
    """The kind a TOML value needs for a field annotated ``annotation``."""
    a = annotation.replace(" ", "")
    if a.startswith("tuple") or a.startswith("list"):
        return "list"
    if "date" in a:
        return "date"
    if a.startswith("bool"):
        return "true/false"
    if a.startswith("int"):
        return "whole number"
    if a.startswith("float"):
        return "number"
    if a.startswith("dict") or a.startswith("Mapping"):
        return "table"
    if a.startswith("str"):
        return "text"
    return "any"


def _fields(cls) -> dict[str, str]:
    return {f.name: _kind(str(f.type)) for f in dataclasses.fields(cls)}


def _fits(value: Any, kind: str) -> bool:
    if kind == "any":
        return True
    if kind == "true/false":
        return isinstance(value, bool)
    if kind == "whole number":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "text":
        return isinstance(value, str)
    if kind == "text or number":
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "table":
        return isinstance(value, dict)
    if kind == "date":
        return isinstance(value, (date, str))
    return True


def _check_table(where: str, table: Any, known: dict[str, str], out: list[str]) -> None:
    if not isinstance(table, dict):
        out.append(_("{where}: a table is expected here").format(where=where))
        return
    for key, value in table.items():
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
            hint = _(" (did you mean {key}?)").format(key=close[0]) if close else ""
            out.append(_("{where}: unknown key {key}{hint}: ignored").format(where=where, key=key, hint=hint))
        elif value is not None and not _fits(value, known[key]):
            out.append(_("{where}: {key} = {value} is not a {kind}").format(where=where, key=key, value=repr(value),
                                                                          kind=_(KINDS[known[key]])))


def check_config(raw: dict[str, Any], path: Path | str = "study.toml") -> tuple[str, ...]:
    """The problems of a parsed study config: unknown sections and keys, wrong types (see module)."""
    name = Path(path).name
    out: list[str] = []
    for section in raw:
        if section not in KNOWN_SECTIONS:
            close = difflib.get_close_matches(section, sorted(KNOWN_SECTIONS), n=1, cutoff=0.75)
            hint = _(" (did you mean {key}?)").format(key=close[0]) if close else ""
            out.append(_("{file}: unknown section [{section}]{hint}: ignored").format(file=name, section=section,
                                                                                    hint=hint))
    _check_table(f"{name} [study]", raw.get("study", {}), STUDY_KEYS, out)
    _check_table(f"{name} [randomization]", raw.get("randomization", {}), RANDOMIZATION_KEYS, out)
    _check_table(f"{name} [display]", raw.get("display", {}), DISPLAY_KEYS, out)
    design = {**_fields(cfg.Design), **_fields(cfg.TwoArmDesign), "type": "text"}
    if "design" in raw:
        _check_table(f"{name} [design]", raw["design"], design, out)
    for section, cls in SECTIONS.items():
        if section in raw:
            _check_table(f"{name} [{section}]", raw[section], _fields(cls), out)
    if "data" in raw:
        data = {k: v for k, v in _fields(cfg.DataSettings).items() if k != "codings"}
        _check_table(f"{name} [data]", raw["data"], data, out)
    for section, cls in (("regimen", cfg.Drug), ("sites", cfg.Site)):
        for i, item in enumerate(raw.get(section, []) or [], start=1):
            _check_table(f"{name} [[{section}]] #{i}", item, _fields(cls), out)
    endpoints = raw.get("endpoints", {})
    if isinstance(endpoints, dict):
        for key, value in endpoints.items():
            if not isinstance(value, list):
                out.append(_("{where}: {key} = {value} is not a {kind}").format(
                    where=f"{name} [endpoints]", key=key, value=repr(value), kind=_(KINDS["list"])))
    return tuple(out)
