"""read_session: a session file (CSV or Parquet) plus its sidecar -> Session in canonical units.

Parsing is done in one go by pandas (C engine); only when something is wrong do we go back to the
raw text to name the line and column of the first bad cell.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from gait.consts import ACC_COLS, GRAVITY_MS2, GYR_COLS, PLACEMENTS, SESSION_COLS, T_COL
from gait.errors import SessionFormatError
from gait.io._names import (
    CANONICAL_UNITS,
    TIME_NAMES,
    UNIT_FACTORS,
    HeaderCell,
    parse_header_cell,
    parse_unit,
    quantity_of,
    unit_choices,
)
from gait.io._sidecar import Sidecar, read_sidecar, sidecar_path
from gait.types import SampleBlock, Session, SessionMeta

#: An interval longer than this many nominal periods is a gap.
GAP_FACTOR = 1.5
#: Sidecar rate and median-interval rate may differ by at most this fraction.
RATE_TOLERANCE = 0.05
#: Longest gap between two samples (s): a longer jump is a corrupt time, not a gap.
MAX_GAP_S = 7 * 86400.0
#: Largest plausible |value| of one axis: about 1000 g (the widest IMUs reach 400 g) and
#: 100 000 deg/s (the widest gyroscopes reach 4000 deg/s).
MAX_ABS_ACC_MS2 = 1e4
MAX_ABS_GYR_DPS = 1e5
#: Median |acc| ranges that identify the accelerometer unit without doubt (gravity dominates).
ACC_MEDIAN_RANGES = {"g": (0.7, 1.4), "mg": (700.0, 1400.0), "m/s2": (6.9, 13.7)}
#: A 99th percentile of |gyr| above this cannot be rad/s (70 rad/s is about 4000 deg/s).
GYR_DEG_S_MIN_P99 = 70.0
#: A leg that moves this much (99th percentile of ||acc| - g|, m/s²) also turns: walking shanks
#: reach 300-500 deg/s in swing, so a 99th percentile of |gyr| below GYR_RAD_S_MAX_P99 is rad/s.
MOVING_ACC_DEV_MS2 = 4.0
GYR_RAD_S_MAX_P99 = 15.0
#: Median sampling intervals (in seconds, ms, us) that are plausible for an IMU (20 Hz - 5 kHz).
_PLAUSIBLE_RATE_HZ = (20.0, 5000.0)
#: Outside this a rate is surely a unit mistake in the time column.
_POSSIBLE_RATE_HZ = (2.0, 50000.0)

PARQUET_SUFFIXES = (".parquet", ".pq")
#: Parquet support is an optional part of the install.
PARQUET_NEEDS_PYARROW = (
    "Parquet needs pyarrow, an optional part of gait: pip install 'gait[parquet]' "
    "(or save the session as CSV)"
)
_QUANTITY_WORDS = {"time": "time", "acc": "acceleration", "gyr": "angular rate"}
_UNIT_ARG = {"time": "time_unit", "acc": "acc_unit", "gyr": "gyr_unit"}
_UNIT_WORDS = {
    "s": "s",
    "ms": "ms",
    "us": "µs",
    "ns": "ns",
    "m/s2": "m/s²",
    "g": "g",
    "mg": "mg",
    "deg/s": "deg/s",
    "rad/s": "rad/s",
}


@dataclass
class _Table:
    """Raw columns of a session file, before units: canonical name -> float64 array."""

    columns: dict[str, np.ndarray]
    cells: dict[str, HeaderCell]  # canonical name -> the header cell it came from
    extra: list[str]
    locate: Callable[[int], tuple[int | None, str]]  # row -> (line, prefix for the message)


# --------------------------------------------------------------------------------------------
# Raw text helpers (error paths only)
# --------------------------------------------------------------------------------------------


def _open_text(path: Path) -> io.TextIOBase:
    name = path.name.lower()
    opener: Any = open
    if name.endswith(".gz"):
        opener = gzip.open
    elif name.endswith(".bz2"):
        opener = bz2.open
    elif name.endswith(".xz"):
        opener = lzma.open
    return opener(path, "rt", encoding="utf-8-sig", newline=None)


#: What reading a file can raise besides format problems: I/O errors and damaged archives.
_READ_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


def _unreadable(path: Path, error: BaseException) -> SessionFormatError:
    damaged = path.name.lower().endswith((".gz", ".bz2", ".xz")) and not isinstance(
        error, FileNotFoundError | PermissionError
    )
    hint = "; the compressed data is damaged (try decompressing it)" if damaged else ""
    return SessionFormatError(path, f"cannot read the file: {error}{hint}")


def _csv_source(path: Path) -> Path | io.BytesIO:
    """What pandas reads: the path, or for a compressed file its whole decompressed content,
    so that damage anywhere in the archive is an error of the archive (raised here) and not a
    short or garbled last line."""
    if not path.name.lower().endswith((".gz", ".bz2", ".xz")):
        return path
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else bz2.open
    if path.name.lower().endswith(".xz"):
        opener = lzma.open
    with opener(path, "rb") as f:
        return io.BytesIO(f.read())


def _iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    with _open_text(path) as f:
        for number, line in enumerate(f, start=1):
            yield number, line.rstrip("\r\n")


def _raw_line(path: Path, line_no: int) -> str:
    for number, line in _iter_lines(path):
        if number == line_no:
            return line
    return ""


def _describe_cell(raw: str) -> str:
    value = raw.strip().strip('"').strip()
    low = value.lower()
    if value == "":
        return "empty field"
    if low in ("nan", "-nan", "na", "n/a", "null", "none", "<na>", "#n/a"):
        return f"missing value {value!r} (NaN)"
    if low.lstrip("+-") in ("inf", "infinity"):
        return f"infinite value {value!r}"
    return f"text {value!r} in a number field"


# --------------------------------------------------------------------------------------------
# Header -> column map
# --------------------------------------------------------------------------------------------


def _map_header(
    path: Path, names: list[str], line: int | None
) -> tuple[dict[str, HeaderCell], list[str]]:
    cells: dict[str, HeaderCell] = {}
    extra: list[str] = []
    for name in names:
        cell = parse_header_cell(str(name))
        if cell.canonical is None:
            if str(name).strip():  # an empty name comes from a trailing separator
                extra.append(str(name))
            continue
        if cell.unit_text is not None:
            q = quantity_of(cell.canonical)
            raise SessionFormatError(
                path,
                f"unit {cell.unit_text!r} is not a known {_QUANTITY_WORDS[q]} unit; "
                f"expected one of {unit_choices(q)}",
                line=line,
                column=cell.source,
            )
        if cell.canonical in cells:
            raise SessionFormatError(
                path,
                f"columns {cells[cell.canonical].source!r} and {cell.source!r} both map to "
                f"{cell.canonical!r}; keep only one",
                line=line,
                column=cell.source,
            )
        cells[cell.canonical] = cell
    where = "the header" if line is not None else "the table"
    if T_COL not in cells:
        raise SessionFormatError(
            path,
            f"{where} has no time column; expected {T_COL!r} (or {', '.join(TIME_NAMES)}, "
            f"with a unit such as t_ms or 'time (s)'); found {', '.join(map(str, names))}",
            line=line,
            column=T_COL,
        )
    for cols, what in ((ACC_COLS, "accelerometer"), (GYR_COLS, "gyroscope")):
        present = [c for c in cols if c in cells]
        required = what == "accelerometer" or present
        for col in cols:
            if required and col not in cells:
                raise SessionFormatError(
                    path,
                    f"{where} has no {what} column {col!r} (or an alias such as "
                    f"{col.replace('_', '')}, {col[0]}{col[-1]}); "
                    f"expected {','.join(SESSION_COLS)}",
                    line=line,
                    column=col,
                )
    return cells, extra


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _first_bad_row(values: np.ndarray) -> int | None:
    bad = ~np.isfinite(values)
    return int(np.argmax(bad)) if bad.any() else None


def _load_csv(path: Path) -> _Table:
    """The CSV's columns; I/O errors and damaged archives are left to the caller."""
    import pandas as pd

    try:
        lines = _iter_lines(path)
        first = next(lines, None)
        lines.close()
    except UnicodeDecodeError:
        _raise_not_utf8(path)
    if first is None or (
        first[1].strip() == "" and all(not t.strip() for _, t in _iter_lines(path))
    ):
        raise SessionFormatError(
            path, f"the file is empty; expected a header line {','.join(SESSION_COLS)}"
        )
    header = first[1]
    if header.strip() == "":
        raise SessionFormatError(
            path, f"line 1 is blank; expected a header {','.join(SESSION_COLS)}", line=1
        )
    sep = "," if "," in header else "\t" if "\t" in header else ";" if ";" in header else ","
    names = [c.strip().strip('"').strip() for c in header.split(sep)]
    if all(_is_float(c) for c in names):
        raise SessionFormatError(
            path,
            f"line 1 holds numbers, not column names; expected a header {','.join(SESSION_COLS)}",
            line=1,
        )
    cells, extra = _map_header(path, names, 1)

    columns_used = [f"c{names.index(cell.source)}" for cell in cells.values()]
    try:
        # Positional names plus one spare column: pandas would otherwise turn a first column
        # into the index, silently shifting all columns, when every row has one field too many.
        read = {
            "sep": sep,
            "engine": "c",
            "header": None,
            "skiprows": 1,
            "names": [f"c{i}" for i in range(len(names) + 1)],
            "index_col": False,
            "skip_blank_lines": False,
            "encoding": "utf-8-sig",
        }
        source = _csv_source(path)
        # First without skipinitialspace (pandas' fast path, about 1.4x faster on a long
        # file): numbers parse the same with or without spaces before them. Only when a used
        # column is not all numbers or the spare column holds something (" nan", a trailing
        # ", ") is the file read again with spaces skipped, as it always was.
        df = pd.read_csv(source, **read)
        if not _plain_numbers(df, columns_used, f"c{len(names)}"):
            if isinstance(source, io.BytesIO):
                source.seek(0)
            df = pd.read_csv(source, skipinitialspace=True, **read)
    except pd.errors.ParserError as e:
        _raise_ragged(path, sep, len(names))
        quote = re.search(r"EOF inside string starting at row (\d+)", str(e))
        if quote:  # pandas counts rows of the file from 0, the header included
            raise SessionFormatError(
                path,
                "a quote '\"' opened on this line is never closed; expected plain numbers",
                line=int(quote.group(1)) + 1,
            ) from None
        raise SessionFormatError(path, f"cannot parse as CSV: {e}") from None
    except UnicodeDecodeError:
        _raise_not_utf8(path)
    except pd.errors.EmptyDataError:
        raise SessionFormatError(path, "the file has a header but no data rows", line=2) from None
    spare = df.pop(f"c{len(names)}")
    if len(df) == 0:
        raise SessionFormatError(path, "the file has a header but no data rows", line=2)

    def locate(row: int) -> tuple[int | None, str]:
        return row + 2, ""

    # A field beyond the header's (a trailing separator leaves it empty, which is harmless).
    extra_field = spare.notna().to_numpy()
    if extra_field.any():
        line_no = int(np.argmax(extra_field)) + 2
        count = len(next(csv.reader([_raw_line(path, line_no)], delimiter=sep), []))
        raise SessionFormatError(
            path, f"the line has {count} fields but the header has {len(names)}", line=line_no
        )
    # Trailing blank lines are not data.
    n = len(df)
    while n > 0 and df.iloc[n - 1].isna().all():
        n -= 1
    if n < len(df):
        tail = [line for _, line in _iter_lines(path)][-(len(df) - n) :]
        if all(t.strip() == "" for t in tail):
            df = df.iloc[:n]
    if len(df) == 0:
        raise SessionFormatError(path, "the file has a header but no data rows", line=2)

    columns: dict[str, np.ndarray] = {}
    bad: tuple[int, str] | None = None
    for canonical, cell in cells.items():
        col = df[f"c{names.index(cell.source)}"]
        if col.dtype.kind in "fiu":
            values = col.to_numpy(dtype=np.float64)
        else:
            values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
        columns[canonical] = values
        row = _first_bad_row(values)
        if row is not None and (bad is None or row < bad[0]):
            bad = (row, canonical)
    if bad is not None:
        row, canonical = bad
        line_no = row + 2
        raw = _raw_line(path, line_no)
        fields = next(csv.reader([raw], delimiter=sep, skipinitialspace=True), [])
        if raw.strip() == "":
            reason = f"blank line; expected {len(names)} values separated by {sep!r}"
        elif len(fields) != len(names):
            reason = f"the line has {len(fields)} fields but the header has {len(names)}"
        else:
            position = names.index(cells[canonical].source)
            reason = _describe_cell(fields[position]) + "; expected a finite number"
        raise SessionFormatError(path, reason, line=line_no, column=cells[canonical].source)
    return _Table(columns, cells, extra, locate)


def _plain_numbers(df: Any, used: list[str], spare: str) -> bool:
    """True when the used columns are numbers and the spare column is empty: reading again
    with ``skipinitialspace`` could then change nothing."""
    return all(df[c].dtype.kind in "fiu" for c in used) and (
        df[spare].dtype.kind == "f" and bool(df[spare].isna().all())
    )


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _raise_not_utf8(path: Path) -> NoReturn:
    """Name the first line that is not UTF-8 text."""
    line_no = None
    with _open_text(path) as f:
        binary = getattr(f, "buffer", None)
        if binary is not None:
            for number, raw in enumerate(binary, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    line_no = number
                    break
    raise SessionFormatError(path, "not UTF-8 text; save the file as UTF-8", line=line_no)


def _raise_ragged(path: Path, sep: str, n_fields: int) -> None:
    for number, line in _iter_lines(path):
        if number == 1 or line.strip() == "":
            continue
        count = len(next(csv.reader([line], delimiter=sep), []))
        if count > n_fields:
            raise SessionFormatError(
                path, f"the line has {count} fields but the header has {n_fields}", line=number
            )


# --------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------


def _load_parquet(path: Path) -> _Table:
    import pandas as pd

    try:
        df = pd.read_parquet(path)
    except ImportError:
        raise SessionFormatError(path, PARQUET_NEEDS_PYARROW) from None
    except Exception as e:  # pyarrow raises several types for a broken file
        raise SessionFormatError(path, f"cannot read as Parquet: {e}") from None
    names = [str(c) for c in df.columns]
    cells, extra = _map_header(path, names, None)
    if len(df) == 0:
        raise SessionFormatError(path, "the table has columns but no rows")

    def locate(row: int) -> tuple[int | None, str]:
        return None, f"row {row + 1}: "

    columns: dict[str, np.ndarray] = {}
    for canonical, cell in cells.items():
        col = df[cell.source]
        if canonical == T_COL and col.dtype.kind == "M":
            values = ((col - col.iloc[0]).dt.total_seconds()).to_numpy(dtype=np.float64)
            cells[canonical] = HeaderCell(cell.source, T_COL, "s", False)
        elif col.dtype.kind in "fiub":
            values = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            coerced = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
            row = _first_bad_row(coerced)
            raw = col.iloc[row] if row is not None else None
            raise SessionFormatError(
                path,
                f"row {(row or 0) + 1}: column type {col.dtype} is not numeric"
                + (f" (value {raw!r})" if raw is not None else ""),
                column=cell.source,
            )
        row = _first_bad_row(values)
        if row is not None:
            raise SessionFormatError(
                path,
                f"row {row + 1}: value {float(values[row])}; expected a finite number",
                column=cell.source,
            )
        columns[canonical] = values
    return _Table(columns, cells, extra, locate)


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------


def _declared_unit(
    path: Path,
    table: _Table,
    quantity: str,
    argument: str | None,
    sidecar: Sidecar | None,
    notes: list[str],
) -> tuple[str | None, str, bool]:
    """(unit, where it came from, came from the argument) or (None, "", False) if undeclared."""
    cols = [c for c in table.cells if quantity_of(c) == quantity]
    header_units = {table.cells[c].unit for c in cols if table.cells[c].unit is not None}
    header_src = ", ".join(table.cells[c].source for c in cols)
    if len(header_units) > 1:
        raise SessionFormatError(
            path,
            f"the {_QUANTITY_WORDS[quantity]} columns declare different units ({header_src})",
            line=1,
        )
    header_unit = next(iter(header_units), None)
    implied = all(table.cells[c].is_canonical_name for c in cols)
    side_unit = sidecar.units.get(quantity) if sidecar else None
    name = _UNIT_ARG[quantity]

    if argument is not None:
        unit = parse_unit(quantity, argument)
        if unit is None:
            raise SessionFormatError(
                path,
                f"{name}={argument!r} is not a known unit; "
                f"expected one of {unit_choices(quantity)}",
            )
        for other, src in ((header_unit, "the header"), (side_unit, "the sidecar")):
            if other is not None and other != unit:
                notes.append(
                    f"{_QUANTITY_WORDS[quantity]}: {src} says {_UNIT_WORDS[other]}, "
                    f"overridden by {name}={argument!r}"
                )
        return unit, f"{name}={argument!r}", True
    if header_unit and side_unit and header_unit != side_unit:
        assert sidecar is not None
        raise sidecar.error(
            f"units.{quantity}",
            f"says {side_unit!r} but the header of {path.name} says "
            f"{header_unit!r} ({header_src}); fix one, or pass {name}= to decide",
        )
    if side_unit:
        return side_unit, f"sidecar units.{quantity}", False
    if header_unit:
        if implied:
            return header_unit, f"column name {header_src}", False
        return header_unit, f"header {header_src}", False
    if implied and quantity != "time":
        return CANONICAL_UNITS[quantity], f"canonical column names ({header_src})", False
    return None, "", False


def _check_range(
    path: Path, table: _Table, cols: tuple[str, ...], factor: float, limit: float, unit: str
) -> None:
    """No value beyond any IMU's range (a corrupt cell such as 1e300); compared in the file's
    own unit, so nothing overflows."""
    first: tuple[int, str] | None = None
    for c in cols:
        row = _first_bad_row(np.where(np.abs(table.columns[c]) > limit / factor, np.nan, 0.0))
        if row is not None and (first is None or row < first[0]):
            first = (row, c)
    if first is not None:
        row, c = first
        line, prefix = table.locate(row)
        raise SessionFormatError(
            path,
            f"{prefix}value {float(table.columns[c][row]):.6g} is beyond any IMU's range "
            f"(|{c}| up to {limit:g} {unit}); expected a sensor reading",
            line=line,
            column=table.cells[c].source,
        )


def _canonical_names(table: _Table, cols: tuple[str, ...]) -> bool:
    """True when the columns are written exactly as the canonical names (nothing to note)."""
    return all(table.cells[c].is_canonical_name for c in cols)


def _contradicted(
    path: Path, message: str, fix: str, by_argument: bool, column: str, notes: list[str]
) -> None:
    """A declared unit the values contradict: an error, unless the user chose it explicitly."""
    if not by_argument:
        raise SessionFormatError(path, f"{message}; {fix}", column=column)
    notes.append(f"warning: {message}; kept the declared unit")


def _note_unit(
    table: _Table,
    cols: tuple[str, ...],
    quantity: str,
    unit: str,
    canonical: str,
    source: str,
    notes: list[str],
) -> None:
    """Say which unit was used and where it came from (nothing for canonical names and units)."""
    if unit != canonical:
        notes.append(
            f"{quantity} in {_UNIT_WORDS[unit]} ({source}), converted to {_UNIT_WORDS[canonical]}"
        )
    elif not _canonical_names(table, cols):
        notes.append(f"{quantity} in {_UNIT_WORDS[unit]} ({source})")


def _hint(quantity: str, unit: str, sidecar_file: Path) -> str:
    return (
        f"pass {_UNIT_ARG[quantity]}={unit!r} to read_session (on the command line "
        f"--{_UNIT_ARG[quantity].replace('_', '-')} {unit}), or add "
        f'"units": {{"{quantity}": "{unit}"}} to {sidecar_file.name}'
    )


#: Unit checks look at this many samples at most, evenly spread (a median or a 99th percentile
#: of 200 000 samples is as telling as of all, at a fraction of the time on long recordings).
STAT_SAMPLES = 200_000


def _stat_stride(n: int) -> int:
    return max(1, -(-n // STAT_SAMPLES))


def _norm_rows(xyz: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->i", xyz, xyz))


def _norm(table: _Table, cols: tuple[str, ...]) -> np.ndarray:
    """|(x, y, z)| of every :func:`_stat_stride`-th sample of the columns (in the file's unit)."""
    step = _stat_stride(table.columns[cols[0]].shape[0])
    x, y, z = (table.columns[c][::step] for c in cols)
    return np.sqrt(x * x + y * y + z * z)


def _acc_unit(
    path: Path,
    table: _Table,
    argument: str | None,
    sidecar: Sidecar | None,
    side_file: Path,
    notes: list[str],
) -> str:
    unit, source, by_argument = _declared_unit(path, table, "acc", argument, sidecar, notes)
    median = float(np.median(_norm(table, ACC_COLS)))
    detected = next((u for u, (lo, hi) in ACC_MEDIAN_RANGES.items() if lo <= median <= hi), None)
    cols = ", ".join(table.cells[c].source for c in ACC_COLS)
    if unit is None:
        if detected is None:
            raise SessionFormatError(
                path,
                f"columns {cols} do not say their unit and the median |acc| {median:.3g} is "
                f"neither about 1 (g) nor about 9.8 (m/s²); {_hint('acc', 'g', side_file)}",
                column=table.cells[ACC_COLS[0]].source,
            )
        unit, source = detected, f"detected: median |acc| {median:.2f}"
    elif detected is not None and detected != unit:
        message = (
            f"acceleration declared in {_UNIT_WORDS[unit]} ({source}) but the median |acc| "
            f"{median:.2f} says {_UNIT_WORDS[detected]}"
        )
        _contradicted(
            path,
            message,
            f"if the file really is in {_UNIT_WORDS[detected]}, "
            f"{_hint('acc', detected, side_file)}",
            by_argument,
            table.cells[ACC_COLS[0]].source,
            notes,
        )
    elif detected is None:
        notes.append(
            f"warning: median |acc| is {median * UNIT_FACTORS['acc'][unit]:.2f} m/s², far from "
            "gravity (9.81); check the unit and the sensor"
        )
    _note_unit(table, ACC_COLS, "acceleration", unit, "m/s2", source, notes)
    return unit


def _gyr_unit(
    path: Path,
    table: _Table,
    acc_ms2: np.ndarray,
    argument: str | None,
    sidecar: Sidecar | None,
    side_file: Path,
    notes: list[str],
) -> str:
    unit, source, by_argument = _declared_unit(path, table, "gyr", argument, sidecar, notes)
    p99 = float(np.percentile(_norm(table, GYR_COLS), 99))
    cols = ", ".join(table.cells[c].source for c in GYR_COLS)
    acc_dev = float(
        np.percentile(
            np.abs(_norm_rows(acc_ms2[:: _stat_stride(acc_ms2.shape[0])]) - GRAVITY_MS2), 99
        )
    )
    # a leg that moves (impacts well over gravity) turns at hundreds of deg/s: a few units of
    # angular rate can only be rad/s
    rad_like = acc_dev >= MOVING_ACC_DEV_MS2 and p99 < GYR_RAD_S_MAX_P99
    evidence = (
        f"the 99th percentile of |gyr| is {p99:.3g} while the accelerometer shows movement "
        f"(99th percentile of ||acc| - g| {acc_dev:.1f} m/s²); a moving leg turns at hundreds "
        "of deg/s"
    )
    if unit is None and rad_like:
        unit, source = "rad/s", f"detected: {evidence}"
    elif unit == "deg/s" and rad_like and not by_argument:
        if source.startswith("canonical column names"):
            # the names only imply deg/s; the values leave no doubt
            notes.append(
                f"angular rate: columns {cols} imply deg/s but {evidence}; read as rad/s "
                "(pass --gyr-unit deg/s to keep deg/s)"
            )
            unit, source = "rad/s", "detected from the values"
        else:
            # declared (sidecar, header): kept, but said loudly with the way out
            notes.append(
                f"warning: angular rate declared in deg/s ({source}) but {evidence}; kept "
                f"deg/s. If the file really is in rad/s, {_hint('gyr', 'rad/s', side_file)}"
            )
    elif unit == "deg/s" and rad_like:
        notes.append(
            f"warning: angular rate in deg/s ({source}) but {evidence}; kept deg/s as asked "
            "(the values fit rad/s)"
        )
    if unit is None:
        if p99 <= GYR_DEG_S_MIN_P99:
            raise SessionFormatError(
                path,
                f"columns {cols} do not say whether the angular rate is in deg/s or rad/s, and "
                f"the values (99th percentile of |gyr| {p99:.3g}) fit both; "
                f"{_hint('gyr', 'rad/s', side_file)} (or 'deg/s')",
                column=table.cells[GYR_COLS[0]].source,
            )
        unit, source = (
            "deg/s",
            f"detected: 99th percentile of |gyr| {p99:.0f} is impossible in rad/s",
        )
    elif unit == "rad/s" and p99 > GYR_DEG_S_MIN_P99:
        message = (
            f"angular rate declared in rad/s ({source}) but the 99th percentile of |gyr| is "
            f"{p99:.0f} rad/s, over {np.degrees(p99):.0f} deg/s"
        )
        _contradicted(
            path,
            message,
            f"if the file really is in deg/s, {_hint('gyr', 'deg/s', side_file)}",
            by_argument,
            table.cells[GYR_COLS[0]].source,
            notes,
        )
    _note_unit(table, GYR_COLS, "angular rate", unit, "deg/s", source, notes)
    return unit


def _time_unit(
    path: Path,
    table: _Table,
    argument: str | None,
    sidecar: Sidecar | None,
    side_file: Path,
    dt_median: float,
    notes: list[str],
) -> str:
    unit, source, _ = _declared_unit(path, table, "time", argument, sidecar, notes)
    col = table.cells[T_COL].source
    if unit is None:
        rate = sidecar.sampling_rate_hz if sidecar else None
        if rate is not None:
            fits = [
                u
                for u, f in UNIT_FACTORS["time"].items()
                if abs(dt_median * f * rate - 1) <= RATE_TOLERANCE
            ]
            if len(fits) == 1:
                unit = fits[0]
                source = (
                    f"detected: median interval {dt_median:g} matches sampling_rate_hz {rate:g}"
                )
        elif _PLAUSIBLE_RATE_HZ[0] <= 1.0 / dt_median <= _PLAUSIBLE_RATE_HZ[1]:
            unit = "s"
            source = (
                f"column {col!r} has no unit; median interval {dt_median:g} s "
                f"= {1 / dt_median:.4g} Hz"
            )
        if unit is None:
            raise SessionFormatError(
                path,
                f"time column {col!r} does not say its unit and the median interval {dt_median:g} "
                f"does not settle it; {_hint('time', 'ms', side_file)} (or 's', 'us'), or name "
                "the column t_s / t_ms",
                column=col,
            )
    if unit == "s":
        if not _canonical_names(table, (T_COL,)):
            notes.append(f"time in s ({source})")
    else:
        notes.append(f"time in {_UNIT_WORDS[unit]} ({source}), converted to s")
    return unit


# --------------------------------------------------------------------------------------------
# read_session
# --------------------------------------------------------------------------------------------


def read_session(
    path: str | Path,
    *,
    acc_unit: str | None = None,
    gyr_unit: str | None = None,
    time_unit: str | None = None,
    placement: str | None = None,
) -> Session:
    """Read a session file (``.csv``, ``.tsv``, ``.txt``, ``.csv.gz``, ``.parquet``) + sidecar.

    Returns a :class:`~gait.types.Session` in canonical units (t_s from 0, m/s², deg/s). Units
    that are not canonical must be declared (argument, sidecar ``units``, or a unit in the
    header) or be clear from the data; every assumption is listed in ``meta.assumptions``.
    Intervals longer than 1.5 nominal periods are gaps: the samples are kept as recorded and the
    index of the first sample after each gap is in ``gap_idx``. Any problem raises
    :class:`~gait.errors.SessionFormatError` naming the file, line and column.
    """
    # a corrupt cell (1e300) is found and named below; its overflow in the arithmetic on the
    # way must not print numpy warnings
    with np.errstate(over="ignore", invalid="ignore"):
        return _read_session(
            path, acc_unit=acc_unit, gyr_unit=gyr_unit, time_unit=time_unit, placement=placement
        )


def _read_session(
    path: str | Path,
    *,
    acc_unit: str | None,
    gyr_unit: str | None,
    time_unit: str | None,
    placement: str | None,
) -> Session:
    p = Path(path)
    if not p.exists():
        raise SessionFormatError(p, "file not found")
    if p.is_dir():
        raise SessionFormatError(p, "is a folder; expected a session file (.csv or .parquet)")
    side_file = sidecar_path(p)
    if (
        side_file != p
        and not side_file.is_file()
        and (side_file.exists() or side_file.is_symlink())
    ):
        what = "a folder" if side_file.is_dir() else "a link to nothing"
        raise SessionFormatError(
            side_file, f"the sidecar is {what}; expected a JSON file (or no {side_file.name})"
        )
    sidecar = read_sidecar(side_file) if side_file.is_file() and side_file != p else None
    if placement is not None and placement not in PLACEMENTS:
        raise SessionFormatError(
            p, f"placement={placement!r}; expected one of {', '.join(PLACEMENTS)}"
        )

    if p.suffix.lower() in PARQUET_SUFFIXES:
        table = _load_parquet(p)
    else:
        try:
            table = _load_csv(p)
        except _READ_ERRORS as e:  # a damaged archive fails wherever it is first decompressed
            raise _unreadable(p, e) from None
    notes: list[str] = []
    if sidecar is not None:
        notes.extend(sidecar.notes)
        adjusted = sidecar.device.get("t_s_adjusted")
        if isinstance(adjusted, dict) and adjusted.get("n_samples"):
            notes.append(
                f"{adjusted['n_samples']} time(s) were adjusted while recording "
                f"({adjusted.get('why', 'device clock jitter')}; {side_file.name})"
            )

    # Time: strictly increasing in the file's own unit, then converted.
    t_raw = table.columns[T_COL]
    step = np.diff(t_raw)
    bad = np.flatnonzero(step <= 0)
    if bad.size:
        row = int(bad[0]) + 1
        line, prefix = table.locate(row)
        verb = "repeats" if step[bad[0]] == 0 else "goes backwards"
        raise SessionFormatError(
            p,
            f"{prefix}time {verb}: {float(t_raw[row]):.10g} after {float(t_raw[row - 1]):.10g}; "
            "expected strictly increasing times",
            line=line,
            column=table.cells[T_COL].source,
        )
    if t_raw.size < 2:
        raise SessionFormatError(p, "only one sample; at least two are needed to know the rate")
    dt_median = float(np.median(step))
    t_unit = _time_unit(p, table, time_unit, sidecar, side_file, dt_median, notes)
    t_s = (t_raw - t_raw[0]) * UNIT_FACTORS["time"][t_unit]
    if t_raw[0] != 0:
        notes.append(
            "time shifted to start at 0 "
            f"(first time in the file: {float(t_raw[0]):.10g} {_UNIT_WORDS[t_unit]})"
        )

    median_rate = 1.0 / (dt_median * UNIT_FACTORS["time"][t_unit])
    if not _POSSIBLE_RATE_HZ[0] <= median_rate <= _POSSIBLE_RATE_HZ[1]:
        raise SessionFormatError(
            p,
            f"the median interval gives {median_rate:.4g} Hz, impossible for an IMU; is the time "
            f"column really in {_UNIT_WORDS[t_unit]}? {_hint('time', 'ms', side_file)}",
            column=table.cells[T_COL].source,
        )
    if sidecar is not None and sidecar.sampling_rate_hz is not None:
        rate = sidecar.sampling_rate_hz
        if abs(median_rate / rate - 1) > RATE_TOLERANCE:
            raise sidecar.error(
                "sampling_rate_hz",
                f"says {rate:g} Hz but the median interval in "
                f"{p.name} gives {median_rate:.4g} Hz (more than {RATE_TOLERANCE:.0%} apart); "
                "fix the sidecar or the time column's unit",
            )
    else:
        rate = float(f"{median_rate:.6g}")
        notes.append(f"sampling rate {rate:g} Hz from the median interval")

    jump = np.flatnonzero(np.diff(t_s) > MAX_GAP_S)
    if jump.size:
        row = int(jump[0]) + 1
        line, prefix = table.locate(row)
        raise SessionFormatError(
            p,
            f"{prefix}time jumps from {float(t_raw[row - 1]):.10g} to {float(t_raw[row]):.10g} "
            f"({float(t_s[row] - t_s[row - 1]):.3g} s later); a gap of more than "
            f"{MAX_GAP_S / 86400:g} days is not a recording gap; expected the sample's time",
            line=line,
            column=table.cells[T_COL].source,
        )
    gap_idx = np.flatnonzero(np.diff(t_s) > GAP_FACTOR / rate) + 1
    if gap_idx.size:
        shown = ", ".join(str(i) for i in gap_idx[:5]) + (" ..." if gap_idx.size > 5 else "")
        lost = float(np.sum(np.diff(t_s)[gap_idx - 1]) - gap_idx.size / rate)
        notes.append(
            f"warning: {gap_idx.size} gap(s) longer than {GAP_FACTOR} sampling periods (about "
            f"{lost:.3g} s missing), before samples {shown}; "
            "samples kept as recorded, nothing filled"
        )

    a_unit = _acc_unit(p, table, acc_unit, sidecar, side_file, notes)
    _check_range(p, table, ACC_COLS, UNIT_FACTORS["acc"][a_unit], MAX_ABS_ACC_MS2, "m/s²")
    acc = np.column_stack([table.columns[c] for c in ACC_COLS]) * UNIT_FACTORS["acc"][a_unit]
    gyr = None
    if GYR_COLS[0] in table.columns:
        g_unit = _gyr_unit(p, table, acc, gyr_unit, sidecar, side_file, notes)
        _check_range(p, table, GYR_COLS, UNIT_FACTORS["gyr"][g_unit], MAX_ABS_GYR_DPS, "deg/s")
        gyr = np.column_stack([table.columns[c] for c in GYR_COLS]) * UNIT_FACTORS["gyr"][g_unit]
    else:
        notes.append("no gyroscope columns: accelerometer-only session")
    if table.extra:
        notes.append(f"columns not used: {', '.join(table.extra)}")

    side_placement = sidecar.placement if sidecar else None
    if placement is not None and side_placement is not None and placement != side_placement:
        notes.append(
            f"placement {placement!r} from the argument overrides the sidecar's {side_placement!r}"
        )
    meta = SessionMeta(
        sampling_rate_hz=rate,
        start_time_utc=sidecar.start_time_utc if sidecar else None,
        placement=placement if placement is not None else side_placement,
        subject=sidecar.subject if sidecar else SessionMeta().subject,
        device=sidecar.device if sidecar else {},
        assumptions=tuple(notes),
    )
    samples = SampleBlock(
        t_s=np.ascontiguousarray(t_s, dtype=np.float64),
        acc_ms2=np.ascontiguousarray(acc, dtype=np.float64),
        gyr_dps=None if gyr is None else np.ascontiguousarray(gyr, dtype=np.float64),
        sampling_rate_hz=rate,
    )
    return Session(samples=samples, meta=meta, path=str(p), gap_idx=gap_idx.astype(np.int64))
