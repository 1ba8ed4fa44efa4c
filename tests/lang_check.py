"""What is still English on a page shown in Chinese: every text an AppTest run put on screen (headings,
markdown, captions, alerts, metric and widget labels, options, help, tab and expander labels, table
headers, and the figures' titles, axis titles, legend entries and annotations), less what may stay
English: standard abbreviations, units and the data's own values (site names, AE terms, drug names)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

#: Words that stay as they are in a Chinese slide: abbreviations, units, symbols, software names.
KEEP = {
    "ORR", "DCR", "CBR", "PFS", "OS", "DoR", "DOR", "CR", "PR", "SD", "PD", "NE", "NR", "BOR", "HR", "CI", "RECIST",
    "CTCAE", "NCI", "TEAE", "TEAEs", "AE", "AEs", "SAE", "SOC", "PT", "MedDRA", "ECOG", "HER2", "HR+", "IHC", "ctDNA",
    "p95HER2", "VAF", "LOD", "KM", "Cox", "Efron", "ITT", "FAS", "RDI", "IV", "PO", "IM", "mg", "m2", "kg", "ml",
    "CSV", "PNG", "SVG", "PPTX", "HTML", "PDF", "URL", "ADaM", "CDISC", "ADSL", "ADRS", "ADTR", "ADTTE", "ADAE",
    "ADEX", "ADLB", "SDTM", "SAS", "XPORT", "XPT", "Parquet", "TOML", "USUBJID", "SUBJID", "STUDYID", "SITEID",
    "PARAMCD", "AVAL", "AVALC", "EFFFL", "SAFFL", "ITTFL", "RANDFL", "FASFL", "PPROTFL", "TRTSDT", "TRTEDT",
    "TRT01P", "TRT01A", "ARM", "ACTARM", "DTHDT", "RFICDT", "DCUTDT", "CBOR", "OVR", "SYNTHETIC", "Python", "R",
    "survfit", "coxph", "survdiff", "cmprsk", "cuminc", "lifelines", "scipy", "statsmodels", "admiralonco",
    "Clopper", "Pearson", "Brookmeyer", "Crowley", "Greenwood", "Kaplan", "Meier", "Aalen", "Johansen",
    "Miettinen", "Nurminen", "Mantel", "Haenszel", "CMH", "Fisher", "Freeman", "Halton", "Schoenfeld", "Simon",
    "Wald", "Cohen", "Lee", "Liu", "Mann", "Whitney", "Wilcoxon", "Spearman", "Bonferroni", "Holm", "Morris", "KMunicate", "BMJ", "Open", "et", "al", "vs", "log", "loglog",
    "plain", "Inter", "Helvetica", "Neue", "Arial", "NCT", "T-DXd", "q3w", "q4w", "PPT", "PowerPoint", "SHA",
    "git", "JSON", "UTC", "ISO", "YYYY", "MM", "DD", "EN", "PET", "CDF", "min", "max", "IQR", "Q1", "Q3",
    "NER", "FUL", "ERI", "NER-FUL-ERI", "log-log", "CONSORT", "PPoS", "TRAE", "Jeffreys", "Beta", "clinfun", "PASS", "A'Hern", "TTR", "English",
    "DCTREAS", "DCSREAS", "DCDECOD", "EOSSTT", "EOTSTT", "DTHFL", "AESDTH", "AEOUT", "O'Brien", "Fleming", "Pocock", "Lan", "DeMets", "rpact", "log-rank", "rank", "SQLite", "PostgreSQL", "LLN", "ULN", "eDISH", "Hy's", "Hy", "Temple", "ALT", "AST", "NEUT", "BILI", "CREAT", "ATOXGR", "AEACN", "AEACNDRG", "FDA", "gsm", "EDC", "EOSDT", "ECOGBL", "AGE", "SEX",
}
#: Labels that are bilingual by design (the language switch must be found whatever the language).
BILINGUAL = {"Language · 语言"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]{2,}")
CODE = re.compile(r"`[^`]*`|https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w])/[\w.\\/-]+|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\?\w+=\S*|\b[\w.-]+\.(?:py|toml|csv|xpt|sas7bdat|parquet|xlsx|pptx|html|png|svg)\b")


def _texts_of_proto(msg, out: list[str]) -> None:
    """String fields of an element's protobuf that a person reads."""
    for fd, value in msg.ListFields():
        name = fd.name
        repeated = not isinstance(value, (str, bytes)) and hasattr(value, "__len__") and not hasattr(value, "ListFields")
        if fd.type == fd.TYPE_MESSAGE:
            items = value if repeated else [value]
            for v in items:
                _texts_of_proto(v, out)
        elif fd.type == fd.TYPE_STRING and name in ("label", "body", "help", "options", "placeholder", "text",
                                                   "caption", "title", "value", "default_text"):
            if repeated:
                out.extend(str(v) for v in value)
            elif name != "value" or fd.containing_type.name in ("Markdown", "Heading", "Alert", "Text"):
                out.append(str(value))


def _figure_texts(spec: str) -> list[str]:
    fig = json.loads(spec)
    lay = fig.get("layout", {})
    out = []

    def text(v) -> None:
        if isinstance(v, dict):
            v = v.get("text")
        if isinstance(v, str):
            out.append(v)

    text(lay.get("title"))
    for k, v in lay.items():
        if k.startswith(("xaxis", "yaxis")) and isinstance(v, dict):
            text(v.get("title"))
            out += [str(t) for t in v.get("ticktext", []) or []]
    text(lay.get("legend", {}).get("title"))
    out += [a.get("text", "") for a in lay.get("annotations", []) or []]
    out += [str(t.get("name")) for t in fig.get("data", []) if t.get("name") and t.get("showlegend", True) is not False]
    return out


def screen_texts(at) -> list[str]:
    """Every text of the last AppTest run (main area and sidebar)."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            kind = type(proto).__name__
            if kind == "PlotlyChart":
                out.extend(_figure_texts(proto.spec))
            elif kind in ("Arrow", "DataFrame"):
                pass
            elif kind not in ("Code",):
                _texts_of_proto(proto, out)
        for child in getattr(node, "children", {}).values() if isinstance(getattr(node, "children", None), dict) else []:
            walk(child)

    walk(at._tree)
    for df in at.dataframe:
        out += [str(c) for c in df.value.columns]
    return [t for t in out if t and t.strip()]


def data_words(cut, config) -> set[str]:
    """Words of the data's own values and the config's names (they stay as the data gives them)."""
    words: set[str] = set()
    for df in cut.tables.values():
        for col in df.columns:
            if not (pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_datetime64_any_dtype(df[col])):
                for v in df[col].dropna().astype(str).unique()[:5000]:
                    words.update(WORD.findall(v))
        words.update(WORD.findall(" ".join(map(str, df.columns))))
    text = " ".join([config.title, config.short_title, config.id, *config.arms,
                     *(s.name for s in config.sites), *(s.city for s in config.sites),
                     *(d.drug for d in config.regimen), *(d.schedule for d in config.regimen),
                     *config.strata_labels.values(), config.population, config.design_text if hasattr(config, "design_text") else ""])
    words.update(WORD.findall(text))
    words.update(WORD.findall(" ".join(cut.files.values())))
    source = Path(cut.source) if cut.source else None
    if source is not None and source.exists():  # the cuts' own labels (cut.toml), shown in the cut picker
        for meta in source.parent.glob("*/cut.toml"):
            words.update(WORD.findall(meta.read_text(encoding="utf-8")))
    return words


def english_left(texts: Iterable[str], allowed: set[str]) -> list[str]:
    """The texts that still hold an English word (not an abbreviation or a data value)."""
    bad = []
    for t in texts:
        if t in BILINGUAL:
            continue
        s = CODE.sub(" ", t).replace("\\", "")  # markdown escapes (T\-DXd)
        s = re.sub(r"\S+…", " ", s)  # a data value cut short to fit (Eribulin (physi…)
        s = re.sub(r"<[^>]+>", " ", s)  # html tags in figure text

        def kept(w: str) -> bool:
            if w in KEEP or w in allowed:
                return True
            w = w.strip("'’-")
            return w in KEEP or w in allowed or w + "-" in allowed or ("-" in w and all(len(p) < 3 or kept(p) for p in w.split("-")))

        words = [w for w in WORD.findall(s) if not kept(w)]
        if words:
            bad.append(t)
    return sorted(set(bad))
