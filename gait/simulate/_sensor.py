"""The IMU itself: anti-alias filter, sampling with jitter, calibration errors, noise, range.

Defaults follow a typical consumer MEMS IMU data sheet (Bosch BMI160: accelerometer noise
density 180 µg/√Hz, gyroscope 0.007 °/s/√Hz, ranges up to ±16 g and ±2000 °/s, 16-bit output).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from gait.consts import GRAVITY_MS2
from gait.simulate._spec import SensorSpec


@dataclass
class Sampled:
    t_s: np.ndarray
    acc_ms2: np.ndarray
    gyr_dps: np.ndarray | None
    #: indices into the kept samples where one or more samples were lost just before
    gap_idx: np.ndarray
    n_lost: int
    calibration: dict


def causal_lowpass(x: np.ndarray, fs_hz: float, fc_hz: float) -> np.ndarray:
    """2nd-order Butterworth low-pass, causal (it delays, as a sensor's filter does), started
    in steady state at the first sample."""
    fc = min(float(fc_hz), 0.45 * fs_hz)
    sos = signal.butter(2, fc, fs=fs_hz, output="sos")
    zi = signal.sosfilt_zi(sos)[:, :, None] * x[0][None, None, :]
    y, _ = signal.sosfilt(sos, x, axis=0, zi=zi)
    return y


def causal_moving_average(x: np.ndarray, n: int) -> np.ndarray:
    """Mean of each sample and the ``n - 1`` before it (the first sample repeated before)."""
    if n <= 1:
        return x
    c = np.cumsum(np.concatenate([np.repeat(x[:1], n, axis=0), x]), axis=0)
    return (c[n:] - c[:-n]) / n


def _calibration_matrix(rng: np.random.Generator, scale_error: float) -> np.ndarray:
    m = np.eye(3) + np.diag(rng.normal(0.0, scale_error, 3))
    cross = rng.normal(0.0, 0.3 * scale_error, (3, 3))
    np.fill_diagonal(cross, 0.0)
    return m + cross


def sample_sensor(
    t_int: np.ndarray,
    f_int: np.ndarray,
    w_int_dps: np.ndarray,
    duration_s: float,
    sensor: SensorSpec,
    rng: np.random.Generator,
) -> Sampled:
    """Turn continuous (finely sampled) specific force and angular rate into recorded samples."""
    fs = float(sensor.sampling_rate_hz)
    fs_int = 1.0 / (t_int[1] - t_int[0])
    # on-board filtering runs in the sensor's own (fast) clock, before its output data rate
    if sensor.acc_lowpass_hz:
        f_int = causal_lowpass(f_int, fs_int, sensor.acc_lowpass_hz)
    if sensor.gyr_lowpass_hz:
        w_int_dps = causal_lowpass(w_int_dps, fs_int, sensor.gyr_lowpass_hz)
    if sensor.acc_average_s:
        f_int = causal_moving_average(f_int, max(round(sensor.acc_average_s * fs_int), 1))
    if fs_int >= 2 * fs:
        sos = signal.butter(2, 0.45 * fs, fs=fs_int, output="sos")
        f_int = signal.sosfiltfilt(sos, f_int, axis=0)
        w_int_dps = signal.sosfiltfilt(sos, w_int_dps, axis=0)
    n = int(np.floor(duration_s * fs))
    t_nom = np.arange(n) / fs
    t_true = t_nom.copy()
    if sensor.errors and sensor.jitter_s > 0:
        t_true += np.clip(rng.normal(0.0, sensor.jitter_s, n), -0.4 / fs, 0.4 / fs)
    t_true = np.clip(t_true, t_int[0], t_int[-1])
    acc = np.stack([np.interp(t_true, t_int, f_int[:, i]) for i in range(3)], axis=1)
    gyr = np.stack([np.interp(t_true, t_int, w_int_dps[:, i]) for i in range(3)], axis=1)
    calib: dict = {}
    if sensor.errors:
        ma = _calibration_matrix(rng, sensor.scale_error)
        mg = _calibration_matrix(rng, sensor.scale_error)
        ba = rng.normal(0.0, sensor.acc_bias_ms2, 3)
        bg = rng.normal(0.0, sensor.gyr_bias_dps, 3)
        sd_a = sensor.acc_noise_ug_per_rthz * 1e-6 * GRAVITY_MS2 * np.sqrt(fs / 2)
        sd_g = sensor.gyr_noise_dps_per_rthz * np.sqrt(fs / 2)
        acc = acc @ ma.T + ba + rng.normal(0.0, sd_a, acc.shape)
        gyr = gyr @ mg.T + bg + rng.normal(0.0, sd_g, gyr.shape)
        calib = {
            "acc_matrix": ma.round(5).tolist(),
            "acc_bias_ms2": ba.round(4).tolist(),
            "gyr_matrix": mg.round(5).tolist(),
            "gyr_bias_dps": bg.round(4).tolist(),
            "acc_noise_sd_ms2": round(float(sd_a), 5),
            "gyr_noise_sd_dps": round(float(sd_g), 5),
        }
        r_a = sensor.acc_range_g * GRAVITY_MS2
        r_g = sensor.gyr_range_dps
        lsb_a = r_a / 32768.0
        lsb_g = r_g / 32768.0
        acc = np.clip(np.round(acc / lsb_a) * lsb_a, -r_a, r_a - lsb_a)
        gyr = np.clip(np.round(gyr / lsb_g) * lsb_g, -r_g, r_g - lsb_g)
    keep = np.ones(n, dtype=bool)
    if sensor.errors and sensor.drop_probability > 0 and n > 2:
        n_events = rng.binomial(n, sensor.drop_probability)
        starts = rng.integers(1, n - 1, n_events)
        lengths = rng.integers(1, 6, n_events)
        for s, ln in zip(starts, lengths, strict=True):
            keep[s : min(s + ln, n - 1)] = False
    idx = np.flatnonzero(keep)
    gap_idx = np.flatnonzero(np.diff(idx) > 1) + 1
    return Sampled(
        t_nom[idx],
        acc[idx],
        gyr[idx] if sensor.has_gyro else None,
        gap_idx.astype(np.int64),
        int(n - idx.shape[0]),
        calib,
    )
