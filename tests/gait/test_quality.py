"""The range check (gait.quality): clipped sensors are found and reported, clean ones are not."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gait.cli import app
from gait.consts import GRAVITY_MS2
from gait.io import read_session, write_session
from gait.quality import (
    ACC_HARMLESS_RANGE_G,
    SATURATED_SHARE,
    RangeMeter,
    declared_ranges,
    range_use,
)
from gait.types import SampleBlock

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "datasets" / "sample" / "demo.csv"


@pytest.fixture(scope="module")
def demo() -> SampleBlock:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is missing")
    return read_session(SAMPLE).samples


def _clip(s: SampleBlock, gyr_dps: float = np.inf, acc_g: float = np.inf) -> SampleBlock:
    assert s.gyr_dps is not None
    acc = np.clip(s.acc_ms2, -acc_g * GRAVITY_MS2, acc_g * GRAVITY_MS2)
    return SampleBlock(s.t_s, acc, np.clip(s.gyr_dps, -gyr_dps, gyr_dps), s.sampling_rate_hz)


def _by_sensor(s: SampleBlock, device: dict | None = None) -> dict:
    return {u.sensor: u for u in range_use(s, device)}


def test_an_unclipped_recording_is_not_flagged(demo: SampleBlock) -> None:
    uses = _by_sensor(demo)
    assert set(uses) == {"accelerometer", "gyroscope"}
    assert not any(u.harmful for u in uses.values())
    assert uses["gyroscope"].share < SATURATED_SHARE


def test_a_gyroscope_clipped_at_250_dps_is_flagged_with_its_limit(demo: SampleBlock) -> None:
    assert demo.gyr_dps is not None
    clipped = np.abs(demo.gyr_dps) >= 250.0
    use = _by_sensor(_clip(demo, gyr_dps=250.0))["gyroscope"]
    assert use.harmful and not use.declared
    assert use.limit == pytest.approx(250.0)
    # every clipped sample is counted (rows with two clipped axes count once per axis)
    assert use.n_at_limit >= int(clipped.any(axis=1).sum())
    assert use.n_at_limit <= int(clipped.sum())
    assert "±250 deg/s" in use.message() and "2000 deg/s" in use.message()


def test_clipping_far_above_the_motion_changes_nothing(demo: SampleBlock) -> None:
    assert demo.gyr_dps is not None
    top = float(np.abs(demo.gyr_dps).max())
    assert not _by_sensor(_clip(demo, gyr_dps=top * 1.01))["gyroscope"].harmful


def test_each_axis_may_clip_at_its_own_value(demo: SampleBlock) -> None:
    """A sensor that subtracts calibration offsets clips each axis at a slightly other value."""
    assert demo.gyr_dps is not None
    offset = np.array([0.7, -1.3, 0.4])
    gyr = np.clip(demo.gyr_dps + offset, -250.0, 250.0) - offset
    s = SampleBlock(demo.t_s, demo.acc_ms2, gyr, demo.sampling_rate_hz)
    assert _by_sensor(s)["gyroscope"].harmful


def test_accelerometer_only_small_ranges_count(demo: SampleBlock) -> None:
    two_g = _by_sensor(_clip(demo, acc_g=2.0))["accelerometer"]
    assert two_g.harmful and two_g.limit == pytest.approx(2.0 * GRAVITY_MS2)
    assert "±2 g" in two_g.message()
    # an 8 g range that the impacts reach is clipped, but only at impacts: no warning
    top_g = float(np.abs(demo.acc_ms2).max()) / GRAVITY_MS2
    lim = min(ACC_HARMLESS_RANGE_G, 0.9 * top_g)
    if lim >= ACC_HARMLESS_RANGE_G:
        assert not _by_sensor(_clip(demo, acc_g=lim))["accelerometer"].harmful


def test_a_declared_range_is_used_and_read_from_either_place(demo: SampleBlock) -> None:
    assert declared_ranges({"acc_range_g": 4, "gyr_range_dps": 500}) == (
        pytest.approx(4 * GRAVITY_MS2),
        500.0,
    )
    assert declared_ranges({"info": {"acc_range_g": 16, "gyr_range_dps": 250}})[1] == 250.0
    assert declared_ranges({"acc_range_g": "16"}) == (None, None)  # not a number: ignored
    assert declared_ranges(None) == (None, None)
    # clipped one LSB below the declared range, as a 16-bit sensor does
    lsb = 250.0 / 32768
    assert demo.gyr_dps is not None
    gyr = np.clip(demo.gyr_dps, -250.0, 250.0 - lsb)
    s = SampleBlock(demo.t_s, demo.acc_ms2, gyr, demo.sampling_rate_hz)
    use = _by_sensor(s, {"gyr_range_dps": 250})["gyroscope"]
    assert use.harmful and use.declared and use.limit == 250.0


def test_accelerometer_only_recordings_have_one_meter(demo: SampleBlock) -> None:
    s = SampleBlock(demo.t_s, demo.acc_ms2, None, demo.sampling_rate_hz)
    assert [u.sensor for u in range_use(s)] == ["accelerometer"]


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=3000), min_size=0, max_size=8))
def test_the_count_does_not_depend_on_how_the_stream_is_cut(cuts: list[int]) -> None:
    rng = np.random.default_rng(4)
    x = np.clip(rng.normal(0, 200, size=(3000, 3)), -300, 300)
    x[:50] *= 0.1  # a quiet start: the first blocks' extremes are not the limit
    whole = RangeMeter("gyroscope", "deg/s")
    whole.update(x)
    parts = RangeMeter("gyroscope", "deg/s")
    edges = [0, *sorted(set(cuts)), len(x)]
    for a, b in itertools.pairwise(edges):
        parts.update(x[a:b])
    assert parts.result() == whole.result()
    assert whole.result().harmful and whole.result().limit == pytest.approx(300.0)


def test_analyse_warns_about_a_clipped_recording(demo: SampleBlock, tmp_path: Path) -> None:
    meta = read_session(SAMPLE).meta
    path = write_session(tmp_path / "clipped.csv", _clip(demo, gyr_dps=250.0), meta)
    result = CliRunner().invoke(app, ["analyse", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    warnings = [ln for ln in result.stderr.splitlines() if "sat at its limit" in ln]
    assert len(warnings) == 1 and "clipped.csv" in warnings[0] and "gyroscope" in warnings[0]
    assert json.loads(result.stdout)["sessions"][0]["steps"]  # the analysis still runs
    clean = CliRunner().invoke(app, ["analyse", str(SAMPLE), "--format", "json"])
    assert clean.exit_code == 0 and "sat at its limit" not in clean.stderr


def test_a_quantised_sensor_at_rest_is_not_clipped() -> None:
    """At the start of a stream a sensor at rest repeats its few quantised values."""
    rng = np.random.default_rng(1)
    n = 200
    lsb = 1 / 16.4  # deg/s per LSB at ±2000 deg/s
    gyr = np.round(rng.normal(0.0, 0.3, (n, 3)) / lsb) * lsb
    acc = np.round((np.array([0.0, 0.0, GRAVITY_MS2]) + rng.normal(0, 0.02, (n, 3))) * 208) / 208
    s = SampleBlock(np.arange(n) / 100.0, acc, gyr, 100.0)
    assert not any(u.harmful for u in range_use(s))
