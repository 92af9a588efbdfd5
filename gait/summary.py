"""Session summary: counts, walking bouts, cadence and stride timing from a step table.

The rules, in one place:

- A *stride* is the interval between two consecutive contacts of the instrumented foot; a *step*
  is any contact of either foot (``n_steps`` counts both feet, ``n_strides`` only the
  instrumented foot's contacts).
- A *walking bout* is a run of at least :data:`MIN_BOUT_CONTACTS` consecutive instrumented
  contacts whose stride times all lie in [:data:`MIN_STRIDE_TIME_S`, :data:`MAX_STRIDE_TIME_S`].
  A stride outside that range (a pause, a gap, a stumble) ends the bout.
- ``walking_time_s`` is the sum over bouts of (last contact - first contact).
- ``cadence_spm`` is steps per minute over walking time, counting two steps per stride inside
  bouts (the usual definition for a single-ankle sensor): ``120 * n_bout_strides / walking_time_s``.
- ``mean_stride_time_s`` and ``stride_time_cv`` (sample standard deviation / mean, ddof=1) use
  the strides inside bouts only.

Fields that later stages fill (direction, speed, energy) are present and ``None`` until a
classifier or energy estimator provides per-step values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

#: (summary field, label, digits) of the summary shown to people (the ``gait analyse`` table and
#: the HTML report); a field the summary lacks or that is None is shown as missing.
SUMMARY_ROWS: tuple[tuple[str, str, int], ...] = (
    ("duration_s", "duration (s)", 1),
    ("sampling_rate_hz", "sampling rate (Hz)", 1),
    ("placement", "placement", 0),
    ("n_strides", "strides (instrumented foot)", 0),
    ("n_steps", "steps (both feet)", 0),
    ("n_bouts", "walking bouts", 0),
    ("walking_time_s", "walking time (s)", 1),
    ("cadence_spm", "cadence (steps/min)", 1),
    ("mean_stride_time_s", "mean stride time (s)", 3),
    ("stride_time_cv", "stride time CV", 3),
    ("backward_share", "backward share", 2),
    ("distance_m", "distance (m)", 1),
    ("mean_speed_m_s", "mean speed (m/s)", 2),
    ("kcal_gross", "energy, gross (kcal)", 1),
    ("kcal_net", "energy, net (kcal)", 1),
    ("backward_time_share", "backward share of walking time", 2),
    ("time_backward_s", "time backward (s)", 1),
    ("distance_backward_m", "distance backward (m)", 1),
    ("kcal_backward", "energy backward, gross (kcal)", 1),
    ("kcal_backward_extra", "extra for going backward (kcal)", 1),
    ("strike_mix_forward", "foot strike, forward", 2),
    ("strike_mix_backward", "foot strike, backward", 2),
    ("mass_kg", "body mass (kg)", 1),
)


if TYPE_CHECKING:
    from gait.steps.base import StepTable

#: Plausible stride-time range (s) for walking and running. Healthy adults walk with stride times
#: of about 1.0-1.2 s and run with about 0.6-0.8 s; 0.4 s and 2.5 s are generous bounds that
#: still reject pauses and isolated contacts.
MIN_STRIDE_TIME_S: float = 0.4
MAX_STRIDE_TIME_S: float = 2.5
#: Instrumented contacts needed to call a run of strides a walking bout (i.e. two strides).
MIN_BOUT_CONTACTS: int = 3


@dataclass(frozen=True)
class SessionSummary:
    """What a session amounted to. Times in seconds, counts are integers, ``None`` = unknown."""

    duration_s: float
    n_samples: int
    sampling_rate_hz: float
    placement: str | None
    n_strides: int
    n_steps: int
    n_bouts: int
    walking_time_s: float
    cadence_spm: float | None
    mean_stride_time_s: float | None
    stride_time_cv: float | None
    n_gaps: int = 0
    samples_lost: int = 0
    # Filled by later stages (direction classifier, energy estimator); None until then.
    backward_share: float | None = None
    distance_m: float | None = None
    mean_speed_m_s: float | None = None
    kcal_gross: float | None = None
    kcal_net: float | None = None
    met_basis: str | None = None
    # Per direction, from the energy stage (gait.energy.energy_summary; docs/energy.md). Time is
    # the steps' time, distance the speed times it; kcal are gross; direction unknown = forward.
    time_forward_s: float | None = None
    time_backward_s: float | None = None
    distance_forward_m: float | None = None
    distance_backward_m: float | None = None
    #: Backward share of walking time (``backward_share`` counts steps).
    backward_time_share: float | None = None
    kcal_forward: float | None = None
    kcal_backward: float | None = None
    #: What the backward part cost beyond walking/running forward at the same speeds (gross kcal).
    kcal_backward_extra: float | None = None
    #: Share of each strike among the steps of each direction.
    strike_mix_forward: dict[str, float] | None = None
    strike_mix_backward: dict[str, float] | None = None
    mass_kg: float | None = None
    #: Bouts of continuous walking in one direction (gait.energy: pauses over 3 s end a bout,
    #: at least 2 strides): direction, start/end, duration, distance, speed, cadence, MET, kcal.
    direction_bouts: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (plain Python numbers, ``None`` for unknown); floats keep
        :data:`FLOAT_DIGITS` significant digits, so 4.13 does not print as 4.129999999999999."""
        return {k: tidy_float(v) if isinstance(v, float) else v for k, v in asdict(self).items()}


#: Significant digits kept in JSON-ready floats: far beyond what any figure here means, short
#: of the last digits where sums and differences of floats leave noise.
FLOAT_DIGITS: int = 12


def tidy_float(value: float) -> float:
    """``value`` rounded to :data:`FLOAT_DIGITS` significant digits (NaN and inf unchanged)."""
    return float(f"{value:.{FLOAT_DIGITS}g}")


def tidy_floats(values: list[float]) -> list[float]:
    """:func:`tidy_float` of each value, the same floats, in array arithmetic (a long session's
    JSON holds tens of thousands: formatting each took about 0.1 s).

    With ``k`` decimals to keep, ``v * 10**k`` rounded to an integer ``r`` is the decimal
    rounding of ``v`` unless the product's own rounding moved it across a half (it is within
    1e-4 of the exact product below 1e12); those near-halves, and values whose ``k`` is outside
    0..22 (``10**k`` not exact), go through :func:`tidy_float`. Otherwise ``r / 10**k``, a
    division of exact numbers, is the float nearest the decimal, as ``float()`` of the text is.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return []
    a = np.abs(v)
    ok = np.isfinite(v) & (a >= 1e-10) & (a < 1e10)
    safe = np.where(ok, a, 1.0)
    k = (FLOAT_DIGITS - 1) - np.floor(np.log10(safe)).astype(np.int64)
    k = np.clip(k, 0, 22)
    scale = 10.0**k  # exact: powers of ten up to 1e22
    u = np.where(ok, v, 0.0) * scale
    r = np.rint(u)
    frac = np.abs(u - r)
    # the digits kept must be FLOAT_DIGITS (a power of ten misjudged by log10 is redone)
    lead = np.abs(r)
    ok &= (np.abs(frac - 0.5) > 1e-3) & (lead >= 10.0 ** (FLOAT_DIGITS - 1))
    ok &= lead <= 10.0**FLOAT_DIGITS
    out = (r / scale).tolist()
    for i in np.flatnonzero(~ok).tolist():
        out[i] = tidy_float(values[i])
    return out


def bouts(t_s: np.ndarray) -> list[tuple[int, int]]:
    """Walking bouts as ``(first, last)`` positions (inclusive) into the instrumented contact
    times ``t_s`` (sorted). See the module docstring for the rule."""
    t = np.asarray(t_s, dtype=np.float64)
    if t.shape[0] < MIN_BOUT_CONTACTS:
        return []
    stride = np.diff(t)
    ok = (stride >= MIN_STRIDE_TIME_S) & (stride <= MAX_STRIDE_TIME_S)
    result: list[tuple[int, int]] = []
    start = None
    for i, good in enumerate(ok):
        if good and start is None:
            start = i
        elif not good and start is not None:
            if i - start + 1 >= MIN_BOUT_CONTACTS:
                result.append((start, i))
            start = None
    if start is not None and len(ok) - start + 1 >= MIN_BOUT_CONTACTS:
        result.append((start, len(ok)))
    return result


def count_gaps(t_s: np.ndarray, sampling_rate_hz: float) -> tuple[int, int]:
    """Number of time gaps (steps of more than 1.5 sample periods in ``t_s``) and the samples
    they cost (each gap of ``dt`` loses ``round(dt * rate) - 1`` samples)."""
    if t_s.shape[0] < 2:
        return 0, 0
    dt = np.diff(t_s) * sampling_rate_hz
    jumps = dt[dt > 1.5]
    return int(jumps.shape[0]), int(np.sum(np.rint(jumps) - 1))


def summarise(
    steps: StepTable,
    *,
    n_samples: int,
    sampling_rate_hz: float,
    duration_s: float,
    placement: str | None = None,
    n_gaps: int = 0,
    samples_lost: int = 0,
    direction: np.ndarray | list | None = None,
    speed_m_s: np.ndarray | None = None,
    kcal: np.ndarray | None = None,
    kcal_net: np.ndarray | None = None,
    met_basis: str | None = None,
) -> SessionSummary:
    """Summarise a session from its step table and what is known about its samples.

    ``direction``, ``speed_m_s``, ``kcal`` and ``kcal_net`` are optional per-step values aligned
    with ``steps`` (``None`` entries / NaN = unknown); without them the matching summary fields
    are ``None``. ``duration_s`` is the time the samples cover.
    """
    instrumented_t = np.asarray(steps.t_s, dtype=np.float64)[np.asarray(steps.instrumented, bool)]
    found = bouts(instrumented_t)
    strides = [np.diff(instrumented_t[a : b + 1]) for a, b in found]
    bout_strides = np.concatenate(strides) if strides else np.zeros(0)
    walking_time_s = float(bout_strides.sum())
    n_bout_strides = int(bout_strides.shape[0])
    cadence = 120.0 * n_bout_strides / walking_time_s if walking_time_s > 0 else None
    mean_stride = float(bout_strides.mean()) if n_bout_strides else None
    cv = float(bout_strides.std(ddof=1) / bout_strides.mean()) if n_bout_strides >= 2 else None

    backward_share = None
    if direction is not None:
        known = [d for d in direction if d in ("forward", "backward")]
        if known:
            backward_share = sum(d == "backward" for d in known) / len(known)

    distance_m = mean_speed = None
    if speed_m_s is not None:
        distance_m, mean_speed = _distance(np.asarray(steps.t_s, float), speed_m_s)

    return SessionSummary(
        duration_s=float(duration_s),
        n_samples=int(n_samples),
        sampling_rate_hz=float(sampling_rate_hz),
        placement=placement,
        n_strides=int(steps.n_strides),
        n_steps=len(steps),
        n_bouts=len(found),
        walking_time_s=walking_time_s,
        cadence_spm=cadence,
        mean_stride_time_s=mean_stride,
        stride_time_cv=cv,
        n_gaps=int(n_gaps),
        samples_lost=int(samples_lost),
        backward_share=backward_share,
        distance_m=distance_m,
        mean_speed_m_s=mean_speed,
        kcal_gross=_nansum_or_none(kcal),
        kcal_net=_nansum_or_none(kcal_net),
        met_basis=met_basis,
    )


def _nansum_or_none(values: np.ndarray | None) -> float | None:
    if values is None:
        return None
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0 or np.isnan(v).all():
        return None
    return float(np.nansum(v))


def _distance(t_s: np.ndarray, speed_m_s: np.ndarray) -> tuple[float | None, float | None]:
    """Distance as the sum of speed × step time (time to the next contact, of either foot),
    and the mean speed over the steps whose speed is known."""
    v = np.asarray(speed_m_s, dtype=np.float64)
    if v.size < 2 or np.isnan(v).all():
        return None, None
    dt = np.diff(t_s)
    ok = ~np.isnan(v[:-1]) & (dt <= MAX_STRIDE_TIME_S)
    distance = float(np.sum(v[:-1][ok] * dt[ok]))
    return distance, float(np.nanmean(v))
