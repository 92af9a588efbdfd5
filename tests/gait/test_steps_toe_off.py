"""The toe-off candidate of a swing lobe, found when the lobe is kept as a candidate.

The kernel looks for it when a lobe ends and is kept (``_toe_off`` in ``_close_lobe``), not when
the lobe opens: most lobes are never kept. That relies on the ring still holding the samples
before the lobe's start at its end; checked here at every rate, and ``_toe_off`` against a NumPy
reference.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gait._kernels import _steps as k
from gait.steps import AnkleStepDetector


def _reference(rate: np.ndarray, sign: int, start: int, back: int) -> int:
    """The first sample of the largest rate of the other sense in [start - back, start] (the
    start itself if the rate never turns the other way there)."""
    idx = np.arange(max(0, start - back), start + 1)
    other = -sign * rate[idx]
    return int(idx[np.argmax(other)]) if other.max() > 0.0 else start


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sign=st.sampled_from([1, -1]),
    start=st.integers(0, 400),
    fs=st.sampled_from([50.0, 100.0, 200.0]),
    quantised=st.booleans(),
)
def test_toe_off_is_the_other_senses_extreme_before_the_lobe(seed, sign, start, fs, quantised):
    rng = np.random.default_rng(seed)
    stream = AnkleStepDetector().stream(fs, has_gyro=True)
    _, _, ring, _, _, ip, _ = stream.kernel_state()
    mask = int(ip[k.P_RING_MASK])
    back = int(ip[k.P_FC_BACK])
    n = start + 1
    rate = rng.normal(0.0, 80.0, n)
    if quantised:  # ties: the first of equal extremes wins
        rate = np.round(rate / 40.0) * 40.0
    ring[np.arange(n) & mask, 0] = rate  # the newest samples overwrite older ones, as in a stream
    visible = rate.copy()
    visible[: max(0, n - mask - 1)] = np.nan  # overwritten: must not be looked at
    expected = _reference(visible, sign, start, back)
    assert int(k._toe_off(sign, start, ring, ip)) == expected


@pytest.mark.parametrize("fs", [50.0, 100.0, 200.0, 1000.0])
def test_the_ring_holds_a_kept_lobe_and_its_toe_off_window(fs):
    # A lobe is kept only if it lasted P_MAX_SWING at most; at its end (P_MAX_SWING after its
    # start at most) the samples from P_FC_BACK before its start must not be overwritten yet.
    ip = AnkleStepDetector().stream(fs, has_gyro=True).kernel_state()[5]
    ring_size = int(ip[k.P_RING_MASK]) + 1
    assert int(ip[k.P_MAX_SWING]) + int(ip[k.P_FC_BACK]) < ring_size
