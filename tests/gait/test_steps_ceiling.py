"""benchmarks.ipol_ceiling: its candidate features see the motion, not the sensor's mounting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

import gait
from benchmarks.ipol_ceiling import JERK_BINS_S, PROFILE_S, candidate_features
from gait.steps import AnkleStepDetector
from gait.types import SampleBlock

DEMO = Path(__file__).resolve().parents[2] / "datasets" / "sample" / "demo.csv"


@pytest.fixture(scope="module")
def demo_contacts() -> tuple[SampleBlock, np.ndarray]:
    """The first 60 s of the demo session and its detected contacts (read and detected once)."""
    samples = gait.read_session(DEMO).samples.slice(0, 6000)
    steps = AnkleStepDetector().detect(samples).steps_
    return samples, np.sort(steps.ic_idx[steps.instrumented])


def test_candidate_features_are_rotation_invariant(demo_contacts) -> None:
    samples, det = demo_contacts
    assert det.size >= 10
    feats = candidate_features(samples, det)
    n_expected = 2 * PROFILE_S.size + (JERK_BINS_S.size - 1) + 4
    assert feats.shape == (det.size, n_expected)
    assert np.isfinite(feats).all()
    for seed in (1, 2):
        rot = Rotation.random(random_state=seed).as_matrix()
        turned = candidate_features(samples.rotated(rot), det)
        np.testing.assert_allclose(turned, feats, rtol=1e-7, atol=1e-6)


def test_candidate_features_tell_a_swing_from_rest(demo_contacts) -> None:
    samples, det = demo_contacts
    feats = candidate_features(samples, det)
    # Before a contact the foot swings; the profile's first half holds the swing's peak rate.
    before = feats[:, : PROFILE_S.size][:, PROFILE_S < 0].max(axis=1)
    assert np.median(before) > 100.0  # deg/s: a walking swing
