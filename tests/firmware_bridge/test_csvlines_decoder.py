"""CSV text lines from Arduino/ESP32 sketches: presets, garbage, clock wraps, gaps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _wire import blocks_of, feed_chunked
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge.codecs import Gap, make_decoder, make_encoder
from firmware_bridge.csvlines import CSV_PRESETS, CsvDecoder, CsvProfile, CsvProfileError
from gait.consts import GRAVITY_MS2
from gait.errors import GaitError
from gait.types import SampleBlock


def decode(text: str, profile: str | CsvProfile = "gait", rate: float | None = 100.0, **kw):
    dec = make_decoder("csv", profile=profile, sampling_rate_hz=rate, **kw)
    return dec, dec.feed(text.encode())


@pytest.mark.parametrize(
    ("preset", "line", "t_s", "acc_ms2", "gyr_dps"),
    [
        ("gait", "1.5,0.1,-9.8,0.2,10,-20,30", 1.5, [0.1, -9.8, 0.2], [10, -20, 30]),
        (
            "adafruit_mpu6050",
            "1500,0.1,-9.8,0.2,0.5,-1.0,3.141592653589793",
            1.5,
            [0.1, -9.8, 0.2],
            [0.5 * 180 / math.pi, -180 / math.pi, 180.0],
        ),
        (
            "arduino_lsm6ds3",
            "1500, 0.5, -1.0, 0.25, 245.0, -2000, 0.0",  # ", " separators
            1.5,
            [0.5 * GRAVITY_MS2, -GRAVITY_MS2, 0.25 * GRAVITY_MS2],
            [245.0, -2000.0, 0.0],
        ),
        (
            "mpu6050_raw",
            "1500,16384,-8192,0,131,-262,32767",
            1.5,
            [GRAVITY_MS2, -GRAVITY_MS2 / 2, 0.0],
            [1.0, -2.0, 32767 / 131],
        ),
    ],
)
def test_presets_convert_units(preset, line, t_s, acc_ms2, gyr_dps) -> None:
    # The first line is dropped (it may be partial); the second is the one under test.
    _, events = decode(f"junk\r\n{line}\r\n", preset)
    got = blocks_of(events)
    assert got.n_samples == 1
    assert got.t_s[0] == pytest.approx(t_s)
    np.testing.assert_allclose(got.acc_ms2[0], acc_ms2, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.gyr_dps[0], gyr_dps, rtol=1e-9, atol=1e-12)


def test_garbage_lines_are_skipped_and_counted() -> None:
    text = (
        "0.005,1,2,3,4,5,6\r\n"  # partial first line: dropped
        "MPU6050 Found!\r\n"
        "CLEARDATA\r\n"
        "LABEL,Time,ax,ay,az,gx,gy,gz\r\n"
        "\r\n"
        "0.01,1,2,3,4,5,6\r\n"
        "DATA,0.02,1,2,3,4,5,6\r\n"  # PLX-DAQ prefix: kept
        "0.03,1,2,3\r\n"  # too few fields
        "0.04,1,2,3,4,5,6,7,8\r\n"  # too many fields
        "0.05,nan,2,3,4,5,6\r\n"
        "0.06,1,2,3,4,5,6,\r\n"  # trailing delimiter: kept
        "0.0\xff7,1,2,3,4,5,6\r\n"  # line noise
        "0.08,1,2,3,4,5,6\n"
        "0.09,1,2"  # not finished yet
    )
    dec, events = decode(text)
    got = blocks_of(events)
    np.testing.assert_allclose(got.t_s, [0.01, 0.02, 0.06, 0.08])
    assert dec.stats.lines_skipped == 8
    assert dec.stats.frames_ok == 4
    # Gaps from the device clock: 0.02 -> 0.06 misses 3 samples, 0.06 -> 0.08 one.
    assert [g.n_missing for g in events if isinstance(g, Gap)] == [3, 1]
    got2 = blocks_of(dec.feed(b",3,4,5,6\r\n"))  # the held partial line completes
    assert got2.t_s[0] == pytest.approx(0.09)


def test_header_remaps_columns() -> None:
    text = "\nseq,t_s,gyr_z,gyr_y,gyr_x,acc_z,acc_y,acc_x,temp\n7,0.5,3,2,1,9.8,0.2,0.1,25\n"
    dec, events = decode(text)
    got = blocks_of(events)
    np.testing.assert_allclose(got.acc_ms2[0], [0.1, 0.2, 9.8])
    np.testing.assert_allclose(got.gyr_dps[0], [1, 2, 3])
    assert dec.stats.lines_skipped == 0  # the empty first line and the header are not junk


def test_header_without_gyro_gives_accelerometer_only_blocks() -> None:
    _, events = decode("t_s,acc_x,acc_y,acc_z\n0,1,2,3\n0.01,1,2,3\n")
    got = blocks_of(events)
    assert got.gyr_dps is None and got.n_samples == 2


@pytest.mark.parametrize(
    ("unit", "values", "expected_s"),
    [
        (
            "ms",
            [4294967290, 4294967295, 4, 9],
            [4294967.290, 4294967.295, 4294967.300, 4294967.305],
        ),
        (
            "us",
            [4294962296, 4294967296 - 1, 4999, 9999],
            [4294.962296, 4294.967295, 4294.972295, 4294.977295],
        ),
    ],
)
def test_u32_counter_wrap_is_unwrapped(unit, values, expected_s) -> None:
    profile = CsvProfile(("t", "acc_x", "acc_y", "acc_z"), "t", unit, "g", name="wrap")
    text = "\n" + "".join(f"{v},0,0,1\n" for v in values)
    rate = 200.0
    dec, events = decode(text, profile, rate)
    got = blocks_of(events)
    np.testing.assert_allclose(got.t_s, expected_s, rtol=0, atol=1e-9)
    assert not [e for e in events if isinstance(e, Gap)]
    assert dec.stats.device_restarts == 0


def test_device_restart_rebases_and_reports() -> None:
    lines = [f"{t},0,0,1,0,0,0" for t in (50000, 50010, 50020, 0, 10, 20)]
    dec, events = decode("\n" + "\n".join(lines) + "\n", "arduino_lsm6ds3")
    got = blocks_of(events)
    np.testing.assert_allclose(got.t_s, [50.0, 50.01, 50.02, 50.03, 50.04, 50.05])
    gaps = [e for e in events if isinstance(e, Gap)]
    assert len(gaps) == 1 and gaps[0].n_missing == 0
    assert dec.stats.device_restarts == 1


def test_rate_is_estimated_when_not_given() -> None:
    dec = CsvDecoder(CSV_PRESETS["arduino_lsm6ds3"])
    lines = "".join(f"{10 * i + (i % 3 == 0)},0,0,1,0,0,0\r\n" for i in range(40))
    events = dec.feed(b"\r\n" + lines[: len(lines) // 4].encode())
    assert events == []  # fewer than 16 samples: held
    events += dec.feed(lines[len(lines) // 4 :].encode())
    got = blocks_of(events)
    assert got.n_samples == 40
    assert got.sampling_rate_hz == pytest.approx(100.0)
    assert not [e for e in events if isinstance(e, Gap)]


def test_profile_without_clock_counts_damaged_lines_as_lost() -> None:
    profile = CsvProfile(("acc_x", "acc_y", "acc_z"), None, acc_unit="g", name="noclock")
    text = "\n0,0,1\n0,0,1\n0,0\n0,0,1\nhello\n0,0,1\n"
    dec, events = decode(text, profile, 50.0)
    got = blocks_of(events)
    np.testing.assert_allclose(got.t_s, [0.0, 0.02, 0.06, 0.08])
    gaps = [e for e in events if isinstance(e, Gap)]
    assert [(g.t_s_start, g.t_s_end, g.n_missing) for g in gaps] == [(0.02, 0.06, 1)]
    assert dec.stats.lines_skipped == 2


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 200),
    preset=st.sampled_from(sorted(CSV_PRESETS)),
    has_gyro=st.booleans(),
)
def test_round_trip_any_chunking(seed: int, n: int, preset: str, has_gyro: bool) -> None:
    rng = np.random.default_rng(seed)
    rate = 100.0
    acc_max = 1.9 * GRAVITY_MS2 if preset == "mpu6050_raw" else 15 * GRAVITY_MS2
    gyr_max = 240.0 if preset == "mpu6050_raw" else 1900.0
    block = SampleBlock(
        t_s=12.0 + np.arange(n) / rate,
        acc_ms2=rng.uniform(-acc_max, acc_max, (n, 3)),
        gyr_dps=rng.uniform(-gyr_max, gyr_max, (n, 3)) if has_gyro else None,
        sampling_rate_hz=rate,
    )
    enc = make_encoder("csv", sampling_rate_hz=rate, profile=preset, has_gyro=has_gyro)
    wire = enc.start() + enc.encode(block)
    dec = make_decoder("csv", profile=preset, sampling_rate_hz=rate)
    events = feed_chunked(dec, wire, rng, max_chunk=89)
    got = blocks_of(events)
    assert got.n_samples == n
    np.testing.assert_allclose(got.t_s, block.t_s, atol=1e-6, rtol=0)
    acc_tol = 0.5 * GRAVITY_MS2 / 16384 if preset == "mpu6050_raw" else 1e-5 * GRAVITY_MS2
    np.testing.assert_allclose(got.acc_ms2, block.acc_ms2, atol=acc_tol, rtol=0)
    if has_gyro:
        gyr_tol = 0.5 / 131 if preset == "mpu6050_raw" else 1e-4
        np.testing.assert_allclose(got.gyr_dps, block.gyr_dps, atol=gyr_tol, rtol=0)
    else:
        assert got.gyr_dps is None
    assert dec.stats.lines_skipped == 0 and dec.stats.seq_gaps == 0


def test_profile_errors_name_the_problem() -> None:
    with pytest.raises(CsvProfileError, match="acc_z"):
        CsvProfile(("t_s", "acc_x", "acc_y"))
    with pytest.raises(CsvProfileError, match="acc_lsb_per_g"):
        CsvProfile(acc_unit="raw")
    with pytest.raises(CsvProfileError, match="time_column 'ms'"):
        CsvProfile(time_column="ms")
    with pytest.raises(GaitError, match="unknown CSV profile 'bmi'"):
        make_decoder("csv", profile="bmi")
    with pytest.raises(GaitError, match="sampling_rate_hz"):
        CsvDecoder(CsvProfile(("acc_x", "acc_y", "acc_z"), None))


def test_finish_releases_samples_held_for_the_rate_estimate() -> None:
    dec = CsvDecoder(CSV_PRESETS["gait"])
    assert dec.feed(b"\n" + b"".join(b"%.2f,0,0,9.8,0,0,0\n" % (i / 50) for i in range(5))) == []
    dec.feed(b"0.1,0,0")  # an unfinished line
    got = blocks_of(dec.finish())
    assert got.n_samples == 5 and got.sampling_rate_hz == pytest.approx(50.0)
    assert dec.stats.lines_skipped == 1
