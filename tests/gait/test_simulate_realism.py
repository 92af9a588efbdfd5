"""Simulator v4-v5: backward gait of its own, out-of-plane rotation, what a shank sensor feels, the
toe-off truth and presets whose strike says nothing about direction (docs/simulator.md)."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from gait.simulate import Bout, SensorSpec, SessionSpec, SubjectSpec, simulate
from gait.simulate._curves import draw_shape, segment_angle_deg
from gait.simulate._physics import soft_tissue
from gait.simulate.presets import _gait_bout, mixed_spec


def _walk(direction, strike, speed, *, seconds=14.0, **sensor):
    return SessionSpec(
        bouts=(
            Bout("stand", 2.0),
            Bout("walk", seconds, direction, strike, speed),
            Bout("stand", 2.0),
        ),
        subject=SubjectSpec(id="r", height_m=1.75, stride_factor=1.05, traits_seed=4),
        sensor=SensorSpec(**{"errors": False, "mounting": "aligned", **sensor}),
    )


def _swings(res):
    """(toe-off, contact, next toe-off) of the sensor foot's full strides, steady part only."""
    st = res.truth.plan.stances
    out = []
    for a, b in itertools.pairwise(st[3:-3]):
        if a.real_to and b.real_ic and b.real_to:
            out.append((a.t_to, b.t_ic, b.t_to))
    return out


def _sagittal(res):
    """Ideal sagittal rate of the aligned sensor (deg/s), signed so that the swing is
    positive, on the simulator's fine grid."""
    tr = res.truth
    r = tr.gyr_dps[:, 1]
    sw = np.zeros(r.shape[0], bool)
    for t0, t1, _ in _swings(res):
        sw |= (tr.t_s >= t0) & (tr.t_s < t1)
    return r if r[sw].mean() > 0 else -r


def _cycle(res):
    tr = res.truth
    r = _sagittal(res)
    peak, when, burst, stance = [], [], [], []
    for t0, t1, t2 in _swings(res):
        sw = (tr.t_s >= t0) & (tr.t_s < t1)
        k = np.flatnonzero(sw)[np.argmax(r[sw])]
        peak.append(r[k])
        when.append((tr.t_s[k] - t0) / (t1 - t0))
        burst.append(np.abs(r[(tr.t_s >= t1) & (tr.t_s < t1 + 0.15)]).max())
        stance.append(np.median(np.abs(r[(tr.t_s >= t1 + 0.05) & (tr.t_s < t2 - 0.05)])))
    return np.median(peak), np.median(when), np.median(burst), np.median(stance)


def test_backward_swing_peaks_early_is_smaller_and_stance_is_slow_and_even():
    """Not forward gait reversed: the backward swing rotation starts at toe-off and peaks in the
    first half of the swing, is smaller than forward at the same speed, and the backward
    contact is followed by a slow stance rotation, not the reversed push-off burst."""
    fwd = simulate(_walk("forward", "heel", 0.8), 1)
    bwd = simulate(_walk("backward", "forefoot", 0.8), 1)
    pk_f, when_f, _, _ = _cycle(fwd)
    pk_b, when_b, burst_b, stance_b = _cycle(bwd)
    assert when_b < 0.5 < when_f
    assert pk_b < 0.95 * pk_f
    assert burst_b < 0.5 * pk_b
    assert stance_b < 0.3 * pk_b


def test_backward_shank_turns_the_other_way_before_the_toe_is_placed():
    """Simulator v5, after the SNU mocap walker: the backward swing rotation ends at about 70 %
    of the swing, then the shank turns the other way at about half the swing's peak rate (the
    knee extends to reach back) and the toe lands at the end of that reversal, within about
    0.1 s of its fastest point, not on a stance plateau."""
    res = simulate(_walk("backward", "forefoot", 0.7), 5)
    tr = res.truth
    r = _sagittal(res)
    end_frac, depth, dip_before = [], [], []
    for t0, t1, _ in _swings(res):
        sw = np.flatnonzero((tr.t_s >= t0) & (tr.t_s < t1))
        k = sw[np.argmax(r[sw])]
        j = k + int(np.argmax(r[k:] < 0.1 * r[k]))
        end_frac.append((tr.t_s[j] - t0) / (t1 - t0))
        late = np.flatnonzero((tr.t_s >= tr.t_s[j]) & (tr.t_s <= t1 + 0.1))
        m = late[np.argmin(r[late])]
        depth.append(-r[m] / r[k])
        dip_before.append(t1 - tr.t_s[m])
        # after the contact the rotation slows to the stance's even rate
        st = (tr.t_s >= t1 + 0.15) & (tr.t_s <= t1 + 0.4)
        assert np.median(np.abs(r[st])) < 0.5 * -r[m]
    # (simulator v4: the lobe ended at about 0.6 of the swing and the reversal reached 0.3-0.4)
    assert 0.65 < np.median(end_frac) < 0.9
    assert 0.45 < np.median(depth) < 0.8
    assert -0.02 < np.median(dip_before) < 0.1


def test_backward_walking_key_points_are_what_the_mocap_walker_gives():
    """The backward walking curves are derived from the real walker by a documented command
    (``python -m benchmarks.realism_mocap --backward-key-points``), not tuned by hand."""
    from benchmarks import realism_mocap as rm
    from gait.simulate._curves import _BACK_WALK

    root = rm.mocap_dir(None)
    if root is None or rm._load_virtual_imu() is None:
        pytest.skip("../shared/datasets/mocap_snu or ../shared/tools/virtual_imu.py not found")
    np.testing.assert_allclose(rm.backward_key_points(root), _BACK_WALK, atol=0.051)


def test_backward_toe_is_placed_not_dropped():
    """The toe arrives slowly (Winter 1992 for the forward heel; the mocap walker's toe comes
    down at about 0.22 m/s 20 ms before its backward contacts), not at the 0.5 m/s the segment
    chain alone would drop it."""
    res = simulate(_walk("backward", "forefoot", 0.8), 2)
    tr = res.truth
    p = tr.plan.person
    a = np.radians(tr.leg.alpha_deg)
    toe_z = (
        tr.leg.ankle_m[:, 2]
        + (p.heel_to_mtp_m - p.heel_to_ankle_m) * np.sin(a)
        - p.ankle_height_m * np.cos(a)
    )
    vz = np.gradient(toe_z, tr.t_s)
    v_end = [vz[np.searchsorted(tr.t_s, t1) - 5] for _, t1, _ in _swings(res)]
    assert np.median(v_end) > -0.3


def test_shank_rotates_about_its_long_axis_and_tilts_at_tens_of_deg_per_s():
    res = simulate(_walk("forward", "heel", 1.2), 3)
    tr = res.truth
    axial, tilt = [], []
    for t0, t1, _ in _swings(res):
        sw = (tr.t_s >= t0) & (tr.t_s < t1)
        axial.append(np.abs(tr.gyr_dps[sw, 2]).max())  # aligned: z up the shank
        tilt.append(np.abs(tr.gyr_dps[sw, 0]).max())
    assert 10.0 < np.median(axial) < 200.0
    assert 5.0 < np.median(tilt) < 150.0


def test_every_own_contact_carries_the_toe_off_that_began_its_swing():
    res = simulate(_walk("forward", "midfoot", 1.3, placement="left_ankle"), 5)
    plan = res.truth.plan
    offs = {round(st.t_to, 4) for st in plan.stances if st.real_to}
    own = [s for s in res.steps if s.foot == "left"]
    other = [s for s in res.steps if s.foot == "right"]
    assert own and other
    for s in own:
        fc = float(dict(s.extra)["fc_t_s"])
        assert round(fc, 4) in offs
        assert 0.25 < s.t_s - fc < 0.7  # a walking swing
    assert all(dict(s.extra)["fc_t_s"] == "" for s in other)


def _contra_window_peak(gain):
    res = simulate(_walk("forward", "heel", 1.3, contralateral_gain=gain), 6)
    tr = res.truth
    a = tr.acc_lin_ms2
    tc = [t for st in tr.plan.stances[3:-3] for t in st.contralateral_t_s]
    return np.median([
        np.abs(a[(tr.t_s >= t - 0.02) & (tr.t_s < t + 0.06), 2]).max() for t in tc
    ])  # fmt: skip


def test_the_other_foots_landing_reaches_the_sensor_by_its_gain():
    quiet, loud = _contra_window_peak(0.0), _contra_window_peak(0.3)
    assert 1.0 < loud - quiet < 20.0  # a few m/s², attenuated


@pytest.mark.parametrize("f_n", [8.0, 12.0, 20.0])
def test_soft_tissue_ringing_gives_a_damped_second_peak_one_period_later(f_n):
    """A skin/strap resonance of 8-20 Hz with little damping (the mixed preset's range) turns
    one impact into a first peak and a smaller one of the same sign 50-125 ms later."""
    fs = 1000.0
    t = np.arange(0.0, 0.5, 1.0 / fs)
    bone = np.where(t < 0.02, np.sin(np.pi * t / 0.02), 0.0)[:, None] * 30.0  # a 20 ms impact
    skin = soft_tissue(bone, fs, f_n, 0.15)[:, 0]
    k1 = int(np.argmax(skin))
    after = (t > t[k1] + 0.6 / f_n) & (t < t[k1] + 1.4 / f_n)
    k2 = np.flatnonzero(after)[np.argmax(skin[after])]
    assert 0.05 <= t[k2] - t[k1] <= 0.15
    assert 0.1 * skin[k1] < skin[k2] < skin[k1]


def test_on_board_low_pass_and_moving_average_smooth_and_delay_the_acceleration():
    def acc_norm(**sensor):
        spec = _walk("forward", "heel", 1.3, sampling_rate_hz=200.0, **sensor)
        return np.linalg.norm(simulate(spec, 8).session.samples.acc_ms2, axis=1)

    def delay_s(x, y):
        lags = np.arange(0, 40)
        c = [np.dot(x[: x.size - k] - x.mean(), y[k:] - y.mean()) for k in lags]
        return lags[int(np.argmax(c))] / 200.0

    raw = acc_norm()
    for filtered, lo, hi in (
        (acc_norm(acc_lowpass_hz=15.0), 0.005, 0.04),
        (acc_norm(acc_average_s=0.1), 0.03, 0.07),
    ):
        assert np.percentile(filtered, 99.9) < np.percentile(raw, 99.9)
        assert lo <= delay_s(raw, filtered) <= hi


def test_mixed_preset_strike_does_not_depend_on_direction_and_backward_is_slower():
    rng = np.random.default_rng(0)
    bouts = [_gait_bout(rng, 20.0) for _ in range(3000)]
    walk = [b for b in bouts if b.kind == "walk"]
    for d in ("forward", "backward"):
        share = np.mean([b.strike == "heel" for b in walk if b.direction == d])
        assert share == pytest.approx(0.45, abs=0.05)
    v_f = np.median([b.speed_m_s for b in walk if b.direction == "forward"])
    v_b = np.median([b.speed_m_s for b in walk if b.direction == "backward"])
    assert v_b < 0.7 * v_f
    spec = mixed_spec(np.random.default_rng(1), 120.0, SubjectSpec())
    assert spec.sensor.soft_tissue_hz is not None and 8.0 <= spec.sensor.soft_tissue_hz <= 20.0
    assert 0.0 < spec.sensor.contralateral_gain <= 0.2


def test_curve_shapes_differ_between_people():
    phase = np.linspace(0.0, 1.0, 201)
    curves = np.array([
        segment_angle_deg("walk", "forward", "shank", phase, 0.6, 1.0, draw_shape(rng))
        for rng in (np.random.default_rng(k) for k in range(10))
    ])  # fmt: skip
    assert np.isfinite(curves).all() and np.abs(curves).max() < 90.0
    assert np.std(curves.min(axis=1)) > 1.0  # the swing's deepest shank angle varies
    assert np.abs(curves - curves.mean(axis=0)).max() > 5.0


def test_same_subject_traits_in_every_session():
    spec = _walk("forward", "heel", 1.2)
    p1 = simulate(spec, 1).truth.plan.person
    p2 = simulate(replace(spec, start_time_utc="2026-02-01T09:00:00Z"), 2).truth.plan.person
    assert p1.shape == p2.shape and math.isclose(p1.axial_swing_deg, p2.axial_swing_deg)


def _ankle_arrivals(res, speed_m_s):
    """Per contact: horizontal ankle speed along the travel at contact / walking speed, the 12 Hz
    horizontal acceleration at contact, and the terminal swing's largest deceleration and how
    long before the contact it falls (the ankle joint from the truth, low-passed at 12 Hz as the
    mocap walker's positions are)."""
    from scipy import signal

    leg = res.truth.leg
    step = max(round(0.002 / (leg.t_s[1] - leg.t_s[0])), 1)
    tt = leg.t_s[::step]
    fs = 1.0 / (tt[1] - tt[0])
    b, a = signal.butter(2, 12.0 / (fs / 2))
    pos = signal.filtfilt(b, a, leg.ankle_m[::step, :2], axis=0)
    vel = np.gradient(pos, 1.0 / fs, axis=0)
    acc = np.gradient(vel, 1.0 / fs, axis=0)
    out = []
    for _, t1, _ in _swings(res):
        st = next(s for s in res.truth.plan.stances if s.t_ic == t1)
        e = np.array([math.cos(st.yaw_rad), math.sin(st.yaw_rad)])
        i = int(np.searchsorted(tt, t1))
        w = (tt >= t1 - 0.3) & (tt <= t1)
        a_w = acc[w] @ e
        k = int(np.argmin(a_w))
        out.append((vel[i] @ e / speed_m_s, acc[i] @ e, a_w[k], t1 - tt[w][k]))
    return np.array(out)


def test_forward_heel_ankle_arrives_slowly_with_its_deceleration_done():
    """v16: a forward heel strike's ankle lands at 0.3-0.6 x the walking speed (the person's
    ``arrival_frac``), its terminal-swing deceleration mostly over by the contact (at most half
    its peak left, v15 about two thirds) and peaking well before it (v15: 30-40 ms), as the
    mocap walker's (peak 70-80 ms before; docs/simulator.md)."""
    v = 0.9
    res = simulate(_walk("forward", "heel", v), 3)
    frac = res.truth.plan.person.arrival_frac
    assert 0.30 <= frac <= 0.60
    arr = np.median(_ankle_arrivals(res, v), axis=0)
    # the stance's heel rocker moves the pinned ankle forward from the contact on, so the 12 Hz
    # speed there sits a little above the swing's own arrival
    assert frac - 0.1 <= arr[0] <= frac + 0.15
    assert arr[2] < -8.0  # a real terminal-swing deceleration
    assert abs(arr[1]) <= abs(arr[2]) / 2.0
    assert 0.05 <= arr[3] <= 0.2


def test_forward_forefoot_ankle_arrives_nearly_at_rest():
    """v16: a forward forefoot landing puts the foot down under the body; its ankle arrives with
    little horizontal speed left (the mocap walker's arrive moving back)."""
    v = 0.9
    heel = np.median(_ankle_arrivals(simulate(_walk("forward", "heel", v), 3), v), axis=0)
    fore = np.median(_ankle_arrivals(simulate(_walk("forward", "forefoot", v), 3), v), axis=0)
    assert abs(fore[0]) < 0.15
    assert fore[0] < heel[0] - 0.15


def test_backward_ankle_arrives_at_the_persons_slow_fraction():
    """v17: a backward forefoot landing's ankle arrives at the person's ``back_arrival_frac``
    (0.10-0.35) of the walking speed: the mocap walker's ankle joint arrives at 0.26 x
    (0.13-0.39), v4-v16's at 0.5 x for everyone (docs/simulator.md, "Version 17")."""
    v = 0.6
    for seed, traits in ((3, 4), (5, 11)):
        spec = _walk("backward", "forefoot", v)
        spec = replace(spec, subject=replace(spec.subject, traits_seed=traits))
        res = simulate(spec, seed)
        frac = res.truth.plan.person.back_arrival_frac
        assert 0.10 <= frac <= 0.35
        # backward the travel runs against the stance's heading: speed along it = -(v . e)
        ratio = -np.median(_ankle_arrivals(res, v)[:, 0])
        assert 0.0 < ratio < 0.42
        # the 12 Hz low-pass mixes in the ground's arrest after the contact
        assert frac - 0.05 <= ratio <= frac + 0.15


def test_backward_arrival_fraction_leaves_every_contact_and_label_as_it_was():
    """v17's backward fraction comes from the child stream the forward one (v16) is drawn from:
    a person's other traits, and so every contact, toe-off and label, do not depend on it."""
    from gait.simulate import _plan

    spec = _walk("backward", "forefoot", 0.6)
    a = simulate(spec, 7)
    lo, hi = _plan.BACKWARD_ARRIVAL_FRAC
    try:
        _plan.BACKWARD_ARRIVAL_FRAC = (0.5, 0.5)
        b = simulate(spec, 7)
    finally:
        _plan.BACKWARD_ARRIVAL_FRAC = (lo, hi)
    pa, pb = a.truth.plan.person, b.truth.plan.person
    assert pb.back_arrival_frac == 0.5 != pa.back_arrival_frac
    assert replace(pa, back_arrival_frac=0.5) == pb
    assert [(s.t_s, s.foot, s.extra) for s in a.steps] == [
        (s.t_s, s.foot, s.extra) for s in b.steps
    ]
