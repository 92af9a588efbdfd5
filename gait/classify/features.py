"""Per-step features around each contact, independent of mounting and leg.

The work is done by the numba kernel :func:`gait._kernels._features.step_features` (its module
docstring gives the frame and the channels). This module fixes the window, turns a
:class:`~gait.types.SampleBlock` into kernel inputs and names the features.

Every step gets the kernel's features twice: read around the contact (names as the kernel's),
and read again around the shank's rotation reversal found near it (names prefixed
:data:`ANCHORED_PREFIX`; :func:`reversal_anchor`). The reversal is a kinematic event the step
detector's contact and the true contact share (the same sample for almost every step, where the
two contacts sit tens of ms apart), so features read around it do not move with the detector's
timing error: the strike classifier reads these (issue 20, fifth pass).
"""

from __future__ import annotations

import functools

import numpy as np

from gait.types import SampleBlock

#: Seconds of signal before the contact that the features read.
PRE_S: float = 0.8
#: Seconds of signal after the contact: a step can be labelled this long after its contact.
#: 0.3 s (was 0.6): the loading response is in, held-out accuracy is as good or better
#: (BENCHMARKS.md, issue 20) and live labels come about 0.3 s sooner.
POST_S: float = 0.3
#: Width (s) of the bins the channels are averaged in.
BIN_S: float = 0.05
#: Seconds before the contact searched for the swing (sign of the sagittal axis, swing peak).
SWING_S: float = 0.6
#: The anchored features are read around the rotation reversal, moved into
#: ``[contact - ANCHOR_LEAD_S, contact]`` (never after the contact: the step is labelled no later
#: than before). Chosen by subject-grouped cross-validation (BENCHMARKS.md, fifth pass).
ANCHOR_LEAD_S: float = 0.3
#: Prefix of the names of the features read around the rotation reversal.
ANCHORED_PREFIX: str = "rev:"


def _bin_offsets_s() -> list[float]:
    """Centre of each bin relative to the contact (s), from ``-PRE_S`` to ``+POST_S``."""
    n_pre = round(PRE_S / BIN_S)
    n_post = round(POST_S / BIN_S)
    return [(b - n_pre) * BIN_S for b in range(n_pre + n_post + 1)]


def contact_feature_names() -> list[str]:
    """Names of the columns of :func:`contact_features` (one kernel call)."""
    from gait._kernels._features import CHANNELS, NEAR_CHANNELS, SCALARS, near_pre_bins

    offs = _bin_offsets_s()
    near = offs[round(PRE_S / BIN_S) - near_pre_bins(PRE_S, BIN_S) :]
    names = [f"{ch}@{o:+.2f}s" for ch in CHANNELS for o in offs]
    names += [f"{ch}@{o:+.2f}s" for ch in NEAR_CHANNELS for o in near]
    return names + list(SCALARS)


def feature_names() -> list[str]:
    """Names of the columns of :func:`step_features`: read around the contact, then around
    the rotation reversal (prefixed :data:`ANCHORED_PREFIX`)."""
    names = contact_feature_names()
    return names + [ANCHORED_PREFIX + n for n in names]


#: Width of the third pass's feature vector (7 channels in 23 bins, 13 scalars): the models
#: shipped before the fourth pass (issue 20) read these columns, all still computed.
LEGACY_N_FEATURES: int = 7 * 23 + 13


def legacy_columns(n_columns: int) -> np.ndarray | None:
    """Where the columns of a model trained on an earlier feature set (``n_columns`` wide: the
    third pass's layout, or the fourth pass's, the features around the contact alone) are in
    :func:`feature_names`, by name; ``None`` for any other width."""
    from gait._kernels._features import CHANNELS, SCALARS

    if n_columns == len(contact_feature_names()):  # the fourth pass: the first columns
        return np.arange(n_columns, dtype=np.int64)
    offs = _bin_offsets_s()
    old = [f"{ch}@{o:+.2f}s" for ch in CHANNELS[:7] for o in offs] + list(SCALARS[:13])
    if n_columns != LEGACY_N_FEATURES or len(old) != n_columns:
        return None
    where = {n: i for i, n in enumerate(feature_names())}
    return np.array([where[n] for n in old], dtype=np.int64)


def n_features() -> int:
    """Length of one feature vector."""
    return len(feature_names())


def _kernel_inputs(samples: SampleBlock) -> tuple[np.ndarray, np.ndarray]:
    if samples.gyr_dps is None:
        raise ValueError("the step features need a gyroscope")
    acc = np.ascontiguousarray(samples.acc_ms2, dtype=np.float64)
    gyr = np.ascontiguousarray(np.deg2rad(samples.gyr_dps), dtype=np.float64)
    return acc, gyr


def _features_at(acc: np.ndarray, gyr: np.ndarray, idx: np.ndarray, fs_hz: float) -> np.ndarray:
    from gait._kernels._features import step_features as _kernel

    idx = np.ascontiguousarray(idx, dtype=np.int64)
    return _kernel(acc, gyr, idx, fs_hz, PRE_S, POST_S, BIN_S, SWING_S)


def contact_features(samples: SampleBlock, contact_idx: np.ndarray) -> np.ndarray:
    """The kernel's features ``(len(contact_idx), len(contact_feature_names()))`` read around
    the given sample indices (NaN in the bins that leave the data)."""
    acc, gyr = _kernel_inputs(samples)
    return _features_at(acc, gyr, contact_idx, float(samples.sampling_rate_hz))


@functools.cache
def _reversal_column() -> int:
    """Column of the kernel's ``reversal_t_s`` in :func:`contact_features`."""
    return contact_feature_names().index("reversal_t_s")


def reversal_anchor(X_contact: np.ndarray, contact_idx: np.ndarray, fs_hz: float) -> np.ndarray:
    """Sample index of each step's rotation reversal (the first sample after the swing peak
    that no longer turns the swing's way; the kernel's ``reversal_t_s``), moved into
    ``[contact - ANCHOR_LEAD_S, contact]``; the contact itself where the reversal is unknown
    (a window leaving the data)."""
    idx = np.asarray(contact_idx, dtype=np.int64)
    rev = X_contact[:, _reversal_column()] if len(idx) else np.zeros(0)
    shift = np.where(np.isnan(rev), 0.0, np.round(np.nan_to_num(rev) * fs_hz)).astype(np.int64)
    lead = round(ANCHOR_LEAD_S * fs_hz)
    return idx + np.clip(shift, -lead, 0)


def step_features(samples: SampleBlock, contact_idx: np.ndarray) -> np.ndarray:
    """Feature matrix ``(len(contact_idx), n_features())`` for contacts at sample indices: the
    kernel's features around the contact, then around its rotation reversal
    (:func:`reversal_anchor`).

    Needs the gyro; rows of contacts too close to either end have NaN in the bins that leave
    the data. Reads the samples from ``ANCHOR_LEAD_S + PRE_S`` (plus half a bin) before each
    contact to ``POST_S`` (plus half a bin) after it.
    """
    acc, gyr = _kernel_inputs(samples)  # once: the session's whole signal is copied
    fs = float(samples.sampling_rate_hz)
    idx = np.ascontiguousarray(contact_idx, dtype=np.int64)
    X = _features_at(acc, gyr, idx, fs)
    return np.hstack([X, _features_at(acc, gyr, reversal_anchor(X, idx, fs), fs)])


def contact_index(t_s: np.ndarray, contact_t_s: np.ndarray) -> np.ndarray:
    """Sample index nearest to each contact time."""
    t = np.asarray(t_s, dtype=np.float64)
    ct = np.asarray(contact_t_s, dtype=np.float64)
    i = np.clip(np.searchsorted(t, ct), 1, max(1, len(t) - 1))
    left = np.abs(ct - t[i - 1]) <= np.abs(t[np.minimum(i, len(t) - 1)] - ct)
    return np.where(left, i - 1, i).astype(np.int64)
