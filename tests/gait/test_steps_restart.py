"""A first step that follows a small rotation in its own sense: the swing is a lobe of its own.

Synthetic rotation about one axis: six strides (pre-swing -150 deg/s over 0.25 s, swing +350
deg/s over 0.3 s, landing turn back -150 deg/s over 0.12 s, 0.45 s of stance), 2 s of standing,
then a start: a small rotation the way the swing turns (+60 deg/s over 0.2 s, a shift of weight
before the first step, below the level of a swing), a pause of 50-100 ms, and six strides more.
The low-passed rate falls back to within a gyroscope's noise of zero (or just past it) between
the small rotation and the swing without turning the other way beyond that noise. The detector
once kept the small rotation's lobe closed and opened no lobe for the swing that followed it in
the same sense (only a turn the other way, or motion after a rest, began one): the first step
was lost, as in the simulated running starts (``sim run backward heel``).
"""

from __future__ import annotations

import numpy as np
import pytest
from _rate_block import rate_only_block

from gait.steps import AnkleStepDetector
from gait.types import SampleBlock


def _half_sine(fs: float, duration_s: float, peak_dps: float) -> np.ndarray:
    n = round(duration_s * fs)
    return peak_dps * np.sin(np.pi * (np.arange(n) + 0.5) / n)


def _session(fs: float, pause_s: float) -> tuple[SampleBlock, list[int]]:
    parts = [np.zeros(round(2.0 * fs))]
    n = len(parts[0])
    contacts = []
    for bout in range(2):
        for k in range(6):
            if bout == 1 and k == 0:
                stride = [_half_sine(fs, 0.2, 60.0), np.zeros(round(pause_s * fs))]
            else:
                stride = [_half_sine(fs, 0.25, -150.0)]
            stride.append(_half_sine(fs, 0.3, 350.0))
            contacts.append(n + sum(len(p) for p in stride))
            stride += [_half_sine(fs, 0.12, -150.0), np.zeros(round(0.45 * fs))]
            parts += stride
            n += sum(len(p) for p in stride)
        parts.append(np.zeros(round(2.0 * fs)))
        n += len(parts[-1])
    return rate_only_block(np.concatenate(parts), fs), contacts


@pytest.mark.parametrize("fs", [50.0, 100.0, 200.0])
@pytest.mark.parametrize("pause_s", [0.05, 0.1])
def test_first_step_after_a_small_rotation_its_own_way_is_found(fs, pause_s):
    samples, contacts = _session(fs, pause_s)
    steps = AnkleStepDetector(estimate_other_foot=False).detect(samples).steps_
    ic = steps.ic_idx[steps.instrumented]
    assert len(ic) == len(contacts)
    for i, c in zip(ic, contacts, strict=True):
        assert abs(i - c) <= round(0.05 * fs), (i / fs, c / fs)
