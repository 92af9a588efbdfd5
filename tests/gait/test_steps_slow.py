"""A slow walker whose every step is its own bout of motion: each swing is found where it ends.

Synthetic rotation about one axis (100 Hz): each step is a pre-swing rotation (-100 deg/s,
half-sine over 0.3 s) and a swing (+150 deg/s, half-sine over 0.4 s), with 1 s of standing
between steps. The rate's norm falls below the motion threshold (50 deg/s) about 40 ms before
the swing's rotation has died away (below 10 % of its peak), and the standing after it is a
rest: the bout of motion ends while the swing's record is still undecided. The detector once
ended the bout at once and placed the step at the rotation before the swing (its reversal, 0.2 s
before the swing's end), then dropped the swing itself as that contact's own rotation. A swing
the leg brakes sharply just after its peak still lands where its rate drops to rest.
"""

from __future__ import annotations

import numpy as np
import pytest
from _rate_block import rate_only_block

from gait.steps import AnkleStepDetector
from gait.types import SampleBlock

FS = 100.0


def _half_sine(duration_s: float, peak_dps: float) -> np.ndarray:
    n = round(duration_s * FS)
    return peak_dps * np.sin(np.pi * (np.arange(n) + 0.5) / n)


def _braked_swing() -> np.ndarray:
    """A swing the leg brakes itself just after its peak (200 -> 120 deg/s in 30 ms, faster than
    the ground later stops it), then carries on slowly before the foot lands (90 -> 0 deg/s in
    0.12 s)."""
    pts_s = np.array([0.0, 0.12, 0.15, 0.35, 0.47])
    pts_dps = np.array([0.0, 200.0, 120.0, 90.0, 0.0])
    return np.interp(np.arange(round(0.47 * FS)) / FS, pts_s, pts_dps)


def _slow_steps(n_steps: int = 6, braked: bool = False) -> tuple[SampleBlock, list[int]]:
    parts = [np.zeros(round(1.0 * FS))]
    ends = []
    n = len(parts[0])
    for _ in range(n_steps):
        swing = _braked_swing() if braked else _half_sine(0.4, 150.0)
        for seg in (_half_sine(0.3, -100.0), swing):
            parts.append(seg)
            n += len(seg)
        ends.append(n)
        parts.append(np.zeros(round(1.0 * FS)))
        n += len(parts[-1])
    return rate_only_block(np.concatenate(parts), FS), ends


@pytest.mark.parametrize("braked", [False, True])
def test_each_slow_step_lands_where_its_swing_ends(braked):
    samples, ends = _slow_steps(braked=braked)
    steps = AnkleStepDetector(estimate_other_foot=False).detect(samples).steps_
    ic = steps.ic_idx[steps.instrumented]
    assert len(ic) == len(ends)
    for i, end in zip(ic, ends, strict=True):
        assert abs(i - end) <= round(0.06 * FS), (i, end)


@pytest.mark.parametrize("block", [1, 7, 50])
def test_slow_steps_in_a_stream_are_the_same(block):
    samples, _ = _slow_steps()
    whole = AnkleStepDetector().detect(samples).steps_
    stream = AnkleStepDetector().stream(FS, has_gyro=True)
    got = []
    for a in range(0, samples.n_samples, block):
        part = stream.feed(samples.slice(a, min(a + block, samples.n_samples)))
        got += part.ic_idx[part.instrumented].tolist()
    part = stream.finish()
    got += part.ic_idx[part.instrumented].tolist()
    assert got == whole.ic_idx[whole.instrumented].tolist()
