"""OtherFootPredictor (gait/steps/_other_foot.py) and its use in the AnkleStepDetector stream.

The predictor is tested on made-up contact sequences with a simulated detector: each instrumented
contact becomes final some samples after its time, and the bound on contacts still to come is
exact (the earliest contact not yet final). Then on real walking data: the detector's bound holds
sample by sample, predictions come out at their own sample, steps stay in time order.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gait
from gait.datasets import sample_dir
from gait.datasets.ipol import find_ipol_dir, load_ipol_foot
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


# --- the detector's stream on real data ------------------------------------------------------


def _walks() -> list[tuple[str, SampleBlock]]:
    walks = []
    if DEMO.is_file():
        walks.append(("demo", gait.read_session(DEMO).samples.slice(0, 4000)))
    ipol = find_ipol_dir()
    if ipol is not None:
        walks.append(("ipol 1-1 left", load_ipol_foot(ipol, "1-1", "left").session.samples))
    return walks


WALKS = _walks()


@pytest.mark.skipif(not WALKS, reason="no walking data (bundled sample or IPOL)")
@pytest.mark.parametrize("acc_only", [False, True])
@pytest.mark.parametrize("which", range(len(WALKS)), ids=[w[0] for w in WALKS])
def test_next_contact_bound_holds(which: int, acc_only: bool):
    """Sample by sample: each contact the stream returns lies at or after the bound it gave
    before; the steps equal one pass, in time order; predictions come out without delay."""
    samples = WALKS[which][1]
    if acc_only:
        samples = SampleBlock(samples.t_s, samples.acc_ms2, None, samples.sampling_rate_hz)
    whole = AnkleStepDetector().detect(samples).steps_
    stream = AnkleStepDetector().stream(samples.sampling_rate_hz, has_gyro=samples.has_gyro)
    parts, bound, released = [], 0, []
    for i in range(samples.n_samples):
        part = stream.feed(samples.slice(i, i + 1))
        own = part.ic_idx[part.instrumented]
        assert np.all(own >= bound), f"contact {own} before the bound {bound} (sample {i})"
        bound = stream.next_contact_min_idx()
        parts.append(part)
        released += [i] * len(part)
    parts.append(stream.finish())
    released += [samples.n_samples] * len(parts[-1])
    steps = StepTable.concatenate(parts)
    np.testing.assert_array_equal(steps.ic_idx, whole.ic_idx)
    np.testing.assert_array_equal(steps.t_s, whole.t_s)
    np.testing.assert_array_equal(steps.instrumented, whole.instrumented)
    assert np.all(np.diff(steps.t_s) >= 0) and np.all(np.diff(steps.ic_idx) >= 0)
    other = ~steps.instrumented
    assert other.sum() >= steps.n_strides - 6
    # delay of each other-foot step after the first sample at or after its time
    delay = np.array(released)[other] - np.searchsorted(samples.t_s, steps.t_s[other] - 1e-9)
    if not acc_only:  # without a gyroscope the search window is longer, so is the bound's lag
        assert np.median(delay) == 0
        assert np.mean(delay <= 12) >= 0.8  # held back at most one swing gap (gap_s)


def test_without_other_foot_estimates():
    samples = gait.read_session(DEMO).samples.slice(0, 3000)
    steps = AnkleStepDetector(estimate_other_foot=False).detect(samples).steps_
    assert len(steps) > 10 and steps.instrumented.all()
