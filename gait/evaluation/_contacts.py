"""Greedy one-to-one matching of detected contacts to annotated footsteps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def match_contacts(
    detected_idx: np.ndarray,
    swings_idx: np.ndarray,
    *,
    tolerance_samples: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Match detections to annotated footsteps ``[toe_off, heel_strike]``.

    A footstep may take a detection lying in ``[toe_off - tol, heel_strike + tol]``. Pairs are taken
    greedily, closest to the heel strike first, each detection and footstep at most once.
    Returns ``(det_i, ann_j)`` index arrays of the matched pairs.
    """
    det = np.asarray(detected_idx, dtype=np.int64)
    sw = np.asarray(swings_idx, dtype=np.int64).reshape(-1, 2)
    if det.size == 0 or sw.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    lo = sw[:, 0] - tolerance_samples
    hi = sw[:, 1] + tolerance_samples
    inside = (det[:, None] >= lo[None, :]) & (det[:, None] <= hi[None, :])
    di, aj = np.nonzero(inside)
    cost = np.abs(det[di] - sw[aj, 1])
    order = np.lexsort((aj, di, cost))
    used_d = np.zeros(det.size, bool)
    used_a = np.zeros(sw.shape[0], bool)
    out_d, out_a = [], []
    for k in order:
        d, a = di[k], aj[k]
        if not used_d[d] and not used_a[a]:
            used_d[d] = used_a[a] = True
            out_d.append(d)
            out_a.append(a)
    return np.asarray(out_d, np.int64), np.asarray(out_a, np.int64)


@dataclass(frozen=True)
class ContactScore:
    """Counts and timing errors of a detector against annotations."""

    n_true_positive: int
    n_false_positive: int
    n_false_negative: int
    #: detected minus annotated heel strike of every matched pair, in ms
    timing_error_ms: np.ndarray

    @property
    def precision(self) -> float:
        d = self.n_true_positive + self.n_false_positive
        return self.n_true_positive / d if d else float("nan")

    @property
    def recall(self) -> float:
        d = self.n_true_positive + self.n_false_negative
        return self.n_true_positive / d if d else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else float("nan")

    def abs_timing_percentile_ms(self, q: float) -> float:
        if self.timing_error_ms.size == 0:
            return float("nan")
        return float(np.percentile(np.abs(self.timing_error_ms), q))

    def __add__(self, other: ContactScore) -> ContactScore:
        return ContactScore(
            self.n_true_positive + other.n_true_positive,
            self.n_false_positive + other.n_false_positive,
            self.n_false_negative + other.n_false_negative,
            np.concatenate([self.timing_error_ms, other.timing_error_ms]),
        )

    @classmethod
    def zero(cls) -> ContactScore:
        return cls(0, 0, 0, np.zeros(0))


def score_contacts(
    detected_idx: np.ndarray,
    swings_idx: np.ndarray,
    *,
    sampling_rate_hz: float,
    tolerance_s: float = 0.1,
) -> ContactScore:
    """Score one recording's detections against its annotated footsteps."""
    tol = round(tolerance_s * sampling_rate_hz)
    d, a = match_contacts(detected_idx, swings_idx, tolerance_samples=tol)
    sw = np.asarray(swings_idx).reshape(-1, 2)
    err_ms = (np.asarray(detected_idx)[d] - sw[a, 1]) * 1000.0 / sampling_rate_hz
    return ContactScore(
        n_true_positive=len(d),
        n_false_positive=len(detected_idx) - len(d),
        n_false_negative=sw.shape[0] - len(d),
        timing_error_ms=err_ms.astype(np.float64),
    )
