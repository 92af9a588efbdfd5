"""Labelled sessions: the ``<stem>.labels.csv`` / ``<stem>.steps.csv`` format and a training loader.

Format (docs/labelled-sessions.md):

- ``<stem>.labels.csv``: header ``t_start_s,t_end_s,direction,strike``; one interval per line;
  ``direction`` is ``forward``/``backward``, ``strike`` ``heel``/``midfoot``/``forefoot``; an empty
  field means unknown. Intervals may touch but not overlap and must lie inside the recording.
- ``<stem>.steps.csv`` (optional): header ``t_s,foot,direction,strike``; one foot contact per line,
  ``foot`` is ``left``/``right``.

Both files may carry further columns after the required ones; they are kept in ``extra``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gait.consts import DIRECTIONS, FEET, STRIKES
from gait.errors import LabelFormatError

LABEL_COLS: tuple[str, ...] = ("t_start_s", "t_end_s", "direction", "strike")
STEP_COLS: tuple[str, ...] = ("t_s", "foot", "direction", "strike")
LABELS_SUFFIX = ".labels.csv"
STEPS_SUFFIX = ".steps.csv"
#: Slack (s) allowed between a label time and the first/last sample of the recording.
TIME_TOLERANCE_S = 0.5


@dataclass(frozen=True)
class LabelInterval:
    """A labelled stretch of a session; ``None`` means unknown."""

    t_start_s: float
    t_end_s: float
    direction: str | None
    strike: str | None
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StepLabel:
    """Ground truth of one foot contact; ``None`` means unknown."""

    t_s: float
    foot: str
    direction: str | None
    strike: str | None
    extra: tuple[tuple[str, str], ...] = ()


#: Endings of session files that can carry labels (longest first).
SESSION_SUFFIXES: tuple[str, ...] = (".csv.gz", ".parquet", ".csv", ".pq")


def session_stem(session_path: str | Path) -> str:
    """``walk`` for ``walk.csv``, ``walk.csv.gz`` or ``walk.parquet``."""
    name = Path(session_path).name
    for suf in SESSION_SUFFIXES:
        if name.lower().endswith(suf):
            return name[: -len(suf)]
    return Path(name).stem


def labels_path(session_path: str | Path) -> Path:
    """``<stem>.labels.csv`` beside a session file."""
    p = Path(session_path)
    return p.with_name(session_stem(p) + LABELS_SUFFIX)


def steps_path(session_path: str | Path) -> Path:
    """``<stem>.steps.csv`` beside a session file."""
    p = Path(session_path)
    return p.with_name(session_stem(p) + STEPS_SUFFIX)


# ---- writing ----------------------------------------------------------------------------------
def _fmt_time(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") if math.isfinite(x) else str(x)


def _extra_names(rows: Sequence[LabelInterval | StepLabel]) -> list[str]:
    names: list[str] = []
    for r in rows:
        for k, _ in r.extra:
            if k not in names:
                names.append(k)
    return names


def _write_table(path: str | Path, columns: Sequence[str], rows: list, fields: Callable) -> None:
    """Write ``rows`` as CSV: the fixed ``columns`` from ``fields(row)``, then extra columns."""
    extra = _extra_names(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([*columns, *extra])
        for r in rows:
            ex = dict(r.extra)
            w.writerow([*fields(r), *(ex.get(k, "") for k in extra)])


def write_labels(path: str | Path, intervals: Iterable[LabelInterval]) -> Path:
    """Write intervals as ``<stem>.labels.csv`` (validated first)."""
    rows = sorted(intervals, key=lambda r: r.t_start_s)
    _check_intervals(Path(path), [(i + 2, r) for i, r in enumerate(rows)], None)
    _write_table(
        path,
        LABEL_COLS,
        rows,
        lambda r: [_fmt_time(r.t_start_s), _fmt_time(r.t_end_s), r.direction or "", r.strike or ""],
    )
    return Path(path)


def write_steps(path: str | Path, steps: Iterable[StepLabel]) -> Path:
    """Write per-contact truth as ``<stem>.steps.csv`` in time order."""
    rows = sorted(steps, key=lambda r: r.t_s)
    _write_table(
        path,
        STEP_COLS,
        rows,
        lambda r: [_fmt_time(r.t_s), r.foot, r.direction or "", r.strike or ""],
    )
    return Path(path)


# ---- reading ----------------------------------------------------------------------------------
def _read_rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[tuple[int, list]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LabelFormatError(path, "file not found") from None
    except UnicodeDecodeError as e:
        raise LabelFormatError(path, f"not UTF-8 text ({e.reason})") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise LabelFormatError(
            path, f"empty file; expected the header {','.join(required)}", line=1
        )
    header = [h.strip() for h in next(csv.reader([lines[0]]))]
    if tuple(header[: len(required)]) != required:
        raise LabelFormatError(
            path,
            f"header is {','.join(header)!r}; expected it to start with {','.join(required)}",
            line=1,
        )
    dup = {h for h in header if header.count(h) > 1}
    if dup or any(not h for h in header):
        raise LabelFormatError(path, "header has empty or repeated column names", line=1)
    rows = []
    for i, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = [f.strip() for f in next(csv.reader([line]))]
        if len(fields) != len(header):
            raise LabelFormatError(
                path, f"{len(fields)} fields; expected {len(header)} as in the header", line=i
            )
        rows.append((i, fields))
    return header, rows


def _time(path: Path, line: int, col: str, text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise LabelFormatError(
            path, f"{text!r} is not a number (seconds expected)", line=line, column=col
        ) from None
    if not math.isfinite(x):
        raise LabelFormatError(path, f"{text!r} is not a finite time", line=line, column=col)
    return x


def _choice(path: Path, line: int, col: str, text: str, allowed: Sequence[str], empty_ok=True):
    if text == "" and empty_ok:
        return None
    if text not in allowed:
        what = " or ".join(allowed) + (" (or empty for unknown)" if empty_ok else "")
        raise LabelFormatError(
            path, f"unknown label {text!r}; expected {what}", line=line, column=col
        )
    return text


def _check_intervals(path: Path, rows: list[tuple[int, LabelInterval]], span) -> None:
    prev: tuple[int, LabelInterval] | None = None
    for line, r in sorted(rows, key=lambda x: x[1].t_start_s):
        if not r.t_end_s > r.t_start_s:
            raise LabelFormatError(
                path,
                f"interval ends ({r.t_end_s}) "
                + ("where it starts" if r.t_end_s == r.t_start_s else "before it starts")
                + f" ({r.t_start_s}); expected t_end_s after t_start_s",
                line=line,
                column="t_end_s",
            )
        if span is not None:
            lo, hi = span
            if r.t_start_s < lo - TIME_TOLERANCE_S or r.t_end_s > hi + TIME_TOLERANCE_S:
                raise LabelFormatError(
                    path,
                    f"interval {r.t_start_s}-{r.t_end_s} s lies outside the recording "
                    f"({lo:.3f}-{hi:.3f} s)",
                    line=line,
                    column="t_start_s" if r.t_start_s < lo - TIME_TOLERANCE_S else "t_end_s",
                )
        if prev is not None and r.t_start_s < prev[1].t_end_s:
            raise LabelFormatError(
                path,
                f"interval {r.t_start_s}-{r.t_end_s} s overlaps the interval "
                f"{prev[1].t_start_s}-{prev[1].t_end_s} s on line {prev[0]}",
                line=line,
                column="t_start_s",
            )
        prev = (line, r)


def read_labels(
    path: str | Path, *, recording_span_s: tuple[float, float] | None = None
) -> list[LabelInterval]:
    """Read and validate a ``.labels.csv`` file; intervals come back sorted by start time.

    ``recording_span_s`` (first and last sample time) enables the "inside the recording" check.
    """
    path = Path(path)
    header, rows = _read_rows(path, LABEL_COLS)
    extra_cols = header[len(LABEL_COLS) :]
    parsed = []
    for line, f in rows:
        t0 = _time(path, line, "t_start_s", f[0])
        t1 = _time(path, line, "t_end_s", f[1])
        d = _choice(path, line, "direction", f[2], DIRECTIONS)
        s = _choice(path, line, "strike", f[3], STRIKES)
        extra = tuple(zip(extra_cols, f[len(LABEL_COLS) :], strict=True))
        parsed.append((line, LabelInterval(t0, t1, d, s, extra)))
    _check_intervals(path, parsed, recording_span_s)
    return [r for _, r in sorted(parsed, key=lambda x: x[1].t_start_s)]


def read_steps(
    path: str | Path, *, recording_span_s: tuple[float, float] | None = None
) -> list[StepLabel]:
    """Read and validate a ``.steps.csv`` file; contacts come back in time order."""
    path = Path(path)
    header, rows = _read_rows(path, STEP_COLS)
    extra_cols = header[len(STEP_COLS) :]
    out = []
    for line, f in rows:
        t = _time(path, line, "t_s", f[0])
        if recording_span_s is not None:
            lo, hi = recording_span_s
            if t < lo - TIME_TOLERANCE_S or t > hi + TIME_TOLERANCE_S:
                raise LabelFormatError(
                    path,
                    f"contact at {t} s lies outside the recording ({lo:.3f}-{hi:.3f} s)",
                    line=line,
                    column="t_s",
                )
        foot = _choice(path, line, "foot", f[1], FEET, empty_ok=False)
        d = _choice(path, line, "direction", f[2], DIRECTIONS)
        s = _choice(path, line, "strike", f[3], STRIKES)
        extra = tuple(zip(extra_cols, f[len(STEP_COLS) :], strict=True))
        out.append(StepLabel(t, foot, d, s, extra))
    return sorted(out, key=lambda r: r.t_s)


# ---- assigning labels to contacts --------------------------------------------------------------
@dataclass(frozen=True)
class ContactLabels:
    """Labels of a set of contact times: ``interval_idx`` is -1 for an unlabelled contact."""

    t_s: np.ndarray
    interval_idx: np.ndarray
    direction: np.ndarray  # object array of str | None
    strike: np.ndarray

    @property
    def labelled(self) -> np.ndarray:
        return self.interval_idx >= 0

    @property
    def n_unlabelled(self) -> int:
        return int((self.interval_idx < 0).sum())


def assign_labels(contact_t_s: np.ndarray, intervals: Sequence[LabelInterval]) -> ContactLabels:
    """Give each contact the label of the interval ``[t_start_s, t_end_s)`` it falls in."""
    t = np.asarray(contact_t_s, dtype=np.float64)
    ivs = sorted(intervals, key=lambda r: r.t_start_s)
    starts = np.array([r.t_start_s for r in ivs])
    ends = np.array([r.t_end_s for r in ivs])
    idx = np.searchsorted(starts, t, side="right") - 1
    ok = idx >= 0
    ok[ok] &= t[ok] < ends[idx[ok]]
    idx = np.where(ok, idx, -1)
    direction = np.array([ivs[i].direction if i >= 0 else None for i in idx], dtype=object)
    strike = np.array([ivs[i].strike if i >= 0 else None for i in idx], dtype=object)
    return ContactLabels(t, idx.astype(np.int64), direction, strike)


# ---- sessions and folders ---------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LabelledSession:
    """A session with its labels (and per-contact truth when there is a steps file)."""

    session: object  # gait.types.Session
    intervals: list[LabelInterval]
    steps: list[StepLabel] | None
    path: Path


def _read_session(path: Path):
    from gait import io as gait_io  # the canonical reader (owned by the I/O module)

    return gait_io.read_session(path)


def read_labelled_session(session_path: str | Path) -> LabelledSession:
    """Read ``<stem>.csv`` (+ sidecar) with ``<stem>.labels.csv`` and optional ``.steps.csv``."""
    p = Path(session_path)
    lp = labels_path(p)
    if not lp.exists():
        raise LabelFormatError(lp, f"no labels file for session {p.name}")
    session = _read_session(p)
    t = session.samples.t_s
    span = (float(t[0]), float(t[-1])) if t.shape[0] else (0.0, 0.0)
    intervals = read_labels(lp, recording_span_s=span)
    sp = steps_path(p)
    steps = read_steps(sp, recording_span_s=span) if sp.exists() else None
    return LabelledSession(session, intervals, steps, p)


def find_labelled_sessions(folder: str | Path) -> list[Path]:
    """Session files in ``folder`` (recursively) that have a ``.labels.csv`` beside them."""
    root = Path(folder)
    if root.is_file():
        return [root]
    out = []
    for lp in sorted(root.rglob("*" + LABELS_SUFFIX)):
        stem = lp.name[: -len(LABELS_SUFFIX)]
        cands = [lp.with_name(stem + suf) for suf in SESSION_SUFFIXES]
        cands = [c for c in cands if c.is_file()]
        if not cands:
            raise LabelFormatError(lp, f"labels file without a session file {stem}.csv")
        if len(cands) > 1:
            names = ", ".join(c.name for c in cands)
            raise LabelFormatError(lp, f"more than one session file for these labels: {names}")
        out.append(cands[0])
    return out


def load_training_contacts(
    folder: str | Path,
    contacts: Callable[[LabelledSession], tuple[np.ndarray, np.ndarray]] | None = None,
):
    """Per-contact labels of every labelled session in ``folder``, as a pandas DataFrame.

    ``contacts(labelled_session) -> (t_s, foot)`` gives the contact times to label (e.g. from a
    step detector). Without it the contacts of ``<stem>.steps.csv`` are used. Each contact gets
    the label of the interval it falls in; contacts outside every interval are kept with
    ``labelled == False`` and their count is in ``df.attrs["n_unlabelled"]``.
    Columns: session, subject, t_s, foot, direction, strike, labelled.
    """
    import pandas as pd

    frames = []
    for p in find_labelled_sessions(folder):
        ls = read_labelled_session(p)
        if contacts is not None:
            t, foot = contacts(ls)
            t = np.asarray(t, dtype=np.float64)
            foot = np.asarray(foot, dtype=object)
        elif ls.steps is not None:
            t = np.array([s.t_s for s in ls.steps])
            foot = np.array([s.foot for s in ls.steps], dtype=object)
        else:
            raise LabelFormatError(
                steps_path(p), "no steps file and no contact source given to label"
            )
        lab = assign_labels(t, ls.intervals)
        subj = getattr(getattr(ls.session, "meta", None), "subject", None)
        frames.append(
            pd.DataFrame(
                {
                    "session": str(p),
                    "subject": getattr(subj, "id", None),
                    "t_s": t,
                    "foot": foot,
                    "direction": lab.direction,
                    "strike": lab.strike,
                    "labelled": lab.labelled,
                }
            )
        )
    cols = ["session", "subject", "t_s", "foot", "direction", "strike", "labelled"]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    df.attrs["n_unlabelled"] = int((~df["labelled"].astype(bool)).sum()) if len(df) else 0
    return df
