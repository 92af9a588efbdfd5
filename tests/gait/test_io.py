"""Session files: round trips, accepted variants, and located errors for bad input."""

from __future__ import annotations

import gzip
import itertools
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gait.consts import GRAVITY_MS2
from gait.errors import SessionFormatError
from gait.io import COLUMN_ALIASES, SessionWriter, read_session, write_session
from gait.io._write import FLUSH_INTERVAL_S
from gait.types import SampleBlock, SessionMeta, Subject

DATA = Path(__file__).resolve().parents[1] / "data"


def walking_block(n: int = 400, rate_hz: float = 100.0, t0: float = 0.0) -> SampleBlock:
    """A walking-like signal: gravity on z plus a 1 Hz swing, gyro peaks of about 300 deg/s."""
    t = t0 + np.arange(n) / rate_hz
    phase = 2 * np.pi * 1.0 * t
    acc = np.column_stack(
        [2.0 * np.sin(phase), 0.5 * np.cos(phase), GRAVITY_MS2 + np.sin(2 * phase)]
    )
    gyr = np.column_stack([20 * np.sin(phase), 300 * np.sin(phase + 0.3), 15 * np.cos(phase)])
    return SampleBlock(t, acc, gyr, rate_hz)


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def variant_csv(
    path: Path,
    names: list[str],
    block: SampleBlock,
    *,
    t_factor: float = 1.0,
    acc_factor: float = 1.0,
    gyr_factor: float = 1.0,
    sep: str = ",",
) -> Path:
    """Write ``block`` with other column names and units (values divided by the factors)."""
    cols = [block.t_s / t_factor, *(block.acc_ms2 / acc_factor).T]
    if block.gyr_dps is not None and len(names) > 4:
        cols += list((block.gyr_dps / gyr_factor).T)
    data = np.column_stack(cols)
    lines = [sep.join(names)] + [sep.join(f"{v:.10g}" for v in row) for row in data]
    return write_text(path, "\n".join(lines) + "\n")


def assert_same_block(got: SampleBlock, want: SampleBlock, *, rtol: float = 1e-6) -> None:
    assert got.n_samples == want.n_samples
    np.testing.assert_allclose(got.t_s, want.t_s - want.t_s[0], rtol=0, atol=2e-6)
    np.testing.assert_allclose(got.acc_ms2, want.acc_ms2, rtol=rtol, atol=1e-12)
    if want.gyr_dps is None:
        assert got.gyr_dps is None
    else:
        assert got.gyr_dps is not None
        np.testing.assert_allclose(got.gyr_dps, want.gyr_dps, rtol=rtol, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------

META = SessionMeta(
    sampling_rate_hz=100.0,
    start_time_utc="2024-05-01T09:30:00+00:00",
    placement="right_ankle",
    subject=Subject(id="p07", mass_kg=72.5, height_m=1.78, age_years=41),
    device={"model": "demo", "firmware": "1.2"},
)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".csv.gz"])
def test_round_trip_with_sidecar(tmp_path: Path, suffix: str) -> None:
    block = walking_block()
    path = tmp_path / f"walk{suffix}"
    if suffix == ".csv.gz":
        write_session(tmp_path / "walk.csv", block, META)
        path.write_bytes(gzip.compress((tmp_path / "walk.csv").read_bytes()))
        (tmp_path / "walk.csv").unlink()
    else:
        write_session(path, block, META)
    assert (tmp_path / "walk.json").is_file()
    session = read_session(path)
    assert_same_block(session.samples, block)
    assert session.samples.sampling_rate_hz == 100.0
    assert session.meta.placement == "right_ankle"
    assert session.meta.subject == META.subject
    assert session.meta.device == META.device
    assert session.meta.start_time_utc == META.start_time_utc
    assert session.gap_idx.size == 0
    assert session.meta.assumptions == ()  # canonical file: nothing assumed, nothing to say
    assert session.path == str(path)
    assert session.samples.acc_ms2.flags.c_contiguous


def test_round_trip_accelerometer_only_and_extra_columns(tmp_path: Path) -> None:
    full = walking_block(200)
    block = SampleBlock(full.t_s, full.acc_ms2, None, 100.0)
    seq = np.arange(200, dtype=np.int64) + 1000
    path = write_session(tmp_path / "acc_only.csv", block, extra={"seq": seq})
    assert path.read_text().splitlines()[0] == "t_s,acc_x,acc_y,acc_z,seq"
    assert not (tmp_path / "acc_only.json").exists()
    session = read_session(path)
    assert_same_block(session.samples, block)
    assert any("seq" in a and "not used" in a for a in session.meta.assumptions)
    assert any("accelerometer-only" in a for a in session.meta.assumptions)
    assert any(
        "sampling rate 100 Hz from the median interval" in a for a in session.meta.assumptions
    )
    with pytest.raises(ValueError, match="clashes"):
        write_session(tmp_path / "x.csv", block, extra={"acc_x": seq})


def test_time_is_shifted_to_zero_and_offset_reported(tmp_path: Path) -> None:
    block = walking_block(100, t0=1234.5)
    session = read_session(write_session(tmp_path / "late.csv", block))
    assert session.samples.t_s[0] == 0.0
    assert any("1234.5" in a and "shifted" in a for a in session.meta.assumptions)


def test_written_precision(tmp_path: Path) -> None:
    block = walking_block(3)
    text = write_session(tmp_path / "p.csv", block).read_text().splitlines()
    assert text[0] == "t_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    assert text[2].split(",")[0] == "0.010000"


def test_write_refuses_non_finite(tmp_path: Path) -> None:
    block = walking_block(10)
    block.acc_ms2[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        write_session(tmp_path / "nan.csv", block)


finite = st.floats(-4000, 4000, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def random_blocks(draw: st.DrawFn) -> tuple[SampleBlock, bool]:
    n = draw(st.integers(2, 60))
    rate_hz = draw(st.sampled_from([50.0, 100.0, 102.4, 200.0, 1000.0]))
    # Mostly regular intervals, some longer ones (gaps), never repeated times.
    steps = draw(st.lists(st.sampled_from([1, 1, 1, 1, 2, 3]), min_size=n - 1, max_size=n - 1))
    t0 = draw(st.floats(0, 1e5, allow_nan=False))
    t = t0 + np.concatenate([[0.0], np.cumsum(steps)]) / rate_hz
    acc = np.array(draw(st.lists(finite, min_size=3 * n, max_size=3 * n))).reshape(n, 3)
    has_gyro = draw(st.booleans())
    gyr = (
        np.array(draw(st.lists(finite, min_size=3 * n, max_size=3 * n))).reshape(n, 3)
        if has_gyro
        else None
    )
    return SampleBlock(t, acc, gyr, rate_hz), draw(st.booleans())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(random_blocks())
def test_property_write_read_round_trip(tmp_path: Path, drawn: tuple[SampleBlock, bool]) -> None:
    block, with_meta = drawn
    # A sidecar rate is only valid when most intervals are one nominal period.
    with_meta = with_meta and np.median(np.diff(block.t_s)) * block.sampling_rate_hz < 1.01
    path = tmp_path / "prop.csv"
    (tmp_path / "prop.json").unlink(missing_ok=True)
    meta = SessionMeta(sampling_rate_hz=block.sampling_rate_hz) if with_meta else None
    write_session(path, block, meta)
    # Random acceleration need not look like gravity: declare the unit instead of detecting it.
    session = read_session(path, acc_unit="m/s2", gyr_unit="deg/s")
    assert_same_block(session.samples, block)
    expected_gaps = (
        np.flatnonzero(np.diff(session.samples.t_s) > 1.5 / session.meta.sampling_rate_hz) + 1
    )
    np.testing.assert_array_equal(session.gap_idx, expected_gaps)
    if with_meta:
        assert session.samples.sampling_rate_hz == block.sampling_rate_hz


# --------------------------------------------------------------------------------------------
# SessionWriter (live recording)
# --------------------------------------------------------------------------------------------


def test_session_writer_gives_back_the_samples(tmp_path: Path) -> None:
    block = walking_block(500, t0=17.0)
    cuts = [0, 1, 7, 100, 101, 333, 500]
    path = tmp_path / "live.csv"
    with SessionWriter(path, SessionMeta(placement="left_ankle"), has_gyro=True) as writer:
        for a, b in itertools.pairwise(cuts):
            writer.write(block.slice(a, b))
        assert writer.n_samples == 500
    assert writer.closed
    session = read_session(path)
    assert_same_block(session.samples, block)
    assert session.meta.placement == "left_ankle"
    assert json.loads((tmp_path / "live.json").read_text())["sampling_rate_hz"] == 100.0


def test_session_writer_flushes_while_writing(tmp_path: Path) -> None:
    block = walking_block(300)
    path = tmp_path / "live.csv"
    writer = SessionWriter(path, None, has_gyro=True)
    try:
        writer.write(block.slice(0, 100))
        time.sleep(FLUSH_INTERVAL_S + 0.1)
        writer.write(block.slice(100, 200))
        # Without close, another reader sees both blocks on disk.
        lines = path.read_text().splitlines()
        assert len(lines) == 1 + 200
        assert FLUSH_INTERVAL_S <= 1.0
    finally:
        writer.close()
    writer.close()  # closing twice is harmless
    with pytest.raises(ValueError, match="closed"):
        writer.write(block.slice(0, 1))


def test_session_writer_checks_the_gyro_flag(tmp_path: Path) -> None:
    block = walking_block(10)
    with SessionWriter(tmp_path / "a.csv", None, has_gyro=False) as writer:
        with pytest.raises(ValueError, match="gyroscope"):
            writer.write(block)
        writer.write(SampleBlock(block.t_s, block.acc_ms2, None, 100.0))
    assert read_session(tmp_path / "a.csv").samples.gyr_dps is None


# --------------------------------------------------------------------------------------------
# Accepted variants
# --------------------------------------------------------------------------------------------


def test_alias_table_covers_documented_names() -> None:
    for name, canonical in {
        "ax": "acc_x",
        "accx": "acc_x",
        "accelx": "acc_x",
        "accelerationy": "acc_y",
        "gx": "gyr_x",
        "gyroz": "gyr_z",
        "wx": "gyr_x",
        "time": "t_s",
        "timestamp": "t_s",
        "t": "t_s",
    }.items():
        assert COLUMN_ALIASES[name] == canonical


VARIANTS = {
    # name: (header, t_factor, acc_factor, gyr_factor, sep, read kwargs, expected assumption)
    "witmotion_style_units_in_brackets": (
        ["time", "ax(g)", "ay(g)", "az(g)", "wx(deg/s)", "wy(deg/s)", "wz(deg/s)"],
        1.0,
        GRAVITY_MS2,
        1.0,
        "\t",
        {},
        "acceleration in g (header ax(g)",
    ),
    "suffix_units": (
        ["t_ms", "acc_x_g", "acc_y_g", "acc_z_g", "gyr_x_rad_s", "gyr_y_rad_s", "gyr_z_rad_s"],
        1e-3,
        GRAVITY_MS2,
        np.degrees(1.0),
        ",",
        {},
        "angular rate in rad/s (header gyr_x_rad_s",
    ),
    "phyphox_style": (
        [
            "Time (s)",
            "Acceleration x (m/s^2)",
            "Acceleration y (m/s^2)",
            "Acceleration z (m/s^2)",
            "Gyroscope x (rad/s)",
            "Gyroscope y (rad/s)",
            "Gyroscope z (rad/s)",
        ],
        1.0,
        1.0,
        np.degrees(1.0),
        ",",
        {},
        "angular rate in rad/s (header Gyroscope x (rad/s)",
    ),
    "arduino_declared_by_argument": (
        ["timestamp_ms", "accX", "accY", "accZ", "gyroX", "gyroY", "gyroZ"],
        1e-3,
        1.0,
        np.degrees(1.0),
        ";",
        {"gyr_unit": "rad/s"},
        "angular rate in rad/s (gyr_unit='rad/s')",
    ),
    "g_detected_from_magnitude": (
        ["time", "Acc_X", "Acc_Y", "Acc_Z"],
        1.0,
        GRAVITY_MS2,
        1.0,
        ",",
        {},
        "acceleration in g (detected: median |acc| 1.0",
    ),
    "ms2_detected_and_degs_detected": (
        ["t", "ax", "ay", "az", "gx", "gy", "gz"],
        1.0,
        1.0,
        1.0,
        ",",
        {},
        "angular rate in deg/s (detected: 99th percentile",
    ),
    "milli_g_and_time_unit_argument": (
        ["time", "ax(mg)", "ay(mg)", "az(mg)"],
        1e-6,
        GRAVITY_MS2 * 1e-3,
        1.0,
        ",",
        {"time_unit": "us"},
        "time in µs (time_unit='us'), converted to s",
    ),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variants_are_converted(tmp_path: Path, name: str) -> None:
    header, t_factor, acc_factor, gyr_factor, sep, kwargs, note = VARIANTS[name]
    block = walking_block(300, t0=5.0)
    path = variant_csv(
        tmp_path / f"{name}.csv",
        header,
        block,
        t_factor=t_factor,
        acc_factor=acc_factor,
        gyr_factor=gyr_factor,
        sep=sep,
    )
    session = read_session(path, **kwargs)
    want = block if len(header) > 4 else SampleBlock(block.t_s, block.acc_ms2, None, 100.0)
    assert_same_block(session.samples, want)
    assert session.samples.sampling_rate_hz == pytest.approx(100.0)
    assert any(note in a for a in session.meta.assumptions), session.meta.assumptions


def test_sidecar_units_map_and_unitless_time_matched_to_the_rate(tmp_path: Path) -> None:
    block = walking_block(300)
    path = variant_csv(
        tmp_path / "dev.csv",
        ["timestamp", "ax", "ay", "az", "gx", "gy", "gz"],
        block,
        t_factor=1e-3,
        acc_factor=GRAVITY_MS2,
        gyr_factor=np.degrees(1.0),
    )
    side = {
        "sampling_rate_hz": 100,
        "units": {"acc": "g", "gyr": "rad/s"},
        "placement": "left_foot",
    }
    write_text(tmp_path / "dev.json", json.dumps(side))
    session = read_session(path)
    assert_same_block(session.samples, block)
    notes = "\n".join(session.meta.assumptions)
    assert "acceleration in g (sidecar units.acc), converted to m/s²" in notes
    assert "time in ms (detected: median interval 10 matches sampling_rate_hz 100)" in notes
    assert session.meta.placement == "left_foot"
    assert read_session(path, placement="right_ankle").meta.placement == "right_ankle"


def test_unit_argument_overrides_with_a_warning(tmp_path: Path) -> None:
    block = walking_block(200)
    # Canonical names but the values are in g: an error unless the user says so.
    path = variant_csv(
        tmp_path / "g.csv", ["t_s", "acc_x", "acc_y", "acc_z"], block, acc_factor=GRAVITY_MS2
    )
    with pytest.raises(SessionFormatError, match=r"acc_unit='g'") as err:
        read_session(path)
    assert err.value.column == "acc_x"
    session = read_session(path, acc_unit="g")
    np.testing.assert_allclose(session.samples.acc_ms2, block.acc_ms2, rtol=1e-6)


def test_crlf_bom_and_trailing_blank_lines(tmp_path: Path) -> None:
    text = "\ufefft_s,acc_x,acc_y,acc_z\r\n0,0,0,9.8\r\n0.01,0,0,9.8\r\n0.02,0,0,9.8\r\n\r\n\r\n"
    path = tmp_path / "win.csv"
    path.write_bytes(text.encode("utf-8"))
    session = read_session(path)
    assert session.samples.n_samples == 3


def test_trailing_separators_are_harmless(tmp_path: Path) -> None:
    for text in (
        "t_s,acc_x,acc_y,acc_z\n0,0,0,9.8,\n0.01,0,0,9.8,\n",
        "t_s,acc_x,acc_y,acc_z,\n0,0,0,9.8,\n0.01,0,0,9.8,\n",
    ):
        session = read_session(write_text(tmp_path / "trail.csv", text))
        np.testing.assert_allclose(session.samples.acc_ms2[:, 2], 9.8)
        assert not any("not used" in a for a in session.meta.assumptions)


def test_gaps_are_kept_and_reported(tmp_path: Path) -> None:
    block = walking_block(300)
    keep = np.ones(300, dtype=bool)
    keep[[50, 51, 52, 200]] = False
    t, acc, gyr = block.t_s[keep], block.acc_ms2[keep], block.gyr_dps[keep]  # type: ignore[index]
    path = write_session(tmp_path / "gappy.csv", SampleBlock(t, acc, gyr, 100.0))
    session = read_session(path)
    assert session.samples.n_samples == 296  # nothing dropped, nothing invented
    np.testing.assert_array_equal(session.gap_idx, [50, 197])  # first sample after each gap
    np.testing.assert_allclose(session.samples.t_s, t, atol=2e-6)
    assert any("2 gap(s)" in a and "nothing filled" in a for a in session.meta.assumptions)


def test_large_file_loads_fast(tmp_path: Path) -> None:
    block = walking_block(360_000)  # one hour at 100 Hz
    path = write_session(tmp_path / "hour.csv", block, META)
    start = time.perf_counter()
    session = read_session(path)
    elapsed = time.perf_counter() - start
    assert session.samples.n_samples == 360_000
    assert elapsed < 2.5, f"reading 360k rows took {elapsed:.2f} s"


def test_fixture_sessions_in_tests_data() -> None:
    session = read_session(DATA / "session_canonical.csv")
    assert session.meta.placement == "left_ankle"
    assert session.samples.has_gyro and session.samples.n_samples == 250
    variant = read_session(DATA / "session_variant_g_rad.csv")
    np.testing.assert_allclose(variant.samples.acc_ms2, session.samples.acc_ms2, rtol=1e-6)
    np.testing.assert_allclose(variant.samples.gyr_dps, session.samples.gyr_dps, rtol=1e-6)
    np.testing.assert_allclose(variant.samples.t_s, session.samples.t_s, atol=1e-9)


# --------------------------------------------------------------------------------------------
# Bad input: every error names the file, the line and the column
# --------------------------------------------------------------------------------------------

GOOD_HEAD = "t_s,acc_x,acc_y,acc_z\n0.00,0.1,0.2,9.8\n"
BAD_CSV = {
    # name: (text, line, column, phrase)
    "empty file": ("", None, None, "empty"),
    "blank lines only": ("\n\n  \n", None, None, "empty"),
    "header only": ("t_s,acc_x,acc_y,acc_z\n", 2, None, "no data rows"),
    "numbers instead of header": ("0,1,2,9.8\n0.01,1,2,9.8\n", 1, None, "not column names"),
    "missing column": ("t_s,acc_x,acc_y\n0,1,2\n", 1, "acc_z", "no accelerometer column"),
    "no time column": ("when,acc_x,acc_y,acc_z\n0,1,2,3\n", 1, "t_s", "no time column"),
    "partial gyro": ("t_s,acc_x,acc_y,acc_z,gyr_x\n0,0,0,9.8,1\n", 1, "gyr_y", "gyroscope"),
    "two columns for one": ("t_s,acc_x,ax,acc_y,acc_z\n0,1,1,2,9.8\n", 1, "ax", "both map"),
    "unknown unit": ("t_s,ax(m/s),ay(m/s),az(m/s)\n0,1,2,9.8\n", 1, "ax(m/s)", "not a known"),
    "mixed units": (
        "t_s,ax(g),ay(g),az(m/s^2)\n0,0,0,9.8\n0.01,0,0,9.8\n",
        1,
        None,
        "different units",
    ),
    "text in a number": (GOOD_HEAD + "0.01,0.1,abc,9.8\n", 3, "acc_y", "text 'abc'"),
    "decimal comma": (GOOD_HEAD + '0.01,0.1,"0,2",9.8\n', 3, "acc_y", "text '0,2'"),
    "empty field": (GOOD_HEAD + "0.01,0.1,,9.8\n", 3, "acc_y", "empty field"),
    "nan": (GOOD_HEAD + "0.01,0.1,0.2,NaN\n", 3, "acc_z", "NaN"),
    "inf": (GOOD_HEAD + "0.01,-inf,0.2,9.8\n", 3, "acc_x", "infinite"),
    "short line": (GOOD_HEAD + "0.01,0.1,0.2,9.8\n0.02,0.1\n", 4, "acc_y", "2 fields"),
    "long line": (GOOD_HEAD + "0.01,0.1,0.2,9.8,7\n", 3, None, "5 fields"),
    "every line one field too many": (
        "t_s,acc_x,acc_y,acc_z\n0,0.1,0.2,9.8,1\n0.01,0.1,0.2,9.8,2\n",
        2,
        None,
        "5 fields",
    ),
    "two fields too many": (GOOD_HEAD + "0.01,0.1,0.2,9.8,7,8\n", 3, None, "6 fields"),
    "blank line inside": (GOOD_HEAD + "\n0.02,0.1,0.2,9.8\n", 3, "t_s", "blank line"),
    "time backwards": (
        GOOD_HEAD + "0.01,0,0,9.8\n0.02,0,0,9.8\n0.015,0,0,9.8\n",
        5,
        "t_s",
        "goes backwards",
    ),
    "time repeats": (GOOD_HEAD + "0.01,0,0,9.8\n0.01,0,0,9.8\n", 4, "t_s", "repeats"),
    "one sample": (GOOD_HEAD, None, None, "only one sample"),
    "ms written as s": (
        "t_s,acc_x,acc_y,acc_z\n0,0,0,9.8\n10,0,0,9.8\n20,0,0,9.8\n",
        None,
        "t_s",
        "impossible for an IMU",
    ),
    "unitless ms time": (
        "time,acc_x,acc_y,acc_z\n0,0,0,9.8\n10,0,0,9.8\n20,0,0,9.8\n",
        None,
        "time",
        "time_unit=",
    ),
    "gyro unit unknown": (
        "t_s,acc_x,acc_y,acc_z,gx,gy,gz\n0,0,0,9.8,1,2,3\n0.01,0,0,9.8,1,2,3\n",
        None,
        "gx",
        "gyr_unit='rad/s'",
    ),
    "acc unit unknown": (
        "t_s,ax,ay,az\n0,0,0,3\n0.01,0,0,3\n",
        None,
        "ax",
        "acc_unit='g'",
    ),
}


@pytest.mark.parametrize("name", list(BAD_CSV))
def test_bad_csv_is_located(tmp_path: Path, name: str) -> None:
    text, line, column, phrase = BAD_CSV[name]
    path = write_text(tmp_path / "bad.csv", text)
    with pytest.raises(SessionFormatError) as err:
        read_session(path)
    e = err.value
    assert e.path == str(path)
    assert e.line == line
    assert e.column == column
    message = str(e)
    assert message.startswith(str(path))
    assert phrase in message, message
    if line is not None:
        assert f"line {line}" in message
    if column is not None:
        assert f"column '{column}'" in message


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SessionFormatError, match="not found") as err:
        read_session(tmp_path / "nope.csv")
    assert "nope.csv" in str(err.value)
    with pytest.raises(SessionFormatError, match="folder"):
        read_session(tmp_path)


def test_bad_arguments(tmp_path: Path) -> None:
    path = write_session(tmp_path / "ok.csv", walking_block(50))
    with pytest.raises(SessionFormatError, match="acc_unit='furlong'"):
        read_session(path, acc_unit="furlong")
    with pytest.raises(SessionFormatError, match=r"placement='left_knee'.*left_ankle"):
        read_session(path, placement="left_knee")


BAD_SIDECAR = {
    # name: (sidecar text, line, phrase)
    "invalid json": ('{\n  "placement": "left_ankle",\n  "subject": {,\n}', 3, "invalid JSON"),
    "not an object": ("[1, 2]", 1, "JSON object"),
    "rate not a number": (
        '{"sampling_rate_hz": "100"}',
        1,
        "'sampling_rate_hz': expected a positive",
    ),
    "rate negative": ('{\n"sampling_rate_hz": -5\n}', 2, "'sampling_rate_hz'"),
    "unknown placement": (
        '{\n  "sampling_rate_hz": 100,\n  "placement": "wrist"\n}',
        3,
        "'placement': expected one of left_ankle",
    ),
    "height in cm": (
        '{"subject": {\n "id": "a",\n "height_m": 178}}',
        3,
        "'subject.height_m': expected a number of metres",
    ),
    "mass as text": ('{"subject": {"mass_kg": "70 kg"}}', 1, "'subject.mass_kg'"),
    "subject not object": ('{"subject": "bob"}', 1, "'subject': expected an object"),
    "bad start time": ('{"start_time_utc": "yesterday"}', 1, "'start_time_utc': expected an ISO"),
    "device not object": ('{"device": "xsens"}', 1, "'device': expected an object"),
    "bad unit": ('{"units": {"gyr": "rpm"}}', 1, "'units.gyr': expected one of 'deg/s', 'rad/s'"),
    "unknown unit key": ('{"units": {"mag": "uT"}}', 1, "'units.mag': unknown key"),
    "rate disagrees": (
        '{\n  "placement": "left_ankle",\n  "sampling_rate_hz": 120\n}',
        3,
        "'sampling_rate_hz': says 120 Hz",
    ),
    "units disagree with header": (
        '{\n  "units": {\n    "acc": "m/s2"\n  }\n}',
        3,
        "'units.acc': says 'm/s2' but the header",
    ),
    "time unit under its short key": (
        '{\n  "units": {"t": "ms"}\n}',
        2,
        "'units.time': says 'ms' but the header",
    ),
}


@pytest.mark.parametrize("name", list(BAD_SIDECAR))
def test_bad_sidecar_names_the_field(tmp_path: Path, name: str) -> None:
    side_text, line, phrase = BAD_SIDECAR[name]
    if "header" in name:
        header = ["t_s", "ax(g)", "ay(g)", "az(g)"]
        path = variant_csv(tmp_path / "s.csv", header, walking_block(50), acc_factor=GRAVITY_MS2)
    else:
        path = write_session(tmp_path / "s.csv", walking_block(50))
    side = write_text(tmp_path / "s.json", side_text)
    with pytest.raises(SessionFormatError) as err:
        read_session(path)
    assert err.value.path == str(side)
    assert err.value.line == line
    assert phrase in str(err.value), str(err.value)


def test_unknown_sidecar_keys_are_reported_not_dropped_silently(tmp_path: Path) -> None:
    path = write_session(tmp_path / "k.csv", walking_block(50))
    write_text(tmp_path / "k.json", '{"sampling_rate": 100, "subject": {"shoe": "x"}}')
    notes = "\n".join(read_session(path).meta.assumptions)
    assert "sidecar keys not used: sampling_rate" in notes
    assert "sidecar subject keys not used: shoe" in notes


def test_bad_parquet(tmp_path: Path) -> None:
    block = walking_block(20)
    df = pd.DataFrame({"t_s": block.t_s, "acc_x": 0.0, "acc_y": 0.0, "acc_z": 9.8})
    df.loc[7, "acc_y"] = np.nan
    df.to_parquet(tmp_path / "nan.parquet")
    with pytest.raises(SessionFormatError, match="row 8") as err:
        read_session(tmp_path / "nan.parquet")
    assert err.value.column == "acc_y"
    df["acc_y"] = "x"
    df.to_parquet(tmp_path / "text.parquet")
    with pytest.raises(SessionFormatError, match="not numeric") as err:
        read_session(tmp_path / "text.parquet")
    assert err.value.column == "acc_y"
    df.drop(columns=["acc_y"]).to_parquet(tmp_path / "missing.parquet")
    with pytest.raises(SessionFormatError, match="acc_y"):
        read_session(tmp_path / "missing.parquet")
    write_text(tmp_path / "broken.parquet", "not parquet at all")
    with pytest.raises(SessionFormatError, match="Parquet"):
        read_session(tmp_path / "broken.parquet")


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"t_s,acc_x,acc_y,acc_z\n0,0,0,9.8\n0.01,0,0,9.8\n0.02,0,\xb0,9.8\n")
    with pytest.raises(SessionFormatError, match="not UTF-8") as err:
        read_session(path)
    assert err.value.line == 4
    path.write_bytes(b"t_s,wx(\xb0/s),acc_x,acc_y,acc_z\n0,0,0,0,9.8\n")
    with pytest.raises(SessionFormatError, match="not UTF-8") as err:
        read_session(path)
    assert err.value.line == 1


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.xz"])
def test_damaged_archive_is_a_format_error(tmp_path: Path, suffix: str) -> None:
    import bz2
    import gzip
    import lzma

    plain = write_session(tmp_path / "plain.csv", walking_block(2000)).read_bytes()
    pack = {".csv.gz": gzip.compress, ".csv.bz2": bz2.compress, ".csv.xz": lzma.compress}[suffix]
    packed = bytearray(pack(plain))
    middle = len(packed) // 2
    packed[middle : middle + 64] = bytes(64)  # damage inside the compressed stream
    path = tmp_path / f"damaged{suffix}"
    path.write_bytes(bytes(packed))
    with pytest.raises(SessionFormatError, match="damaged") as err:
        read_session(path)
    assert err.value.path == str(path)


def test_unclosed_quote_names_its_line(tmp_path: Path) -> None:
    rows = "".join(f"{i / 100},0,0,9.8\n" for i in range(1, 40))
    path = write_text(tmp_path / "q.csv", GOOD_HEAD + rows + '0.5,"0,0,9.8\n0.51,0,0,9.8\n')
    with pytest.raises(SessionFormatError, match="never closed") as err:
        read_session(path)
    assert err.value.line == 42


@pytest.mark.parametrize("kind", ["folder", "dangling link"])
def test_a_sidecar_that_is_not_a_file_is_an_error(tmp_path: Path, kind: str) -> None:
    path = write_session(tmp_path / "s.csv", walking_block(50))
    side = tmp_path / "s.json"
    if kind == "folder":
        side.mkdir()
    else:
        side.symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(SessionFormatError, match="the sidecar is a") as err:
        read_session(path)
    assert err.value.path == str(side)


def test_parquet_without_a_column_names_the_table(tmp_path: Path) -> None:
    pd.DataFrame({"t_s": [0.0, 0.01], "acc_x": 0.0, "acc_y": 0.0}).to_parquet(tmp_path / "m.pq")
    with pytest.raises(SessionFormatError, match="the table has no accelerometer column 'acc_z'"):
        read_session(tmp_path / "m.pq")
