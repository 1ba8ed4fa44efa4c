"""Declarative validation of a data cut against the data contract (``data/data_dictionary.csv``).

Every finding names the table, the column, the rows (as a spreadsheet shows them: the header is
row 1, the first record row 2) and the subjects concerned, and says what was done:

* a table missing a required column is not loaded (pages that need it say so);
* a value that is not of the declared type, not an allowed value, out of range, or a date after the
  data cut-off: in a **required** column the row is excluded, in an **optional** column the value is
  set to missing;
* duplicate subjects in adsl, end dates before start dates: the rows are excluded;
* rows of other tables whose subject is not in adsl: excluded.

Nothing is ever dropped or changed without a finding saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from components.data.config import DataSettings
from components.data.contract import ColumnRule, required_columns, rules_for
from components.i18n import N_

ERROR, WARNING, INFO = "error", "warning", "info"
SAS_EPOCH = pd.Timestamp("1960-01-01")
MAX_LISTED = 5

DATE_FORMATS = {"ISO": "%Y-%m-%d", "DMY": "%d/%m/%Y", "YMD": "%Y/%m/%d"}
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
#: Dates outside this span are impossible in a clinical data cut (and beyond pandas' range, 1677–2262).
DATE_MIN, DATE_MAX = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")
_PARTIAL = {
    "ISO": re.compile(r"^(\d{4})-(\d{1,2})$"),
    "YMD": re.compile(r"^(\d{4})/(\d{1,2})$"),
    "DMY": re.compile(r"^(\d{1,2})/(\d{4})$"),
}


@dataclass(frozen=True)
class Msg:
    """A text shown in the run's language: an English template (marked with ``N_`` where it is
    written) and its values. ``str(msg)`` is the English text; :meth:`render` with a translating
    function (``components.i18n._``) the text in the run's language. A value may itself be a
    :class:`Msg` (a phrase to translate) or a :class:`Joined` list; other values are shown as they are."""

    template: str
    args: tuple[tuple[str, object], ...] = ()

    def render(self, tr=None) -> str:
        if not self.args:  # a phrase: never formatted (a value written as a phrase may hold braces)
            return tr(self.template) if tr is not None else self.template
        vals = {k: _render_value(v, tr) for k, v in self.args}
        if tr is not None:
            try:
                return tr(self.template).format(**vals)
            except (KeyError, IndexError, ValueError):  # a broken translation: the English text
                pass
        return self.template.format(**vals)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Joined:
    """Texts joined by ``sep`` (each a :class:`Msg` or a plain value)."""

    sep: str
    items: tuple[object, ...] = ()

    def render(self, tr=None) -> str:
        return (tr(self.sep) if tr is not None else self.sep).join(_render_value(v, tr) for v in self.items)

    def __str__(self) -> str:
        return self.render()


def msg(template: str, **args: object) -> Msg:
    """``msg(N_("{n} rows"), n=3)``: a :class:`Msg` (values given as keywords)."""
    return Msg(template, tuple(args.items()))


def _render_value(value: object, tr) -> str:
    if isinstance(value, (Msg, Joined)):
        return value.render(tr)
    return str(value)


def _fmt(tr, template: str, **args: object) -> str:
    """``tr(template).format(**args)``; the English template when the translation does not fit."""
    if tr is not None:
        try:
            return tr(template).format(**args)
        except (KeyError, IndexError, ValueError):
            pass
    return template.format(**args)


@dataclass(frozen=True)
class Finding:
    """One validation finding. ``rows`` are spreadsheet row numbers (header = row 1).

    ``problem`` and ``action`` are English text; either may be given as a :class:`Msg`, which is kept
    (``problem_msg``, ``action_msg``) so that :meth:`text` can show the finding in the run's language
    (the loader's findings are cached per cut, in no language of their own)."""

    table: str
    column: str | None
    severity: str
    problem: str
    rows: tuple[int, ...] = ()
    subjects: tuple[str, ...] = ()
    action: str = ""
    values: tuple[str, ...] = field(default=())
    problem_msg: Msg | None = field(default=None, compare=False, repr=False)
    action_msg: Msg | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("problem", "action"):
            value = getattr(self, name)
            if isinstance(value, Msg):
                object.__setattr__(self, name + "_msg", value)
                object.__setattr__(self, name, str(value))

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def message(self) -> str:
        """The finding in English (the CSV download, logs, tests)."""
        return self._render(None)

    def text(self) -> str:
        """The finding in the run's language (what the screen and the deck CLI show)."""
        from components.i18n import DEFAULT, _, language

        if language() == DEFAULT:
            return self.message
        return self._render(_)

    def _render(self, tr) -> str:
        def part(value: str, kept: Msg | None) -> str:
            if tr is None:
                return value
            return kept.render(tr) if kept is not None else tr(value)

        where = self.table + (f".{self.column}" if self.column else "")
        parts = [_fmt(tr, "{where}: {problem}", where=where, problem=part(self.problem, self.problem_msg))]
        if self.rows:
            listed = ", ".join(str(r) for r in self.rows[:MAX_LISTED])
            if self.n_rows == 1:
                parts.append(_fmt(tr, "in {n} row (row {listed})", n=self.n_rows, listed=listed))
            elif self.n_rows > MAX_LISTED:
                parts.append(_fmt(tr, "in {n} rows (rows {listed} and {more} more)", n=self.n_rows, listed=listed,
                                  more=self.n_rows - MAX_LISTED))
            else:
                parts.append(_fmt(tr, "in {n} rows (rows {listed})", n=self.n_rows, listed=listed))
        if self.values:
            shown = ", ".join(repr(v) for v in self.values[:MAX_LISTED])
            parts.append(_fmt(tr, "values {values}", values=shown))
        if self.subjects:
            subj = ", ".join(self.subjects[:MAX_LISTED])
            if len(self.subjects) > MAX_LISTED:
                parts.append(_fmt(tr, "subjects {subjects} and {more} more", subjects=subj,
                                  more=len(self.subjects) - MAX_LISTED))
            else:
                parts.append(_fmt(tr, "subjects {subjects}", subjects=subj))
        text = (tr("; ") if tr is not None else "; ").join(parts)
        action = part(self.action, self.action_msg) if self.action else ""
        return _fmt(tr, "{text}. {action}", text=text, action=action) if action else _fmt(tr, "{text}.", text=text)


# Marked for extraction: the frame of every finding (rendered by Finding._render).
_FRAME = (N_("{where}: {problem}"), N_("in {n} row (row {listed})"), N_("in {n} rows (rows {listed})"),
          N_("in {n} rows (rows {listed} and {more} more)"), N_("values {values}"), N_("subjects {subjects}"),
          N_("subjects {subjects} and {more} more"), N_("; "), N_("{text}. {action}"), N_("{text}."))


def _rows(mask: pd.Series) -> tuple[int, ...]:
    return tuple(int(i) for i in mask.index[mask.to_numpy(dtype=bool)])


def _subjects(df: pd.DataFrame, mask: pd.Series) -> tuple[str, ...]:
    if "USUBJID" not in df.columns:
        return ()
    vals = df.loc[mask.to_numpy(dtype=bool), "USUBJID"].dropna().astype(str)
    return tuple(dict.fromkeys(vals))


def _values(raw: pd.Series, mask: pd.Series) -> tuple[str, ...]:
    vals = raw[mask.to_numpy(dtype=bool)].astype(str)
    return tuple(dict.fromkeys(vals))


# --------------------------------------------------------------------------- type coercion


def _stripped(raw: pd.Series, upper: bool = False) -> pd.Series:
    """Text cells stripped (and upper-cased); non-text cells NaN. Vectorised with pyarrow when the
    column is all text (or missing), else pandas' string methods."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pc.utf8_trim_whitespace(pa.array(raw.to_numpy(dtype=object), type=pa.string(), from_pandas=True))
        if upper:
            arr = pc.utf8_upper(arr)
        return pd.Series(arr.to_numpy(zero_copy_only=False), index=raw.index, dtype=object)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):
        pass
    try:
        out = raw.str.strip()
        return out.str.upper() if upper else out
    except (AttributeError, UnicodeError):  # an object column without any string
        return pd.Series(np.nan, index=raw.index, dtype=object)


def _missing_mask(raw: pd.Series, settings: DataSettings) -> pd.Series:
    """Missing: NaN/None, or a missing-value token ("", "NA", "ND", "." …) in a text column.

    Only text columns (object or pandas' string dtype) can hold tokens; other cells are never
    converted to text."""
    is_na = raw.isna()
    if raw.dtype != object and not isinstance(raw.dtype, pd.StringDtype):
        return is_na
    tokens = {t.strip().upper() for t in settings.missing_values}
    return is_na | _stripped(raw, upper=True).isin(tokens)


def coerce_text(raw: pd.Series) -> pd.Series:
    """Text, stripped; numbers from typed files become their text (1.0 → "1")."""
    if raw.dtype == object:
        out = _stripped(raw)
        other = out.isna() & raw.notna()
    else:
        out = pd.Series(np.nan, index=raw.index, dtype=object)
        other = raw.notna()
    if other.any():
        def one(v: object) -> str:
            if isinstance(v, float) and v.is_integer():
                return str(int(v))
            if isinstance(v, bytes):
                return v.decode("utf-8", errors="replace").strip()
            return str(v).strip()

        out = out.astype(object)
        out[other] = raw[other].map(one)
    return out.astype(object)


def coerce_number(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers; returns (values as float, mask of values that are not numbers)."""
    text = raw.astype(str).str.strip()
    num = pd.to_numeric(raw.where(~raw.map(lambda v: isinstance(v, str)), text), errors="coerce")
    num = num.astype(float)
    bad = num.isna() | ~np.isfinite(num.fillna(0.0))
    num = num.where(~bad)
    return num, bad


MAX_EXACT_INT = 2**53  # beyond this a float no longer holds every whole number exactly


def coerce_integer(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Whole numbers; returns (values as Int64, mask of values that are not whole numbers, mask of
    whole numbers too large to be plausible or stored exactly)."""
    num, bad = coerce_number(raw)
    frac = num.notna() & (num != np.floor(num.fillna(0.0)))
    huge = num.notna() & ~frac & (num.abs() > MAX_EXACT_INT)
    bad = bad | frac
    out = num.where(~bad & ~huge).round().astype("Int64")
    return out, bad, huge


def coerce_date(
    raw: pd.Series, settings: DataSettings, sas_numeric: bool = False
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Dates in the declared format (ISO 8601 is always accepted: it is unambiguous).

    Returns (dates, bad mask, partial mask). Partial dates (year and month) are imputed only when
    the config says how (``first``: day 1, ``mid``: day 15); otherwise they count as bad.
    Datetime values (Excel, Parquet, XPORT) are kept; numbers from SAS XPORT are SAS dates
    (days since 1960-01-01).
    """
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(raw):  # typed files: already dates
        out = pd.to_datetime(raw)
        if getattr(raw.dt, "tz", None) is not None:  # the date in the study's time zone, else its own wall clock
            out = _local_dates(out, settings.timezone)
        out = _plausible(out.dt.normalize())
        return out, out.isna(), pd.Series(False, index=raw.index)
    all_text = pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty")
    if pd.api.types.is_numeric_dtype(raw):
        is_dt = pd.Series(False, index=raw.index)
        is_num = raw.notna()
    elif all_text:
        is_dt = is_num = pd.Series(False, index=raw.index)
    else:
        kinds = raw.map(type)
        is_dt = kinds.map(lambda k: issubclass(k, (datetime, pd.Timestamp, np.datetime64)))
        is_num = kinds.map(lambda k: issubclass(k, (int, float, np.integer, np.floating)) and k is not bool)
        is_num &= ~is_dt & raw.notna()
    if is_dt.any():  # datetime objects: out of range (year 2999, 0001) is an impossible date, not a crash
        out[is_dt] = _plausible(_to_datetime_safe(raw[is_dt]))
    if sas_numeric and is_num.any():
        days = pd.to_numeric(raw[is_num], errors="coerce")
        span = (DATE_MAX - SAS_EPOCH).days
        days = days.where(days.abs() <= span)
        out[is_num] = SAS_EPOCH + pd.to_timedelta(days.round(), unit="D")
    text_mask = ~is_dt & ~(is_num & sas_numeric)
    text = _stripped(raw[text_mask]) if all_text else raw[text_mask].astype(str).str.strip()
    fmt = DATE_FORMATS.get(settings.date_format.upper(), DATE_FORMATS["ISO"])
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    partial = pd.Series(False, index=raw.index)
    fail = parsed.isna() & text.notna()
    if fail.any():  # the slower paths only for what the declared format did not parse
        t = text[fail]
        iso_dt = t.str.extract(_ISO_DATETIME)[0]
        t = iso_dt.fillna(t)
        again = pd.to_datetime(t, format=fmt, errors="coerce")
        if fmt != DATE_FORMATS["ISO"]:
            again = again.fillna(pd.to_datetime(t, format=DATE_FORMATS["ISO"], errors="coerce"))
        # SAS DATE9 text (01JUL2025, as PROC EXPORT writes it): unambiguous, always accepted
        again = again.fillna(pd.to_datetime(t, format="%d%b%Y", errors="coerce"))
        parsed[fail] = again
        pattern = _PARTIAL.get(settings.date_format.upper(), _PARTIAL["ISO"])
        m = t.str.extract(pattern)
        is_partial = m[0].notna() & again.isna()
        if settings.date_format.upper() != "ISO":
            iso_m = t.str.extract(_PARTIAL["ISO"])
            iso_partial = iso_m[0].notna() & again.isna() & ~is_partial
            m.loc[iso_partial, [0, 1]] = iso_m.loc[iso_partial, [0, 1]].to_numpy()
            is_partial = is_partial | iso_partial
        if is_partial.any():
            partial[is_partial[is_partial].index] = True
            day = {"first": 1, "mid": 15}.get(settings.partial_date_imputation)
            if day is not None:
                if settings.date_format.upper() == "DMY":
                    month, year = m.loc[is_partial, 0], m.loc[is_partial, 1]
                else:
                    year, month = m.loc[is_partial, 0], m.loc[is_partial, 1]
                imputed = pd.to_datetime(
                    {"year": year.astype(int), "month": month.astype(int), "day": day},
                    errors="coerce",
                )
                parsed[is_partial[is_partial].index] = imputed.to_numpy()
    out[text_mask] = parsed
    out = _plausible(out)
    bad = out.isna()
    return out, bad, partial


def _local_dates(values: pd.Series, timezone: str) -> pd.Series:
    """Time-zone-aware timestamps as naive wall-clock times in ``timezone`` (their own zone when "" or
    unknown): 2026-01-04T16:00Z is 2026-01-05 in Asia/Shanghai, not 2026-01-04."""
    if timezone:
        try:
            values = values.dt.tz_convert(timezone)
        except Exception:  # an unknown zone name: the stored wall clock
            pass
    return values.dt.tz_localize(None)


def _to_datetime_safe(values: pd.Series) -> pd.Series:
    """Datetime objects as datetime64[ns]; those pandas cannot hold (before 1677, after 2262) NaT."""
    def one(v: object) -> pd.Timestamp:
        try:
            return pd.Timestamp(v)
        except (ValueError, OverflowError, TypeError):
            return pd.NaT

    return pd.to_datetime(values.map(one), errors="coerce").dt.normalize()


def _plausible(dates: pd.Series) -> pd.Series:
    """Dates outside 1900–2100 set to NaT (so reported as bad)."""
    return dates.where((dates >= DATE_MIN) & (dates <= DATE_MAX)).astype("datetime64[ns]")


# --------------------------------------------------------------------------- per-table checks


def _rule_mask(df: pd.DataFrame, rule: ColumnRule) -> pd.Series:
    if rule.condition is None:
        return pd.Series(True, index=df.index)
    col, values = rule.condition
    if col not in df.columns:
        return pd.Series(False, index=df.index)
    upper = {v.upper() for v in values}
    return df[col].astype(str).str.strip().str.upper().isin(upper)


def _repeated_columns(table: str, df: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """A column given more than once (names compared after cleaning, so AGE and age repeat): identical
    copies are merged into one, with a note; where copies differ the value is unknown and set to
    missing (a required column then excludes those rows), with an error naming the rows."""
    findings: list[Finding] = []
    names = pd.Index(df.columns)
    if not names.duplicated().any():
        return df, findings
    keep = []
    for name in dict.fromkeys(names):
        idx = [i for i, c in enumerate(names) if c == name]
        if len(idx) == 1:
            keep.append(idx[0])
            continue
        cols = [df.iloc[:, i].astype(str) for i in idx]
        if all(c.equals(cols[0]) for c in cols[1:]):
            keep.append(idx[0])
            findings.append(Finding(table, name, WARNING, msg(N_("column given {n} times, with the same values"), n=len(idx)),
                                    action=N_("One copy is used.")))
        else:
            differ = pd.Series(False, index=df.index)
            for c in cols[1:]:
                differ |= c.ne(cols[0]).to_numpy()
            keep.append(idx[0])
            df.isetitem(idx[0], df.iloc[:, idx[0]].where(~differ.to_numpy(), np.nan))
            findings.append(Finding(table, name, ERROR, msg(N_("column given {n} times, with different values"), n=len(idx)),
                                    _rows(differ), _subjects(df, differ),
                                    action=N_("Where the copies differ the value is unknown and taken as missing.")))
    return df.iloc[:, keep], findings


def coerce_table(
    table: str, raw: pd.DataFrame, settings: DataSettings, sas_numeric_dates: bool = False
) -> tuple[pd.DataFrame | None, list[Finding]]:
    """Apply the contract's column rules to one raw table.

    Returns the typed table (rows failing a required column removed) or None when a required
    column is missing, and the findings.
    """
    findings: list[Finding] = []
    df = raw.copy()
    df.index = pd.RangeIndex(2, len(df) + 2)
    for i, dtype in enumerate(df.dtypes):  # dictionary-encoded (R factor, pandas category): values, text or dates
        if isinstance(dtype, pd.CategoricalDtype):  # (by position: a repeated column name is reported below)
            col = df.iloc[:, i]
            df.isetitem(i, col.astype(object).where(col.notna(), None))
        elif pd.api.types.is_object_dtype(dtype):  # nested values (Parquet lists and structs) are no table cell: missing, said
            col = df.iloc[:, i]
            nested = col.map(lambda v: isinstance(v, (list, tuple, dict, set, np.ndarray)))
            if nested.any():
                findings.append(Finding(table, str(df.columns[i]), WARNING,
                                        N_("nested values (lists or records), not one value per cell"),
                                        _rows(nested), action=N_("The values are set to missing.")))
                df.isetitem(i, col.where(~nested, None))
    df, f = _repeated_columns(table, df)
    findings += f
    if df.empty and len(df.columns):
        findings.append(Finding(table, None, WARNING, N_("the table has a header but no rows"),
                                action=N_("Nothing of it can be shown.")))
    missing = [c for c in required_columns(table) if c not in df.columns]
    for c in list(missing):
        # a column required only on some rows (ADRS ADT: for OVR and NEWLIND) is not needed by a table
        # without such rows (a sponsor's ADRS of BOR rows alone): added empty, and said
        conditional = [r for r in rules_for(table) if r.column == c and r.required and r.condition is not None]
        unconditional = [r for r in rules_for(table) if r.column == c and r.required and r.condition is None]
        if conditional and not unconditional and not any(_rule_mask(df, r).any() for r in conditional):
            df[c] = None
            missing.remove(c)
            col, values = conditional[0].condition
            findings.append(Finding(table, c, INFO, msg(N_("absent; needed only on rows with {column} in {values}, and "
                                                         "the table has none"), column=col, values=", ".join(values)),
                                    action=N_("The table is loaded without it.")))
    if missing:
        findings.append(
            Finding(
                table,
                ", ".join(missing),
                ERROR,
                N_("required columns missing") if len(missing) > 1 else N_("required column missing"),
                action=N_("The table is not loaded; what needs it is switched off."),
            )
        )
        return None, findings

    # Entirely blank rows (e.g. trailing rows of a spreadsheet) are dropped, with a note.
    missing = {c: _missing_mask(df[c], settings) for c in df.columns}
    blank = pd.Series(True, index=df.index)
    for c in df.columns:
        blank &= missing[c]
    if blank.any() and len(df.columns):
        findings.append(
            Finding(table, None, INFO, N_("empty rows"), _rows(blank), action=N_("They are skipped."))
        )
        df = df[~blank]
        missing = {c: m[~blank] for c, m in missing.items()}

    drop = pd.Series(False, index=df.index)
    raw_snapshot = df.copy()
    rules = rules_for(table)
    for column in dict.fromkeys(r.column for r in rules):
        if column not in df.columns:
            continue
        col_rules = [r for r in rules if r.column == column]
        kind, required = col_rules[0].type, any(r.value_required for r in col_rules)
        raw_col = df[column]
        is_missing = missing[column]
        bad = pd.Series(False, index=df.index)
        if kind == "text" or kind == "flag":
            values = coerce_text(raw_col).where(~is_missing, np.nan)
        elif kind == "number":
            values, bad = coerce_number(raw_col)
        elif kind == "integer":
            values, bad, huge = coerce_integer(raw_col)
            if huge.any():
                _apply_invalid(findings, df, table, column, huge, required, drop, values, raw_col,
                               N_("impossible value (too large)"))
        else:
            values, bad, partial = coerce_date(raw_col, settings, sas_numeric_dates)
            partial &= ~is_missing
            if partial.any():
                rule_day = {"first": "1", "mid": "15"}.get(settings.partial_date_imputation)
                if rule_day:
                    action = msg(N_("Imputed to day {day} of the month, as the study config says."), day=rule_day)
                elif required:
                    action = N_("Not imputed (the study config sets no rule): these rows are excluded.")
                else:
                    action = N_("Not imputed (the study config sets no rule): the values are set to missing.")
                findings.append(
                    Finding(table, column, WARNING if (rule_day or not required) else ERROR,
                            N_("partial date (year and month only)"), _rows(partial),
                            _subjects(df, partial), action=action,
                            values=_values(raw_col, partial))
                )
                bad = bad & ~partial
                if not rule_day:
                    _apply_invalid(findings, df, table, column, partial, required, drop,
                                   values, raw_col, None)
                    values = values.where(~partial)
        bad = bad & ~is_missing
        if kind in ("number", "integer", "date"):
            values = values.where(~is_missing)
        type_word = {"number": N_("not a number"), "integer": N_("not a whole number"),
                     "date": msg(N_("not a date in the declared format ({format}), or outside 1900–2100"),
                                 format=settings.date_format)}
        if bad.any():
            _apply_invalid(findings, df, table, column, bad, required, drop, values, raw_col,
                           type_word.get(kind, N_("invalid value")))
            values = values.where(~bad)

        for rule in col_rules:
            applies = _rule_mask(raw_snapshot, rule) & values.notna()
            if rule.allowed:
                canon = {a.upper(): a for a in rule.allowed}
                upper = values.astype(str).str.strip().str.upper()
                if kind in ("integer", "number"):
                    upper = values.astype("Float64").astype(str).str.replace(r"\.0$", "", regex=True)
                ok = upper.isin(canon)
                not_allowed = applies & ~ok
                if kind in ("text", "flag"):
                    values = values.where(~(applies & ok), upper.map(canon))
                if not_allowed.any():
                    _apply_invalid(
                        findings, df, table, column, not_allowed, required, drop, values, raw_col,
                        msg(N_("not an allowed value (allowed: {allowed})"), allowed=", ".join(rule.allowed)),
                    )
                    values = values.where(~not_allowed)
            if rule.min is not None or rule.max is not None:
                num = pd.to_numeric(values, errors="coerce")
                out = pd.Series(False, index=df.index)
                if rule.min is not None:
                    out |= applies & (num < rule.min)
                if rule.max is not None:
                    out |= applies & (num > rule.max)
                if out.any():
                    lo = "−∞" if rule.min is None else f"{rule.min:g}"
                    hi = "∞" if rule.max is None else f"{rule.max:g}"
                    _apply_invalid(findings, df, table, column, out, required, drop, values,
                                   raw_col, msg(N_("impossible value (allowed range {lo} to {hi})"), lo=lo, hi=hi))
                    values = values.where(~out)
        if required:
            # a required rule with a condition requires the value only on the rows it applies to
            needed = pd.Series(False, index=df.index)
            for rule in col_rules:
                if rule.value_required:
                    needed |= _rule_mask(raw_snapshot, rule)
            absent = values.isna() & ~drop & is_missing & needed
            if absent.any():
                findings.append(
                    Finding(table, column, ERROR, N_("required value missing"), _rows(absent),
                            _subjects(df, absent), action=N_("These rows are excluded."))
                )
                drop |= absent
        elif any(r.required for r in col_rules):  # the column is required, a value in every row is not
            absent = values.isna() & is_missing
            if absent.any():
                findings.append(
                    Finding(table, column, WARNING, N_("value missing"), _rows(absent), _subjects(df, absent),
                            action=N_("The rows are kept with the value missing (counted where it is not needed, and "
                                      "shown as missing where it is)."))
                )
        df[column] = values
    return df[~drop], findings


def _apply_invalid(
    findings: list[Finding],
    df: pd.DataFrame,
    table: str,
    column: str,
    mask: pd.Series,
    required: bool,
    drop: pd.Series,
    values: pd.Series,
    raw_col: pd.Series,
    problem: str | Msg | None,
) -> None:
    """Record invalid values: exclude the rows (required column) or blank the values."""
    if problem is not None:
        findings.append(
            Finding(
                table, column, ERROR if required else WARNING, problem, _rows(mask),
                _subjects(df, mask),
                action=N_("These rows are excluded.") if required else N_("The values are set to missing."),
                values=_values(raw_col, mask),
            )
        )
    if required:
        drop |= mask


# --------------------------------------------------------------------------- cross-table checks


def check_adsl(adsl: pd.DataFrame, fallback_cutoff: pd.Timestamp | None = None
               ) -> tuple[pd.DataFrame, list[Finding], pd.Timestamp | None]:
    """Subject-level integrity: unique USUBJID, one cut-off date, consistent treatment dates.
    Without DCUTDT the cut-off is ``fallback_cutoff`` (see :func:`harmonise.cutoff_fallback`)."""
    findings: list[Finding] = []
    folded = adsl["USUBJID"].astype(str).str.strip().str.upper()
    case_dup = folded.duplicated(keep=False) & ~adsl["USUBJID"].duplicated(keep=False)
    if case_dup.any():
        findings.append(
            Finding("adsl", "USUBJID", ERROR, N_("subject identifiers that differ only in upper/lower case"),
                    _rows(case_dup), _subjects(adsl, case_dup),
                    action=N_("These subjects are excluded (one person entered twice, or two people: unknown)."))
        )
        adsl = adsl[~case_dup]
    dup = adsl["USUBJID"].duplicated(keep=False)
    if dup.any():
        findings.append(
            Finding("adsl", "USUBJID", ERROR, N_("duplicate subject"), _rows(dup), _subjects(adsl, dup),
                    action=N_("All rows of these subjects are excluded (which one is right is unknown)."))
        )
        adsl = adsl[~dup]
    cutoff = None
    if "DCUTDT" not in adsl.columns:
        adsl = adsl.assign(DCUTDT=fallback_cutoff)
        cutoff = fallback_cutoff
    elif len(adsl):
        counts = adsl["DCUTDT"].value_counts()
        cutoff = counts.index[0] if len(counts) else None
        if len(counts) > 1:
            other = adsl["DCUTDT"] != cutoff
            findings.append(
                Finding("adsl", "DCUTDT", WARNING,
                        msg(N_("more than one data cut-off date; {date} (the most common) is used"), date=f"{cutoff:%Y-%m-%d}"),
                        _rows(other), _subjects(adsl, other))
            )
    if "TRTEDT" in adsl.columns and "TRTSDT" in adsl.columns:
        bad = adsl["TRTEDT"].notna() & adsl["TRTSDT"].notna() & (adsl["TRTEDT"] < adsl["TRTSDT"])
        if bad.any():
            findings.append(
                Finding("adsl", "TRTEDT", ERROR, N_("last dose (TRTEDT) before first dose (TRTSDT)"),
                        _rows(bad), _subjects(adsl, bad), action=N_("These subjects are excluded."))
            )
            adsl = adsl[~bad]
    for earlier, what in (("RFICDT", N_("death (DTHDT) before informed consent (RFICDT)")),
                          ("TRTSDT", N_("death (DTHDT) before the first dose (TRTSDT)"))):
        if "DTHDT" in adsl.columns and earlier in adsl.columns:
            bad = adsl["DTHDT"].notna() & adsl[earlier].notna() & (adsl["DTHDT"] < adsl[earlier])
            if bad.any():  # impossible: said, and kept (dropping the death would make a wrong zero)
                findings.append(
                    Finding("adsl", "DTHDT", ERROR, what, _rows(bad), _subjects(adsl, bad),
                            action=N_("Kept as given: the death counts, but its time from that date is negative; "
                                      "check the dates."), values=tuple(adsl.loc[bad, "DTHDT"].dt.strftime("%Y-%m-%d")))
                )
    if "TRTSDT" in adsl.columns and "SAFFL" in adsl.columns:
        untreated_saf = (adsl["SAFFL"] == "Y") & adsl["TRTSDT"].isna()
        if untreated_saf.any():
            findings.append(
                Finding("adsl", "SAFFL", WARNING,
                        N_("in the safety population (SAFFL = Y) without a first-dose date (TRTSDT)"),
                        _rows(untreated_saf), _subjects(adsl, untreated_saf))
            )
    return adsl, findings, cutoff


def check_after_cutoff(
    table: str, df: pd.DataFrame, cutoff: pd.Timestamp | None
) -> tuple[pd.DataFrame, list[Finding]]:
    """Dates after the data cut-off: required → row excluded; optional → value set to missing."""
    if cutoff is None:
        return df, []
    findings: list[Finding] = []
    rules = {r.column: r for r in rules_for(table) if r.type == "date"}
    drop = pd.Series(False, index=df.index)
    for column, rule in rules.items():
        if column not in df.columns or column == "DCUTDT":
            continue
        late = df[column].notna() & (df[column] > cutoff)
        if not late.any():
            continue
        # an ADTTE row whose event or censoring date is after the cut-off counts time not yet lived: the row
        # goes, even though ADT itself is optional (AVAL and CNSR are the analysis)
        required = rule.value_required or (table, column) == ("adtte", "ADT")
        findings.append(
            Finding(
                table, column, ERROR if required else WARNING,
                msg(N_("date after the data cut-off ({date})"), date=f"{cutoff:%Y-%m-%d}"), _rows(late), _subjects(df, late),
                action=N_("These rows are excluded.") if required
                else N_("The dates are set to missing (not yet happened at the cut)."),
                values=tuple(dict.fromkeys(df.loc[late, column].dt.strftime("%Y-%m-%d"))),
            )
        )
        if required:
            drop |= late
        else:
            df[column] = df[column].where(~late)
    return df[~drop], findings


def check_date_order(table: str, df: pd.DataFrame, start: str, end: str) -> tuple[pd.DataFrame, list[Finding]]:
    if start not in df.columns or end not in df.columns:
        return df, []
    bad = df[start].notna() & df[end].notna() & (df[end] < df[start])
    if not bad.any():
        return df, []
    return df[~bad], [
        Finding(table, end, ERROR, msg(N_("{end} before {start}"), end=end, start=start), _rows(bad), _subjects(df, bad),
                action=N_("These rows are excluded."))
    ]


def check_subjects(table: str, df: pd.DataFrame, subjects: set[str], excluded: set[str]
                   ) -> tuple[pd.DataFrame, list[Finding]]:
    """Rows whose USUBJID is not a valid adsl subject are excluded."""
    if "USUBJID" not in df.columns:
        return df, []
    findings = []
    in_excluded = df["USUBJID"].isin(excluded)
    unknown = ~df["USUBJID"].isin(subjects) & ~in_excluded & df["USUBJID"].notna()
    if unknown.any():
        findings.append(
            Finding(table, "USUBJID", ERROR, N_("subject not in adsl"), _rows(unknown),
                    _subjects(df, unknown), action=N_("These rows are excluded."))
        )
    if in_excluded.any():
        findings.append(
            Finding(table, "USUBJID", WARNING, N_("subject excluded from adsl (see the adsl findings)"),
                    _rows(in_excluded), _subjects(df, in_excluded), action=N_("These rows are excluded."))
        )
    return df[~(unknown | in_excluded)], findings


def check_unique(table: str, df: pd.DataFrame, keys: list[str], what: str) -> tuple[pd.DataFrame, list[Finding]]:
    if not all(k in df.columns for k in keys):
        return df, []
    dup = df.duplicated(subset=keys, keep=False)
    if not dup.any():
        return df, []
    return df[~dup], [
        Finding(table, ", ".join(keys), ERROR, msg(N_("more than one row per {what}"), what=msg(what)), _rows(dup),
                _subjects(df, dup), action=N_("All these rows are excluded (which one is right is unknown)."))
    ]


#: Columns a BDS table shares with ADSL that are its own, not copies.
_OWN_KEYS = {"USUBJID", "STUDYID", "SUBJID"}


def _day(d: pd.Series) -> pd.Series:
    """Dates of a datetime series, time zone dropped (a Parquet copy may be in UTC, ADSL naive)."""
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_convert(None)
    return d.dt.normalize()


def drop_adsl_copies(table: str, df: pd.DataFrame, adsl: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """ADSL variables copied into a BDS table (admiral's output carries TRTSDT, TRTEDT, AGE … in ADRS and
    ADTR): ADSL's are used, so every merge with ADSL sees one column (a second TRTSDT broke the
    response derivation); where a copy disagrees with ADSL, a finding names the rows."""
    own = {r.column for r in rules_for(table)} | _OWN_KEYS
    copies = [c for c in df.columns if c in adsl.columns and c not in own]
    if not copies:
        return df, []
    findings = [Finding(table, ", ".join(copies), INFO, N_("ADSL variables copied into this table"),
                        action=N_("ADSL's values are used."))]
    ref = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    for c in copies:
        a = df["USUBJID"].map(ref[c])
        b = df[c]
        blank = b.isna() | b.astype(str).str.strip().isin(["", "nan", "NaT", "None"])
        if pd.api.types.is_datetime64_any_dtype(a):  # the same day is the same value (a copy may keep its time)
            same = _day(pd.to_datetime(b, errors="coerce")) == _day(a)
        elif pd.api.types.is_numeric_dtype(a):
            same = (pd.to_numeric(b, errors="coerce") - a).abs() < 1e-9
        else:
            same = a.astype(str).str.strip() == b.astype(str).str.strip()
        differ = ~same & ~(blank & a.isna())
        if differ.any():
            findings.append(Finding(table, c, WARNING, N_("differs from ADSL"), _rows(differ), _subjects(df, differ),
                                    action=N_("ADSL's value is used.")))
    return df.drop(columns=copies), findings


#: Days per unit a sponsor's AVAL may be in without saying so (no AVALU): weeks, months, years.
_UNIT_FACTORS = ((N_("weeks"), "WEEKS"), (N_("months"), "MONTHS"), (N_("years"), "YEARS"))  # harmonise.UNIT_DAYS


def infer_aval_unit(df: pd.DataFrame, raw_columns: set[str] | None = None) -> tuple[pd.DataFrame, list[Finding]]:
    """ADTTE's AVAL without AVALU is read as days, unless its own dates say otherwise: when ADT − STARTDT
    is 7, 30.4375 or 365.25 × AVAL (within 2%) in at least 90% of the rows that have both dates and
    AVAL > 1, AVAL is in weeks, months or years, and is converted to days — a median in months read as
    days is 30 times too small (found on a public ADTTE in months without AVALU)."""
    if "AVALU" in (raw_columns or set(df.columns)) or not {"ADT", "STARTDT", "AVAL"} <= set(df.columns):
        return df, []
    span = (df["ADT"] - df["STARTDT"]).dt.days
    aval = pd.to_numeric(df["AVAL"], errors="coerce")
    ok = span.notna() & aval.notna() & (aval > 1) & (span > 0)
    if ok.sum() < 5:
        return df, []
    days_like = ((aval[ok] - span[ok]).abs() <= 1.01).mean()
    if days_like >= 0.5:
        return df, []
    from components.data import harmonise  # (harmonise imports this module)

    ratio = span[ok] / aval[ok]
    for unit, key in _UNIT_FACTORS:
        factor = harmonise.UNIT_DAYS[key]
        close = (ratio / factor - 1).abs() <= 0.02
        if close.mean() >= 0.9:
            df = df.assign(AVAL=aval * factor)
            return df, [Finding("adtte", "AVAL", WARNING,
                                msg(N_("in {unit}, not days: ADT − STARTDT is {factor} × AVAL in {n} of {total} rows "
                                       "(AVALU absent)"), unit=msg(unit), factor=f"{factor:g}", n=int(close.sum()),
                                    total=int(ok.sum())),
                                action=msg(N_("AVAL is converted to days (× {factor}). Add AVALU to ADTTE to say "
                                              "the unit."), factor=f"{factor:g}"))]
    return df, []


def check_adtte_days(df: pd.DataFrame) -> list[Finding]:
    """AVAL should equal ADT − STARTDT + 1 days (ADaM), or ADT − STARTDT by some conventions."""
    if "ADT" not in df or "STARTDT" not in df:
        return []
    diff = (df["ADT"] - df["STARTDT"]).dt.days
    off = df["AVAL"].notna() & diff.notna() & ~((df["AVAL"] - diff).round(6).isin([0, 1]))
    if not off.any():
        return []
    return [
        Finding("adtte", "AVAL", WARNING,
                N_("AVAL does not equal ADT − STARTDT (+1) days"), _rows(off), _subjects(df, off),
                action=N_("Values are used as given; check the derivation."))
    ]


# Direct identifiers do not belong in a dashboard: columns that look like them are not loaded.
_ID_NAME_PATTERNS = [
    (re.compile(r"^(PAT(IENT)?_?|PT_?|SUBJ(ECT)?_?)?(FULL|FIRST|LAST|GIVEN|FAMILY|SUR|MIDDLE)?_?NAME(_?(CN|EN|ZH))?$"
                r"|^INITIALS?$|姓名|名字"), N_("a person's name")),
    (re.compile(r"BIRTH|^(PT_?|PAT_?)?DOB$|^BRTHDTC?$|出生|生日"), N_("a birth date")),
    (re.compile(r"PHONE|^TEL|TELEPHONE|MOBILE|^CELL(_?(NO|NUM))?$|手机|电话|联系方式"), N_("a phone number")),
    (re.compile(r"WECHAT|WEIXIN|^QQ(_?NO)?$|微信"), N_("a messaging account")),
    (re.compile(r"ID_?CARD|IDCARD|NATIONAL_?ID|RESIDENT_?ID|CITIZEN_?ID|SSN|PASSPORT|^MRN$|MEDICAL_?RECORD|"
                r"HOSP(ITAL)?_?(NO|NUM|NUMBER|ID)$|IN_?PATIENT_?(NO|NUM|ID)|OUT_?PATIENT_?(NO|NUM|ID)|"
                r"CASE_?(NO|NUM)$|身份证|病历|住院号|门诊号"), N_("an ID-card or record number")),
    (re.compile(r"E_?MAIL|邮箱"), N_("an e-mail address")),
    (re.compile(r"ADDRESS|^ADDR|住址|地址"), N_("an address")),
]
_ID_VALUE_PATTERNS = [
    (re.compile(r"^\d{17}[\dXx]$|^\d{15}$"), N_("Chinese resident ID numbers")),
    (re.compile(r"^(\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}$"), N_("mobile phone numbers")),
    (re.compile(r"^(\+?86[- ]?)?0\d{2,3}[- ]?\d{7,8}$"), N_("landline phone numbers")),
    (re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"), N_("e-mail addresses")),
]


def check_identifiers(table: str, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """Columns whose name, or most of whose values, look like direct identifiers (names, birth dates,
    phone, messaging, ID-card or record numbers, e-mail, address) are removed, with a warning that
    lists them. Columns are taken by position, so repeated names cannot break the check."""
    drop, findings = [], []
    for i, col in enumerate(raw.columns):
        name = str(col).upper()
        why = next((w for pat, w in _ID_NAME_PATTERNS if pat.search(name)), None)
        series = raw.iloc[:, i]
        if why is None and series.dtype == object:
            vals = series.dropna().head(400).astype(str).str.strip()
            vals = vals[vals != ""].head(200)
            if len(vals):
                why = next((w for pat, w in _ID_VALUE_PATTERNS if vals.str.match(pat).mean() >= 0.5), None)
        if why:
            drop.append(i)
            findings.append(Finding(table, str(col), WARNING,
                                    msg(N_("looks like a direct identifier ({why})"), why=msg(why)),
                                    action=N_("The column is not loaded and never displayed; remove it from the "
                                              "export.")))
    keep = [i for i in range(raw.shape[1]) if i not in drop]
    return raw.iloc[:, keep], findings


ORDER_RULES = {
    "adae": ("ASTDT", "AENDT"),
    "adex": ("ASTDT", "AENDT"),
    "adtte": ("STARTDT", "ADT"),
}
UNIQUE_RULES = {
    "adtte": (["USUBJID", "PARAMCD"], N_("subject and parameter")),
    "adrs": (["USUBJID", "PARAMCD", "ADT"], N_("subject, parameter and date")),
    "screening": (["SCRNID"], N_("screening number")),
}


def validate_tables(
    raw_tables: dict[str, pd.DataFrame],
    settings: DataSettings,
    sas_numeric: dict[str, bool] | None = None,
    cutoff_hint: str | None = None,
) -> tuple[dict[str, pd.DataFrame], list[Finding], pd.Timestamp | None]:
    """Validate raw tables against the contract; returns valid tables, findings and the cut-off.

    Variant codings are mapped first and absent non-standard ADSL columns derived after the checks
    (:mod:`components.data.harmonise`); ``cutoff_hint`` is the cut's own date (folder name or
    ``cut.toml``), the cut-off when ADSL has no DCUTDT."""
    from components.data import harmonise

    sas_numeric = sas_numeric or {}
    findings: list[Finding] = []
    typed: dict[str, pd.DataFrame] = {}
    raw_adsl_columns: set[str] = set()
    for name, raw in raw_tables.items():
        raw, f = check_identifiers(name, raw)
        findings += f
        raw, f = harmonise.harmonise_raw(name, raw, settings.codings)
        findings += f
        if name == "adsl":
            raw_adsl_columns = set(raw.columns)
        df, f = coerce_table(name, raw, settings, sas_numeric.get(name, False))
        findings += f
        if df is not None:
            typed[name] = df

    cutoff = None
    subjects: set[str] = set()
    excluded: set[str] = set()
    if "adsl" in typed:
        before = set(typed["adsl"]["USUBJID"].dropna())
        all_ids = set(raw_tables["adsl"]["USUBJID"].astype(str).str.strip()) if "USUBJID" in raw_tables["adsl"].columns else set()
        fallback = None
        if "DCUTDT" not in typed["adsl"].columns:
            fallback, f = harmonise.cutoff_fallback(typed, cutoff_hint)
            findings += f
        adsl, f, cutoff = check_adsl(typed["adsl"], fallback)
        findings += f
        adsl, f = check_after_cutoff("adsl", adsl, cutoff)
        findings += f
        typed["adsl"] = adsl
        subjects = set(adsl["USUBJID"])
        excluded = (before | all_ids) - subjects

    for name in list(typed):
        if name == "adsl":
            continue
        df = typed[name]
        if name != "screening":
            if "adsl" in typed:
                df, f = check_subjects(name, df, subjects, excluded)
                findings += f
                df, f = drop_adsl_copies(name, df, typed["adsl"])
                findings += f
        elif "USUBJID" in df.columns and "adsl" in typed:
            unknown = df["USUBJID"].notna() & ~df["USUBJID"].isin(subjects | excluded)
            if unknown.any():
                findings.append(
                    Finding(name, "USUBJID", WARNING, N_("enrolled subject not in adsl"), _rows(unknown),
                            _subjects(df, unknown))
                )
        df, f = check_after_cutoff(name, df, cutoff)
        findings += f
        if name in ORDER_RULES:
            df, f = check_date_order(name, df, *ORDER_RULES[name])
            findings += f
        if name in UNIQUE_RULES:
            df, f = check_unique(name, df, *UNIQUE_RULES[name])
            findings += f
        if name == "adtte":
            df, f = infer_aval_unit(df, raw_columns=set(raw_tables[name].columns))
            findings += f
            findings += check_adtte_days(df)
        typed[name] = df

    if "adsl" in typed:
        typed, f = harmonise.derive_subject_level(typed, raw_adsl_columns)
        findings += f
    typed, f = harmonise.fill_absent(typed)
    findings += f
    return {k: v.reset_index(drop=True) for k, v in typed.items()}, findings, cutoff
