"""The JSON sidecar ``<stem>.json`` next to a session file: read with checks, write."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from gait.consts import PLACEMENTS
from gait.errors import SessionFormatError
from gait.io._names import CANONICAL_UNITS, parse_unit, unit_choices
from gait.types import SessionMeta, Subject

#: Keys the reader uses; anything else is reported as not used.
SIDECAR_KEYS = (
    "sampling_rate_hz",
    "start_time_utc",
    "placement",
    "subject",
    "device",
    "units",
)
SUBJECT_KEYS = ("id", "mass_kg", "height_m", "age_years")
#: Sidecar ``units`` keys -> quantity.
UNIT_KEYS = {"acc": "acc", "gyr": "gyr", "time": "time", "t": "time", "gyro": "gyr"}

# Plausible ranges for subject fields; outside them the value is almost surely in another unit.
_SUBJECT_RANGES = {
    "mass_kg": (1.0, 500.0, "kilograms"),
    "height_m": (0.3, 2.8, "metres (e.g. 1.75, not 175)"),
    "age_years": (0.0, 130.0, "years"),
}


@dataclass
class Sidecar:
    """The checked content of a sidecar file."""

    path: Path
    sampling_rate_hz: float | None = None
    start_time_utc: str | None = None
    placement: str | None = None
    subject: Subject = field(default_factory=Subject)
    device: dict[str, Any] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # quantity -> unit name
    notes: list[str] = field(default_factory=list)
    text: str = field(default="", repr=False)  # the file's text, to locate fields in errors

    def error(self, key: str, message: str) -> SessionFormatError:
        """An error about field ``key`` (dotted for nested ones), located at its line."""
        line = _line_of(self.text, key.split(".")[-1]) or _line_of(self.text, key.split(".")[0])
        return SessionFormatError(self.path, f"field '{key}': {message}", line=line)


def _sidecar_stem(path: Path) -> str:
    name = path.name
    for ext in (".gz", ".bz2", ".xz", ".zip"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
            break
    return name.rsplit(".", 1)[0] if "." in name else name


def sidecar_path(path: str | Path) -> Path:
    """``<stem>.json`` beside a session file (``walk.csv`` and ``walk.csv.gz`` -> ``walk.json``)."""
    p = Path(path)
    return p.with_name(_sidecar_stem(p) + ".json")


def _line_of(text: str, key: str) -> int | None:
    """1-based line of the first ``"key"`` in the JSON text (for error messages)."""
    pos = text.find(f'"{key}"')
    return None if pos < 0 else text.count("\n", 0, pos) + 1


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def read_sidecar(path: str | Path) -> Sidecar:
    """Read and check a sidecar; every problem raises SessionFormatError naming the field."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise SessionFormatError(p, f"cannot read the sidecar: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise SessionFormatError(
            p, "the sidecar is not UTF-8 text; expected a JSON object"
        ) from None
    if not text.strip():
        raise SessionFormatError(p, "the sidecar is empty; expected a JSON object")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SessionFormatError(
            p, f"invalid JSON: {e.msg} (character {e.colno})", line=e.lineno
        ) from None
    if not isinstance(data, dict):
        raise SessionFormatError(p, "expected a JSON object {...} at the top level", line=1)

    out = Sidecar(path=p, text=text)
    fail = out.error
    rate = data.get("sampling_rate_hz")
    if rate is not None:
        if not _is_number(rate) or rate <= 0:
            raise fail("sampling_rate_hz", f"expected a positive number of Hz, got {rate!r}")
        out.sampling_rate_hz = float(rate)

    start = data.get("start_time_utc")
    if start is not None:
        if not isinstance(start, str):
            raise fail("start_time_utc", f"expected an ISO-8601 text, got {start!r}")
        try:
            stamp = datetime.fromisoformat(start)
        except ValueError:
            raise fail(
                "start_time_utc",
                f"expected an ISO-8601 date and time such as '2024-05-01T09:30:00Z', got {start!r}",
            ) from None
        if stamp.tzinfo is None:
            out.notes.append(f"start_time_utc {start!r} has no UTC offset; taken as UTC")
        out.start_time_utc = start

    placement = data.get("placement")
    if placement is not None:
        if placement not in PLACEMENTS:
            raise fail("placement", f"expected one of {', '.join(PLACEMENTS)}, got {placement!r}")
        out.placement = placement

    subject = data.get("subject")
    if subject is not None:
        if not isinstance(subject, dict):
            raise fail("subject", f"expected an object with {', '.join(SUBJECT_KEYS)}")
        values: dict[str, Any] = {}
        sid = subject.get("id")
        if sid is not None:
            if isinstance(sid, bool) or not isinstance(sid, str | int):
                raise fail("subject.id", f"expected a text or an integer, got {sid!r}")
            values["id"] = str(sid)
        for key, (lo, hi, unit) in _SUBJECT_RANGES.items():
            value = subject.get(key)
            if value is None:
                continue
            if not _is_number(value) or not lo <= value <= hi:
                raise fail(
                    f"subject.{key}", f"expected a number of {unit} in {lo:g}-{hi:g}, got {value!r}"
                )
            values[key] = float(value)
        unknown = sorted(set(subject) - set(SUBJECT_KEYS))
        if unknown:
            out.notes.append(f"sidecar subject keys not used: {', '.join(unknown)}")
        out.subject = Subject(**values)

    device = data.get("device")
    if device is not None:
        if not isinstance(device, dict):
            raise fail("device", f"expected an object, got {device!r}")
        out.device = dict(device)

    units = data.get("units")
    if units is not None:
        if not isinstance(units, dict):
            raise fail("units", 'expected an object such as {"acc": "g", "gyr": "rad/s"}')
        for key, value in units.items():
            quantity = UNIT_KEYS.get(key)
            if quantity is None:
                raise fail(f"units.{key}", f"unknown key; expected one of {', '.join(UNIT_KEYS)}")
            unit = parse_unit(quantity, value) if isinstance(value, str) else None
            if unit is None:
                raise fail(
                    f"units.{key}", f"expected one of {unit_choices(quantity)}, got {value!r}"
                )
            if quantity in out.units and out.units[quantity] != unit:
                raise fail(
                    f"units.{key}", f"contradicts another key for the same quantity ({quantity})"
                )
            out.units[quantity] = unit

    unknown = sorted(set(data) - set(SIDECAR_KEYS))
    if unknown:
        out.notes.append(f"sidecar keys not used: {', '.join(unknown)}")
    return out


def sidecar_dict(meta: SessionMeta, *, sampling_rate_hz: float | None = None) -> dict[str, Any]:
    """The JSON content for ``meta`` (canonical units; ``assumptions`` are not written)."""
    data: dict[str, Any] = {}
    rate = meta.sampling_rate_hz if meta.sampling_rate_hz is not None else sampling_rate_hz
    if rate is not None:
        data["sampling_rate_hz"] = float(rate)
    if meta.start_time_utc is not None:
        data["start_time_utc"] = meta.start_time_utc
    if meta.placement is not None:
        data["placement"] = meta.placement
    subject = {k: getattr(meta.subject, k) for k in SUBJECT_KEYS}
    # an unknown value (None, or NaN from a table) is left out: the reader refuses NaN
    subject = {
        k: v
        for k, v in subject.items()
        if v is not None and not (isinstance(v, float) and math.isnan(v))
    }
    if subject:
        data["subject"] = subject
    if meta.device:
        data["device"] = dict(meta.device)
    data["units"] = dict(CANONICAL_UNITS)
    return data


def write_sidecar(
    path: str | Path, meta: SessionMeta, *, sampling_rate_hz: float | None = None
) -> Path:
    """Write the sidecar for ``meta`` beside the session file ``path``; return its path."""
    out = sidecar_path(path)
    text = json.dumps(sidecar_dict(meta, sampling_rate_hz=sampling_rate_hz), indent=2, default=str)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(out)
    return out
