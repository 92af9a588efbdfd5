"""Loader for the IPOL healthy-gait data set (Voisard et al., IPOL 2023, https://www.ipol.im/pub/art/2023/497/).

The data (AGPL-3.0) is not part of this repository; it is looked for in ``$GAIT_IPOL_DIR`` or in
``../shared/datasets/ipol_healthy`` beside the repository. What the loader does follows that
folder's SOURCE.md:

- ``S-T_lf.txt`` / ``S-T_rf.txt``: line 1 ``Acquisition frequency: 100 Hz``, line 2 a tab-separated
  header ``PacketCounter Acc_X.. Gyr_X.. Mag_X..``; acceleration in m/s² (gravity included), angular
  rate in **rad/s** (converted here to deg/s), magnetometer not used.
- Lost radio packets: the sample index is ``PacketCounter - PacketCounter[0]`` and the missing
  samples are filled by linear interpolation. The annotations use this gap-filled timeline.
  A repeated counter value (trial 11-1) is a duplicate row: the first row is kept.
- ``S-T.json``: ``LeftFootEvents`` / ``RightFootEvents`` are ``[toe-off, heel strike]`` sample
  pairs (one swing phase each), plus ``TrialBoundaries`` and ``UTurnBoundaries``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from gait.errors import SessionFormatError
from gait.types import SampleBlock, Session, SessionMeta, Subject

#: Environment variable that points straight at the data folder.
IPOL_ENV = "GAIT_IPOL_DIR"
#: Environment variable for the shared folder (the data is in ``datasets/ipol_healthy`` below it).
SHARED_ENV = "GAIT_SHARED_DIR"
_REPO_ROOT = Path(__file__).resolve().parents[2]
_FILE_TAG = {"left": "lf", "right": "rf"}
_EVENTS_KEY = {"left": "LeftFootEvents", "right": "RightFootEvents"}
_PLACEMENT = {"left": "left_foot", "right": "right_foot"}
_ACC = ("Acc_X", "Acc_Y", "Acc_Z")
_GYR = ("Gyr_X", "Gyr_Y", "Gyr_Z")
_COUNTER = "PacketCounter"
_CODE = re.compile(r"^(\d+)-(\d+)$")
_RATE_LINE = re.compile(r"^\s*Acquisition frequency:\s*([0-9.]+)\s*Hz\s*$", re.IGNORECASE)
#: Data rows start on this line of a foot file (1-based): rate line, header, data.
_FIRST_DATA_LINE = 3


@dataclass(frozen=True, eq=False)
class IpolFoot:
    """One foot of one IPOL trial, on the gap-filled 100 Hz timeline.

    ``session.gap_idx`` lists the samples that were filled by interpolation (lost packets);
    ``swings_idx`` is ``(k, 2)`` ``[toe_off_idx, heel_strike_idx]``; ``trial_boundaries_idx`` is
    ``[first toe-off, last heel strike]`` of the trial and ``uturn_idx`` ``[start, end]`` of the
    U-turn (both as annotated, for both feet).
    """

    session: Session
    swings_idx: np.ndarray
    trial_boundaries_idx: np.ndarray
    uturn_idx: np.ndarray
    subject_id: int
    n_filled: int
    code: str
    foot: str
    #: Rows dropped because they repeated the previous PacketCounter value.
    n_repeated: int = 0

    @property
    def heel_strike_idx(self) -> np.ndarray:
        """Annotated initial contacts (the end of each swing)."""
        return self.swings_idx[:, 1]

    @property
    def toe_off_idx(self) -> np.ndarray:
        """Annotated toe-offs (the start of each swing)."""
        return self.swings_idx[:, 0]


def find_ipol_dir() -> Path | None:
    """The IPOL data folder, or None if it is not there.

    Looks at ``$GAIT_IPOL_DIR`` (used alone when set), then
    ``$GAIT_SHARED_DIR/datasets/ipol_healthy``, then ``../shared/datasets/ipol_healthy`` next to
    the repository root.
    """
    env = os.environ.get(IPOL_ENV)
    if env:
        path = Path(env).expanduser()
        return path if path.is_dir() else None
    candidates = []
    shared = os.environ.get(SHARED_ENV)
    if shared:
        candidates.append(Path(shared).expanduser() / "datasets" / "ipol_healthy")
    candidates.append(_REPO_ROOT.parent / "shared" / "datasets" / "ipol_healthy")
    for path in candidates:
        if path.is_dir():
            return path
    return None


def _code_key(code: str) -> tuple[int, int]:
    m = _CODE.match(code)
    assert m is not None
    return int(m.group(1)), int(m.group(2))


def list_ipol_trials(root: str | Path) -> list[str]:
    """Trial codes (``"1-1"``, ``"1-2"``, ...) that have a metadata file, in subject/trial order."""
    codes = [p.stem for p in Path(root).glob("*.json") if _CODE.match(p.stem)]
    return sorted(codes, key=_code_key)


def _read_foot_file(path: Path) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """(rate_hz, counter, acc (n,3), gyr_rad_s (n,3)) as in the file, with checks."""
    import pandas as pd

    if not path.is_file():
        raise SessionFormatError(path, "file not found")
    with open(path, encoding="utf-8") as f:
        first = f.readline()
    m = _RATE_LINE.match(first)
    if not m:
        raise SessionFormatError(path, "expected 'Acquisition frequency: <rate> Hz'", line=1)
    rate_hz = float(m.group(1))
    df = pd.read_csv(path, sep="\t", skiprows=1, engine="c")
    df.columns = [str(c).strip() for c in df.columns]
    for col in (_COUNTER, *_ACC, *_GYR):
        if col not in df.columns:
            raise SessionFormatError(
                path, f"missing column {col!r}; found {', '.join(df.columns)}", line=2, column=col
            )
    if len(df) < 2:
        raise SessionFormatError(path, "fewer than two data rows", line=_FIRST_DATA_LINE)
    arrays = {}
    for col in (_COUNTER, *_ACC, *_GYR):
        values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            row = int(np.argmax(bad))
            raise SessionFormatError(
                path,
                f"expected a finite number, got {df[col].iloc[row]!r}",
                line=row + _FIRST_DATA_LINE,
                column=col,
            )
        arrays[col] = values
    counter = arrays[_COUNTER]
    not_int = counter != np.round(counter)
    if not_int.any():
        row = int(np.argmax(not_int))
        raise SessionFormatError(
            path,
            "PacketCounter is not a whole number",
            line=row + _FIRST_DATA_LINE,
            column=_COUNTER,
        )
    acc = np.column_stack([arrays[c] for c in _ACC])
    gyr = np.column_stack([arrays[c] for c in _GYR])
    return rate_hz, counter.astype(np.int64), acc, gyr


def _int_pairs(meta_path: Path, meta: dict, key: str, shape: tuple[int, ...]) -> np.ndarray:
    value = meta.get(key)
    try:
        arr = np.asarray(value, dtype=np.int64)
    except (TypeError, ValueError):
        arr = None
    if arr is not None and len(shape) == 2 and arr.size == 0:
        arr = arr.reshape(0, 2)
    if arr is None or arr.ndim != len(shape) or (len(shape) == 1 and arr.shape != shape):
        raise SessionFormatError(
            meta_path, f"field '{key}': expected integer sample indices of shape {shape}"
        )
    if arr.ndim == 2 and arr.shape[1] != 2:
        raise SessionFormatError(meta_path, f"field '{key}': expected [start, end] pairs")
    return arr


def load_ipol_foot(root: str | Path, code: str, foot: Literal["left", "right"]) -> IpolFoot:
    """Load one foot of trial ``code`` (e.g. ``"3-4"``): gap-filled samples plus annotations.

    Acceleration stays in m/s², angular rate is converted from rad/s to deg/s, ``t_s`` starts at
    0 on the gap-filled timeline (sample ``i`` at ``i / 100`` s).
    """
    if foot not in _FILE_TAG:
        raise ValueError(f"foot must be 'left' or 'right', got {foot!r}")
    if not _CODE.match(code):
        raise ValueError(f"trial code must look like '3-4', got {code!r}")
    root = Path(root)
    data_path = root / f"{code}_{_FILE_TAG[foot]}.txt"
    meta_path = root / f"{code}.json"
    rate_hz, counter, acc, gyr_rad_s = _read_foot_file(data_path)

    notes = [
        "IPOL foot file: acceleration in m/s² with gravity; angular rate in rad/s (SOURCE.md), "
        "converted to deg/s; magnetometer not used",
    ]
    if foot == "left":
        notes.append("left-foot sensors read about 4-5 % high at rest (SOURCE.md); not corrected")

    step = np.diff(counter)
    back = np.flatnonzero(step < 0)
    if back.size:
        row = int(back[0]) + 1
        raise SessionFormatError(
            data_path,
            f"PacketCounter goes backwards ({counter[row]} after {counter[row - 1]})",
            line=row + _FIRST_DATA_LINE,
            column=_COUNTER,
        )
    repeated = np.flatnonzero(step == 0) + 1
    if repeated.size:
        keep = np.ones(counter.size, dtype=bool)
        keep[repeated] = False
        lines = ", ".join(str(int(r) + _FIRST_DATA_LINE) for r in repeated)
        notes.append(
            f"{repeated.size} row(s) repeating the previous PacketCounter value (file line(s) "
            f"{lines}) dropped; the first row of each value is kept"
        )
        counter, acc, gyr_rad_s = counter[keep], acc[keep], gyr_rad_s[keep]

    idx = counter - counter[0]
    n = int(idx[-1]) + 1
    grid = np.arange(n, dtype=np.float64)
    filled = np.ones(n, dtype=bool)
    filled[idx] = False
    gap_idx = np.flatnonzero(filled)
    if gap_idx.size:
        acc = np.column_stack([np.interp(grid, idx, acc[:, j]) for j in range(3)])
        gyr_rad_s = np.column_stack([np.interp(grid, idx, gyr_rad_s[:, j]) for j in range(3)])
        notes.append(
            f"{gap_idx.size} lost packet(s) filled by linear interpolation "
            "(sample index = PacketCounter - PacketCounter[0]; filled samples in gap_idx)"
        )

    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SessionFormatError(meta_path, "metadata file not found") from None
    except json.JSONDecodeError as e:
        raise SessionFormatError(meta_path, f"invalid JSON: {e.msg}", line=e.lineno) from None
    swings = _int_pairs(meta_path, meta, _EVENTS_KEY[foot], (0, 2))
    trial = _int_pairs(meta_path, meta, "TrialBoundaries", (2,))
    uturn = _int_pairs(meta_path, meta, "UTurnBoundaries", (2,))
    outside = (swings < 0) | (swings >= n)
    if outside.any() or (swings.size and (swings[:, 1] <= swings[:, 0]).any()):
        raise SessionFormatError(
            meta_path,
            f"field '{_EVENTS_KEY[foot]}': expected [toe-off, heel strike] pairs with "
            f"0 <= toe-off < heel strike < {n} (samples in {data_path.name})",
        )

    def number(key: str) -> float | None:
        value = meta.get(key)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )

    height_cm = number("Height")
    subject = Subject(
        id=str(meta.get("Subject", code.split("-")[0])),
        mass_kg=number("Weight"),
        height_m=None if height_cm is None else height_cm / 100.0,
        age_years=number("Age"),
    )
    session_meta = SessionMeta(
        sampling_rate_hz=rate_hz,
        placement=_PLACEMENT[foot],
        subject=subject,
        device={
            "model": "Xsens MTw Awinda",
            "data_set": "IPOL healthy gait (Voisard et al. 2023)",
            "file": data_path.name,
            "packet_counter_start": int(counter[0]),
        },
        assumptions=tuple(notes),
    )
    samples = SampleBlock(
        t_s=grid / rate_hz,
        acc_ms2=np.ascontiguousarray(acc),
        gyr_dps=np.ascontiguousarray(np.degrees(gyr_rad_s)),
        sampling_rate_hz=rate_hz,
    )
    session = Session(samples=samples, meta=session_meta, path=str(data_path), gap_idx=gap_idx)
    return IpolFoot(
        session=session,
        swings_idx=swings,
        trial_boundaries_idx=trial,
        uturn_idx=uturn,
        subject_id=int(meta.get("Subject", _code_key(code)[0])),
        n_filled=int(gap_idx.size),
        code=code,
        foot=foot,
        n_repeated=int(repeated.size),
    )
