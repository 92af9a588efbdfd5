"""Live: `gait stream` warns once when the sensor sits at its range limit (real pseudo-terminal)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gait.io import read_session, write_session
from gait.types import SampleBlock

pytestmark = pytest.mark.timeout(90)

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "datasets" / "sample" / "demo.csv"
CLI = [sys.executable, "-c", "from gait.cli import main; main()"]


def test_stream_warns_about_a_clipped_gyroscope(tmp_path: Path) -> None:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is missing")
    sess = read_session(SAMPLE)
    s = sess.samples.slice(0, 3000)  # 30 s of walking, played at 30x
    assert s.gyr_dps is not None
    clipped = SampleBlock(s.t_s, s.acc_ms2, np.clip(s.gyr_dps, -250.0, 250.0), 100.0)
    path = write_session(tmp_path / "clipped.csv", clipped, sess.meta)
    emu = subprocess.Popen(
        [*CLI, "emulate", str(path), "--protocol", "csv", "--speed", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert emu.stdout is not None
    port = emu.stdout.readline().strip()
    assert port, emu.stderr.read() if emu.stderr else "no device path"
    try:
        done = subprocess.run(
            [*CLI, "stream", "--port", port, "--protocol", "csv", "--format", "jsonl",
             "--sampling-rate-hz", "100", "--reconnect-timeout", "1"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        emu.communicate(timeout=20)
    assert done.returncode == 0, done.stderr
    warnings = [ln for ln in done.stderr.splitlines() if "sat at its limit" in ln]
    assert len(warnings) == 1, done.stderr  # once, not per block
    assert port in warnings[0] and "gyroscope" in warnings[0] and "±250 deg/s" in warnings[0]
    assert done.stdout.strip()  # steps were still streamed
