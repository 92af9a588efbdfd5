"""AnkleStepDetector: streaming, chunk and rotation invariance, no phantom steps, real data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly
from scipy.spatial.transform import Rotation
from sklearn.base import clone

from gait.consts import GRAVITY_MS2
from gait.datasets.ipol import find_ipol_dir, load_ipol_foot
from gait.evaluation import decision_delays_s, match_contacts, score_contacts
from gait.steps import AnkleStepDetector, StepTable
from gait.types import SampleBlock

IPOL = find_ipol_dir()
needs_ipol = pytest.mark.skipif(
    IPOL is None, reason="IPOL recordings not found (../shared/datasets/ipol_healthy is absent)"
)
# Development subjects only; the held-out subjects are for benchmarks.eval_ipol.
DEV_TRIALS = [("1-1", "left"), ("5-2", "right"), ("10-4", "left"), ("16-2", "right")]


@pytest.fixture(scope="module")
def walk():
    if IPOL is None:
        pytest.skip("IPOL recordings not found (../shared/datasets/ipol_healthy is absent)")
    return load_ipol_foot(IPOL, "1-1", "left")


def _stream(samples: SampleBlock, cuts: list[int], **params) -> StepTable:
    stream = AnkleStepDetector(**params).stream(samples.sampling_rate_hz, has_gyro=samples.has_gyro)
    parts, prev = [], 0
    for c in [*cuts, samples.n_samples]:
        parts.append(stream.feed(samples.slice(prev, c)))
        prev = c
    parts.append(stream.finish())
    return StepTable.concatenate(parts)


def test_estimator_contract():
    det = AnkleStepDetector(min_swing_s=0.3)
    twin = clone(det)
    assert twin.get_params() == det.get_params()
    rng = np.random.default_rng(1)
    block = SampleBlock(
        np.arange(300) / 100, rng.normal(size=(300, 3)), rng.normal(size=(300, 3)), 100.0
    )
    assert det.detect(block) is det
    assert isinstance(det.steps_, StepTable)
    assert det.get_params() == twin.get_params()  # detect leaves parameters alone


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_block_split_gives_the_same_contacts(walk, data):
    samples = walk.session.samples
    whole = AnkleStepDetector().detect(samples).steps_
    n_cuts = data.draw(st.integers(1, 60))
    cuts = sorted(
        data.draw(
            st.lists(
                st.integers(1, samples.n_samples - 1),
                min_size=n_cuts,
                max_size=n_cuts,
                unique=True,
            )
        )
    )
    split = _stream(samples, cuts)
    assert len(whole) > 20
    np.testing.assert_array_equal(split.ic_idx, whole.ic_idx)
    np.testing.assert_array_equal(split.t_s, whole.t_s)
    np.testing.assert_array_equal(split.instrumented, whole.instrumented)


def test_sample_by_sample_stream_equals_one_pass(walk):
    samples = walk.session.samples.slice(0, 1500)
    whole = AnkleStepDetector().detect(samples).steps_
    one_by_one = _stream(samples, list(range(1, samples.n_samples)))
    np.testing.assert_array_equal(one_by_one.ic_idx, whole.ic_idx)


@needs_ipol
def test_an_impact_decides_the_contact_without_waiting_for_the_swing_to_end():
    """Live latency: contacts are reported a short confirmation after their impact."""
    samples = load_ipol_foot(IPOL, "5-2", "left").session.samples
    early = decision_delays_s(samples, AnkleStepDetector(estimate_other_foot=False))
    late = decision_delays_s(
        samples, AnkleStepDetector(estimate_other_foot=False, trigger_frac=0.0)
    )
    assert early.size >= 8 and early.size == late.size
    confirm_s = AnkleStepDetector().confirm_s
    # Most contacts are final within the confirmation time plus the ~10 ms jerk onset.
    assert np.median(early) <= confirm_s + 0.03
    assert np.median(early) < np.median(late)


@needs_ipol
@pytest.mark.parametrize(
    ("code", "foot"), [("1-1", "right"), ("1-3", "right"), ("1-4", "right"), ("1-5", "left")]
)
def test_the_small_last_step_of_a_walk_is_found(code, foot):
    """The step that closes the feet at the end of a walk turns the foot too little for the
    swing threshold; the isolated-step rule finds it once the foot has come to rest."""
    rec = load_ipol_foot(IPOL, code, foot)
    last = len(rec.swings_idx) - 1
    found = []
    for quiet_s in (AnkleStepDetector().quiet_s, 0.0):
        steps = AnkleStepDetector(quiet_s=quiet_s).detect(rec.session.samples).steps_
        own = steps.ic_idx[steps.instrumented]
        _, matched = match_contacts(own, rec.swings_idx, tolerance_samples=10)
        found.append(last in matched)
    assert found == [True, False]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("acc_only", [False, True])
def test_a_rotated_sensor_finds_the_same_contacts(walk, seed, acc_only):
    samples = walk.session.samples
    if acc_only:
        samples = samples.without_gyro()
    rot = Rotation.random(random_state=seed).as_matrix()
    a = AnkleStepDetector().detect(samples).steps_
    b = AnkleStepDetector().detect(samples.rotated(rot)).steps_
    assert len(a) == len(b)
    # Floating-point rounding may move an onset by one sample at most.
    assert np.max(np.abs(a.ic_idx - b.ic_idx), initial=0) <= 1


def _still(n: int, fs: float, rng: np.random.Generator, rot: np.ndarray) -> SampleBlock:
    acc = np.array([0.0, 0.0, GRAVITY_MS2]) + rng.normal(0, 0.05, (n, 3))
    gyr = rng.normal(0, 0.5, (n, 3))
    return SampleBlock(np.arange(n) / fs, acc @ rot.T, gyr @ rot.T, fs)


@pytest.mark.parametrize("fs", [50.0, 100.0, 1000.0])
@pytest.mark.parametrize("acc_only", [False, True])
def test_standing_still_has_no_steps(fs, acc_only):
    rng = np.random.default_rng(int(fs))
    block = _still(int(60 * fs), fs, rng, Rotation.random(random_state=4).as_matrix())
    if acc_only:
        block = block.without_gyro()
    assert len(AnkleStepDetector().detect(block).steps_) == 0


@pytest.mark.parametrize("acc_only", [False, True])
def test_turning_on_the_spot_and_shuffling_have_no_steps(acc_only):
    """Slow yaw turns of the standing leg and small foot shuffles are not strides."""
    fs = 100.0
    rng = np.random.default_rng(7)
    n = int(40 * fs)
    t = np.arange(n) / fs
    # Yaw rate: smooth turns of up to 90 deg/s lasting 2 s, every 5 s.
    yaw_dps = 90.0 * np.clip(np.sin(2 * np.pi * t / 5.0), 0, None) ** 2
    # Shuffles: 0.15 s wiggles of 40 deg/s about a horizontal axis, twice a second.
    wiggle = 40.0 * np.sin(2 * np.pi * t / 0.15) * (np.sin(2 * np.pi * t / 0.5) > 0.8)
    gyr = np.column_stack([wiggle, np.zeros(n), yaw_dps]) + rng.normal(0, 0.5, (n, 3))
    tilt = np.radians(np.cumsum(wiggle) / fs)
    acc = np.column_stack(
        [GRAVITY_MS2 * np.zeros(n), GRAVITY_MS2 * np.sin(tilt), GRAVITY_MS2 * np.cos(tilt)]
    ) + rng.normal(0, 0.05, (n, 3))
    block = SampleBlock(t, acc, None if acc_only else gyr, fs)
    assert len(AnkleStepDetector().detect(block).steps_) == 0


@needs_ipol
def test_real_walks_are_found():
    total = None
    for code, foot in DEV_TRIALS:
        rec = load_ipol_foot(IPOL, code, foot)
        steps = AnkleStepDetector().detect(rec.session.samples).steps_
        own = steps.ic_idx[steps.instrumented]
        score = score_contacts(own, rec.swings_idx, sampling_rate_hz=100.0)
        total = score if total is None else total + score
        # Estimates for the other foot: one between each pair of this foot's strides.
        assert (~steps.instrumented).sum() >= len(own) - 4
    assert total.f1 >= 0.93
    assert total.abs_timing_percentile_ms(50) <= 20.0
    assert total.abs_timing_percentile_ms(90) <= 50.0


@needs_ipol
@pytest.mark.parametrize("fs", [50, 200, 1000])
def test_other_sampling_rates_find_the_same_walk(fs):
    rec = load_ipol_foot(IPOL, "5-2", "right")
    s = rec.session.samples
    acc = resample_poly(s.acc_ms2, fs, 100, axis=0)
    gyr = resample_poly(s.gyr_dps, fs, 100, axis=0)
    block = SampleBlock(np.arange(len(acc)) / fs, acc, gyr, float(fs))
    steps = AnkleStepDetector().detect(block).steps_
    own_idx_100 = np.round(steps.ic_idx[steps.instrumented] * 100 / fs).astype(np.int64)
    score = score_contacts(own_idx_100, rec.swings_idx, sampling_rate_hz=100.0)
    assert score.f1 >= 0.9


def test_kernel_matches_its_python_reference(walk):
    """The compiled kernel and the same function run by the interpreter agree exactly."""
    from gait._kernels import _steps as k

    samples = walk.session.samples.slice(400, 1400)

    def run(fn):
        stream = AnkleStepDetector().stream(100.0, has_gyro=True)
        out = np.empty(600, np.int64)
        acc = np.ascontiguousarray(samples.acc_ms2)
        m = fn(acc, np.ascontiguousarray(samples.gyr_dps), *stream.kernel_state(), out)
        return out[:m]

    compiled = run(k.detect_block)
    np.testing.assert_array_equal(run(k.detect_block.py_func), compiled)
    assert compiled.size > 5


def test_rates_outside_the_range_are_refused():
    with pytest.raises(ValueError, match="sampling rate"):
        AnkleStepDetector().stream(10.0, has_gyro=True)
