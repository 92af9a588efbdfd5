"""OtherFootPredictor (gait/steps/_other_foot.py) and its use in the AnkleStepDetector stream.

The predictor is tested on made-up contact sequences with a simulated detector: each instrumented
contact becomes final some samples after its time, and the bound on contacts still to come is
exact (the earliest contact not yet final). The numba kernel behind it is checked against a
plain-Python reference of the same rules on random inputs. Then on real walking data: the
detector's bound holds sample by sample, predictions come out at their own sample, steps stay in
time order.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

import gait
from gait.datasets import sample_dir
from gait.datasets.ipol import find_ipol_dir, load_ipol_foot
from gait.evaluation import score_contacts
from gait.simulate import Bout, SensorSpec, SessionSpec, simulate
from gait.steps import AnkleStepDetector, StepTable
from gait.steps._other_foot import OtherFootPredictor
from gait.types import SampleBlock

FS = 100.0
RANGE = (0.6, 2.5)
DEMO = sample_dir() / "demo.csv"


def _play(
    contacts_s: list[float],
    delay: list[int] | int = 25,
    n: int | None = None,
    cuts: list[int] | None = None,
) -> tuple[StepTable, np.ndarray]:
    """Steps from a predictor fed like a stream at FS, and the sample index each was released at.

    Contact ``k`` lies at sample ``round(contacts_s[k] * FS)`` and is final ``delay[k]`` samples
    later; the stream is ``n`` samples long and fed in blocks ending at ``cuts``.
    """
    idx = [round(t * FS) for t in contacts_s]
    delays = [delay] * len(idx) if isinstance(delay, int) else delay
    final = [i + d for i, d in zip(idx, delays, strict=True)]
    assert final == sorted(final), "contacts become final in order"
    n = n if n is not None else max(final, default=0) + 200
    ends = [*sorted(set(c for c in (cuts or []) if 0 < c < n)), n]
    pred = OtherFootPredictor(*RANGE)
    parts, released, k = [], [], 0
    for end in ends:
        j = k
        while j < len(idx) and final[j] < end:
            j += 1
        new_i, new_t = np.array(idx[k:j], np.int64), np.array(idx[k:j]) / FS
        t_min = idx[j] / FS if j < len(idx) else math.nextafter((end - 1) / FS, math.inf)
        t_min = min(t_min, math.nextafter((end - 1) / FS, math.inf))
        part = pred.update(new_i, new_t, t_now=(end - 1) / FS, next_contact_min_t=t_min)
        parts.append(part)
        released += [end - 1] * len(part)
        k = j
    last = pred.finish(np.zeros(0, np.int64), np.zeros(0), t_now=(n - 1) / FS)
    parts.append(last)
    released += [n] * len(last)
    return StepTable.concatenate(parts), np.array(released)


def _other(steps: StepTable) -> np.ndarray:
    return np.round(steps.t_s[~steps.instrumented], 6)


def test_steady_walk_predicts_half_a_stride_ahead_on_time():
    contacts = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    steps, released = _play(contacts, cuts=list(range(1, 900)))  # sample by sample
    # first stride: its midpoint, retroactively; then half a stride after each contact, also
    # after the last one (the stream goes on to 8 s)
    np.testing.assert_array_equal(_other(steps), [1.5, 2.5, 3.5, 4.5, 5.5, 6.5])
    assert np.all(np.diff(steps.t_s) > 0)
    own = steps.instrumented
    # predictions: out at the first sample at or after their time
    pred = ~own & (steps.t_s > 2.0)
    np.testing.assert_array_equal(released[pred], steps.ic_idx[pred])
    np.testing.assert_array_equal(steps.ic_idx[pred], np.round(steps.t_s[pred] * FS))
    # the first stride's midpoint comes with the second contact (200 + 25 samples)
    assert released[~own][0] == 225


def test_the_shorter_of_the_last_two_strides_sets_the_prediction():
    # strides 1.2, 1.0 (shortening): predict 0.5 s ahead; then 1.0, 1.4 (lengthening): also
    # 0.5 s, from the shorter one before
    steps, _ = _play([1.0, 2.2, 3.2, 4.2, 5.6], n=700)
    np.testing.assert_array_equal(_other(steps), [1.6, 2.8, 3.7, 4.7, 6.1])
    # after a pause the strides before it do not count (8.25, not 8.0)
    steps, _ = _play([1.0, 2.0, 6.0, 7.5, 9.0], n=1000)
    np.testing.assert_array_equal(_other(steps), [1.5, 2.5, 6.75, 8.25, 9.75])


def test_no_prediction_or_midpoint_across_an_implausible_interval():
    # a 5 s pause, then a spurious contact 0.3 s after a real one
    contacts = [1.0, 2.0, 3.0, 8.0, 9.0, 10.0, 10.3, 11.3]
    steps, _ = _play(contacts, delay=10)
    # 3.5 is released (nothing tells the predictor that the walk ended); 8 -> 9 is a first
    # stride (midpoint 8.5); 10.5 is overtaken by the contact at 10.3 and that 0.3 s interval is
    # no stride; 10.3 -> 11.3 is plausible but has no plausible stride before it (midpoint),
    # and 11.8 is predicted from it.
    np.testing.assert_array_equal(_other(steps), [1.5, 2.5, 3.5, 8.5, 9.5, 10.8, 11.8])
    np.testing.assert_array_equal(steps.t_s[steps.instrumented], contacts)


def test_an_overtaken_prediction_gives_way_to_the_midpoint():
    # a 2.2 s stride, then a 1.0 s one: the prediction at 3.1 + 1.1 = 4.2 comes after the contact
    # at 4.1 (which became final at 4.35), so the midpoint 3.6 replaces it
    steps, _ = _play([0.9, 3.1, 4.1], n=600, cuts=list(range(1, 600)))
    np.testing.assert_array_equal(_other(steps), [2.0, 3.6, 4.6])
    assert np.all(np.diff(steps.t_s) > 0)


def test_end_of_stream_keeps_reached_predictions_and_drops_the_rest():
    # the stream ends at 4.4 s: the prediction at 4.5 is never reached
    steps, _ = _play([1.0, 2.0, 3.0, 4.0], delay=20, n=441)
    np.testing.assert_array_equal(_other(steps), [1.5, 2.5, 3.5])
    # ends at 4.5 s (last sample at 4.50): reached, released
    steps, _ = _play([1.0, 2.0, 3.0, 4.0], delay=20, n=451)
    np.testing.assert_array_equal(_other(steps), [1.5, 2.5, 3.5, 4.5])
    # a prediction reached but held back by a contact still to come is released at the end
    pred = OtherFootPredictor(*RANGE)
    pred.update(np.array([100, 200]), np.array([1.0, 2.0]), t_now=2.6, next_contact_min_t=2.4)
    assert pred.pending == (250, 2.5)
    out = pred.finish(np.zeros(0, np.int64), np.zeros(0), t_now=2.6)
    np.testing.assert_array_equal(out.t_s, [2.5])
    assert pred.pending is None


def test_a_contact_before_a_released_step_is_refused():
    pred = OtherFootPredictor(*RANGE)
    pred.update(np.array([100, 200]), np.array([1.0, 2.0]), t_now=2.6, next_contact_min_t=2.61)
    with pytest.raises(RuntimeError, match="not a bound"):
        pred.update(np.array([240]), np.array([2.4]), t_now=2.7, next_contact_min_t=2.71)


def test_bad_stride_range():
    with pytest.raises(ValueError, match="range"):
        OtherFootPredictor(1.0, 0.5)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_block_split_gives_the_same_steps_in_time_order(data):
    strides = data.draw(st.lists(st.floats(0.2, 3.2), min_size=1, max_size=25), label="strides")
    contacts = list(np.round(0.5 + np.concatenate([[0.0], np.cumsum(strides)]), 2))
    contacts = sorted(set(contacts))
    # decision delays: any, as long as contacts become final in order
    delays, prev_final = [], -1
    for t in contacts:
        d = data.draw(st.integers(1, 80), label="delay")
        d = max(d, prev_final + 1 - round(t * FS))
        delays.append(d)
        prev_final = round(t * FS) + d
    n = prev_final + data.draw(st.integers(1, 150), label="tail")
    cuts = data.draw(st.lists(st.integers(1, n - 1), max_size=40), label="cuts")
    whole, _ = _play(contacts, delays, n=n)
    split, _ = _play(contacts, delays, n=n, cuts=cuts)
    np.testing.assert_array_equal(split.ic_idx, whole.ic_idx)
    np.testing.assert_array_equal(split.t_s, whole.t_s)
    np.testing.assert_array_equal(split.instrumented, whole.instrumented)
    assert np.all(np.diff(whole.t_s) >= 0)
    np.testing.assert_array_equal(whole.t_s[whole.instrumented], np.array(contacts))
    # at most one other-foot step between two instrumented contacts
    own_pos = np.flatnonzero(whole.instrumented)
    assert np.all(np.diff(own_pos) <= 2)


# --- the numba kernel against a plain-Python reference of the same rules ---------------------


class _ReferencePredictor:
    """The rules of gait/steps/_other_foot.py in plain Python, one contact at a time (the
    implementation before the numba kernel): the reference the kernel must match exactly."""

    def __init__(self, stride_min_s: float, stride_max_s: float) -> None:
        self.stride_min_s, self.stride_max_s = stride_min_s, stride_max_s
        self.last: tuple[int, float] | None = None  # last instrumented contact (idx, t_s)
        self.stride: tuple[float, int] | None = None  # plausible stride ending there (s, samples)
        self.pending: tuple[int, float] | None = None  # prediction after it, not yet released
        self.covered = False  # an other-foot contact was released after the last contact
        self.t_last_out = -math.inf

    def update(
        self, ic_idx: np.ndarray, t_s: np.ndarray, *, t_now: float, next_contact_min_t: float
    ) -> StepTable:
        out: list[tuple[int, float, bool]] = []
        for i, t in zip(ic_idx.tolist(), t_s.tolist(), strict=True):
            self._contact(int(i), float(t), out)
        p = self.pending
        if p is not None and p[1] <= t_now and p[1] < next_contact_min_t:
            out.append((p[0], p[1], False))
            self.pending = None
            self.covered = True
        return self._table(out)

    def finish(self, ic_idx: np.ndarray, t_s: np.ndarray, *, t_now: float) -> StepTable:
        table = self.update(ic_idx, t_s, t_now=t_now, next_contact_min_t=math.inf)
        self.pending = None
        return table

    def _contact(self, i: int, t: float, out: list[tuple[int, float, bool]]) -> None:
        stride: tuple[float, int] | None = None
        if self.last is not None:
            i0, t0 = self.last
            if self.stride_min_s <= t - t0 <= self.stride_max_s:
                stride = (t - t0, i - i0)
            p = self.pending
            if p is not None:
                if p[1] < t:
                    out.append((p[0], p[1], False))
                    self.covered = True
                self.pending = None
            if stride is not None:
                if not self.covered:
                    out.append(((i0 + i) // 2, 0.5 * (t0 + t), False))
                t_ref, n_ref = stride if self.stride is None else min(stride, self.stride)
                self.pending = (i + (n_ref + 1) // 2, t + 0.5 * t_ref)
        out.append((i, t, True))
        self.last = (i, t)
        self.stride = stride
        self.covered = False

    def _table(self, out: list[tuple[int, float, bool]]) -> StepTable:
        if not out:
            return StepTable.empty()
        t_first = out[0][1]
        if t_first < self.t_last_out:
            raise RuntimeError(
                f"other-foot predictor: a contact at {t_first:.3f} s came after a step at "
                f"{self.t_last_out:.3f} s was released (next_contact_min_t was not a bound)"
            )
        self.t_last_out = out[-1][1]
        idx, t_s, own = zip(*out, strict=True)
        return StepTable(np.array(idx, np.int64), np.array(t_s, np.float64), np.array(own, bool))


def _outcome(fn, *args, **kwargs) -> StepTable | str:
    try:
        return fn(*args, **kwargs)
    except RuntimeError as e:
        return f"RuntimeError: {e}"


_TICK = 1 / 64  # s: times on a binary grid, so that equal strides and ties are exact


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_kernel_matches_the_python_reference(data):
    """Random contacts (equal strides, overtaken predictions, implausible and negative
    intervals), random splits, random stream times and bounds (also invalid ones): the same steps,
    pending prediction and RuntimeError after every call, for the compiled kernel and the
    reference."""
    # strides in ticks: often a few common values (ties), else anything; indices jittered around
    # the time, so that strides equal in seconds can differ in samples
    stride = st.one_of(st.sampled_from([32, 48, 64, 64, 96, 128]), st.integers(-4, 180))
    steps = data.draw(st.lists(stride, max_size=30), label="steps")
    t = 20 * _TICK + _TICK * np.cumsum(np.asarray(steps, np.int64))
    jitter = data.draw(st.lists(st.integers(-1, 1), min_size=len(t), max_size=len(t)))
    idx = np.round(t * FS).astype(np.int64) + np.asarray(jitter, np.int64)
    sizes = data.draw(st.lists(st.integers(0, 5), max_size=12), label="sizes")
    ends = [*sorted(min(c, len(t)) for c in np.cumsum(sizes)), len(t)]
    new, ref = OtherFootPredictor(*RANGE), _ReferencePredictor(*RANGE)
    start = 0
    for j, end in enumerate(ends):
        i_part, t_part = idx[start:end], t[start:end]
        t_last = float(t_part[-1]) if len(t_part) else float(t[start - 1]) if start else 0.0
        # the stream's time: after the last contact, or exactly at the pending prediction
        # (ties decide whether it is released)
        ties = [] if ref.pending is None else [ref.pending[1]]
        t_now = t_last + _TICK * data.draw(st.integers(-16, 128), label="t_now")
        t_now = data.draw(st.sampled_from([t_now, *ties]), label="t_now at pending")
        if j == len(ends) - 1:
            got = _outcome(new.finish, i_part, t_part, t_now=t_now)
            want = _outcome(ref.finish, i_part, t_part, t_now=t_now)
        else:
            bound = t_now + _TICK * data.draw(st.integers(-64, 96), label="bound")
            extremes = [-math.inf, math.inf, math.nextafter(t_now, math.inf), *ties]
            bound = data.draw(st.sampled_from([bound, *extremes]), label="bound kind")
            kw = {"t_now": t_now, "next_contact_min_t": bound}
            got = _outcome(new.update, i_part, t_part, **kw)
            want = _outcome(ref.update, i_part, t_part, **kw)
        if isinstance(want, str):
            assert got == want
            return
        assert isinstance(got, StepTable)
        for name in ("ic_idx", "t_s", "instrumented"):
            a, b = getattr(got, name), getattr(want, name)
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
        assert new.pending == ref.pending
        start = end


def test_kernel_matches_its_interpreted_self():
    """The compiled kernel and the same function run by the interpreter agree exactly."""
    from gait._kernels import _other_foot as k

    t = np.array([1.0, 2.0, 3.1, 3.6, 4.6, 9.0, 10.0, 10.3, 11.3])
    idx = np.round(t * FS).astype(np.int64)

    def run(fn):
        istate, fstate = k.new_state()
        out = [np.empty(2 * len(t) + 1, dt) for dt in (np.int64, np.float64, np.bool_)]
        m = fn(idx, t, 11.5, 11.6, *RANGE, istate, fstate, *out)
        return [a[:m] for a in out] + [istate, fstate]

    compiled = run(k.predict_block)
    for a, b in zip(run(k.predict_block.py_func), compiled, strict=True):
        np.testing.assert_array_equal(a, b)
    assert (~compiled[2]).sum() >= 5


# --- the detector's stream on real data ------------------------------------------------------


def _shank(rate_hz: float, placement: str, *bouts: Bout) -> SessionSpec:
    """A session of ``bouts`` from a sensor above the ankle, mounted at random."""
    return SessionSpec(
        bouts=bouts,
        sensor=SensorSpec(sampling_rate_hz=rate_hz, placement=placement, mounting="random"),
    )


# Forward then slow backward walking on a shank: the sense of the swings flips, and backward
# contacts come on the rise after the swing group's dip (the trigger's rise rule).
SLOW_BACK = _shank(
    100.0,
    "right_ankle",
    Bout("stand", 2.0),
    Bout("walk", 14.0, "forward", "heel", 1.2),
    Bout("walk", 20.0, "backward", "forefoot", 0.4),
    Bout("stand", 2.0),
)
# Slow backward walking from a stand on a left shank, then forward walking: the swing and the
# stance rotation after the forefoot contact are one swing group, whose contact lies at its dip
# (search_from_dip).
DIP_BACK = _shank(
    100.0,
    "left_ankle",
    Bout("stand", 3.0),
    Bout("walk", 20.0, "backward", "forefoot", 0.5),
    Bout("walk", 10.0, "forward", "heel", 1.2),
    Bout("stand", 2.0),
)
IPOL_DIR = find_ipol_dir()
# Names only at collection; each walk is read or simulated when a test first needs it.
WALKS = [
    *(["demo"] if DEMO.is_file() else []),
    *(["ipol 1-1 left"] if IPOL_DIR is not None else []),
    "simulated slow backward walk",
]


@functools.cache
def _demo() -> SampleBlock:
    """The bundled demo session's samples, read once for the tests that use it."""
    return gait.read_session(DEMO).samples


@functools.cache
def _walk(name: str) -> SampleBlock:
    if name == "demo":
        return _demo().slice(0, 4000)
    if name == "ipol 1-1 left":
        return load_ipol_foot(IPOL_DIR, "1-1", "left").session.samples
    return simulate(SLOW_BACK, 3).session.samples


def _stream_by_sample(
    samples: SampleBlock, detector: AnkleStepDetector
) -> tuple[StepTable, np.ndarray]:
    """Feed one sample at a time, checking that each contact returned lies at or after every bound
    given before it and that the steps equal one pass, in time order; (steps, the sample index
    at which each step was returned)."""
    whole = clone(detector).detect(samples).steps_
    stream = detector.stream(samples.sampling_rate_hz, has_gyro=samples.has_gyro)
    parts, bound, released = [], 0, []
    for i in range(samples.n_samples):
        part = stream.feed(samples.slice(i, i + 1))
        own = part.ic_idx[part.instrumented]
        assert np.all(own >= bound), f"contact {own} before the bound {bound} (sample {i})"
        bound = max(bound, stream.next_contact_min_idx())
        parts.append(part)
        released += [i] * len(part)
    parts.append(stream.finish())
    released += [samples.n_samples] * len(parts[-1])
    steps = StepTable.concatenate(parts)
    np.testing.assert_array_equal(steps.ic_idx, whole.ic_idx)
    np.testing.assert_array_equal(steps.t_s, whole.t_s)
    np.testing.assert_array_equal(steps.instrumented, whole.instrumented)
    assert np.all(np.diff(steps.t_s) >= 0) and np.all(np.diff(steps.ic_idx) >= 0)
    return steps, np.array(released)


@pytest.mark.parametrize("acc_only", [False, True])
@pytest.mark.parametrize("which", WALKS)
def test_next_contact_bound_holds(which: str, acc_only: bool):
    """Sample by sample: each contact the stream returns lies at or after every bound it gave
    before; the steps equal one pass, in time order; predictions come out without delay."""
    samples = _walk(which)
    if acc_only:
        samples = samples.without_gyro()
    steps, released = _stream_by_sample(samples, AnkleStepDetector())
    other = ~steps.instrumented
    if which == "demo" and acc_only:
        # Known defect (BENCHMARKS.md, session 9): without a gyroscope the detector splits the
        # simulated shank's strides (simulator v3) into two motion groups, so the own contacts
        # are too irregular for most other-foot estimates. The bound must hold all the same.
        assert other.sum() > 0
    else:
        assert other.sum() >= steps.n_strides - 6
    # delay of each other-foot step after the first sample at or after its time
    delay = released[other] - np.searchsorted(samples.t_s, steps.t_s[other] - 1e-9)
    if not acc_only:  # without a gyroscope the search window is longer, so is the bound's lag
        # held back at most while an isolated step may still land ``settle_s`` before the
        # motion of its bout (rule 7 of the detector)
        settle = round(AnkleStepDetector().settle_s * samples.sampling_rate_hz)
        assert np.median(delay) <= settle + 1
        assert np.mean(delay <= settle + 2) >= 0.8


def test_without_other_foot_estimates():
    samples = _demo().slice(0, 3000)
    steps = AnkleStepDetector(estimate_other_foot=False).detect(samples).steps_
    assert len(steps) > 10 and steps.instrumented.all()


def _false_and_true(res, **params) -> tuple[int, int]:
    """(false, true) contacts of the instrumented foot against a simulation's swings."""
    samples = res.session.samples
    steps = AnkleStepDetector(**params).detect(samples).steps_
    score = score_contacts(
        steps.ic_idx[steps.instrumented],
        res.swings_idx(),
        sampling_rate_hz=samples.sampling_rate_hz,
    )
    return score.n_false_positive, score.n_true_positive


# Slow backward walking on the forefoot from a stand: soft landings, some below the minimum
# impact (3 m/s² of jerk in 10 ms).
SOFT_BACK = _shank(
    200.0,
    "left_ankle",
    Bout("stand", 3.0),
    Bout("walk", 16.0, "backward", "forefoot", 0.33),
    Bout("stand", 2.0),
)
# Running bouts that end in standing: the shank's last stance rolls into standing, turning it
# both ways, and ends without an impact.
RUN_STOP = _shank(
    100.0,
    "right_ankle",
    Bout("stand", 2.0),
    Bout("run", 10.0, "forward", "heel", 3.0),
    Bout("stand", 3.0),
    Bout("run", 10.0, "forward", "midfoot", 2.6),
    Bout("stand", 3.0),
)
# Backward walks and forward runs, each after a pause: the walker turned round while standing.
TURN_ROUND = _shank(
    100.0,
    "left_ankle",
    Bout("stand", 2.0),
    Bout("walk", 10.0, "backward", "forefoot", 1.0),
    Bout("stand", 3.0),
    Bout("run", 10.0, "forward", "heel", 3.0),
    Bout("stand", 3.0),
    Bout("walk", 10.0, "backward", "forefoot", 1.0),
    Bout("stand", 3.0),
    Bout("run", 10.0, "forward", "heel", 2.5),
    Bout("stand", 2.0),
)


MOCAP = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "mocap_snu"


@pytest.mark.skipif(
    not MOCAP.is_dir(), reason="mocap set not found (../shared/datasets/mocap_snu is absent)"
)
@pytest.mark.parametrize("side", ["R", "L"])
def test_real_walks_forward_then_backward_then_forward(side: str):
    """Real motion (the SNU mocap set's virtual shank IMU): two forward walks, three backward
    walks and a forward walk, one after the other with the standing between them. The swing's
    sense flips twice; every contact is found, from the first step of each walk."""
    from gait.datasets.mocap import read_mocap_recording

    clips = ["ForwardNormal00", "ForwardNormal01", "Backward00", "Backward01", "Backward02"]
    blocks, truth, t0 = [], [], 0.0
    for clip in [*clips, "ForwardNormal02"]:
        rec = read_mocap_recording(MOCAP / f"snu_wd2_Walk{clip}_{side}.csv")
        s = rec.session.samples
        own = rec.session.meta.placement.split("_")[0]
        blocks.append(SampleBlock(s.t_s + t0, s.acc_ms2, s.gyr_dps, s.sampling_rate_hz))
        truth += [x.t_s + t0 for x in rec.steps if x.foot == own]
        t0 += float(s.t_s[-1]) + 0.01
    samples = SampleBlock.concatenate(blocks)
    steps, _ = _stream_by_sample(samples, AnkleStepDetector())
    found = steps.t_s[steps.instrumented]
    err = np.abs(found[:, None] - np.array(truth)[None, :])
    assert found.size == len(truth)
    assert np.mean(err.min(axis=0) <= 0.2) >= 0.9  # every contact found, but one at most
    assert np.median(err.min(axis=0)) <= 0.05


# The slowest backward walking on the forefoot (0.3 m/s): each step is a bout of motion between
# rests, and some landings change the acceleration by less than 3 m/s² in 10 ms.
SLOWEST_BACK = _shank(
    100.0,
    "right_ankle",
    Bout("stand", 2.0),
    Bout("walk", 20.0, "backward", "forefoot", 0.3),
    Bout("stand", 2.0),
)


@pytest.mark.parametrize("seed", [2, 4])
def test_the_slowest_backward_walk_is_found(seed: int):
    """The slowest backward walking (0.3 m/s): each step is a bout of motion between rests and
    lands softly on the forefoot. Its contacts are found without false ones; fed sample by
    sample, the stream gives the same contacts and its bound holds."""
    res = simulate(SLOWEST_BACK, seed)
    fp, tp = _false_and_true(res)
    n_true = len(res.swings_idx())
    assert tp >= 0.9 * n_true
    assert fp <= 1
    steps, _ = _stream_by_sample(res.session.samples, AnkleStepDetector())
    assert steps.instrumented.sum() == tp + fp
