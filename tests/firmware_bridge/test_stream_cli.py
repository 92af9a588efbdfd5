"""End to end through real pseudo-terminals: `gait emulate` | `gait stream` vs `gait analyse`.

Each test runs the real commands in subprocesses (the emulator and the stream are separate
processes, as for a user). Sessions are played at 30x to keep the tests short.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from firmware_bridge.testing import wire_roundtrip
from gait.cli import app
from gait.io import read_session, write_session

pytestmark = pytest.mark.timeout(90)

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "datasets" / "sample" / "demo.csv"
CLI = [sys.executable, "-c", "from gait.cli import main; main()"]
SPEED = "30"
SECONDS = 40.0  # of the sample session (56 steps)


def _session_file(tmp_path: Path, protocol: str) -> Path:
    """The first SECONDS of the sample as the protocol delivers it (quantised by the wire)."""
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is missing")
    sess = read_session(SAMPLE)
    n = round(SECONDS * sess.samples.sampling_rate_hz)
    block = wire_roundtrip(sess.samples.slice(0, n), protocol)
    return write_session(tmp_path / f"walk_{protocol}.csv", block, sess.meta)


def _start_emulator(*args: str) -> tuple[subprocess.Popen[str], str]:
    emu = subprocess.Popen(
        [*CLI, "emulate", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert emu.stdout is not None
    path = emu.stdout.readline().strip()  # the device path is the first line
    assert path, emu.stderr.read() if emu.stderr else "no device path"
    return emu, path


def _stream(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "stream", *args], capture_output=True, text=True, timeout=timeout)


def _analyse(path: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["analyse", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    return doc["sessions"][0]["steps"]


def _jsonl(done: subprocess.CompletedProcess[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Steps from stdout (one JSON object per step, nothing else) and the summary from stderr."""
    steps = [json.loads(line) for line in done.stdout.splitlines()]
    assert steps and all("t_s" in s and "summary" not in s for s in steps)
    marker = "gait stream: summary "
    summaries = [ln[len(marker) :] for ln in done.stderr.splitlines() if ln.startswith(marker)]
    assert len(summaries) == 1, done.stderr
    return steps, json.loads(summaries[0])


def _assert_same_steps(live: list[dict[str, Any]], offline: list[dict[str, Any]]) -> None:
    assert len(live) == len(offline) > 10
    np.testing.assert_allclose(
        [s["t_s"] for s in live], [s["t_s"] for s in offline], rtol=0, atol=1e-6
    )
    for a, b in zip(live, offline, strict=True):
        assert set(a) == set(b)
        for key, value in b.items():
            if isinstance(value, float):
                # each side rounds its own float (to 1e-6 or 12 digits): 2 units of 1e-6 apart
                assert a[key] == pytest.approx(value, abs=2e-6), key
            else:
                assert a[key] == value, key


@pytest.mark.parametrize("protocol", ["gait", "csv", "witmotion"])
def test_stream_of_an_emulated_session_equals_its_analysis(tmp_path: Path, protocol: str) -> None:
    session = _session_file(tmp_path, protocol)
    record = tmp_path / "live.csv"
    emu, path = _start_emulator(str(session), "--protocol", protocol, "--speed", SPEED)
    try:
        done = _stream(
            "--port", path, "--protocol", protocol, "--format", "jsonl",
            "--sampling-rate-hz", "100", "--placement", "right_ankle", "--mass-kg", "72",
            "--reconnect-timeout", "1", "--record", str(record),
        )  # fmt: skip
    finally:
        _, emu_err = emu.communicate(timeout=20)
    assert done.returncode == 0, done.stderr
    assert emu.returncode == 0, emu_err
    live, summary = _jsonl(done)
    offline = _analyse(session)
    _assert_same_steps(live, offline)
    assert summary["n_steps"] == len(offline) and summary["n_gaps"] == 0
    # the recording, analysed afterwards, gives the steps that were shown live
    _assert_same_steps(_analyse(record), live)
    assert "device disconnected (pseudo-terminal closed)" in done.stderr


def test_stream_survives_corruption_drops_and_an_unplug(tmp_path: Path) -> None:
    session = _session_file(tmp_path, "gait")
    link = tmp_path / "sensor"
    emu, path = _start_emulator(
        str(session), "--speed", SPEED, "--link", str(link), "--seed", "3",
        "--fault", "corrupt=0.0001,drop=0.0001,unplug=20:22",
    )  # fmt: skip
    assert path == str(link)
    try:
        done = _stream("--port", path, "--format", "jsonl", "--reconnect-timeout", "1")
    finally:
        emu.communicate(timeout=20)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    live, summary = _jsonl(done)
    # the unplug: from the last sample before 20 s (19.99 unless that frame was damaged) to 22 s
    outage = re.findall(r"gap: (\d+\.\d+)–22\.000 s device time", done.stderr)
    assert len(outage) == 1 and 19.8 < float(outage[0]) <= 19.99
    assert "reconnected" in done.stderr
    assert summary["n_gaps"] >= 1 and summary["samples_lost"] >= 200
    t_live = np.array([s["t_s"] for s in live])
    assert np.all(np.diff(t_live) > 0)
    assert t_live.max() > 30  # the stream went on after the unplug
    # away from the faults the steps are those of the clean file
    t_off = np.array([s["t_s"] for s in _analyse(session)])
    t_off = t_off[(t_off < 19) | (t_off > 24)]
    matched = np.min(np.abs(t_off[:, None] - t_live[None, :]), axis=1) < 0.02
    assert matched.mean() > 0.75


def test_live_view_duration_and_emulator_loop_stop_cleanly(tmp_path: Path) -> None:
    session = _session_file(tmp_path, "gait")
    link = tmp_path / "sensor"
    emu, path = _start_emulator(str(session), "--speed", "10", "--loop", "--link", str(link))
    try:
        done = _stream("--port", path, "--duration", "2")
    finally:
        emu.send_signal(signal.SIGTERM)
        _, emu_err = emu.communicate(timeout=20)
    assert done.returncode == 0, done.stderr
    assert "summary" in done.stdout and "n_samples" in done.stdout
    assert "duration of 2 s reached" in done.stderr
    assert emu.returncode == 0 and "stopped" in emu_err
    assert not os.path.lexists(link)


def test_bad_port_is_one_clear_error_line() -> None:
    done = _stream("--port", "/dev/gait-no-such-port", "--format", "jsonl", timeout=30)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("error: cannot open /dev/gait-no-such-port: ")
    assert "Traceback" not in done.stderr


def test_emulate_rejects_a_bad_fault_spec(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["emulate", str(SAMPLE), "--fault", "unplug=9:3"])
    assert result.exit_code == 2
    assert "T1 < T2" in result.output
