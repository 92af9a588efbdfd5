"""Comma-separated text lines as printed by Arduino / ESP32 sketches (pure, no I/O).

A :class:`CsvProfile` says which column is what and in which unit; a few presets cover common
sketches. The decoder drops the first (possibly partial) line, handles ``\\r\\n``, skips and counts
status lines, non-numeric lines, wrong field counts and PLX-DAQ ``DATA,`` prefixes, takes time
from the device's own column (with u32 ``millis()``/``micros()`` wrap and restart detection), and
reports missing samples as :class:`~firmware_bridge.samples.Gap`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from firmware_bridge.samples import BlockAssembler, DecoderStats, Gap
from gait.consts import ACC_COLS, GRAVITY_MS2, GYR_COLS, SESSION_COLS, T_COL
from gait.errors import GaitError
from gait.types import SampleBlock

__all__ = ["CSV_PRESETS", "CsvDecoder", "CsvEncoder", "CsvProfile", "CsvProfileError"]

TimeUnit = Literal["s", "ms", "us"]
AccUnit = Literal["g", "m/s2", "raw"]
GyrUnit = Literal["dps", "rad/s", "raw"]

_TIME_SCALE = {"s": 1.0, "ms": 1e-3, "us": 1e-6}
#: Where a u32 counter wraps, in seconds: ``micros()`` and ``millis()`` on Arduino.
_WRAPS_S = {"us": (2**32 * 1e-6,), "ms": (2**32 * 1e-3,), "s": (2**32 * 1e-6, 2**32 * 1e-3)}
#: A line longer than this without a newline is dropped.
MAX_LINE_LEN = 4096
#: Samples held to estimate the rate when ``sampling_rate_hz`` is not given.
N_RATE_ESTIMATE = 16


class CsvProfileError(GaitError, ValueError):
    """A CSV profile that cannot work (missing columns, raw units without a scale factor...)."""


@dataclass(frozen=True)
class CsvProfile:
    """Column layout and units of a device's text lines.

    ``columns`` names every field in order; ``acc_x..acc_z`` are required, ``gyr_x..gyr_z``
    optional, the ``time_column`` (or ``None`` for no device clock) gives time in ``time_unit``;
    other names are ignored. ``raw`` units need ``acc_lsb_per_g`` / ``gyr_lsb_per_dps``.
    """

    columns: tuple[str, ...] = SESSION_COLS
    time_column: str | None = T_COL
    time_unit: TimeUnit = "s"
    acc_unit: AccUnit = "m/s2"
    gyr_unit: GyrUnit = "dps"
    acc_lsb_per_g: float | None = None
    gyr_lsb_per_dps: float | None = None
    delimiter: str = ","
    name: str = field(default="custom", compare=False)

    def __post_init__(self) -> None:
        cols = tuple(self.columns)
        object.__setattr__(self, "columns", cols)
        where = f"CSV profile '{self.name}'"
        if len(set(cols)) != len(cols):
            raise CsvProfileError(f"{where}: column names repeat: {cols}")
        missing = [c for c in ACC_COLS if c not in cols]
        if missing:
            raise CsvProfileError(f"{where}: columns lack {', '.join(missing)}")
        n_gyr = sum(c in cols for c in GYR_COLS)
        if n_gyr not in (0, 3):
            raise CsvProfileError(f"{where}: give all of gyr_x, gyr_y, gyr_z or none")
        if self.time_column is not None and self.time_column not in cols:
            raise CsvProfileError(f"{where}: time_column '{self.time_column}' not in columns")
        if self.time_unit not in _TIME_SCALE:
            raise CsvProfileError(f"{where}: time_unit must be s, ms or us, not {self.time_unit!r}")
        if self.acc_unit not in ("g", "m/s2", "raw"):
            raise CsvProfileError(f"{where}: acc_unit must be g, m/s2 or raw")
        if self.gyr_unit not in ("dps", "rad/s", "raw"):
            raise CsvProfileError(f"{where}: gyr_unit must be dps, rad/s or raw")
        if self.acc_unit == "raw" and not (self.acc_lsb_per_g or 0) > 0:
            raise CsvProfileError(f"{where}: acc_unit 'raw' needs acc_lsb_per_g")
        if n_gyr and self.gyr_unit == "raw" and not (self.gyr_lsb_per_dps or 0) > 0:
            raise CsvProfileError(f"{where}: gyr_unit 'raw' needs gyr_lsb_per_dps")
        if not self.delimiter or self.delimiter in "\r\n.-+0123456789eE":
            raise CsvProfileError(f"{where}: delimiter {self.delimiter!r} cannot work")

    @property
    def has_gyro(self) -> bool:
        return GYR_COLS[0] in self.columns

    @property
    def acc_factor(self) -> float:
        """Multiplier from the line's acceleration unit to m/s²."""
        if self.acc_unit == "g":
            return GRAVITY_MS2
        if self.acc_unit == "raw":
            return GRAVITY_MS2 / float(self.acc_lsb_per_g)  # type: ignore[arg-type]
        return 1.0

    @property
    def gyr_factor(self) -> float:
        """Multiplier from the line's angular-rate unit to deg/s."""
        if self.gyr_unit == "rad/s":
            return 180.0 / math.pi
        if self.gyr_unit == "raw":
            return 1.0 / float(self.gyr_lsb_per_dps)  # type: ignore[arg-type]
        return 1.0

    @staticmethod
    def resolve(profile: CsvProfile | str | None) -> CsvProfile:
        """A profile, a preset name, or ``None`` (the canonical ``"gait"`` preset)."""
        if profile is None:
            return CSV_PRESETS["gait"]
        if isinstance(profile, CsvProfile):
            return profile
        try:
            return CSV_PRESETS[profile]
        except KeyError:
            raise CsvProfileError(
                f"unknown CSV profile '{profile}': expected one of {', '.join(CSV_PRESETS)}"
            ) from None


_ARDUINO_COLS = ("t_ms", *ACC_COLS, *GYR_COLS)

#: Named profiles for common sketches.
CSV_PRESETS: dict[str, CsvProfile] = {
    # Our canonical session header, in canonical units.
    "gait": CsvProfile(name="gait"),
    # Adafruit_MPU6050 getEvent(): Unified Sensor units, m/s² and rad/s; millis() first.
    "adafruit_mpu6050": CsvProfile(
        _ARDUINO_COLS, "t_ms", "ms", "m/s2", "rad/s", name="adafruit_mpu6050"
    ),
    # Arduino_LSM6DS3 / Arduino_BMI270_BMM150 readAcceleration/readGyroscope: g and deg/s.
    "arduino_lsm6ds3": CsvProfile(_ARDUINO_COLS, "t_ms", "ms", "g", "dps", name="arduino_lsm6ds3"),
    # I2Cdev MPU6050::getMotion6() raw counts at the power-on ranges ±2 g / ±250 deg/s.
    "mpu6050_raw": CsvProfile(
        _ARDUINO_COLS, "t_ms", "ms", "raw", "raw", 16384.0, 131.0, name="mpu6050_raw"
    ),
}


@dataclass
class _TimeState:
    offset_s: float = 0.0
    last_raw_s: float | None = None
    last_t_s: float | None = None


class CsvDecoder:
    """Incremental text-line decoder for one :class:`CsvProfile`.

    Lines are split on ``\\n`` (a trailing ``\\r`` is dropped). The first line is dropped (it may
    be the tail of a line sent before we joined) unless it is a header. A header line naming the
    profile's columns re-maps the column positions (extra columns allowed, gyro columns
    optional). Without ``sampling_rate_hz`` the rate is estimated from the median spacing of the
    first 16 samples, which are held until then.
    """

    def __init__(self, profile: CsvProfile | None = None, sampling_rate_hz: float | None = None):
        self.profile = profile if profile is not None else CSV_PRESETS["gait"]
        if sampling_rate_hz is not None and not sampling_rate_hz > 0:
            raise CsvProfileError(f"sampling_rate_hz must be positive, got {sampling_rate_hz}")
        if self.profile.time_column is None and sampling_rate_hz is None:
            raise CsvProfileError(
                f"CSV profile '{self.profile.name}' has no time column: give sampling_rate_hz"
            )
        self.sampling_rate_hz = sampling_rate_hz
        self.stats = DecoderStats()
        self.device_info = None
        self._buf = b""
        self._first_line = True
        self._n_fields = len(self.profile.columns)
        self._set_layout(self.profile.columns)
        self._time = _TimeState()
        self._index = 0  # sample counter for profiles without a time column
        self._missing_at: list[int] = []  # row positions of damaged lines (no-clock profiles)
        self._held: list[np.ndarray] = []

    def _set_layout(self, names: tuple[str, ...]) -> None:
        p = self.profile
        self._n_fields = len(names)
        self._acc_idx = [names.index(c) for c in ACC_COLS]
        self._gyr_idx = [names.index(c) for c in GYR_COLS] if GYR_COLS[0] in names else None
        self._t_idx = names.index(p.time_column) if p.time_column is not None else None

    def _header(self, fields: list[str]) -> bool:
        p = self.profile
        names = tuple(f.strip().strip('"').strip() for f in fields)
        needed = list(ACC_COLS) + ([p.time_column] if p.time_column else [])
        if len(set(names)) != len(names) or not all(c in names for c in needed):
            return False
        gyr = [c in names for c in GYR_COLS]
        if any(gyr) and not all(gyr):
            return False
        self._set_layout(names)
        return True

    def feed(self, data: bytes) -> list[SampleBlock | Gap]:
        stats = self.stats
        stats.bytes_in += len(data)
        buf = self._buf + bytes(data)
        if b"\n" not in data and len(buf) <= MAX_LINE_LEN:
            self._buf = buf  # no line completed yet
            return []
        lines = buf.split(b"\n")
        self._buf = lines.pop()
        if len(self._buf) > MAX_LINE_LEN:
            stats.lines_skipped += 1
            stats.bytes_skipped += len(self._buf)
            self._buf = b""
            self._first_line = False
        rows: list[list[float]] = []
        delim = self.profile.delimiter
        for raw in lines:
            first, self._first_line = self._first_line, False
            text = raw.decode("ascii", errors="replace").strip()
            if not text:
                continue
            fields = text.split(delim)
            if fields[0].strip().upper() == "DATA":  # PLX-DAQ "DATA,..." rows
                fields = fields[1:]
            while fields and not fields[-1].strip():
                fields.pop()
            try:
                values = [float(f) for f in fields]
            except ValueError:
                values = None
            if (
                values is None
                or len(values) != self._n_fields
                or not all(map(math.isfinite, values))
            ):
                if values is None and self._header(fields):
                    continue
                stats.lines_skipped += 1
                stats.bytes_skipped += len(raw) + 1
                if not first and self._t_idx is None and _looks_numeric(text):
                    # A damaged data line: without a clock it still marks one lost sample.
                    self._missing_at.append(len(rows))
                continue
            if first:
                stats.lines_skipped += 1
                stats.bytes_skipped += len(raw) + 1
                continue
            rows.append(values)
        stats.frames_ok += len(rows)
        asm = BlockAssembler()
        if rows:
            self._convert(np.array(rows, dtype=np.float64), asm)
        return asm.take()

    def finish(self) -> list[SampleBlock | Gap]:
        """End of stream: convert samples held for the rate estimate; count an unfinished line.

        With fewer than two held samples the rate cannot be estimated: they count as skipped.
        """
        if self._buf.strip():
            self.stats.lines_skipped += 1
            self.stats.bytes_skipped += len(self._buf)
        self._buf = b""
        asm = BlockAssembler()
        if self._held:
            held = np.concatenate(self._held)
            self._held = []
            dt = np.diff(held[:, self._t_idx]) * _TIME_SCALE[self.profile.time_unit]
            dt = dt[dt > 0]
            if dt.size == 0:
                self.stats.lines_skipped += held.shape[0]
            else:
                self.sampling_rate_hz = float(1.0 / np.median(dt))
                self._convert(held, asm)
        return asm.take()

    # -- samples ------------------------------------------------------------------------------

    def _convert(self, arr: np.ndarray, asm: BlockAssembler) -> None:
        if self._t_idx is not None and self.sampling_rate_hz is None:
            self._held.append(arr)
            held = np.concatenate(self._held)
            if held.shape[0] < N_RATE_ESTIMATE:
                return
            self._held = []
            arr = held
            dt = np.diff(arr[:, self._t_idx]) * _TIME_SCALE[self.profile.time_unit]
            dt = dt[dt > 0]
            if dt.size == 0:
                self.stats.lines_skipped += arr.shape[0]
                return
            self.sampling_rate_hz = float(1.0 / np.median(dt))
        p = self.profile
        rate = float(self.sampling_rate_hz)  # type: ignore[arg-type]
        acc = arr[:, self._acc_idx] * p.acc_factor
        gyr = arr[:, self._gyr_idx] * p.gyr_factor if self._gyr_idx is not None else None
        if self._t_idx is None:
            t, gaps = self._count_time(arr.shape[0], rate)
        else:
            t, gaps = self._device_time(arr[:, self._t_idx] * _TIME_SCALE[p.time_unit], rate)
        start = 0
        for idx, gap in gaps:
            asm.add(t[start:idx], acc[start:idx], None if gyr is None else gyr[start:idx], rate)
            asm.gap(gap)
            start = idx
        asm.add(t[start:], acc[start:], None if gyr is None else gyr[start:], rate)

    def _count_time(self, n: int, rate: float) -> tuple[np.ndarray, list[tuple[int, Gap]]]:
        """Times ``i / rate``; each damaged line before row ``j`` counts one lost sample."""
        gaps: list[tuple[int, Gap]] = []
        missing = [j for j in self._missing_at if j < n]
        self._missing_at = [j - n for j in self._missing_at if j >= n]
        idx = np.arange(n, dtype=np.int64) + self._index
        for j in sorted(set(missing)):
            if j == 0 and self._index == 0:
                continue  # damaged lines before the first sample: nothing known to be missing
            m = missing.count(j)
            idx[j:] += m
            gaps.append((j, Gap((idx[j] - m - 1) / rate, idx[j] / rate, m)))
            self.stats.seq_gaps += 1
            self.stats.samples_lost += m
        self._index = int(idx[-1]) + 1
        return idx / rate, gaps

    def _device_time(
        self, raw_s: np.ndarray, rate: float
    ) -> tuple[np.ndarray, list[tuple[int, Gap]]]:
        """Unwrap/re-base the device clock and find gaps; returns times and (index, Gap)."""
        st = self._time
        period = 1.0 / rate
        prev_raw = np.concatenate(
            [[st.last_raw_s if st.last_raw_s is not None else raw_s[0]], raw_s]
        )
        d = np.diff(prev_raw)
        offsets = np.zeros(raw_s.shape[0])
        restarts: set[int] = set()
        back = np.flatnonzero(d < -max(0.25, 5 * period))
        # Offsets for large backward jumps: a counter wrap, or a device restart.
        t_last = st.last_t_s
        offset = st.offset_s
        pos = 0
        for j in back.tolist():
            offsets[pos:j] = offset
            wrapped = False
            for m in _WRAPS_S[self.profile.time_unit]:
                fwd = raw_s[j] + m - prev_raw[j]
                if 0 <= fwd <= max(1.0, 10 * period):
                    offset += m
                    wrapped = True
                    break
            if not wrapped:
                last_t = (prev_raw[j] + offset) if j > 0 or t_last is None else t_last
                offset = last_t + period - raw_s[j]
                restarts.add(j)
                self.stats.device_restarts += 1
            pos = j
        offsets[pos:] = offset
        t = raw_s + offsets
        st.offset_s = offset
        st.last_raw_s = float(raw_s[-1])
        gaps: list[tuple[int, Gap]] = []
        prev_t = np.concatenate([[st.last_t_s if st.last_t_s is not None else t[0]], t])
        dt = np.diff(prev_t)
        n_miss = np.rint(dt / period).astype(np.int64) - 1
        for j in np.flatnonzero((dt >= 1.5 * period) | np.isin(np.arange(t.size), list(restarts))):
            j = int(j)
            n = 0 if j in restarts else int(n_miss[j])
            gaps.append((j, Gap(float(prev_t[j]), float(t[j]), n)))
            self.stats.seq_gaps += 1
            self.stats.samples_lost += n
        st.last_t_s = float(t[-1])
        return t, gaps


def _looks_numeric(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= len(text) // 2


@dataclass
class CsvEncoder:
    """``SampleBlock``s -> text lines in ``profile``'s layout and units (``\\r\\n`` endings).

    ``start()`` sends an empty line and a header naming the columns. Columns that are not time,
    acc or gyro are written as 0. Raw units are rounded and clipped to int16.
    """

    profile: CsvProfile = field(default_factory=lambda: CSV_PRESETS["gait"])
    has_gyro: bool = True

    def __post_init__(self) -> None:
        if not self.has_gyro and self.profile.has_gyro:
            cols = tuple(c for c in self.profile.columns if c not in GYR_COLS)
            self.profile = replace(self.profile, columns=cols)

    def start(self) -> bytes:
        return ("\r\n" + self.profile.delimiter.join(self.profile.columns) + "\r\n").encode()

    def encode(self, block: SampleBlock) -> bytes:
        n = block.n_samples
        if n == 0:
            return b""
        p = self.profile
        cols: list[np.ndarray] = []
        fmts: list[str] = []
        for name in p.columns:
            if name == p.time_column:
                cols.append(block.t_s / _TIME_SCALE[p.time_unit])
                fmts.append({"s": "%.6f", "ms": "%.3f", "us": "%.0f"}[p.time_unit])
            elif name in ACC_COLS:
                v = block.acc_ms2[:, ACC_COLS.index(name)] / p.acc_factor
                cols.append(np.clip(np.rint(v), -32768, 32767) if p.acc_unit == "raw" else v)
                fmts.append({"g": "%.6f", "m/s2": "%.5f", "raw": "%.0f"}[p.acc_unit])
            elif name in GYR_COLS:
                if block.gyr_dps is None:
                    raise CsvProfileError(
                        f"CSV profile '{p.name}' has gyro columns, block has none"
                    )
                v = block.gyr_dps[:, GYR_COLS.index(name)] / p.gyr_factor
                cols.append(np.clip(np.rint(v), -32768, 32767) if p.gyr_unit == "raw" else v)
                fmts.append({"dps": "%.4f", "rad/s": "%.7f", "raw": "%.0f"}[p.gyr_unit])
            else:
                cols.append(np.zeros(n))
                fmts.append("%.0f")
        fmt = p.delimiter.join(fmts) + "\r\n"
        table = np.column_stack(cols).tolist()
        return "".join(fmt % tuple(row) for row in table).encode()
