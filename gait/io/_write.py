"""Writing canonical session files: whole sessions and live recordings."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import numpy as np

from gait.consts import ACC_COLS, GYR_COLS, SESSION_COLS, T_COL
from gait.io._read import PARQUET_NEEDS_PYARROW, PARQUET_SUFFIXES
from gait.io._sidecar import write_sidecar
from gait.types import SampleBlock, SessionMeta

#: t_s is written with this many decimals (1 µs).
T_DECIMALS = 6
#: Significant digits for acc/gyr: round-trips to 5e-7 relative.
VALUE_DIGITS = 7
#: SessionWriter flushes to the OS at least this often while write() is being called.
FLUSH_INTERVAL_S = 0.5


def _header(has_gyro: bool, extra_names: list[str]) -> str:
    cols = list(SESSION_COLS if has_gyro else (T_COL, *ACC_COLS))
    return ",".join(cols + extra_names)


def _check_block(samples: SampleBlock) -> None:
    arrays = [samples.t_s, samples.acc_ms2] + (
        [samples.gyr_dps] if samples.gyr_dps is not None else []
    )
    for arr in arrays:
        if not np.isfinite(arr).all():
            raise ValueError(
                "samples hold NaN or infinite values; a session file cannot store them"
            )


def _format_rows(samples: SampleBlock, extra: Mapping[str, np.ndarray] | None = None) -> str:
    """CSV text (no header) for the samples, one line per sample, ending with a newline."""
    n = samples.n_samples
    if n == 0:
        return ""
    parts = [samples.t_s.reshape(n, 1), samples.acc_ms2]
    fmt = [f"%.{T_DECIMALS}f"] + [f"%.{VALUE_DIGITS}g"] * 3
    if samples.gyr_dps is not None:
        parts.append(samples.gyr_dps)
        fmt += [f"%.{VALUE_DIGITS}g"] * 3
    data = np.hstack(parts).astype(np.float64)
    row_fmt = ",".join(fmt)
    if extra:
        cols = [np.asarray(v) for v in extra.values()]
        extra_fmt = ",".join("%d" if c.dtype.kind in "iub" else "%.10g" for c in cols)
        rows = zip(data.tolist(), zip(*(c.tolist() for c in cols), strict=True), strict=True)
        full = f"{row_fmt},{extra_fmt}"
        return "\n".join(full % (*r, *e) for r, e in rows) + "\n"
    return "\n".join(row_fmt % tuple(r) for r in data.tolist()) + "\n"


def _check_extra(
    samples: SampleBlock, extra: Mapping[str, np.ndarray] | None
) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name, values in (extra or {}).items():
        arr = np.asarray(values)
        if name in SESSION_COLS:
            raise ValueError(f"extra column {name!r} clashes with a session column")
        if "," in name or not name.strip():
            raise ValueError(f"extra column name {name!r} is not a valid CSV column name")
        if arr.shape != (samples.n_samples,):
            raise ValueError(f"extra column {name!r} must have shape ({samples.n_samples},)")
        if arr.dtype.kind not in "iubf":
            raise ValueError(f"extra column {name!r} must be numeric")
        out[name] = arr
    return out


def write_session(
    path: str | Path,
    samples: SampleBlock,
    meta: SessionMeta | None = None,
    *,
    extra: Mapping[str, np.ndarray] | None = None,
) -> Path:
    """Write a canonical session file: CSV, or Parquet for ``.parquet``.

    The sidecar ``<stem>.json`` is written only when ``meta`` is given. ``t_s`` is written as it
    is (6 decimals), acc and gyr with 7 significant digits; ``extra`` adds numeric columns such as
    ``seq`` after the canonical ones. Returns the file's path.
    """
    p = Path(path)
    _check_block(samples)
    extra_cols = _check_extra(samples, extra)
    if p.suffix.lower() in PARQUET_SUFFIXES:
        import importlib.util

        import pandas as pd

        if importlib.util.find_spec("pyarrow") is None:
            raise ImportError(f"{p}: writing {PARQUET_NEEDS_PYARROW}")

        data: dict[str, np.ndarray] = {T_COL: samples.t_s}
        data.update({c: samples.acc_ms2[:, i] for i, c in enumerate(ACC_COLS)})
        if samples.gyr_dps is not None:
            data.update({c: samples.gyr_dps[:, i] for i, c in enumerate(GYR_COLS)})
        data.update(extra_cols)
        pd.DataFrame(data).to_parquet(p, index=False)
    else:
        text = (
            _header(samples.has_gyro, list(extra_cols)) + "\n" + _format_rows(samples, extra_cols)
        )
        with open(p, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    if meta is not None:
        write_sidecar(p, meta, sampling_rate_hz=samples.sampling_rate_hz)
    return p


class SessionWriter:
    """Append blocks to a canonical session CSV as they arrive (live recording).

    The header (and the sidecar, given ``meta``) is written when the writer opens. ``write``
    flushes to the operating system at least every :data:`FLUSH_INTERVAL_S` seconds, so a crash
    loses at most that much; ``close`` flushes and syncs to disk. ``read_session`` of the file
    gives back the written samples (with ``t_s`` shifted to start at 0).
    """

    def __init__(
        self, path: str | Path, meta: SessionMeta | None = None, has_gyro: bool = True
    ) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() in PARQUET_SUFFIXES:
            raise ValueError("SessionWriter writes CSV; record to a .csv file")
        self.meta = meta
        self.has_gyro = has_gyro
        self.n_samples = 0
        self._sidecar_rate: float | None = None
        self._file: IO[str] | None = open(self.path, "w", encoding="utf-8", newline="\n")
        self._file.write(_header(has_gyro, []) + "\n")
        self._file.flush()
        self._last_flush = time.monotonic()
        if meta is not None:
            write_sidecar(self.path, meta)
            self._sidecar_rate = meta.sampling_rate_hz

    @property
    def closed(self) -> bool:
        return self._file is None

    def write(self, block: SampleBlock) -> None:
        """Append one block's samples."""
        if self._file is None:
            raise ValueError(f"SessionWriter for {self.path} is closed")
        if block.has_gyro != self.has_gyro:
            want = "with" if self.has_gyro else "without"
            raise ValueError(
                f"this recording was opened {want} gyroscope columns; block does not match"
            )
        _check_block(block)
        if self.meta is not None and self._sidecar_rate is None:
            write_sidecar(self.path, self.meta, sampling_rate_hz=block.sampling_rate_hz)
            self._sidecar_rate = block.sampling_rate_hz
        self._file.write(_format_rows(block))
        self.n_samples += block.n_samples
        if time.monotonic() - self._last_flush >= FLUSH_INTERVAL_S:
            self.flush()

    def flush(self) -> None:
        """Hand everything written so far to the operating system."""
        if self._file is not None:
            self._file.flush()
            self._last_flush = time.monotonic()

    def close(self) -> None:
        """Flush, sync to disk and close (a second close does nothing)."""
        if self._file is None:
            return
        self._file.flush()
        try:
            os.fsync(self._file.fileno())
        except OSError:
            pass
        self._file.close()
        self._file = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
