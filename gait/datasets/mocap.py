"""Reader for the virtual-IMU motion-capture layout (e.g. ``../shared/datasets/mocap_snu``).

Layout (one folder, files may be gzipped ``.csv.gz``):

- ``<stem>_<R|L>.csv``: header ``t,ax,ay,az,gx,gy,gz``; ``t`` in s, specific force in m/s²,
  angular rate in **rad/s** (converted here to deg/s); the sensor is on the right (``R``) or left
  (``L``) shank.
- ``<stem>_<R|L>_events.csv``: header ``t_contact,foot,direction,strike``: the initial contacts of
  both feet (``foot`` ``R``/``L``); ``direction`` ``forward``/``backward`` (``sideways``/``none``
  read as unknown), ``strike`` ``heel``/``flat``/``forefoot`` (``flat`` is ``midfoot``).

Make your own from motion capture with the virtual sensor of ``shared/tools/virtual_imu.py``; then
``gait train FOLDER`` trains on it as on labelled sessions.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gait.errors import LabelFormatError, SessionFormatError
from gait.labels import StepLabel
from gait.types import SampleBlock, Session, SessionMeta, Subject

SIGNAL_COLS: tuple[str, ...] = ("t", "ax", "ay", "az", "gx", "gy", "gz")
EVENT_COLS: tuple[str, ...] = ("t_contact", "foot", "direction", "strike")
_FOOT = {"R": "right", "L": "left"}
_DIRECTION = {
    "forward": "forward",
    "backward": "backward",
    "sideways": None,
    "none": None,
    "": None,
}
_STRIKE = {
    "heel": "heel",
    "flat": "midfoot",
    "midfoot": "midfoot",
    "forefoot": "forefoot",
    "": None,
}
_SUFFIXES = (".csv.gz", ".csv")


@dataclass(frozen=True, eq=False)
class MocapRecording:
    """One virtual sensor of one clip with the contacts of both feet (``steps``)."""

    session: Session
    steps: list[StepLabel]
    clip: str
    path: Path


def _open(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")  # type: ignore[return-value]
    return open(path, encoding="utf-8")


def _strip(name: str) -> str:
    for suf in _SUFFIXES:
        if name.endswith(suf):
            return name[: -len(suf)]
    return name


def _events_file(signal: Path) -> Path | None:
    stem = _strip(signal.name)
    for suf in _SUFFIXES:
        cand = signal.with_name(stem + "_events" + suf)
        if cand.is_file():
            return cand
    return None


def is_mocap_signal(path: Path) -> bool:
    """True for ``<stem>_R.csv``/``_L.csv`` (or ``.csv.gz``) with an events file beside it."""
    stem = _strip(path.name)
    return (
        path.is_file()
        and path.name.endswith(_SUFFIXES)
        and stem[-2:] in ("_R", "_L")
        and _events_file(path) is not None
    )


def find_mocap_signals(folder: str | Path) -> list[Path]:
    """Signal files of the mocap layout in ``folder`` (recursively), sorted."""
    root = Path(folder)
    if root.is_file():
        return [root] if is_mocap_signal(root) else []
    return sorted(p for p in root.rglob("*_[RL].csv*") if is_mocap_signal(p))


def _read_signal(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with _open(path) as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        if tuple(header[:7]) != SIGNAL_COLS:
            raise SessionFormatError(
                path, f"header is {','.join(header)!r}; expected {','.join(SIGNAL_COLS)}", line=1
            )
        rows = []
        for i, row in enumerate(reader, start=2):
            if not row:
                continue
            try:
                vals = [float(x) for x in row[:7]]
            except ValueError:
                raise SessionFormatError(path, "expected 7 numbers", line=i) from None
            if len(vals) != 7 or not all(math.isfinite(v) for v in vals):
                raise SessionFormatError(path, "expected 7 finite numbers", line=i)
            rows.append(vals)
    if len(rows) < 2:
        raise SessionFormatError(path, "fewer than two samples")
    d = np.asarray(rows)
    return d[:, 0], d[:, 1:]


def _read_events(path: Path) -> list[StepLabel]:
    out = []
    with _open(path) as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        if tuple(header[:4]) != EVENT_COLS:
            raise LabelFormatError(
                path, f"header is {','.join(header)!r}; expected {','.join(EVENT_COLS)}", line=1
            )
        for i, row in enumerate(reader, start=2):
            if not row:
                continue
            f = [x.strip() for x in row]
            if len(f) < 4:
                raise LabelFormatError(path, f"{len(f)} fields; expected 4", line=i)
            try:
                t = float(f[0])
            except ValueError:
                raise LabelFormatError(
                    path, f"{f[0]!r} is not a number (seconds)", line=i, column="t_contact"
                ) from None
            if f[1] not in _FOOT:
                raise LabelFormatError(
                    path, f"unknown foot {f[1]!r}; expected R or L", line=i, column="foot"
                )
            if f[2] not in _DIRECTION:
                raise LabelFormatError(
                    path,
                    f"unknown label {f[2]!r}; expected forward, backward, sideways or none",
                    line=i,
                    column="direction",
                )
            if f[3] not in _STRIKE:
                raise LabelFormatError(
                    path,
                    f"unknown label {f[3]!r}; expected heel, flat, midfoot or forefoot",
                    line=i,
                    column="strike",
                )
            out.append(StepLabel(t, _FOOT[f[1]], _DIRECTION[f[2]], _STRIKE[f[3]]))
    return sorted(out, key=lambda s: s.t_s)


def read_mocap_recording(path: str | Path) -> MocapRecording:
    """Read one virtual sensor (``<stem>_R.csv``) and its events into canonical units."""
    p = Path(path)
    ev = _events_file(p)
    if ev is None:
        raise LabelFormatError(p, "no events file <stem>_events.csv beside this signal file")
    t, d = _read_signal(p)
    dt = np.diff(t)
    if not np.all(dt > 0):
        raise SessionFormatError(p, "time column 't' does not increase", column="t")
    fs = float(round(1.0 / float(np.median(dt)), 6))
    stem = _strip(p.name)
    side = _FOOT[stem[-1]]
    samples = SampleBlock(t - t[0], d[:, :3].copy(), np.rad2deg(d[:, 3:]), fs)
    clip = stem[:-2]
    meta = SessionMeta(
        sampling_rate_hz=fs,
        placement=f"{side}_ankle",
        subject=Subject(id=clip.split("_")[0] if "_" in clip else clip),
    )
    steps = [
        StepLabel(s.t_s - float(t[0]), s.foot, s.direction, s.strike) for s in _read_events(ev)
    ]
    return MocapRecording(Session(samples, meta, str(p)), steps, clip, p)
