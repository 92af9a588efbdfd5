"""Column aliases and unit spellings accepted by the session reader.

The tables here are the single source of truth for docs/session-files.md: a header cell is split
into a *name* and an optional *unit* (``ax(g)``, ``acc_x_g``, ``Acceleration x (m/s^2)``), the name
is normalised (lower case, no spaces, ``_``, ``-`` or ``.``) and looked up in
:data:`COLUMN_ALIASES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from gait.consts import ACC_COLS, GRAVITY_MS2, GYR_COLS, T_COL

# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------

#: Quantity -> canonical unit name.
CANONICAL_UNITS: Final[dict[str, str]] = {"time": "s", "acc": "m/s2", "gyr": "deg/s"}

#: Quantity -> unit name -> factor that converts a value in that unit to the canonical unit.
UNIT_FACTORS: Final[dict[str, dict[str, float]]] = {
    "time": {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9},
    "acc": {"m/s2": 1.0, "g": GRAVITY_MS2, "mg": GRAVITY_MS2 * 1e-3},
    "gyr": {"deg/s": 1.0, "rad/s": 180.0 / 3.141592653589793},
}

#: Accepted spellings (after lower-casing and removing spaces) -> unit name.
UNIT_SPELLINGS: Final[dict[str, dict[str, str]]] = {
    "time": {
        "s": "s",
        "sec": "s",
        "secs": "s",
        "second": "s",
        "seconds": "s",
        "ms": "ms",
        "msec": "ms",
        "millis": "ms",
        "milliseconds": "ms",
        "us": "us",
        "µs": "us",
        "μs": "us",
        "usec": "us",
        "microseconds": "us",
        "ns": "ns",
        "nanoseconds": "ns",
    },
    "acc": {
        "m/s2": "m/s2",
        "m/s^2": "m/s2",
        "m/s²": "m/s2",
        "m/s/s": "m/s2",
        "m*s^-2": "m/s2",
        "ms^-2": "m/s2",
        "ms-2": "m/s2",
        "ms2": "m/s2",
        "m_s2": "m/s2",
        "m_s_2": "m/s2",
        "mps2": "m/s2",
        "g": "g",
        "mg": "mg",
    },
    "gyr": {
        "deg/s": "deg/s",
        "°/s": "deg/s",
        "dps": "deg/s",
        "deg_s": "deg/s",
        "degs": "deg/s",
        "degrees/s": "deg/s",
        "rad/s": "rad/s",
        "rad_s": "rad/s",
        "rads": "rad/s",
        "radians/s": "rad/s",
    },
}

#: Unit suffixes recognised at the end of a column name (``acc_x_g``, ``t_ms``, ``gyr_x_rad_s``),
#: longest first so that ``_rad_s`` wins over ``_s``.
_NAME_SUFFIXES: Final[tuple[tuple[str, str, str], ...]] = tuple(
    sorted(
        [
            ("_s", "time", "s"),
            ("_sec", "time", "s"),
            ("_ms", "time", "ms"),
            ("_us", "time", "us"),
            ("_ns", "time", "ns"),
            ("_ms2", "acc", "m/s2"),
            ("_m_s2", "acc", "m/s2"),
            ("_mps2", "acc", "m/s2"),
            ("_g", "acc", "g"),
            ("_mg", "acc", "mg"),
            ("_dps", "gyr", "deg/s"),
            ("_deg_s", "gyr", "deg/s"),
            ("_rad_s", "gyr", "rad/s"),
        ],
        key=lambda s: -len(s[0]),
    )
)


def parse_unit(quantity: str, text: str) -> str | None:
    """The unit name for ``text`` (e.g. ``"m/s^2"`` -> ``"m/s2"``), or None if not recognised."""
    key = text.strip().lower().replace(" ", "")
    return UNIT_SPELLINGS[quantity].get(key)


def unit_choices(quantity: str) -> str:
    """The canonical spellings of one quantity's units, for error messages."""
    return ", ".join(repr(u) for u in UNIT_FACTORS[quantity])


# --------------------------------------------------------------------------------------------
# Column names
# --------------------------------------------------------------------------------------------

#: Normalised name prefixes (before the axis letter) for each quantity.
ACC_PREFIXES: Final[tuple[str, ...]] = (
    "a",
    "acc",
    "accel",
    "accelerometer",
    "acceleration",
)
GYR_PREFIXES: Final[tuple[str, ...]] = (
    "g",
    "gyr",
    "gyro",
    "gyroscope",
    "w",
    "omega",
    "angularvelocity",
    "angularrate",
)
#: Normalised names accepted for the time column.
TIME_NAMES: Final[tuple[str, ...]] = ("t", "time", "timestamp", "times")


def _build_aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for name in TIME_NAMES:
        table[name] = T_COL
    for prefixes, cols in ((ACC_PREFIXES, ACC_COLS), (GYR_PREFIXES, GYR_COLS)):
        for prefix in prefixes:
            for axis, col in zip("xyz", cols, strict=True):
                table[prefix + axis] = col
    return table


#: Normalised column name -> canonical column (``"accx"`` -> ``"acc_x"``, ``"wz"`` -> ``"gyr_z"``).
COLUMN_ALIASES: Final[dict[str, str]] = _build_aliases()

_BRACKET_UNIT = re.compile(r"^(?P<name>.*?)\s*[\(\[](?P<unit>[^\)\]]*)[\)\]]\s*$")


def quantity_of(canonical: str) -> str:
    """``"time"``, ``"acc"`` or ``"gyr"`` for a canonical column name."""
    if canonical == T_COL:
        return "time"
    return "acc" if canonical in ACC_COLS else "gyr"


def normalise_name(name: str) -> str:
    """Lower case, without spaces, ``_``, ``-`` and ``.``."""
    return re.sub(r"[\s_\-.]", "", name.lower())


@dataclass(frozen=True)
class HeaderCell:
    """What one header cell says: the canonical column it maps to and the unit it declares."""

    source: str
    canonical: str | None
    unit: str | None  # unit name as in UNIT_FACTORS, or None when the header declares none
    is_canonical_name: bool  # exactly the canonical name (t_s, acc_x, ...)
    unit_text: str | None = None  # a bracketed unit text that was not recognised


def parse_header_cell(cell: str) -> HeaderCell:
    """Map one header cell to a canonical column and unit, if it is one we know."""
    text = cell.strip()
    if text in (T_COL, *ACC_COLS, *GYR_COLS):
        unit = "s" if text == T_COL else None
        return HeaderCell(text, text, unit, True)
    low = text.lower()
    m = _BRACKET_UNIT.match(text)
    if m:
        canonical = COLUMN_ALIASES.get(normalise_name(m.group("name")))
        if canonical is None:
            return HeaderCell(text, None, None, False)
        unit = parse_unit(quantity_of(canonical), m.group("unit"))
        return HeaderCell(text, canonical, unit, False, None if unit else m.group("unit"))

    canonical = COLUMN_ALIASES.get(normalise_name(low))
    if canonical is not None:
        return HeaderCell(text, canonical, None, False)
    for suffix, quantity, unit in _NAME_SUFFIXES:
        if low.endswith(suffix):
            canonical = COLUMN_ALIASES.get(normalise_name(low[: -len(suffix)]))
            if canonical is not None and quantity_of(canonical) == quantity:
                return HeaderCell(text, canonical, unit, False)
    return HeaderCell(text, None, None, False)
