"""MetEnergyEstimator: speed, stride table and energy of every step, streaming.

It plugs into the pipeline's energy slot (:class:`gait.pipeline.EnergyEstimatorLike`): for each
labelled step it gives ``speed_m_s``, ``kcal`` (gross) and ``kcal_net``, and it keeps the stride
table and what the summary needs (time, distance and energy per direction, bouts).

Which stride a step gets its speed from: the latest stride of the instrumented foot that ended
(with its still window, :data:`gait.speed._stride.STILL_WINDOW_S`) before the step, if it ended
less than :data:`MAX_STRIDE_TIME_S` before it; that stride is known when the step is, so a live
step is priced without waiting. At the start of a walk there is no such stride: the step waits
for the first plausible stride from the contact at or before it (or the next one), at most
:data:`HOLD_S` seconds of samples beyond :data:`MAX_STRIDE_TIME_S`. A step with no plausible
stride near it (an isolated step) has no speed and no energy. The stride table lists every
stride between consecutive contacts of the instrumented foot, measured as its samples come in.

A step's energy is the stride's gross MET (by speed, gait and the step's direction) over the
step's time: the time since the previous step when that lies within the stride, else half the
stride time. Without a body mass, ``kcal`` is NaN (never guessed); the speed is still given.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import deque
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from gait._estimator import BaseEstimator
from gait.energy._met import (
    BACKWARD_RUN_MULTIPLIER,
    BACKWARD_WALK_MULTIPLIER,
    MET_VO2_ML_KG_MIN,
    kcal_per_min,
    met,
    net_kcal_per_min,
)
from gait.pipeline import Labels
from gait.speed._stride import (
    DEFAULT_HEIGHT_M,
    MAX_STRIDE_TIME_S,
    MIN_STRIDE_TIME_S,
    STILL_HALF_S,
    STILL_SMOOTH_S,
    STILL_WINDOW_S,
    StrideMeasure,
    lever_m_for,
    measure_stride,
    measure_strides,
    stillness_cost,
)

if TYPE_CHECKING:
    import pandas as pd

    from gait.types import SampleBlock

#: Seconds of samples, beyond the longest stride, that a step waits for the next contact of the
#: instrumented foot before it is priced without it (live streams stay responsive; offline
#: analysis sees every contact at once).
HOLD_S: float = 6.0
#: A pause longer than this between consecutive steps ends a bout (the Mobilise-D rule's 3 s).
BOUT_BREAK_S: float = 3.0
#: Strides (instrumented contacts minus one) a bout needs at least.
MIN_BOUT_STRIDES: int = 2
#: Columns of the stride table, in order (gaitmap/mobgap names where they have one).
STRIDE_COLUMNS: tuple[str, ...] = (
    "ic_t_s",
    "end_t_s",
    "fc_t_s",
    "stride_time_s",
    "stance_time_s",
    "swing_time_s",
    "cadence_spm",
    "stride_length_m",
    "stride_length_sd_m",
    "walking_speed_mps",
    "walking_speed_sd_mps",
    "gait",
    "direction",
    "strike",
    "met",
    "kcal",
    "method",
)

_NOT_READY = object()


@dataclass(frozen=True, eq=False)
class _Energy:
    labels: Labels
    speed_m_s: np.ndarray
    kcal: np.ndarray
    kcal_net: np.ndarray


@dataclass(slots=True)
class _Step:
    table: Any
    row: int
    idx: int
    t_s: float
    instrumented: bool
    direction: str | None
    direction_p: float
    strike: str | None
    strike_p: float
    fc_t_s: float


@dataclass(slots=True)
class _Priced:
    """What the summary needs of one released step."""

    t_s: float
    instrumented: bool
    direction: str | None
    strike: str | None
    duration_s: float
    speed_m_s: float
    gait: str | None
    met: float
    met_forward: float
    kcal: float
    kcal_net: float
    kcal_forward: float
    stride_time_s: float


def _take(table: Any, rows: list[int]) -> Any:
    """The rows of a StepTable (every array field, so fields added later are kept)."""
    return type(table)(**{f.name: getattr(table, f.name)[rows] for f in fields(table)})


def _concat(parts: list[Any]) -> Any:
    first = parts[0]
    return type(first)(
        **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(first)}
    )


def _rows_of(steps: list[_Step]) -> Any:
    """The steps' rows of their StepTables, as one table (one take per run of steps from the
    same table: steps come in the order they were fed)."""
    parts = []
    start = 0
    for end in range(1, len(steps) + 1):
        if end == len(steps) or steps[end].table is not steps[start].table:
            parts.append(_take(steps[start].table, [s.row for s in steps[start:end]]))
            start = end
    return _concat(parts)


class MetEnergyStream:
    """Running state of :class:`MetEnergyEstimator` for one stream (feed / finish)."""

    def __init__(
        self,
        est: MetEnergyEstimator,
        sampling_rate_hz: float,
        *,
        has_gyro: bool,
        mass_kg: float | None,
        placement: str | None = None,
        acc_average_s: float | None = None,
    ) -> None:
        self._est = est
        self._lever_m = lever_m_for(placement)  # shank pivot at mid-stance (gait.speed)
        self._acc_average_s = acc_average_s  # on-board accelerometer averaging (gait.speed)
        self._fs = float(sampling_rate_hz)
        self._has_gyro = has_gyro
        self.mass_kg = None if mass_kg is None or not mass_kg > 0 else float(mass_kg)
        self._height_m = float(est.height_m) if est.height_m else DEFAULT_HEIGHT_M
        self._acc = np.zeros((0, 3))
        self._gyr = np.zeros((0, 3))
        self._buf_start = 0  # stream index of self._acc[0]
        self._n_seen = 0
        self._t_last = -math.inf
        self._finished = False
        self._pending: deque[_Step] = deque()
        self._instr: list[_Step] = []  # instrumented contacts, in order
        self._instr_t: list[float] = []
        self._next_stride = 1  # next instrumented contact whose stride is to be measured
        self._strides: dict[tuple[int, int], StrideMeasure | None] = {}
        self._stride_rows: dict[tuple[int, int], dict[str, Any]] = {}
        self._t_prev: float | None = None
        self._cost: np.ndarray | None = None  # stillness cost of the whole buffer (lazy)
        self._rows_to_price: list[tuple[dict[str, Any], bool]] = []  # stride rows without MET
        self.priced_: list[_Priced] = []
        self._empty_table: Any = None
        k = max(round(STILL_SMOOTH_S * self._fs), 1)
        self._pad = k + 2
        self._w1 = round((STILL_WINDOW_S[1] + STILL_HALF_S) * self._fs)
        # a stride is measurable once this long after its end contact
        self._w_s = (self._w1 + self._pad + 1) / self._fs

    # -- stream protocol -------------------------------------------------------------------------

    def feed(self, block: SampleBlock, labels: Any) -> _Energy:
        if block.n_samples:
            self._append(block)
        self._add(labels)
        return self._release()

    def finish(self) -> _Energy:
        self._finished = True
        return self._release()

    # -- samples ---------------------------------------------------------------------------------

    def _append(self, block: SampleBlock) -> None:
        self._acc = np.concatenate([self._acc, np.asarray(block.acc_ms2, dtype=np.float64)])
        if block.gyr_dps is not None and self._has_gyro:
            g = np.deg2rad(np.asarray(block.gyr_dps, dtype=np.float64))
            self._gyr = np.concatenate([self._gyr, g])
        self._n_seen += block.n_samples
        self._t_last = float(block.t_s[-1])
        self._cost = None

    def _trim(self) -> None:
        """Drop samples no pending step can need (keep the longest stride before the first)."""
        keep_from = self._n_seen - round((2 * MAX_STRIDE_TIME_S + HOLD_S + 2.0) * self._fs)
        if self._pending:
            keep_from = min(
                keep_from, self._pending[0].idx - round(3 * MAX_STRIDE_TIME_S * self._fs)
            )
        if self._next_stride < len(self._instr):
            keep_from = min(keep_from, self._instr[self._next_stride - 1].idx - 2 * self._pad)
        drop = keep_from - self._buf_start
        if drop > 4 * self._fs:
            self._acc = self._acc[drop:]
            if self._has_gyro:
                self._gyr = self._gyr[drop:]
            self._cost = None
            self._buf_start += drop

    # -- steps -----------------------------------------------------------------------------------

    def _add(self, labels: Any) -> None:
        steps = labels.steps
        if self._empty_table is None:
            self._empty_table = _take(steps, [])
        n = len(steps)
        fc = getattr(steps, "fc_t_s", None)
        fc_list = [math.nan] * n if fc is None else np.asarray(fc, dtype=np.float64).tolist()
        columns = zip(
            np.asarray(steps.ic_idx).tolist(),
            np.asarray(steps.t_s, dtype=np.float64).tolist(),
            np.asarray(steps.instrumented, dtype=bool).tolist(),
            labels.direction,
            np.asarray(labels.direction_p, dtype=np.float64).tolist(),
            labels.strike,
            np.asarray(labels.strike_p, dtype=np.float64).tolist(),
            fc_list,
            strict=True,
        )
        for i, (idx, t, instrumented, d, dp, st, sp, fc_t) in enumerate(columns):
            s = _Step(steps, i, int(idx), t, instrumented, d, dp, st, sp, fc_t)
            self._pending.append(s)
            if s.instrumented:
                self._instr.append(s)
                self._instr_t.append(s.t_s)

    def _release(self) -> _Energy:
        self._measure_new_strides()
        out: list[tuple[_Step, StrideMeasure | None, float]] = []
        while self._pending:
            res = self._price(self._pending[0])
            if res is _NOT_READY:
                break
            out.append((self._pending.popleft(), *res))  # type: ignore[misc]
        self._trim()
        self._price_rows()
        if not out:
            empty = self._empty_table
            return _Energy(
                Labels.empty(empty if empty is not None else _empty_steps()),
                np.zeros(0),
                np.zeros(0),
                np.zeros(0),
            )
        speed, kcal, kcal_net = self._energy_of(out)
        steps = [s for s, *_ in out]
        labels = Labels(
            _rows_of(steps),
            [s.direction for s in steps],
            np.array([s.direction_p for s in steps]),
            [s.strike for s in steps],
            np.array([s.strike_p for s in steps]),
        )
        return _Energy(labels, speed, kcal, kcal_net)

    def _energy_of(
        self, out: list[tuple[_Step, StrideMeasure | None, float]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Speed, kcal and net kcal of released steps (each with its stride and duration),
        all at once; records what the summary needs in :attr:`priced_`."""
        n = len(out)
        speed = np.full(n, math.nan)
        kcal = np.full(n, math.nan)
        kcal_net = np.full(n, math.nan)
        kcal_fwd = np.full(n, math.nan)
        met_value = np.full(n, math.nan)
        met_fwd = np.full(n, math.nan)
        have = [i for i, (_, m, _) in enumerate(out) if m is not None]
        if have:
            ms = [out[i][1] for i in have]
            v = np.array([m.speed_m_s for m in ms], dtype=np.float64)  # type: ignore[union-attr]
            gait = np.array([m.gait for m in ms])  # type: ignore[union-attr]
            backward = np.array([out[i][0].direction == "backward" for i in have])
            speed[have] = v
            met_value[have] = self._mets(v, gait, backward)
            met_fwd[have] = self._mets(v, gait, np.zeros(len(have), dtype=bool))
            if self.mass_kg is not None:
                minutes = np.array([out[i][2] for i in have]) / 60.0
                kcal[have] = kcal_per_min(met_value[have], self.mass_kg) * minutes
                kcal_fwd[have] = kcal_per_min(met_fwd[have], self.mass_kg) * minutes
                kcal_net[have] = (
                    net_kcal_per_min(
                        met_value[have],
                        self.mass_kg,
                        resting_vo2_ml_kg_min=self._est.resting_vo2_ml_kg_min,
                    )
                    * minutes
                )
        # the arrays as Python floats once (the values float() of each element gives)
        columns = zip(
            out,
            speed.tolist(),
            met_value.tolist(),
            met_fwd.tolist(),
            kcal.tolist(),
            kcal_net.tolist(),
            kcal_fwd.tolist(),
            strict=True,
        )
        priced = self.priced_
        for (step, m, duration), v, met_i, met_f, kc, kc_net, kc_f in columns:
            priced.append(
                _Priced(
                    step.t_s,
                    step.instrumented,
                    step.direction,
                    step.strike,
                    duration,
                    v,
                    None if m is None else m.gait,
                    met_i,
                    met_f,
                    kc,
                    kc_net,
                    kc_f,
                    math.nan if m is None else m.stride_time_s,
                )
            )
        return speed, kcal, kcal_net

    def _mets(self, speed: np.ndarray, gait: np.ndarray, backward: np.ndarray) -> np.ndarray:
        return met(
            speed,
            gait=gait,
            backward=backward,
            backward_walk_multiplier=self._est.backward_walk_multiplier,
            backward_run_multiplier=self._est.backward_run_multiplier,
        )

    def _price_rows(self) -> None:
        """MET and kcal of the stride rows measured since the last call, all at once."""
        rows = self._rows_to_price
        if not rows:
            return
        self._rows_to_price = []
        v = np.array([r["walking_speed_mps"] for r in rows], dtype=np.float64)
        gait = np.array([r["gait"] for r in rows])
        backward = np.array([r["direction"] == "backward" for r in rows])
        mets = self._mets(v, gait, backward)
        kcal = np.full(len(rows), math.nan)
        if self.mass_kg is not None:
            t_stride = np.array([r["end_t_s"] - r["ic_t_s"] for r in rows])
            kcal = kcal_per_min(mets, self.mass_kg) * t_stride / 60.0
        for r, m_value, k in zip(rows, mets.tolist(), kcal.tolist(), strict=True):
            r["met"] = m_value
            r["kcal"] = k

    def _timed_out(self, step: _Step) -> bool:
        return self._finished or self._t_last > step.t_s + MAX_STRIDE_TIME_S + HOLD_S

    def _span(self, a: _Step, b: _Step) -> Any:
        """The samples of the stride from contact ``a`` to ``b``: ``(lo, hi, fc)`` (buffer
        indices ``lo``-``hi`` and the toe-off time after ``a``, or None), None if the stride is
        not plausible, or _NOT_READY (samples still to come)."""
        if not MIN_STRIDE_TIME_S <= b.t_s - a.t_s <= MAX_STRIDE_TIME_S:
            return None
        need = b.idx + self._w1 + self._pad + 1
        if self._n_seen < need and not self._finished:
            return _NOT_READY
        fc = b.fc_t_s - a.t_s if math.isfinite(b.fc_t_s) else None
        return max(a.idx - self._pad, self._buf_start), min(need, self._n_seen), fc

    def _keep(self, a: _Step, b: _Step, m: StrideMeasure | None) -> None:
        """Store a measured stride (and its table row when it is plausible)."""
        self._strides[(a.idx, b.idx)] = m
        if m is not None:
            self._stride_rows[(a.idx, b.idx)] = self._stride_row(a, b, m)

    def _stride(self, a: _Step | None, b: _Step | None) -> Any:
        """The measured stride from contact ``a`` to ``b``: a StrideMeasure, None (not
        plausible), or _NOT_READY (samples still to come)."""
        if a is None or b is None:
            return None
        key = (a.idx, b.idx)
        if key in self._strides:
            return self._strides[key]
        span = self._span(a, b)
        if span is None or span is _NOT_READY:
            return span
        lo, hi, fc = span
        s0 = self._buf_start
        gyr = self._gyr[lo - s0 : hi - s0] if self._has_gyro else None
        m = measure_stride(
            self._acc[lo - s0 : hi - s0],
            gyr,
            self._buffer_cost()[lo - s0 : hi - s0] if gyr is not None else None,
            a.idx - lo,
            b.idx - lo,
            self._fs,
            height_m=self._height_m,
            fc_time_s=fc,
            lever_m=self._lever_m,
            acc_average_s=self._acc_average_s,
        )
        self._keep(a, b, m)
        return m

    def _measure_batch(self) -> None:
        """Measure at once (:func:`gait.speed.measure_strides`) the strides from
        :attr:`_next_stride` on whose samples are in, as :meth:`_stride` would one by one:
        the same slices and numbers, stored for it to find."""
        pairs, spans = [], []
        for k in range(self._next_stride, len(self._instr)):
            a, b = self._instr[k - 1], self._instr[k]
            if (a.idx, b.idx) in self._strides:
                continue
            span = self._span(a, b)
            if span is _NOT_READY:
                break  # contacts come in order: the later strides are not ready either
            if span is not None:
                pairs.append((a, b))
                spans.append(span)
        if len(pairs) < 2:
            return  # nothing gained over one at a time
        start = self._buf_start
        lo, hi, fc = (list(c) for c in zip(*spans, strict=True))
        gyr = self._gyr if self._has_gyro else None
        measures = measure_strides(
            self._acc,
            gyr,
            self._buffer_cost() if gyr is not None else None,
            np.array(lo) - start,
            np.array(hi) - start,
            np.array([a.idx for a, _ in pairs]) - start,
            np.array([b.idx for _, b in pairs]) - start,
            self._fs,
            height_m=self._height_m,
            fc_time_s=fc,
            lever_m=self._lever_m,
            acc_average_s=self._acc_average_s,
        )
        for (a, b), m in zip(pairs, measures, strict=True):
            self._keep(a, b, m)

    def _buffer_cost(self) -> np.ndarray:
        """The stillness cost of the whole buffer, computed once per buffer.

        A sample's cost depends only on the samples within half a smoothing window of it, and
        a stride reads it only at least that far inside its slice (or at a buffer end, where the
        slice and the buffer repeat the same edge sample): the same numbers as the cost of each
        stride's own slice, computed once instead of once per stride."""
        if self._cost is None:
            self._cost = stillness_cost(self._acc, self._gyr, self._fs)
        return self._cost

    def _stride_row(self, a: _Step, b: _Step, m: StrideMeasure) -> dict[str, Any]:
        """The stride's row; its ``met`` and ``kcal`` are filled by :meth:`_price_rows`."""
        stance = m.stance_time_s
        t_stride = b.t_s - a.t_s  # contact times (the detector's may fall between samples)
        row = {
            "ic_t_s": a.t_s,
            "end_t_s": b.t_s,
            "fc_t_s": a.t_s + stance if math.isfinite(stance) else math.nan,
            "stride_time_s": t_stride,
            "stance_time_s": stance,
            "swing_time_s": t_stride - stance,
            "cadence_spm": 120.0 / t_stride,
            "stride_length_m": m.stride_length_m,
            "stride_length_sd_m": m.stride_length_sd_m,
            "walking_speed_mps": m.speed_m_s,
            "walking_speed_sd_mps": m.speed_sd_m_s,
            "gait": m.gait,
            "direction": b.direction,
            "strike": b.strike,
            "met": math.nan,
            "kcal": math.nan,
            "method": m.method,
        }
        self._rows_to_price.append(row)
        return row

    def _price(self, step: _Step) -> Any:
        """(stride or None, duration) of ``step``, or _NOT_READY (see the module docstring)."""
        # 1. the latest stride whose end (and still window) lies before the step: known already
        i = bisect.bisect_right(self._instr_t, step.t_s - self._w_s)
        if i >= 2 and step.t_s - self._instr_t[i - 1] <= MAX_STRIDE_TIME_S:
            chosen = self._stride(self._instr[i - 2], self._instr[i - 1])
            if chosen is _NOT_READY:
                return _NOT_READY
            if chosen is not None:
                return self._record(step, chosen)
        if not self._est.wait_for_first_stride:
            return self._record(step, None)
        # 2. the start of a walk: the first plausible stride from the contact at or before the
        # step (the step's own, for an instrumented contact) or the one after
        j = bisect.bisect_right(self._instr_t, step.t_s)
        first = self._instr[j - 1] if j >= 1 else None
        following = self._instr[j : j + 2]
        chain = ([first] if first is not None else []) + following
        for a, b in itertools.pairwise(chain):
            if a.t_s < step.t_s - MAX_STRIDE_TIME_S:
                continue
            chosen = self._stride(a, b)
            if chosen is _NOT_READY:
                return _NOT_READY
            if chosen is not None:
                return self._record(step, chosen)
        if len(chain) < 3 and not self._timed_out(step):
            return _NOT_READY  # the contacts that could start a stride are still to come
        return self._record(step, None)

    def _measure_new_strides(self) -> None:
        """Measure every stride between consecutive instrumented contacts once its samples are
        in (the stride table lists them all, priced steps or not)."""
        self._measure_batch()
        while self._next_stride < len(self._instr):
            k = self._next_stride
            if self._stride(self._instr[k - 1], self._instr[k]) is _NOT_READY:
                return
            self._next_stride += 1

    def _record(self, step: _Step, m: StrideMeasure | None) -> tuple[StrideMeasure | None, float]:
        """The step's stride and the time it is priced over (the energy follows in a batch,
        :meth:`_energy_of`)."""
        prev = self._t_prev
        self._t_prev = step.t_s
        if m is None:
            return None, 0.0
        t_stride = m.stride_time_s
        if prev is not None and 0.0 < step.t_s - prev <= t_stride:
            return m, step.t_s - prev
        return m, 0.5 * t_stride

    # -- results ---------------------------------------------------------------------------------

    def strides_frame(self) -> pd.DataFrame:
        """The stride table so far: one row per measured stride, :data:`STRIDE_COLUMNS`."""
        import pandas as pd

        self._price_rows()
        rows = [self._stride_rows[k] for k in sorted(self._stride_rows)]
        # 1 µs / 6 decimals: far below what any of these figures means, without float noise
        return pd.DataFrame.from_records(rows, columns=list(STRIDE_COLUMNS)).round(6)

    def summary_fields(self) -> dict[str, Any]:
        """Summary fields of the released steps (see :func:`energy_summary`)."""
        return energy_summary(self.priced_, mass_kg=self.mass_kg)


def _empty_steps() -> Any:
    from gait.steps.base import StepTable

    return StepTable.empty()


def _bouts(priced: list[_Priced]) -> list[list[_Priced]]:
    """Runs of priced steps in one direction with no pause over :data:`BOUT_BREAK_S`."""
    runs: list[list[_Priced]] = []
    cur: list[_Priced] = []
    for p in priced:
        if not math.isfinite(p.speed_m_s):
            if cur:
                runs.append(cur)
            cur = []
            continue
        if cur and (p.direction != cur[-1].direction or p.t_s - cur[-1].t_s > BOUT_BREAK_S):
            runs.append(cur)
            cur = []
        cur.append(p)
    if cur:
        runs.append(cur)
    return [r for r in runs if sum(p.instrumented for p in r) - 1 >= MIN_BOUT_STRIDES]


def _none_if_nan(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def energy_summary(priced: list[_Priced], *, mass_kg: float | None) -> dict[str, Any]:
    """Time, distance and energy per direction, backward share of walking time, strike mix per
    direction, the extra energy of the backward part and the bouts, from priced steps.

    Direction ``None`` (no classifier) counts as forward. Energies are None without a mass.
    """
    ok = [p for p in priced if math.isfinite(p.speed_m_s)]
    has_mass = mass_kg is not None
    out: dict[str, Any] = {}
    time = {"forward": 0.0, "backward": 0.0}
    dist = {"forward": 0.0, "backward": 0.0}
    kcal = {"forward": 0.0, "backward": 0.0}
    strikes: dict[str, dict[str, int]] = {"forward": {}, "backward": {}}
    extra = 0.0
    for p in ok:
        d = "backward" if p.direction == "backward" else "forward"
        time[d] += p.duration_s
        dist[d] += p.speed_m_s * p.duration_s
        if has_mass:
            kcal[d] += p.kcal
            if d == "backward":
                extra += p.kcal - p.kcal_forward
        if p.strike is not None:
            strikes[d][p.strike] = strikes[d].get(p.strike, 0) + 1
    total = time["forward"] + time["backward"]
    out["time_forward_s"] = time["forward"]
    out["time_backward_s"] = time["backward"]
    out["distance_forward_m"] = dist["forward"]
    out["distance_backward_m"] = dist["backward"]
    out["backward_time_share"] = time["backward"] / total if total > 0 else None
    if ok:
        out["distance_m"] = dist["forward"] + dist["backward"]
        out["mean_speed_m_s"] = out["distance_m"] / total if total > 0 else None
    out["kcal_forward"] = kcal["forward"] if has_mass else None
    out["kcal_backward"] = kcal["backward"] if has_mass else None
    out["kcal_backward_extra"] = extra if has_mass else None
    out["strike_mix_forward"] = _shares(strikes["forward"])
    out["strike_mix_backward"] = _shares(strikes["backward"])
    out["mass_kg"] = mass_kg
    out["direction_bouts"] = [_bout_dict(b, has_mass) for b in _bouts(priced)]
    return out


def _tidy(d: dict[str, Any]) -> dict[str, Any]:
    """Floats of a nested summary dict with the summary's own rounding (gait.summary)."""
    from gait.summary import tidy_float

    return {k: tidy_float(v) if isinstance(v, float) else v for k, v in d.items()}


def _shares(counts: dict[str, int]) -> dict[str, float] | None:
    n = sum(counts.values())
    return _tidy({k: counts[k] / n for k in sorted(counts)}) if n else None


def _bout_dict(steps: list[_Priced], has_mass: bool) -> dict[str, Any]:
    t0 = steps[0].t_s
    t1 = steps[-1].t_s
    dur = sum(p.duration_s for p in steps)
    dist = sum(p.speed_m_s * p.duration_s for p in steps)
    n_strides = sum(p.instrumented for p in steps) - 1
    span = t1 - t0
    return _tidy(
        {
            "direction": steps[0].direction,
            "start_t_s": t0,
            "end_t_s": t1,
            "duration_s": dur,
            "n_steps": len(steps),
            "distance_m": dist,
            "mean_speed_m_s": dist / dur if dur > 0 else None,
            "cadence_spm": 120.0 * n_strides / span if span > 0 else None,
            "met": sum(p.met * p.duration_s for p in steps) / dur if dur > 0 else None,
            "kcal": sum(p.kcal for p in steps) if has_mass else None,
            "kcal_net": sum(p.kcal_net for p in steps) if has_mass else None,
        }
    )


class MetEnergyEstimator(BaseEstimator):
    """Speed from the sensor and energy from MET tables, for the pipeline's energy slot.

    Parameters
    ----------
    backward_walk_multiplier, backward_run_multiplier
        Same-speed backward / forward cost (defaults: Compendium 2024 6.0 / 4.8 = 1.25 for
        walking, Wright & Weyand 2001 1.35 for running).
    height_m
        Body height for the leg length (walk/run rule, no-gyro stride length); default: 1.70 m.
    resting_vo2_ml_kg_min
        Resting oxygen uptake subtracted for the net energy: 3.5 (the MET definition) or a
        corrected value such as Byrne et al. 2005's 2.6
        (``gait.energy.BYRNE_2005_RESTING_VO2_ML_KG_MIN``).
    wait_for_first_stride
        The first steps of a walk wait for its first stride (about 1-2 s, and the steps after
        them with them) so that they too get a speed and energy; ``False`` reports them at once
        without (live views that must never lag).
    """

    def __init__(
        self,
        backward_walk_multiplier: float = BACKWARD_WALK_MULTIPLIER,
        backward_run_multiplier: float = BACKWARD_RUN_MULTIPLIER,
        height_m: float | None = None,
        resting_vo2_ml_kg_min: float = MET_VO2_ML_KG_MIN,
        wait_for_first_stride: bool = True,
    ) -> None:
        self.backward_walk_multiplier = backward_walk_multiplier
        self.backward_run_multiplier = backward_run_multiplier
        self.height_m = height_m
        self.resting_vo2_ml_kg_min = resting_vo2_ml_kg_min
        self.wait_for_first_stride = wait_for_first_stride

    @property
    def met_basis(self) -> str:
        rest = (
            ""
            if self.resting_vo2_ml_kg_min == MET_VO2_ML_KG_MIN
            else (f"; net uses resting VO2 {self.resting_vo2_ml_kg_min:g} mL/kg/min")
        )
        return (
            "gross MET: 2024 Adult Compendium walking/running rows, ACSM equations between; "
            f"backward x{self.backward_walk_multiplier:.2f} walking, "
            f"x{self.backward_run_multiplier:.2f} running; kcal/min = MET x 3.5 x kg / 200; "
            "direction unknown counted as forward" + rest
        )

    def stream(
        self,
        sampling_rate_hz: float,
        *,
        has_gyro: bool,
        mass_kg: float | None,
        placement: str | None = None,
        acc_average_s: float | None = None,
    ) -> MetEnergyStream:
        """A fresh energy stream (see :class:`gait.pipeline.EnergyStream`); ``placement``
        (the sidecar's, e.g. ``right_foot``) chooses the stride model
        (:func:`gait.speed.lever_m_for`), ``acc_average_s`` the sensor's on-board accelerometer
        averaging (:data:`gait.speed.ACC_AVERAGE_KEY`)."""
        return MetEnergyStream(
            self,
            sampling_rate_hz,
            has_gyro=has_gyro,
            mass_kg=mass_kg,
            placement=placement,
            acc_average_s=acc_average_s,
        )
