"""The classifier stage of the pipeline: label steps while the samples stream in.

A sensor-foot step is labelled once the samples up to :data:`~gait.classify.features.POST_S`
(plus half a feature bin) after its contact have arrived, so within one stride of the contact.
An other-foot step (``instrumented == False``, estimated by the detector) inherits the labels of
the sensor-foot step just before it (the sensor barely sees the other foot); when there is none
within :data:`INHERIT_MAX_S` before it, of the one just after it. Steps leave in time order. The
stage keeps only the samples it still needs, and its output does not depend on how the stream
is split into blocks (the features of a step read the same samples either way).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from gait.classify.features import ANCHOR_LEAD_S, BIN_S, POST_S, PRE_S, step_features
from gait.pipeline import Labels
from gait.steps.base import StepTable
from gait.types import SampleBlock

#: Decimals of the probabilities in the step records.
P_DECIMALS: int = 6
#: An other-foot step inherits from a sensor-foot step at most this far away (s).
INHERIT_MAX_S: float = 1.5
#: Samples are kept this long (s) for contacts the detector reports late.
MAX_DETECTOR_DELAY_S: float = 4.0


def _empty_labels() -> Labels:
    return Labels.empty()


class StepLabeller:
    """Direction and strike classifiers as a pipeline stage (:class:`StepClassifierLike`).

    ``direction`` and ``strike`` are fitted :class:`~gait.classify.estimators.StepClassifier`
    estimators; :meth:`from_folder` loads them from a model folder (``gait train``),
    :meth:`default` from the shipped ``models/``. ``smooth_steps`` > 1 averages each
    sensor-foot step's log-probabilities with those of up to ``smooth_steps - 1`` previous
    steps of the same bout (causal: it adds no delay); 0 or 1 labels every step on its own.
    """

    def __init__(self, direction: Any, strike: Any, *, smooth_steps: int = 0, card=None) -> None:
        self.direction = direction
        self.strike = strike
        self.smooth_steps = smooth_steps
        self.card = card or {}

    @classmethod
    def from_folder(cls, folder: str | Path, **kw: Any) -> StepLabeller:
        from gait.classify.model_io import load_models

        d, s, card = load_models(folder)
        return cls(d, s, card=card, **kw)

    @classmethod
    def default(cls, **kw: Any) -> StepLabeller:
        return cls.from_folder(default_model_dir(), **kw)

    def stream(self, sampling_rate_hz: float, *, has_gyro: bool) -> LabellerStream:
        return LabellerStream(self, float(sampling_rate_hz), has_gyro)

    def classify(
        self, X: np.ndarray, t_s: np.ndarray | None = None
    ) -> tuple[list, np.ndarray, list, np.ndarray]:
        """Labels and probabilities of feature rows (smoothing over bouts given ``t_s``)."""
        out = []
        for model in (self.direction, self.strike):
            if len(X) == 0:
                out += [[], np.zeros(0)]
                continue
            p = model.predict_proba(X)
            if self.smooth_steps > 1 and t_s is not None:
                p = smooth_probabilities(p, t_s, self.smooth_steps)
            k = np.argmax(p, axis=1)
            out += [[str(model.classes_[i]) for i in k], p[np.arange(len(k)), k]]
        return out[0], out[1], out[2], out[3]


_DEFAULT: list[StepLabeller | None] = []


def default_labeller() -> StepLabeller | None:
    """The labeller of the shipped models (loaded once per process); None, steps unlabelled, if
    ``models/`` is absent (e.g. an installation without the repository's models) or unusable
    (a warning says why, e.g. models trained on an older feature set)."""
    if not _DEFAULT:
        folder = default_model_dir()
        lab = None
        if folder.is_dir():
            from gait.errors import ModelFileError

            try:
                lab = StepLabeller.from_folder(folder)
            except ModelFileError as e:  # e.g. models of an older feature set, not yet retrained
                import warnings

                warnings.warn(f"default models not used, steps left unlabelled: {e}", stacklevel=2)
        _DEFAULT.append(lab)
    return _DEFAULT[0]


def default_model_dir() -> Path:
    """The shipped models: ``models/`` at the repository root."""
    return Path(__file__).resolve().parents[2] / "models"


def smooth_probabilities(p: np.ndarray, t_s: np.ndarray, k: int, gap_s: float = 2.5) -> np.ndarray:
    """Causal mean of log-probabilities over up to ``k`` steps of a bout (no gap > ``gap_s``)."""
    logp = np.log(np.clip(p, 1e-6, 1.0))
    out = np.empty_like(p)
    start = 0
    for i in range(len(p)):
        if i > 0 and t_s[i] - t_s[i - 1] > gap_s:
            start = i
        lo = max(start, i - k + 1)
        m = logp[lo : i + 1].mean(axis=0)
        e = np.exp(m - m.max())
        out[i] = e / e.sum()
    return out


class LabellerStream:
    """Running state of :class:`StepLabeller` for one stream (:class:`ClassifierStream`)."""

    def __init__(self, owner: StepLabeller, fs: float, has_gyro: bool) -> None:
        self._owner = owner
        self._fs = fs
        self._has_gyro = has_gyro
        half = max(0, round(0.5 * BIN_S * fs))
        self._need_before = round((ANCHOR_LEAD_S + PRE_S) * fs) + half
        self._need_after = round(POST_S * fs) + half
        self._buf_start = 0  # absolute index of the first buffered sample
        self._n_seen = 0
        self._acc = np.zeros((0, 3))
        self._gyr = np.zeros((0, 3))
        self._t = np.zeros(0)
        # pending steps (time order) and the labels of the sensor-foot steps done so far
        self._pending: deque[tuple[int, float, bool, float]] = deque()
        self._done: dict[int, tuple] = {}  # pending position -> labels
        self._own_hist: list[tuple[float, np.ndarray, np.ndarray]] = []
        self._last_own: tuple | None = None
        self._cache: dict[int, tuple] = {}  # sensor-foot labels computed ahead (inheritance)

    # -- protocol -------------------------------------------------------------------------------
    def feed(self, block: SampleBlock, steps: StepTable) -> Labels:
        if block.n_samples:
            self._append(block)
        n = len(steps)
        fc = getattr(steps, "fc_t_s", None)
        self._pending += zip(
            np.asarray(steps.ic_idx, dtype=np.int64).tolist(),
            np.asarray(steps.t_s, dtype=np.float64).tolist(),
            np.asarray(steps.instrumented, dtype=bool).tolist(),
            [np.nan] * n if fc is None else np.asarray(fc, dtype=np.float64).tolist(),
            strict=True,
        )
        return self._release(final=False)

    def finish(self) -> Labels:
        out = self._release(final=True)
        self._acc = self._gyr = np.zeros((0, 3))
        self._t = np.zeros(0)
        return out

    # -- internals ------------------------------------------------------------------------------
    def _append(self, block: SampleBlock) -> None:
        gyr = block.gyr_dps if block.gyr_dps is not None else np.full((block.n_samples, 3), np.nan)
        self._acc = np.concatenate([self._acc, np.asarray(block.acc_ms2, dtype=np.float64)])
        self._gyr = np.concatenate([self._gyr, np.asarray(gyr, dtype=np.float64)])
        self._t = np.concatenate([self._t, np.asarray(block.t_s, dtype=np.float64)])
        self._n_seen += block.n_samples

    def _trim(self) -> None:
        """Drop samples no pending (or future) step can need."""
        keep_from = self._n_seen - self._need_before - round(MAX_DETECTOR_DELAY_S * self._fs)
        if self._pending:
            keep_from = min(keep_from, self._pending[0][0] - self._need_before)
        drop = keep_from - self._buf_start
        if drop > 0:
            self._acc = self._acc[drop:]
            self._gyr = self._gyr[drop:]
            self._t = self._t[drop:]
            self._buf_start += drop

    def _own_labels(self, idx: int, t: float) -> tuple:
        if idx not in self._cache:
            self._prefetch(final=True, only=idx)
        return self._cache[idx]

    def _prefetch(self, *, final: bool, only: int | None = None) -> None:
        """Label, in one batch, the pending sensor-foot steps whose window has arrived.

        The features read the whole buffer with each contact's index: the same samples as a
        slice around the contact would give (the buffer always starts early enough)."""
        ready: list[tuple[int, float]] = []
        for idx, t, own, _ in self._pending:
            if not own or idx in self._cache:
                continue
            if not final and self._n_seen < idx + self._need_after + 1:
                break
            ready.append((idx, t))
            if only is not None and idx == only:
                break
        if not ready:
            return
        owner = self._owner
        if not self._has_gyro:
            for idx, _ in ready:
                self._cache[idx] = (None, np.nan, None, np.nan, None, None)
            return
        block = SampleBlock(self._t, self._acc, self._gyr, self._fs)
        X = step_features(block, np.array([idx - self._buf_start for idx, _ in ready]))
        p_dir = owner.direction.predict_proba(X)
        p_str = owner.strike.predict_proba(X)
        if owner.smooth_steps <= 1:
            self._cache_labels(ready, p_dir, p_str)
            return
        for k, (idx, t) in enumerate(ready):
            pd_, ps = p_dir[k], p_str[k]
            if owner.smooth_steps > 1:
                self._own_hist = [*self._own_hist, (t, pd_, ps)][-owner.smooth_steps :]
                # bout: stop at a gap > 2.5 s between consecutive sensor-foot steps
                chain = [self._own_hist[-1]]
                for h in reversed(self._own_hist[:-1]):
                    if chain[-1][0] - h[0] > 2.5:
                        break
                    chain.append(h)
                pd_ = _mean_prob([c[1] for c in chain])
                ps = _mean_prob([c[2] for c in chain])
            kd, ks = int(np.argmax(pd_)), int(np.argmax(ps))
            self._cache[idx] = (  # probabilities to P_DECIMALS: a batch of another size
                str(owner.direction.classes_[kd]),  # may differ in the last bits (BLAS)
                round(float(pd_[kd]), P_DECIMALS),
                str(owner.strike.classes_[ks]),
                round(float(ps[ks]), P_DECIMALS),
                pd_,
                ps,
            )

    def _cache_labels(
        self, ready: list[tuple[int, float]], p_dir: np.ndarray, p_str: np.ndarray
    ) -> None:
        """The labels of unsmoothed steps, a batch at a time (what the per-step loop of
        :meth:`_prefetch` gives them: the same argmax, the same rounding)."""
        owner = self._owner
        rows = np.arange(len(ready))
        kd = np.argmax(p_dir, axis=1)
        ks = np.argmax(p_str, axis=1)
        d_names = [str(c) for c in owner.direction.classes_]
        s_names = [str(c) for c in owner.strike.classes_]
        d_p = p_dir[rows, kd].tolist()
        s_p = p_str[rows, ks].tolist()
        for k, ((idx, _), i, j) in enumerate(zip(ready, kd.tolist(), ks.tolist(), strict=True)):
            self._cache[idx] = (
                d_names[i],
                round(d_p[k], P_DECIMALS),
                s_names[j],
                round(s_p[k], P_DECIMALS),
                p_dir[k],
                p_str[k],
            )

    def _release(self, *, final: bool) -> Labels:
        self._prefetch(final=final)
        out_idx, out_t, out_own, out_fc = [], [], [], []
        d, dp, s, sp = [], [], [], []
        while self._pending:
            idx, t, own, fc = self._pending[0]
            if own:
                if not final and self._n_seen < idx + self._need_after + 1:
                    break
                lab = self._own_labels(idx, t)
                self._cache.pop(idx, None)
                self._last_own = (t, lab)
            else:
                lab = self._inherit(t, final)
                if lab is None:
                    break
            self._pending.popleft()
            out_idx.append(idx)
            out_t.append(t)
            out_own.append(own)
            out_fc.append(fc)
            d.append(lab[0])
            dp.append(lab[1])
            s.append(lab[2])
            sp.append(lab[3])
        self._trim()
        if not out_idx:
            return _empty_labels()
        table = _table(out_idx, out_t, out_own, out_fc)
        return Labels(table, d, np.array(dp, np.float64), s, np.array(sp, np.float64))

    def _inherit(self, t: float, final: bool) -> tuple | None:
        """Labels for an other-foot step at ``t``, or None to wait for the next sensor step."""
        if self._last_own is not None and t - self._last_own[0] <= INHERIT_MAX_S:
            return self._last_own[1]
        nxt = next((p for p in self._pending if p[2]), None)
        if nxt is None:
            if final:
                return (None, np.nan, None, np.nan, None, None)
            return None
        if nxt[1] - t > INHERIT_MAX_S:
            return (None, np.nan, None, np.nan, None, None)
        if not final and self._n_seen < nxt[0] + self._need_after + 1:
            return None
        return self._own_labels(nxt[0], nxt[1])


def _table(idx: list, t: list, own: list, fc: list) -> StepTable:
    args = (np.array(idx, np.int64), np.array(t, np.float64), np.array(own, bool))
    try:
        return StepTable(*args, fc_t_s=np.array(fc, np.float64))  # type: ignore[call-arg]
    except TypeError:  # a StepTable without final contacts
        return StepTable(*args)


def _mean_prob(ps: list[np.ndarray]) -> np.ndarray:
    m = np.mean(np.log(np.clip(np.array(ps), 1e-6, 1.0)), axis=0)
    e = np.exp(m - m.max())
    return e / e.sum()
