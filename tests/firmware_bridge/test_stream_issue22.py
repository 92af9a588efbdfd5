"""Issue 22 on the live side: what `gait stream --record` writes `gait analyse` reads, rates
outside the detector's range, and a faulty stream's gaps summarised.

A real emulator on a pseudo-terminal plays samples (in this process, so the samples can carry
device-clock jitter a session file could not hold); `gait stream` runs in a subprocess, as for
a user, and `gait analyse` reads its recording.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from firmware_bridge.testing import running_emulator
from gait.io import read_session, read_sidecar
from gait.types import SampleBlock

pytestmark = pytest.mark.timeout(120)

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "datasets" / "sample" / "demo.csv"
CLI = [sys.executable, "-c", "from gait.cli import main; main()"]
STREAM_ARGS = ("--format", "jsonl", "--reconnect-timeout", "0")


@pytest.fixture(scope="module")
def walk() -> SampleBlock:
    if not DEMO.exists():
        pytest.skip(f"{DEMO} is missing")
    return read_session(DEMO).samples.slice(0, 2000)  # 20 s of walking at 100 Hz


def _stream(block: SampleBlock, *args: str) -> subprocess.CompletedProcess[str]:
    """Play ``block`` as CSV lines on a pty and run `gait stream` on it until it ends."""
    with running_emulator(block, protocol="csv", speed=20) as emu:
        proc = subprocess.Popen(
            [*CLI, "stream", "--port", emu.device_path, "--protocol", "csv", *STREAM_ARGS, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        # until the whole session is played, or the stream stopped (then nobody reads on)
        while not emu.wait_done(0.2) and proc.poll() is None:
            assert time.monotonic() < deadline
        time.sleep(0.3)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _analyse(path: Path) -> tuple[list[dict[str, Any]], str]:
    done = subprocess.run(
        [*CLI, "analyse", "-f", "json", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["sessions"][0]["steps"], done.stderr


def _summary(stderr: str) -> dict[str, Any]:
    (line,) = [ln for ln in stderr.splitlines() if ln.startswith("gait stream: summary ")]
    return json.loads(line.removeprefix("gait stream: summary "))


def test_a_jittery_device_clock_is_recorded_readable(walk: SampleBlock, tmp_path: Path) -> None:
    t = walk.t_s.copy()
    idx = 20 + 45 * np.arange(40)  # apart, so that each is one adjusted time
    t[idx[:20]] = t[idx[:20] - 1]  # repeated times
    t[idx[20:]] = t[idx[20:] - 1] - 0.002  # 2 ms backwards
    record = tmp_path / "rec.csv"
    done = _stream(SampleBlock(t, walk.acc_ms2, walk.gyr_dps, 100.0), "--record", str(record))
    assert done.returncode == 0, done.stderr
    assert "40 device time(s) did not increase" in done.stderr
    live = [json.loads(line) for line in done.stdout.splitlines()]
    offline, notes = _analyse(record)  # before the fix: "time repeats" and exit 2
    assert "40 time(s) were adjusted while recording" in notes
    assert len(live) == len(offline) > 10
    np.testing.assert_allclose(
        [s["t_s"] for s in live], [s["t_s"] for s in offline], rtol=0, atol=2e-6
    )
    assert read_sidecar(record.with_suffix(".json")).device["t_s_adjusted"]["n_samples"] == 40


def test_a_25_hz_sensor_is_resampled_live_as_offline(walk: SampleBlock, tmp_path: Path) -> None:
    slow = walk.slice(0, walk.n_samples)
    keep = np.arange(0, slow.n_samples, 4)
    block = SampleBlock(slow.t_s[keep], slow.acc_ms2[keep], slow.gyr_dps[keep], 25.0)
    record = tmp_path / "rec25.csv"
    done = _stream(block, "--record", str(record))
    assert done.returncode == 0, done.stderr
    assert "note: sampling rate 25 Hz" in done.stderr and "resampled to 100 Hz" in done.stderr
    live = [json.loads(line) for line in done.stdout.splitlines()]
    offline, notes = _analyse(record)
    assert "resampled to 100 Hz" in notes
    assert len(live) == len(offline) > 10
    np.testing.assert_allclose(
        [s["t_s"] for s in live], [s["t_s"] for s in offline], rtol=0, atol=1e-5
    )


def test_a_10_hz_sensor_is_one_error_line(walk: SampleBlock) -> None:
    keep = np.arange(0, walk.n_samples, 10)
    block = SampleBlock(walk.t_s[keep], walk.acc_ms2[keep], walk.gyr_dps[keep], 10.0)
    done = _stream(block)
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr
    (line,) = [ln for ln in done.stderr.splitlines() if ln.startswith("error:")]
    assert "10 Hz is too low" in line


def test_many_gaps_are_summarised_and_counted_once(walk: SampleBlock) -> None:
    keep = np.flatnonzero(np.arange(walk.n_samples) % 20 != 10)  # a sample lost every 0.2 s
    block = SampleBlock(walk.t_s[keep], walk.acc_ms2[keep], walk.gyr_dps[keep], 100.0)
    done = _stream(block)
    assert done.returncode == 0, done.stderr
    gap_lines = [ln for ln in done.stderr.splitlines() if ln.startswith("gait stream: gap")]
    assert len(gap_lines) <= 8  # five single lines and a few summaries, not a hundred
    assert any(re.search(r"gaps: \d+ more", ln) for ln in gap_lines)
    counts = re.search(r"(\d+) gaps \((\d+) samples lost\)", done.stderr)
    assert counts is not None
    summary = _summary(done.stderr)
    assert summary["n_gaps"] == int(counts.group(1)) == 100
    assert summary["samples_lost"] == int(counts.group(2)) == 100
