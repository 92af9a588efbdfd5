"""numba kernel of the other-foot predictor (rules in gait/steps/_other_foot.py).

One call takes the instrumented contacts that became final in one block and releases what the
rules allow; all state lives in two small arrays owned by the Python object, so that a stream fed
in blocks of any size gives exactly the same steps as one pass.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from gait._kernels._steps import NO_IDX

# Integer state slots.
I_LAST = 0  # index of the last instrumented contact (or NO_IDX)
I_HAS_STRIDE = 1  # 1 when the stride ending at that contact was plausible
I_STRIDE = 2  # that stride in samples
I_PENDING = 3  # index of the prediction waiting for the stream to reach its time (or NO_IDX)
I_COVERED = 4  # 1 when an other-foot contact was released after the last contact
N_ISTATE = 5

# Float state slots.
F_LAST = 0  # time of the last instrumented contact (s)
F_STRIDE = 1  # the plausible stride ending there (s)
F_PENDING = 2  # time of the prediction (s)
N_FSTATE = 3


def new_state() -> tuple[np.ndarray, np.ndarray]:
    """Fresh state arrays: (istate, fstate)."""
    istate = np.zeros(N_ISTATE, np.int64)
    istate[I_LAST] = NO_IDX
    istate[I_PENDING] = NO_IDX
    return istate, np.zeros(N_FSTATE, np.float64)


@njit(cache=True, inline="always")
def _emit(out_idx, out_t, out_own, n_out, i, t, own):
    """Write one step at ``n_out``; return the next free slot."""
    out_idx[n_out] = i
    out_t[n_out] = t
    out_own[n_out] = own
    return n_out + 1


@njit(cache=True)
def predict_block(
    ic_idx: np.ndarray,
    t_s: np.ndarray,
    t_now: float,
    next_contact_min_t: float,
    stride_min_s: float,
    stride_max_s: float,
    istate: np.ndarray,
    fstate: np.ndarray,
    out_idx: np.ndarray,
    out_t: np.ndarray,
    out_own: np.ndarray,
) -> int:
    """Take the contacts ``(ic_idx, t_s)`` (in order); write the steps released to ``out_*``.

    The outputs need room for ``2 * len(ic_idx) + 1`` steps (per contact: itself and either an
    earlier prediction or a midpoint; then one prediction the stream reached). Returns the count.
    """
    n_out = 0
    i0 = istate[I_LAST]
    t0 = fstate[F_LAST]
    has_prev = istate[I_HAS_STRIDE] != 0
    n_prev = istate[I_STRIDE]
    t_prev = fstate[F_STRIDE]
    p_i = istate[I_PENDING]
    p_t = fstate[F_PENDING]
    covered = istate[I_COVERED] != 0
    for k in range(ic_idx.shape[0]):
        i = ic_idx[k]
        t = t_s[k]
        has_stride = False
        t_str = 0.0
        n_str = 0
        if i0 != NO_IDX:
            d = t - t0
            if stride_min_s <= d <= stride_max_s:
                has_stride = True
                t_str = d
                n_str = i - i0
            if p_i != NO_IDX:
                if p_t < t:  # released only now: the bound held it back until this contact
                    n_out = _emit(out_idx, out_t, out_own, n_out, p_i, p_t, False)
                    covered = True
                p_i = NO_IDX
            if has_stride:
                if not covered:  # retroactive midpoint
                    n_out = _emit(
                        out_idx, out_t, out_own, n_out, (i0 + i) // 2, 0.5 * (t0 + t), False
                    )
                # the shorter of the last two strides (when both plausible); ties by samples
                t_ref = t_str
                n_ref = n_str
                if has_prev and (t_prev < t_str or (t_prev == t_str and n_prev < n_str)):
                    t_ref = t_prev
                    n_ref = n_prev
                # half of it ahead: the first sample at or after (uniform sampling)
                p_i = i + (n_ref + 1) // 2
                p_t = t + 0.5 * t_ref
        n_out = _emit(out_idx, out_t, out_own, n_out, i, t, True)
        i0 = i
        t0 = t
        has_prev = has_stride
        n_prev = n_str
        t_prev = t_str
        covered = False
    if p_i != NO_IDX and p_t <= t_now and p_t < next_contact_min_t:
        n_out = _emit(out_idx, out_t, out_own, n_out, p_i, p_t, False)
        p_i = NO_IDX
        covered = True
    istate[I_LAST] = i0
    fstate[F_LAST] = t0
    istate[I_HAS_STRIDE] = 1 if has_prev else 0
    istate[I_STRIDE] = n_prev
    fstate[F_STRIDE] = t_prev
    istate[I_PENDING] = p_i
    fstate[F_PENDING] = p_t
    istate[I_COVERED] = 1 if covered else 0
    return n_out
