"""AnkleStepDetector: streaming, chunk and rotation invariance, no phantom steps, real data."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly
from scipy.spatial.transform import Rotation
from sklearn.base import clone

from gait.consts import GRAVITY_MS2
from gait.datasets.ipol import find_ipol_dir, list_ipol_trials, load_ipol_foot
from gait.evaluation import ContactScore, decision_delays_s, match_contacts, score_contacts
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
    np.testing.assert_array_equal(split.fc_t_s, whole.fc_t_s)


def test_sample_by_sample_stream_equals_one_pass(walk):
    samples = walk.session.samples.slice(0, 1500)
    whole = AnkleStepDetector().detect(samples).steps_
    one_by_one = _stream(samples, list(range(1, samples.n_samples)))
    np.testing.assert_array_equal(one_by_one.ic_idx, whole.ic_idx)


@needs_ipol
def test_an_impact_decides_a_heel_contact_without_waiting_for_the_reversal():
    """Live latency: with a sharp impact at the end of the swing the contact is final at once;
    on kinematics alone it waits for the rotation to reverse."""
    samples = load_ipol_foot(IPOL, "5-2", "left").session.samples
    early = decision_delays_s(samples, AnkleStepDetector(estimate_other_foot=False))
    late = decision_delays_s(
        samples, AnkleStepDetector(estimate_other_foot=False, impact_ratio=0.0)
    )
    assert early.size >= 8 and early.size == late.size
    assert np.median(early) <= 0.08
    assert np.median(early) < np.median(late)


def test_a_swing_waits_for_its_reversal_not_for_the_window_of_the_rotation_before_it():
    """Live latency without an impact (the bundled demo: a simulated shank, soft landings): the
    push-off rotation before each swing is known to be no swing as soon as enough rotation
    follows it, so each contact is reported once its own reversal is confirmed (about 0.1 s),
    not when the push-off's after-window ends (0.45 s after that rotation: 0.15-0.16 s after
    the contact)."""
    from gait.datasets import sample_dir
    from gait.io import read_session

    samples = read_session(sample_dir() / "demo.csv").samples.slice(0, 3000)  # a forward walk
    delays = decision_delays_s(samples, AnkleStepDetector(estimate_other_foot=False))
    assert delays.size >= 15
    steady = delays[1:]  # the first contact waits for the sense to be learnt
    assert np.median(steady) <= 0.12
    assert np.max(steady) <= 0.14


def _eased_swing_gait(fs: float, n_strides: int) -> tuple[SampleBlock, np.ndarray]:
    """A segment whose swing eases off to a slow rippling turn in the same sense, then turns
    back until the ground stops it (a placed landing after a long terminal swing). Returns the
    samples and the true contacts (the end of the turn back, where an impact is felt)."""
    parts: list[np.ndarray] = []
    contacts = []

    def seg(f, dur_s: float) -> None:
        n = round(dur_s * fs)
        parts.append(f((np.arange(n) + 0.5) / n))

    for _ in range(n_strides):
        seg(lambda u: 60 * np.sin(np.pi * u), 0.45)  # stance
        seg(lambda u: np.where(u < 0.5, -400, -360) * np.sin(np.pi * u) - 40 * (u >= 0.5), 0.35)
        seg(lambda u: -40 + 8 * np.sin(2 * np.pi * u), 0.12)  # eased off, still the same sense
        seg(lambda u: -40 + 190 * np.sin(0.5 * np.pi * u), 0.16)  # the turn back
        contacts.append(sum(p.size for p in parts))
        seg(lambda u: 150 * (1 - u), 0.04)  # stopped by the ground
    parts.append(np.zeros(round(fs)))
    w = np.concatenate(parts)
    gyr = np.zeros((w.size, 3))
    gyr[:, 1] = w
    acc = np.tile([0.0, 0.0, GRAVITY_MS2], (w.size, 1))
    for c in contacts:
        acc[c : c + 3, 2] += [30.0, 15.0, 5.0]
    return SampleBlock(np.arange(w.size) / fs, acc, gyr, fs), np.asarray(contacts)


@pytest.mark.parametrize("fs", [100.0, 200.0])
def test_a_swing_that_only_eases_off_has_not_reversed(fs):
    """A reversal is a turn the other way: a ripple while the swing eases off (the rate slowing
    and speeding up again in the swing's own sense) must not end the search for it, or the
    contact lands at the swing's end, 0.2 s before the impact at the end of the turn back."""
    samples, truth = _eased_swing_gait(fs, 20)
    st = AnkleStepDetector().detect(samples).steps_
    found = st.ic_idx[st.instrumented]
    err_s = np.array([np.min(np.abs(found - c)) for c in truth[2:]]) / fs
    assert np.max(err_s) <= 0.02


@needs_ipol
@pytest.mark.parametrize(("code", "foot"), DEV_TRIALS)
def test_the_accelerometer_never_decides_whether_a_contact_exists(code, foot):
    """With a gyroscope, contacts come from the kinematics: an accelerometer that reads gravity
    alone (no impact at all) gives the same contacts, placed by the rotation only."""
    s = load_ipol_foot(IPOL, code, foot).session.samples
    flat = np.tile(s.acc_ms2.mean(axis=0), (s.n_samples, 1))
    a = AnkleStepDetector().detect(s).steps_
    b = AnkleStepDetector().detect(SampleBlock(s.t_s, flat, s.gyr_dps, 100.0)).steps_
    ia, ib = a.ic_idx[a.instrumented], b.ic_idx[b.instrumented]
    assert ia.size == ib.size > 10
    assert np.max(np.abs(ia - ib)) <= 30  # within 0.3 s: at most the heel/forefoot choice


def _moving_average(x: np.ndarray, n: int) -> np.ndarray:
    c = np.cumsum(np.vstack([np.zeros((1, 3)), x]), axis=0)
    lo = np.maximum(0, np.arange(len(x)) - n + 1)
    return (c[np.arange(len(x)) + 1] - c[lo]) / (np.arange(len(x)) + 1 - lo)[:, None]


@needs_ipol
def test_an_accelerometer_smoothed_on_board_loses_nothing():
    """Some sensors smooth their accelerometer (here a 100 ms moving average): the impact gets
    soft, the motion does not change, and neither may the contacts found."""
    raw = smooth = None
    for code, foot in DEV_TRIALS:
        rec = load_ipol_foot(IPOL, code, foot)
        s = rec.session.samples
        soft = SampleBlock(s.t_s, _moving_average(s.acc_ms2, 10), s.gyr_dps, 100.0)
        scores = []
        for block in (s, soft):
            steps = AnkleStepDetector().detect(block).steps_
            own = steps.ic_idx[steps.instrumented]
            scores.append(score_contacts(own, rec.swings_idx, sampling_rate_hz=100.0))
        raw = scores[0] if raw is None else raw + scores[0]
        smooth = scores[1] if smooth is None else smooth + scores[1]
    assert smooth.f1 >= raw.f1 - 0.01
    assert smooth.abs_timing_percentile_ms(50) <= 30.0


@needs_ipol
def test_final_contacts_are_the_toe_offs():
    """Each contact of the instrumented foot carries the toe-off that began its swing: on real
    foot recordings within a few tens of ms of the annotated toe-off, always before the contact."""
    errors = []
    for code, foot in DEV_TRIALS:
        rec = load_ipol_foot(IPOL, code, foot)
        s = rec.session.samples
        steps = AnkleStepDetector().detect(s).steps_
        own = steps.instrumented
        ic_t, fc_t = steps.t_s[own], steps.fc_t_s[own]
        assert np.all(fc_t[np.isfinite(fc_t)] < ic_t[np.isfinite(fc_t)])
        assert np.all(np.isnan(steps.fc_t_s[~own]))
        d, a = match_contacts(steps.ic_idx[own], rec.swings_idx, tolerance_samples=10)
        ok = np.isfinite(fc_t[d])
        errors.append(fc_t[d][ok] - s.t_s[rec.swings_idx[a[ok], 0]])
    err_ms = np.abs(np.concatenate(errors)) * 1000
    assert err_ms.size > 40
    assert np.median(err_ms) <= 30.0
    assert np.percentile(err_ms, 90) <= 60.0


@functools.cache
def _development_feet() -> list:
    """Every IPOL recording of the development subjects (read once)."""
    from benchmarks.eval_ipol import HELD_OUT

    return [
        load_ipol_foot(IPOL, code, foot)
        for code in list_ipol_trials(IPOL)
        if int(code.split("-")[0]) not in HELD_OUT
        for foot in ("left", "right")
    ]


@needs_ipol
def test_the_small_last_step_of_a_walk_is_found():
    """The step that closes the feet at the end of a walk often turns the foot too little to
    pass for a swing; the isolated-step rule finds it once the foot has come to rest."""
    found = {}
    for quiet_s in (AnkleStepDetector().quiet_s, 0.0):
        det = AnkleStepDetector(quiet_s=quiet_s)
        n = 0
        for rec in _development_feet():
            steps = det.detect(rec.session.samples).steps_
            own = steps.ic_idx[steps.instrumented]
            _, matched = match_contacts(own, rec.swings_idx, tolerance_samples=10)
            n += int(len(rec.swings_idx) - 1 in matched)
        found[quiet_s] = n
    assert found[AnkleStepDetector().quiet_s] >= found[0.0] + 10
    assert found[AnkleStepDetector().quiet_s] >= 0.8 * len(_development_feet())


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
    """All development subjects of the IPOL set (foot sensors, healthy gait)."""
    total = ContactScore.zero()
    n_own = n_other = 0
    for rec in _development_feet():
        steps = AnkleStepDetector().detect(rec.session.samples).steps_
        own = steps.ic_idx[steps.instrumented]
        total = total + score_contacts(own, rec.swings_idx, sampling_rate_hz=100.0)
        n_own += own.size
        n_other += int((~steps.instrumented).sum())
    # Estimates for the other foot: about one between each pair of this foot's strides.
    assert n_other >= 0.85 * n_own
    assert total.f1 >= 0.97
    assert total.abs_timing_percentile_ms(50) <= 20.0
    assert total.abs_timing_percentile_ms(90) <= 60.0


@needs_ipol
@pytest.mark.parametrize("fs", [50, 200, 1000])
def test_other_sampling_rates_find_the_same_walks(fs):
    """The parameters are in seconds: resampled, the same walks give the same F1 (within 0.02,
    the stress matrix's margin)."""
    at_100, at_fs = ContactScore.zero(), ContactScore.zero()
    for code, foot in DEV_TRIALS:
        rec = load_ipol_foot(IPOL, code, foot)
        s = rec.session.samples
        acc = resample_poly(s.acc_ms2, fs, 100, axis=0)
        gyr = resample_poly(s.gyr_dps, fs, 100, axis=0)
        block = SampleBlock(np.arange(len(acc)) / fs, acc, gyr, float(fs))
        for score, samples, k in ((at_100, s, 1.0), (at_fs, block, 100 / fs)):
            steps = AnkleStepDetector().detect(samples).steps_
            own = np.round(steps.ic_idx[steps.instrumented] * k).astype(np.int64)
            new = score + score_contacts(own, rec.swings_idx, sampling_rate_hz=100.0)
            if score is at_100:
                at_100 = new
            else:
                at_fs = new
    assert at_fs.f1 >= at_100.f1 - 0.02
    assert at_fs.abs_timing_percentile_ms(50) <= 20.0


def test_kernel_matches_its_python_reference(walk):
    """The compiled kernel and the same function run by the interpreter agree exactly."""
    from gait._kernels import _steps as k

    samples = walk.session.samples.slice(400, 1400)

    def run(fn):
        stream = AnkleStepDetector().stream(100.0, has_gyro=True)
        out_ic, out_fc = np.empty(600, np.int64), np.empty(600, np.int64)
        acc = np.ascontiguousarray(samples.acc_ms2)
        gyr = np.ascontiguousarray(samples.gyr_dps)
        m = fn(acc, gyr, *stream.kernel_state(), out_ic, out_fc)
        return out_ic[:m], out_fc[:m]

    compiled = run(k.detect_block)
    interpreted = run(k.detect_block.py_func)
    np.testing.assert_array_equal(interpreted[0], compiled[0])
    np.testing.assert_array_equal(interpreted[1], compiled[1])
    assert compiled[0].size > 5

    def run_acc(fn):
        stream = AnkleStepDetector().stream(100.0, has_gyro=False)
        out = np.empty(600, np.int64)
        istate, fstate, ring, *_, ip, fp = stream.kernel_state()
        m = fn(np.ascontiguousarray(samples.acc_ms2), istate, fstate, ring, ip, fp, out)
        return out[:m]

    acc_only = run_acc(k.detect_block_acc)
    np.testing.assert_array_equal(run_acc(k.detect_block_acc.py_func), acc_only)
    assert acc_only.size > 5


def test_rates_outside_the_range_are_refused():
    with pytest.raises(ValueError, match="sampling rate"):
        AnkleStepDetector().stream(10.0, has_gyro=True)


@pytest.mark.parametrize("seed", [11, 12])
def test_forward_running_swings_are_found(seed):
    """A running swing turns the shank forward for only 0.15-0.2 s (shorter than any walking
    swing) but through a walking swing's angle: each one still gives its contact."""
    from gait.simulate import Bout, SensorSpec, SessionSpec, SubjectSpec, simulate

    spec = SessionSpec(
        bouts=(Bout("stand", 2.0), Bout("run", 12.0, "forward", "heel", 3.2), Bout("stand", 2.0)),
        subject=SubjectSpec(id="r"),
        sensor=SensorSpec(sampling_rate_hz=100.0, placement="right_ankle"),
    )
    res = simulate(spec, seed)
    samples = res.session.samples
    truth = np.array([s.t_s for s in res.steps if s.foot == "right"])
    steps = AnkleStepDetector().detect(samples).steps_
    found = steps.t_s[steps.instrumented]
    gap_s = np.abs(found[:, None] - truth[None, :])
    hit_truth = (gap_s <= 0.1).any(axis=0)  # each true contact has a detection within 0.1 s
    hit_found = (gap_s <= 0.1).any(axis=1)
    assert truth.size >= 15
    assert hit_truth.mean() >= 0.95
    assert hit_found.mean() >= 0.9
    strides_s = np.diff(truth)
    assert np.median(strides_s) < 0.8  # it is running (cadence above 150 steps/min)
