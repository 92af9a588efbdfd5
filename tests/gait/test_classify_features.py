"""Per-step features: the numba kernel against a NumPy reference, and their invariance to how
the sensor is mounted (any fixed rotation) and to the leg (a mirror image)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gait._kernels._features import N_CHANNELS, N_SCALARS
from gait.classify.features import (
    BIN_S,
    POST_S,
    PRE_S,
    SWING_S,
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
    out = np.full((len(contacts), n_bins * N_CHANNELS + N_SCALARS), np.nan)
    lo_n, hi_n = round(pre_s * fs), round(post_s * fs)
    half = round(0.5 * bin_s * fs)
    sw_n = round(swing_s * fs)
    for k, c in enumerate(contacts):
        a0, a1 = max(0, c - lo_n - half), min(n, c + hi_n + half + 1)
        ci = c - a0
        A, W = acc[a0:a1], gyr[a0:a1]
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
        s1 = min(len(ws) - 1, ci + half)
        pk = s0 + int(np.argmax(ws[s0 : s1 + 1]))
        tr0 = s0 + int(np.argmin(ws[s0 : pk + 1]))
        tr1 = ci + int(np.argmin(ws[ci:]))
        peak = ws[pk]
        scale = max(peak, 1e-3)
        chans = [ws, theta, av, ae, au, woff]
        for b in range(n_bins):
            centre = c + round((b - n_pre) * bin_s * fs)
            i0, i1 = centre - half, centre + half
            if i0 < a0 or i1 >= a1:
                continue
            for j, ch in enumerate(chans):
                out[k, j * n_bins + b] = ch[i0 - a0 : i1 - a0 + 1].mean()
            out[k, 6 * n_bins + b] = ws[i0 - a0 : i1 - a0 + 1].mean() / scale
        o = N_CHANNELS * n_bins
        post = slice(ci, min(len(ws), ci + hi_n + 1))
        st0 = ci + round(0.1 * fs)
        stance = ws[st0 : min(len(ws), ci + hi_n + 1)]
        out[k, o : o + N_SCALARS] = [
            peak,
            (pk - ci) / fs,
            ws[tr0],
            (tr0 - ci) / fs,
            ws[tr1],
            (tr1 - ci) / fs,
            -tmin if tmax <= -tmin else tmax,
            stance.mean() if len(stance) else np.nan,
            (ws[tr1] - ws[tr0]) / scale,
            np.sum(ae[s0:ci] * ws[s0:ci]) / fs,
            np.sum(ae[post] * ws[post]) / fs,
            g_norm,
            np.sum(ws**2) / np.sum(W * W),
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
    got = step_features(samples, idx)
    ref = _reference(
        samples.acc_ms2,
        np.deg2rad(samples.gyr_dps),
        idx,
        samples.sampling_rate_hz,
        PRE_S,
        POST_S,
        BIN_S,
        SWING_S,
    )
    assert got.shape == (len(idx), len(feature_names()))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6, equal_nan=True)
    assert np.isfinite(got[3:]).mean() > 0.99  # contacts away from the ends: all defined


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
