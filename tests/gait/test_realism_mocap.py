"""The realism benchmark's measures of the horizontal arrival at the contact
(``benchmarks.realism_mocap``), checked on synthetic motion whose answer is known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from benchmarks import realism_mocap as rm

T0, T1 = 1.0, 1.5  # lift-off and contact (s)
TP = T1 - 0.08  # the deceleration's peak (s)
W = 2 * math.pi  # rad/s: one period of the wave per second, one trough in the swing's end


def _point(v0: float, peak: float, heading: float, sense: float = 1.0):
    """A point travelling ``sense`` x (cos h, sin h) with speed v0 - (peak / W) sin(W (t - TP))
    and acceleration -peak cos(W (t - TP)) along that way (bobbing up and down on the side)."""
    tt = np.arange(0.0, 2.5, 0.002)
    s = v0 * tt + peak / W**2 * np.cos(W * (tt - TP))
    d = sense * np.array([math.cos(heading), math.sin(heading)])
    pos = np.column_stack([s[:, None] * d, 0.05 * np.sin(3.0 * tt)])
    return tt, pos


@pytest.mark.parametrize("sense", [1.0, -1.0])  # forward, and the same walk backward
@pytest.mark.parametrize("peak", [10.0, 25.0])  # a heel-like and a forefoot-like arrival
def test_arrival_measures_of_a_point_with_known_motion(peak: float, sense: float) -> None:
    speed = 0.9
    tt, pos = _point(1.2, peak, heading=2.0, sense=sense)
    m = rm.arrival_measures(tt, pos, T0, T1, speed)
    v1 = 1.2 - peak / W * math.sin(W * (T1 - TP))
    a1 = -peak * math.cos(W * (T1 - TP))
    assert m["arrival_speed_ratio"] == pytest.approx(v1 / speed, abs=1e-3)
    assert m["arrival_acc_ms2"] == pytest.approx(a1, abs=0.01)
    assert m["late_decel_ms2"] == pytest.approx(-peak, abs=0.01)
    assert m["late_decel_before_s"] == pytest.approx(T1 - TP, abs=0.0021)
    assert m["arrival_decel_frac"] == pytest.approx(a1 / -peak, abs=1e-3)
    if peak == 25.0:  # moving against the travel at the contact: a negative ratio
        assert m["arrival_speed_ratio"] < 0


def test_arrival_measures_need_travel() -> None:
    tt = np.arange(0.0, 2.5, 0.002)
    still = np.zeros((tt.size, 3))
    assert all(math.isnan(x) for x in rm.arrival_measures(tt, still, T0, T1, 1.0).values())


def _shank_imu(b: float, k: float):
    """100 Hz IMU of a sensor that swings about its y axis before a contact at 3 s and whose
    specific force is g (z) plus ``b + k (t - 3)`` along x within 0.1 s of the contact, offset
    earlier so that the window's mean specific force stays exactly vertical."""
    fs = 100.0
    t = np.arange(600) / fs
    tc = 3.0
    i = np.round((t - tc) * fs).astype(int)
    a = np.where(np.abs(i) <= 10, b + k * (t - tc), 0.0)
    a = np.where((i >= -60) & (i <= -21), -b * 21 / 40, a)  # 40 samples offset 21 samples
    acc = np.column_stack([a, np.zeros_like(t), np.full_like(t, 9.81)])
    gyr = np.zeros((t.size, 3))
    gyr[:, 1] = 300.0 * np.exp(-(((t - tc + 0.25) / 0.08) ** 2))  # swing lobe, deg/s
    return t, acc, gyr, tc


def test_ae_contact_bins_read_the_features_sagittal_horizontal_force() -> None:
    b, k = -6.0, -100.0
    t, acc, gyr, tc = _shank_imu(b, k)
    # the swing turns about +y, so e = u x g = y x z = +x: a_e is the x component, averaged
    # over each bin; linear within the bins, the means are the values at their centres
    want = [b + k * o for o in rm.AE_BINS_S]
    got = rm.ae_contact_bins(t, acc, gyr, [tc])
    np.testing.assert_allclose(got[0], want, atol=1e-9)
    # mount-invariant: the same motion seen by a sensor turned any way
    r = Rotation.from_euler("zyx", [130.0, -40.0, 75.0], degrees=True).as_matrix()
    got_r = rm.ae_contact_bins(t, acc @ r.T, gyr @ r.T, [tc])
    np.testing.assert_allclose(got_r[0], want, atol=1e-9)
    # a contact too close to the end: the bin after it leaves the data
    assert np.isnan(rm.ae_contact_bins(t, acc, gyr, [t[-2]])[0, -1])


def test_simulated_ankle_joint_is_the_sensor_point_less_its_offset() -> None:
    from gait.simulate import simulate

    res = simulate(rm._sim_spec("forward", "heel", 0.9, 1), 7)
    tr = res.truth
    joint = rm._ankle_joint(res)
    # equal to the planned ankle but for the ground's arrest after each contact (millimetres)
    dev = np.linalg.norm(joint - tr.leg.ankle_m, axis=1)
    assert np.median(dev) < 1e-9
    assert dev.max() < 0.005
