"""numba kernels of the per-step features (rules in gait/classify/features.py).

For every contact the kernel builds a body frame from the motion itself, so that the features do
not depend on how the sensor is mounted or on which leg:

1. ``g``: vertical, the mean specific force over the window ``[c - pre, c + post]``;
2. ``u``: the sagittal rotation axis, the principal axis of the gyro over the window (power
   iteration on the second-moment matrix), made perpendicular to ``g``; its sign is fixed so
   that the swing ending at the contact is a positive rotation (the shank's angle, the integral
   of ``w . u``, is near the top of its excursion over the ``swing`` seconds before the
   contact): true for forward and backward gait alike, on either leg (with no data before the
   contact: so that the rotation after it is negative, as in stance);
3. ``e = u x g``: the sagittal horizontal axis (the sense the foot travels in its swing).

Channels (in that frame): sagittal rate ``w_s``, shank angle ``theta`` relative to the contact,
vertical acceleration ``a_v`` (gravity removed), sagittal-horizontal acceleration ``a_e``, the
magnitude of the lateral acceleration ``|a_u|`` and of the off-sagittal rotation ``|w_off|``
(magnitudes because their signs mirror between legs) and ``w_s`` over its swing peak. Each is
averaged in bins of ``bin_s`` centred ``-pre_s .. +post_s`` around the contact (NaN where the
bin leaves the data); a few scalars follow (see :data:`SCALARS`).

Level-free copies (for a direction that does not hang on the simulator's swing vigour):
``a_v_rel``, ``a_e_rel`` (the ``a_v``, ``a_e`` bins over their RMS across the bins),
``theta_rel`` (over the swing's angular range) and ``ae_ws_*_rel``.

The landing (strike), in the frame of the contact: every sample's ``(a . g, a . e)`` is turned
back by the shank's angle ``theta`` since the contact, so the sagittal plane no longer turns
with the shank; the vertical there is the mean of those vectors. Channels ``wa_v``, ``wa_h``
(vertical acceleration without gravity and horizontal acceleration in that frame) and, from
:data:`NEAR_FROM_S` on, ``wv_v``, ``wv_h`` (their integrals, velocity relative to the contact)
and ``wv_*_rel`` (the same over the range of the horizontal velocity across the window, at
least 0.05 m/s: the swing's speed, which the velocities grow with).
Scalars around the rotation reversal ``z`` (first sample after the swing peak that no longer
turns the swing's way): the impact (largest jerk ``|a[i] - a[i-1]| fs`` and largest
``| |a| - g |`` in ``-0.2 .. +0.3 s`` of the contact, as logs of their ratio to the swing's
largest before ``-0.2 s``, and to the swing's median jerk), the impact's time from ``z``,
``z``'s time from the contact, the stance rotation over 0.1 s and its extreme over 0.2 s
after ``z`` (over the swing peak), the contact-frame velocity change over ``z - 0.1 ..
z + 0.15 s`` and over the 0.1 s before ``z`` (also over the speed range, ``*_rel``). These
need the whole window inside the data (NaN otherwise). All are unchanged by a fixed rotation
of the sensor or a mirror image.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Names of the per-bin channels, in the order of the feature vector.
CHANNELS: tuple[str, ...] = (
    "w_s",
    "theta",
    "a_v",
    "a_e",
    "abs_a_u",
    "abs_w_off",
    "w_s_norm",
    "a_v_rel",
    "a_e_rel",
    "theta_rel",
)
#: Binned channels of the landing in the contact's frame (the last of :data:`CHANNELS`).
LANDING_CHANNELS: tuple[str, ...] = ("wa_v", "wa_h")
CHANNELS += LANDING_CHANNELS
#: Channels binned only from :data:`NEAR_FROM_S` to the end of the window (velocities, which
#: drift the further they are integrated from the contact).
NEAR_CHANNELS: tuple[str, ...] = ("wv_v", "wv_h", "wv_v_rel", "wv_h_rel")
#: Start (s, relative to the contact) of the :data:`NEAR_CHANNELS` bins.
NEAR_FROM_S: float = -0.3
#: Names of the scalars after the binned channels.
SCALARS: tuple[str, ...] = (
    "swing_peak_rad_s",
    "swing_peak_t_s",
    "pre_trough_rad_s",
    "pre_trough_t_s",
    "post_trough_rad_s",
    "post_trough_t_s",
    "swing_range_rad",
    "stance_rate_rad_s",
    "trough_asymmetry",
    "ae_ws_pre",
    "ae_ws_post",
    "g_norm_ms2",
    "planarity",
    "ae_ws_pre_rel",
    "ae_ws_post_rel",
)
#: Scalars of the landing: the impact, the rotation reversal and the contact-frame velocity
#: changes around it (the last of :data:`SCALARS`).
LANDING_SCALARS: tuple[str, ...] = (
    "impact_jerk_log",
    "impact_acc_log",
    "impact_from_reversal_s",
    "reversal_t_s",
    "stance_after_reversal",
    "stance_min_after_reversal",
    "dv_v_reversal_m_s",
    "dv_h_reversal_m_s",
    "v_v_before_reversal_m_s",
    "v_h_before_reversal_m_s",
    "impact_jerk_median_log",
    "dtheta_after_reversal",
    "dv_v_reversal_rel",
    "dv_h_reversal_rel",
    "v_v_before_reversal_rel",
    "v_h_before_reversal_rel",
)
SCALARS += LANDING_SCALARS
N_CHANNELS = len(CHANNELS)
N_NEAR = len(NEAR_CHANNELS)
N_SCALARS = len(SCALARS)


@njit(cache=True)
def near_pre_bins(pre_s: float, bin_s: float) -> int:
    """Bins before the contact of the :data:`NEAR_CHANNELS` (from :data:`NEAR_FROM_S`, or from
    the window's start when that is later)."""
    return round(min(pre_s, -NEAR_FROM_S) / bin_s)


@njit(cache=True)
def _principal_axis(m: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Unit principal eigenvector of the symmetric 3x3 ``m`` by power iteration from ``start``."""
    v = start.copy()
    nv = np.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    if nv == 0.0:
        v[0] = 1.0
        v[1] = 0.0
        v[2] = 0.0
    else:
        v /= nv
    for _ in range(60):
        w = m @ v
        nw = np.sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2])
        if nw == 0.0:
            break
        v = w / nw
    return v


@njit(cache=True)
def step_features(
    acc_ms2: np.ndarray,
    gyr_rad_s: np.ndarray,
    contact_idx: np.ndarray,
    fs_hz: float,
    pre_s: float,
    post_s: float,
    bin_s: float,
    swing_s: float,
) -> np.ndarray:
    """Feature matrix ``(n_contacts, n_bins * N_CHANNELS + N_SCALARS)`` (see module doc)."""
    n = acc_ms2.shape[0]
    n_pre = round(pre_s / bin_s)
    n_post = round(post_s / bin_s)
    n_bins = n_pre + n_post + 1
    n_near_pre = near_pre_bins(pre_s, bin_s)
    n_near = n_near_pre + n_post + 1
    n_feat = n_bins * N_CHANNELS + n_near * N_NEAR + N_SCALARS
    out = np.full((contact_idx.shape[0], n_feat), np.nan)
    lo_n = round(pre_s * fs_hz)
    hi_n = round(post_s * fs_hz)
    half_bin = max(0, round(0.5 * bin_s * fs_hz))
    sw_n = round(swing_s * fs_hz)
    dt = 1.0 / fs_hz
    for k in range(contact_idx.shape[0]):
        c = contact_idx[k]
        if c < 0 or c >= n:
            continue
        a0 = max(0, c - lo_n - half_bin)
        a1 = min(n, c + hi_n + half_bin + 1)
        m = a1 - a0
        if m < 4:
            continue
        ci = c - a0
        # 1. vertical
        g = np.zeros(3)
        for i in range(a0, a1):
            for j in range(3):
                g[j] += acc_ms2[i, j]
        g /= m
        g_norm = np.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2])
        if g_norm == 0.0:
            continue
        g /= g_norm
        # 2. sagittal axis: principal axis of the gyro, perpendicular to g
        mm = np.zeros((3, 3))
        best = -1.0
        start = np.zeros(3)
        for i in range(a0, a1):
            w0 = gyr_rad_s[i, 0]
            w1 = gyr_rad_s[i, 1]
            w2 = gyr_rad_s[i, 2]
            mm[0, 0] += w0 * w0
            mm[0, 1] += w0 * w1
            mm[0, 2] += w0 * w2
            mm[1, 1] += w1 * w1
            mm[1, 2] += w1 * w2
            mm[2, 2] += w2 * w2
            q = w0 * w0 + w1 * w1 + w2 * w2
            if q > best:
                best = q
                start[0] = w0
                start[1] = w1
                start[2] = w2
        mm[1, 0] = mm[0, 1]
        mm[2, 0] = mm[0, 2]
        mm[2, 1] = mm[1, 2]
        u = _principal_axis(mm, start)
        ug = u[0] * g[0] + u[1] * g[1] + u[2] * g[2]
        u = u - ug * g
        nu = np.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2])
        if nu < 1e-9:
            continue
        u /= nu
        # 3. projections
        ws = np.empty(m)
        for i in range(m):
            ws[i] = (
                gyr_rad_s[a0 + i, 0] * u[0]
                + gyr_rad_s[a0 + i, 1] * u[1]
                + gyr_rad_s[a0 + i, 2] * u[2]
            )
        # angle relative to the contact (trapezoid-free running sum, 0 at the contact)
        theta = np.empty(m)
        acc_sum = 0.0
        theta[ci] = 0.0
        for i in range(ci + 1, m):
            acc_sum += ws[i] * dt
            theta[i] = acc_sum
        acc_sum = 0.0
        for i in range(ci - 1, -1, -1):
            acc_sum -= ws[i + 1] * dt
            theta[i] = acc_sum
        # sign: the contact sits at the top of the swing's excursion
        s0 = max(0, ci - sw_n)
        tmin = 0.0
        tmax = 0.0
        for i in range(s0, ci + 1):
            if theta[i] < tmin:
                tmin = theta[i]
            if theta[i] > tmax:
                tmax = theta[i]
        flip = tmax > -tmin
        if tmax == -tmin:  # no swing before the contact (start of the data): the stance
            post_sum = 0.0  # after it rotates the other way, in either direction
            for i in range(ci, m):
                post_sum += ws[i]
            flip = post_sum > 0.0
        if flip:
            u = -u
            for i in range(m):
                ws[i] = -ws[i]
                theta[i] = -theta[i]
        e = np.empty(3)
        e[0] = u[1] * g[2] - u[2] * g[1]
        e[1] = u[2] * g[0] - u[0] * g[2]
        e[2] = u[0] * g[1] - u[1] * g[0]
        av = np.empty(m)
        ae = np.empty(m)
        au = np.empty(m)
        woff = np.empty(m)
        planar_num = 0.0
        planar_den = 0.0
        for i in range(m):
            ax = acc_ms2[a0 + i, 0]
            ay = acc_ms2[a0 + i, 1]
            az = acc_ms2[a0 + i, 2]
            av[i] = ax * g[0] + ay * g[1] + az * g[2] - g_norm
            ae[i] = ax * e[0] + ay * e[1] + az * e[2]
            au[i] = abs(ax * u[0] + ay * u[1] + az * u[2])
            wx = gyr_rad_s[a0 + i, 0]
            wy = gyr_rad_s[a0 + i, 1]
            wz = gyr_rad_s[a0 + i, 2]
            wn2 = wx * wx + wy * wy + wz * wz
            r2 = wn2 - ws[i] * ws[i]
            woff[i] = np.sqrt(r2) if r2 > 0.0 else 0.0
            planar_num += ws[i] * ws[i]
            planar_den += wn2
        # swing peak in [c - swing, c + one bin]
        s1 = min(m - 1, ci + half_bin)
        pk = s0
        for i in range(s0, s1 + 1):
            if ws[i] > ws[pk]:
                pk = i
        peak = ws[pk]
        # trough before the peak (push-off forward), trough after the contact
        tr0 = s0
        for i in range(s0, pk + 1):
            if ws[i] < ws[tr0]:
                tr0 = i
        tr1 = ci
        for i in range(ci, m):
            if ws[i] < ws[tr1]:
                tr1 = i
        # stance rate: mean w_s over [c + 0.1 s, c + post]
        st0 = ci + round(0.1 * fs_hz)
        st_sum = 0.0
        st_n = 0
        for i in range(st0, min(m, ci + hi_n + 1)):
            st_sum += ws[i]
            st_n += 1
        # coupling of the sagittal-horizontal acceleration with the rotation
        cp0 = 0.0
        cp1 = 0.0
        for i in range(s0, ci):
            cp0 += ae[i] * ws[i] * dt
        for i in range(ci, min(m, ci + hi_n + 1)):
            cp1 += ae[i] * ws[i] * dt
        # the rotation reversal after the swing peak (first sample not turning the swing's way)
        z = pk
        while z < m - 1 and ws[z] > 0.0:
            z += 1
        # the sagittal plane in the frame of the contact (each sample turned back by theta):
        # world vertical (mean specific force there) and horizontal acceleration, velocities
        wg = np.empty(m)
        we = np.empty(m)
        up_g = 0.0
        up_e = 0.0
        for i in range(m):
            ag = av[i] + g_norm
            ct = np.cos(theta[i])
            st = np.sin(theta[i])
            wg[i] = ag * ct - ae[i] * st
            we[i] = ag * st + ae[i] * ct
            up_g += wg[i]
            up_e += we[i]
        up_g /= m
        up_e /= m
        g_w = np.sqrt(up_g * up_g + up_e * up_e)
        up_g /= g_w
        up_e /= g_w
        wav = np.empty(m)
        wah = np.empty(m)
        vv = np.empty(m)
        vh = np.empty(m)
        sv = 0.0
        sh = 0.0
        vh_lo = 0.0
        vh_hi = 0.0
        for i in range(m):
            wav[i] = wg[i] * up_g + we[i] * up_e - g_w
            wah[i] = -wg[i] * up_e + we[i] * up_g
            sv += wav[i] * dt
            sh += wah[i] * dt
            vv[i] = sv
            vh[i] = sh
            if i == 0 or sh < vh_lo:
                vh_lo = sh
            if i == 0 or sh > vh_hi:
                vh_hi = sh
        # the swing's horizontal speed range (a proxy of the walking speed), for velocities
        # relative to it
        v_rng = max(vh_hi - vh_lo, 0.05)
        # bins
        scale = peak if peak > 1e-3 else 1e-3
        rng = -tmin if tmax <= -tmin else tmax
        rng_scale = rng if rng > 1e-3 else 1e-3
        lvl_sum = 0.0
        lvl_n = 0
        o_near = N_CHANNELS * n_bins
        for b in range(n_bins):
            centre = c + round((b - n_pre) * bin_s * fs_hz)
            i0 = centre - half_bin
            i1 = centre + half_bin
            if i0 < 0 or i1 >= n or i0 < a0 or i1 >= a1:
                continue
            sums = np.zeros(10)
            for i in range(i0 - a0, i1 - a0 + 1):
                sums[0] += ws[i]
                sums[1] += theta[i]
                sums[2] += av[i]
                sums[3] += ae[i]
                sums[4] += au[i]
                sums[5] += woff[i]
                sums[6] += wav[i]
                sums[7] += wah[i]
                sums[8] += vv[i] - vv[ci]
                sums[9] += vh[i] - vh[ci]
            cnt = i1 - i0 + 1
            for j in range(6):
                out[k, j * n_bins + b] = sums[j] / cnt
            out[k, 6 * n_bins + b] = sums[0] / cnt / scale
            out[k, 9 * n_bins + b] = sums[1] / cnt / rng_scale
            out[k, 10 * n_bins + b] = sums[6] / cnt
            out[k, 11 * n_bins + b] = sums[7] / cnt
            lvl_sum += (sums[2] / cnt) ** 2 + (sums[3] / cnt) ** 2
            lvl_n += 1
            bn = b - (n_pre - n_near_pre)
            if bn >= 0:
                out[k, o_near + bn] = sums[8] / cnt
                out[k, o_near + n_near + bn] = sums[9] / cnt
                out[k, o_near + 2 * n_near + bn] = sums[8] / cnt / v_rng
                out[k, o_near + 3 * n_near + bn] = sums[9] / cnt / v_rng
        # translation relative to its own level over the window (the swing's vigour apart)
        lvl = np.sqrt(lvl_sum / lvl_n) if lvl_n > 0 else 0.0
        if lvl > 0.0:
            for b in range(n_bins):
                out[k, 7 * n_bins + b] = out[k, 2 * n_bins + b] / lvl
                out[k, 8 * n_bins + b] = out[k, 3 * n_bins + b] / lvl
        o = N_CHANNELS * n_bins + N_NEAR * n_near
        out[k, o + 0] = peak
        out[k, o + 1] = (pk - ci) * dt
        out[k, o + 2] = ws[tr0]
        out[k, o + 3] = (tr0 - ci) * dt
        out[k, o + 4] = ws[tr1]
        out[k, o + 5] = (tr1 - ci) * dt
        out[k, o + 6] = rng
        out[k, o + 7] = st_sum / st_n if st_n > 0 else np.nan
        out[k, o + 8] = (ws[tr1] - ws[tr0]) / scale
        out[k, o + 9] = cp0
        out[k, o + 10] = cp1
        out[k, o + 11] = g_norm
        out[k, o + 12] = planar_num / planar_den if planar_den > 0.0 else np.nan
        if lvl > 0.0:
            out[k, o + 13] = cp0 / (lvl * scale)
            out[k, o + 14] = cp1 / (lvl * scale)
        # impact and reversal: only with the whole window inside the data
        if c - lo_n - half_bin < 0 or c + hi_n + half_bin >= n:
            continue
        i0 = max(0, ci - round(0.2 * fs_hz))
        i1 = min(m, ci + round(0.3 * fs_hz) + 1)
        sw1 = max(s0 + 1, ci - round(0.2 * fs_hz))
        jerk = np.zeros(m)  # |a[i] - a[i-1]| fs
        dev = np.empty(m)  # | |a| - mean specific force |
        for i in range(m):
            ax = acc_ms2[a0 + i, 0]
            ay = acc_ms2[a0 + i, 1]
            az = acc_ms2[a0 + i, 2]
            dev[i] = abs(np.sqrt(ax * ax + ay * ay + az * az) - g_norm)
            if i > 0:
                dx = ax - acc_ms2[a0 + i - 1, 0]
                dy = ay - acc_ms2[a0 + i - 1, 1]
                dz = az - acc_ms2[a0 + i - 1, 2]
                jerk[i] = np.sqrt(dx * dx + dy * dy + dz * dz) * fs_hz
        tj = i0
        a_imp = 0.0
        for i in range(i0, i1):
            if jerk[i] > jerk[tj]:
                tj = i
            if dev[i] > a_imp:
                a_imp = dev[i]
        j_sw = 0.0
        a_sw = 0.0
        for i in range(s0, sw1):
            if jerk[i] > j_sw:
                j_sw = jerk[i]
            if dev[i] > a_sw:
                a_sw = dev[i]
        j_med = np.median(jerk[s0:sw1])
        n1 = min(m, z + round(0.1 * fs_hz))
        n2 = min(m, z + round(0.2 * fs_hz))
        st1 = 0.0
        for i in range(z, n1):
            st1 += ws[i]
        st2 = ws[z]
        for i in range(z, n2):
            if ws[i] < st2:
                st2 = ws[i]
        zz0 = max(0, z - round(0.1 * fs_hz))
        zz1 = min(m - 1, z + round(0.15 * fs_hz))
        zt = min(m - 1, z + round(0.1 * fs_hz))
        out[k, o + 15] = np.log(jerk[tj] / max(j_sw, 1e-6))
        out[k, o + 16] = np.log(a_imp / max(a_sw, 1e-6))
        out[k, o + 17] = (tj - z) * dt
        out[k, o + 18] = (z - ci) * dt
        out[k, o + 19] = st1 / (n1 - z) / scale if n1 > z else np.nan
        out[k, o + 20] = st2 / scale
        out[k, o + 21] = vv[zz1] - vv[zz0]
        out[k, o + 22] = vh[zz1] - vh[zz0]
        out[k, o + 23] = vv[zz0] - vv[z]
        out[k, o + 24] = vh[zz0] - vh[z]
        out[k, o + 25] = np.log(jerk[tj] / max(j_med, 1e-6))
        out[k, o + 26] = (theta[zt] - theta[z]) / scale
        for j in range(4):
            out[k, o + 27 + j] = out[k, o + 21 + j] / v_rng
    return out
