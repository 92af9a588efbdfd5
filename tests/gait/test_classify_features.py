"""Per-step features: the numba kernel against a NumPy reference, the features read around the
rotation reversal, and their invariance to how the sensor is mounted (any fixed rotation) and to
the leg (a mirror image)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gait._kernels._features import N_CHANNELS, N_NEAR, N_SCALARS, near_pre_bins
from gait.classify.features import (
    ANCHOR_LEAD_S,
    ANCHORED_PREFIX,
    BIN_S,
    POST_S,
    PRE_S,
    SWING_S,
    contact_feature_names,
    contact_features,
    contact_index,
    feature_names,
    step_features,
)
from gait.types import SampleBlock

REPO = Path(__file__).resolve().parents[2]
SESSION = REPO / "datasets" / "labelled" / "test"


def _reference(acc, gyr, contacts, fs, pre_s, post_s, bin_s, swing_s):
    """Plain NumPy version of gait._kernels._features.step_features (same rules)."""
    n = len(acc)
    n_pre, n_post = round(pre_s / bin_s), round(post_s / bin_s)
    n_bins = n_pre + n_post + 1
    n_near_pre = near_pre_bins(pre_s, bin_s)
    n_near = n_near_pre + n_post + 1
    out = np.full((len(contacts), n_bins * N_CHANNELS + n_near * N_NEAR + N_SCALARS), np.nan)
    lo_n, hi_n = round(pre_s * fs), round(post_s * fs)
    half = round(0.5 * bin_s * fs)
    sw_n = round(swing_s * fs)

    def d(s):
        return round(s * fs)

    for k, c in enumerate(contacts):
        a0, a1 = max(0, c - lo_n - half), min(n, c + hi_n + half + 1)
        ci = c - a0
        A, W = acc[a0:a1], gyr[a0:a1]
        m = len(A)
        g = A.mean(axis=0)
        g_norm = np.linalg.norm(g)
        g = g / g_norm
        _vals, vecs = np.linalg.eigh(W.T @ W)
        u = vecs[:, -1]
        u = u - (u @ g) * g
        u /= np.linalg.norm(u)
        ws = W @ u
        cum = np.concatenate(([0.0], np.cumsum(ws[1:] / fs)))  # theta[i] = sum ws[1..i] dt
        theta = cum - cum[ci]
        s0 = max(0, ci - sw_n)
        tmin, tmax = min(0.0, theta[s0 : ci + 1].min()), max(0.0, theta[s0 : ci + 1].max())
        flip = tmax > -tmin if tmax != -tmin else ws[ci:].sum() > 0
        if flip:
            u, ws, theta = -u, -ws, -theta
        e = np.cross(u, g)
        av = A @ g - g_norm
        ae = A @ e
        au = np.abs(A @ u)
        woff = np.sqrt(np.maximum(np.sum(W * W, axis=1) - ws**2, 0.0))
        s1 = min(m - 1, ci + half)
        pk = s0 + int(np.argmax(ws[s0 : s1 + 1]))
        tr0 = s0 + int(np.argmin(ws[s0 : pk + 1]))
        tr1 = ci + int(np.argmin(ws[ci:]))
        peak = ws[pk]
        scale = max(peak, 1e-3)
        rng = -tmin if tmax <= -tmin else tmax
        z = pk + int(np.argmax(ws[pk:] <= 0.0)) if np.any(ws[pk:] <= 0.0) else m - 1
        # contact frame: each sample turned back by theta in the sagittal plane
        ag = A @ g
        wg = ag * np.cos(theta) - ae * np.sin(theta)
        we = ag * np.sin(theta) + ae * np.cos(theta)
        up = np.array([wg.mean(), we.mean()])
        g_w = np.linalg.norm(up)
        up /= g_w
        wav = wg * up[0] + we * up[1] - g_w
        wah = -wg * up[1] + we * up[0]
        vv, vh = np.cumsum(wav) / fs, np.cumsum(wah) / fs
        chans = [ws, theta, av, ae, au, woff]
        v_rng = max(vh.max() - vh.min(), 0.05)
        near_chans = [vv - vv[ci], vh - vh[ci], (vv - vv[ci]) / v_rng, (vh - vh[ci]) / v_rng]
        o_near = N_CHANNELS * n_bins
        for b in range(n_bins):
            centre = c + round((b - n_pre) * bin_s * fs)
            i0, i1 = centre - half, centre + half
            if i0 < a0 or i1 >= a1:
                continue
            sl = slice(i0 - a0, i1 - a0 + 1)
            for j, ch in enumerate(chans):
                out[k, j * n_bins + b] = ch[sl].mean()
            out[k, 6 * n_bins + b] = ws[sl].mean() / scale
            out[k, 9 * n_bins + b] = theta[sl].mean() / max(rng, 1e-3)
            out[k, 10 * n_bins + b] = wav[sl].mean()
            out[k, 11 * n_bins + b] = wah[sl].mean()
            bn = b - (n_pre - n_near_pre)
            if bn >= 0:
                for j, ch in enumerate(near_chans):
                    out[k, o_near + j * n_near + bn] = ch[sl].mean()
        bins_av, bins_ae = out[k, 2 * n_bins : 3 * n_bins], out[k, 3 * n_bins : 4 * n_bins]
        lvl = np.sqrt(np.nanmean(bins_av**2 + bins_ae**2))
        out[k, 7 * n_bins : 8 * n_bins] = bins_av / lvl
        out[k, 8 * n_bins : 9 * n_bins] = bins_ae / lvl
        o = N_CHANNELS * n_bins + N_NEAR * n_near
        post = slice(ci, min(m, ci + hi_n + 1))
        st0 = ci + round(0.1 * fs)
        stance = ws[st0 : min(m, ci + hi_n + 1)]
        cp0, cp1 = np.sum(ae[s0:ci] * ws[s0:ci]) / fs, np.sum(ae[post] * ws[post]) / fs
        out[k, o : o + 15] = [
            peak,
            (pk - ci) / fs,
            ws[tr0],
            (tr0 - ci) / fs,
            ws[tr1],
            (tr1 - ci) / fs,
            rng,
            stance.mean() if len(stance) else np.nan,
            (ws[tr1] - ws[tr0]) / scale,
            cp0,
            cp1,
            g_norm,
            np.sum(ws**2) / np.sum(W * W),
            cp0 / (lvl * scale),
            cp1 / (lvl * scale),
        ]
        if c - lo_n - half < 0 or c + hi_n + half >= n:
            continue
        jerk = np.concatenate(([0.0], np.linalg.norm(np.diff(A, axis=0), axis=1) * fs))
        dev = np.abs(np.linalg.norm(A, axis=1) - g_norm)
        imp = slice(max(0, ci - d(0.2)), min(m, ci + d(0.3) + 1))
        swing = slice(s0, max(s0 + 1, ci - d(0.2)))
        tj = imp.start + int(np.argmax(jerk[imp]))
        zz0, zz1, zt = max(0, z - d(0.1)), min(m - 1, z + d(0.15)), min(m - 1, z + d(0.1))
        out[k, o + 15 :] = [
            np.log(jerk[tj] / max(jerk[swing].max(), 1e-6)),
            np.log(dev[imp].max() / max(dev[swing].max(), 1e-6)),
            (tj - z) / fs,
            (z - ci) / fs,
            ws[z : z + d(0.1)].mean() / scale,
            ws[z : z + d(0.2)].min() / scale,
            vv[zz1] - vv[zz0],
            vh[zz1] - vh[zz0],
            vv[zz0] - vv[z],
            vh[zz0] - vh[z],
            np.log(jerk[tj] / max(np.median(jerk[swing]), 1e-6)),
            (theta[zt] - theta[z]) / scale,
            (vv[zz1] - vv[zz0]) / v_rng,
            (vh[zz1] - vh[zz0]) / v_rng,
            (vv[zz0] - vv[z]) / v_rng,
            (vh[zz0] - vh[z]) / v_rng,
        ]
    return out


@pytest.fixture(scope="module")
def walk():
    from gait.io import read_session
    from gait.labels import read_steps

    path = sorted(SESSION.glob("*.csv.gz"))[0]
    s = read_session(path)
    own = s.meta.placement.split("_")[0]
    steps = read_steps(str(path).replace(".csv.gz", ".steps.csv"))
    t_c = np.array([x.t_s for x in steps if x.foot == own])
    return s.samples, contact_index(s.samples.t_s, t_c)


def test_kernel_matches_numpy_reference(walk):
    samples, idx = walk
    idx = np.concatenate(([0, 5, samples.n_samples - 3], idx[:40]))  # ends included
    got = contact_features(samples, idx)
    ref = _ref(samples, idx)
    assert got.shape == (len(idx), len(contact_feature_names()))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6, equal_nan=True)
    assert np.isfinite(got[3:]).mean() > 0.99  # contacts away from the ends: all defined


def _ref(samples, idx):
    return _reference(
        samples.acc_ms2,
        np.deg2rad(samples.gyr_dps),
        np.asarray(idx),
        samples.sampling_rate_hz,
        PRE_S,
        POST_S,
        BIN_S,
        SWING_S,
    )


def test_features_around_the_reversal_match_the_reference(walk):
    """The second half of the features is the kernel read again at the rotation reversal, moved
    into [contact - ANCHOR_LEAD_S, contact] (the contact where it is unknown)."""
    samples, idx = walk
    idx = np.concatenate(([0, samples.n_samples - 3], idx[:30]))
    fs = samples.sampling_rate_hz
    ref = _ref(samples, idx)
    rev = ref[:, contact_feature_names().index("reversal_t_s")]
    shift = np.where(np.isnan(rev), 0, np.round(np.nan_to_num(rev) * fs)).astype(int)
    anchor = idx + np.clip(shift, -round(ANCHOR_LEAD_S * fs), 0)
    assert np.any(anchor[2:] < idx[2:])  # the reversal comes before most contacts
    got = step_features(samples, idx)
    k = len(contact_feature_names())
    assert got.shape == (len(idx), 2 * k)
    np.testing.assert_allclose(got[:, :k], ref, rtol=1e-6, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(
        got[:, k:], _ref(samples, anchor), rtol=1e-6, atol=1e-6, equal_nan=True
    )


def test_features_around_the_reversal_do_not_move_with_the_contact():
    """A contact read a few samples late or early (the step detector's timing error) changes
    the features around the contact but, for nearly every step, not those around the rotation
    reversal it shares with the truth (walking and forward running sessions)."""
    from gait.io import read_session
    from gait.labels import read_steps

    k = len(contact_feature_names())
    same, moved = [], []
    for path in sorted(SESSION.glob("*.csv.gz"))[1:3]:
        s = read_session(path)
        own = s.meta.placement.split("_")[0]
        steps = read_steps(str(path).replace(".csv.gz", ".steps.csv"))
        t_c = np.array([x.t_s for x in steps if x.foot == own])
        idx = contact_index(s.samples.t_s, t_c)[3:-3]
        fs = s.samples.sampling_rate_hz
        base = step_features(s.samples, idx)
        rev = base[:, contact_feature_names().index("reversal_t_s")]
        inside = (rev < -3 / fs) & (rev > -ANCHOR_LEAD_S + 3 / fs)  # anchor not at a clamp
        for shift in (-2, 2):
            other = step_features(s.samples, idx + shift)
            same += list(np.all(np.isclose(other[:, k:], base[:, k:]), axis=1)[inside])
            moved += list(~np.all(np.isclose(other[:, :k], base[:, :k], equal_nan=True), axis=1))
    assert len(same) >= 40
    assert np.mean(same) >= 0.9
    assert np.all(moved)


def _rotation(q) -> np.ndarray:
    w, x, y, z = np.asarray(q) / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def transformed(samples: SampleBlock, m: np.ndarray) -> SampleBlock:
    """The samples seen by a sensor turned by ``m`` (a reflection mirrors the motion: the
    angular rate, a pseudovector, picks up det(m))."""
    det = np.sign(np.linalg.det(m))
    return SampleBlock(
        samples.t_s, samples.acc_ms2 @ m.T, det * samples.gyr_dps @ m.T, samples.sampling_rate_hz
    )


quats = st.tuples(*[st.floats(-1, 1) for _ in range(4)]).filter(lambda q: np.linalg.norm(q) > 0.2)


@settings(max_examples=15, deadline=None)
@given(q=quats, mirror=st.booleans())
def test_features_invariant_to_mounting_and_leg(walk, q, mirror):
    samples, idx = walk
    idx = idx[5:25]
    m = _rotation(q) @ (np.diag([1.0, 1.0, -1.0]) if mirror else np.eye(3))
    base = step_features(samples, idx)
    turned = step_features(transformed(samples, m), idx)
    np.testing.assert_allclose(turned, base, rtol=1e-6, atol=1e-6)


def test_feature_names_are_unique_and_sized():
    names = feature_names()
    assert len(names) == len(set(names))
    assert names[0].startswith("w_s@-")
    k = len(contact_feature_names())
    assert names[k:] == [ANCHORED_PREFIX + n for n in names[:k]]
