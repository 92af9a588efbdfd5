"""User errors of `gait emulate` and `gait stream`: one clear line, exit code 2, no traceback,
nothing on stdout, and checked before a device is created or a port is opened.

Option checks run in-process (CliRunner, fast); the cases that need a live device run the real
commands in subprocesses through real pseudo-terminals, with short sessions played fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from firmware_bridge.testing import walking_session
from gait.cli import app
from gait.io import read_session, write_session

pytestmark = pytest.mark.timeout(60)

CLI = [sys.executable, "-c", "from gait.cli import main; main()"]
NO_PORT = "/dev/gait-no-such-port"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4 s walking session (400 samples at 100 Hz) with its sidecar."""
    sess = walking_session(4.0, sampling_rate_hz=100.0, seed=2)
    return write_session(tmp_path_factory.mktemp("emu") / "walk.csv", sess.samples, sess.meta)


def _run(*args: str) -> tuple[int, str, str]:
    """`gait ARGS` in-process: exit code, stdout, stderr."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _assert_user_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2, err
    assert out == ""  # a failed run prints nothing on stdout (no device path, no steps)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for needle in needles:
        assert needle in lines[0]


def _start_emulator(*args: str) -> tuple[subprocess.Popen[str], str]:
    emu = subprocess.Popen(
        [*CLI, "emulate", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert emu.stdout is not None
    path = emu.stdout.readline().strip()
    assert path, emu.stderr.read() if emu.stderr else "no device path"
    return emu, path


def _stream(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "stream", *args], capture_output=True, text=True, timeout=40)


def _stream_from_emulator(
    session: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], str]:
    """`gait stream --port DEV ARGS` against `gait emulate SESSION --speed 10`; (run, DEV)."""
    emu, path = _start_emulator(str(session), "--speed", "10")
    try:
        return _stream("--port", path, *args), path
    finally:
        try:
            emu.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            # a stream that stopped before it read anything (e.g. its recording could not be
            # written) leaves the emulator waiting for a reader: it is not what is tested here
            emu.kill()
            emu.communicate()


# -- options are checked first ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--speed", "nan"], ["--speed nan", "finite"]),
        (["--speed", "inf"], ["--speed inf", "finite"]),
        (["--wait", "none", "--speed", "0"], ["--wait none", "--speed > 0"]),
        (["--protocol", "csv", "--profile", "nosuch"], ["--profile", "'nosuch'", "expected one"]),
        (["--profile", "gait"], ["--profile gait", "--protocol csv only"]),
        (["--seed", "-1"], ["--seed -1", "non-negative"]),
        (["--protocol", "csv", "--samples-per-frame", "5"], ["--samples-per-frame 5", "gait only"]),
        (["--fault", "unplug=1:inf"], ["--fault", "finite device seconds"]),
    ],
)
def test_emulate_rejects_bad_options_before_creating_the_device(
    session: Path, args: list[str], needles: list[str]
) -> None:
    _assert_user_error(*_run("emulate", str(session), *args), *needles)


def test_emulate_link_below_a_file_or_missing_folder_is_a_clean_error(
    session: Path, tmp_path: Path
) -> None:
    a_file = tmp_path / "existing_file"
    a_file.touch()
    code, out, err = _run("emulate", str(session), "--link", str(a_file / "x"), "--wait", "none")
    _assert_user_error(code, out, err, f"--link {a_file / 'x'}", "is not a folder")
    missing = tmp_path / "nodir" / "x"
    code, out, err = _run("emulate", str(session), "--link", str(missing))
    _assert_user_error(code, out, err, f"--link {missing}", "does not exist")
    assert not (tmp_path / "nodir").exists()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--duration", "nan"], ["--duration nan", "finite"]),
        (["--duration", "inf"], ["--duration inf", "finite"]),
        (["--reconnect-timeout", "nan"], ["--reconnect-timeout nan", "finite"]),
        (["--sampling-rate-hz", "nan"], ["--sampling-rate-hz nan", "finite"]),
        (["--mass-kg", "nan"], ["--mass-kg nan", "finite"]),
        (["--baud", "0"], ["--baud 0", "positive"]),
        (["--protocol", "csv", "--profile", "nosuch"], ["--profile", "'nosuch'"]),
        (["--profile", "gait"], ["--profile gait", "--protocol csv only"]),
    ],
)
def test_stream_rejects_bad_options_before_opening_the_port(
    args: list[str], needles: list[str]
) -> None:
    # the port does not exist: an option error must come before any attempt to open it
    _assert_user_error(*_run("stream", "--port", NO_PORT, *args), *needles)


def test_stream_checks_the_record_path_before_connecting(tmp_path: Path) -> None:
    a_file = tmp_path / "existing_file"
    a_file.touch()
    below_file = a_file / "x.csv"
    code, out, err = _run("stream", "--port", NO_PORT, "--record", str(below_file))
    _assert_user_error(code, out, err, f"--record {below_file}", "is not a folder")
    missing = tmp_path / "nodir" / "x.csv"
    code, out, err = _run("stream", "--port", NO_PORT, "--record", str(missing))
    _assert_user_error(code, out, err, f"--record {missing}", "does not exist")


def test_stream_refuses_to_overwrite_a_recording_or_its_sidecar(tmp_path: Path) -> None:
    rec = tmp_path / "rec1.csv"
    rec.write_text("precious\n")
    code, out, err = _run("stream", "--port", NO_PORT, "--record", str(rec))
    _assert_user_error(code, out, err, f"{rec} already exists", "--overwrite")
    assert rec.read_text() == "precious\n"
    rec.unlink()
    side = tmp_path / "rec1.json"
    side.write_text("{}")
    code, out, err = _run("stream", "--port", NO_PORT, "--record", str(rec))
    _assert_user_error(code, out, err, f"{side} already exists")
    assert side.read_text() == "{}" and not rec.exists()
    # with --overwrite the record path is accepted: the next problem is the port
    code, out, err = _run("stream", "--port", NO_PORT, "--record", str(rec), "--overwrite")
    _assert_user_error(code, out, err, f"cannot open {NO_PORT}")


# -- live devices ---------------------------------------------------------------------------------


def test_emulate_wait_none_plays_without_a_reader_and_counts_the_lost_samples(
    session: Path,
) -> None:
    t0 = time.monotonic()
    done = subprocess.run(
        [*CLI, "emulate", str(session), "--wait", "none", "--speed", "10"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("/dev/pts/") and len(done.stdout.splitlines()) == 1
    assert "end of session" in done.stderr
    # nothing is lost silently: all 400 samples were due with nobody listening
    assert "400 samples" in done.stderr and "no reader had the port open" in done.stderr
    assert time.monotonic() - t0 < 20


def test_stream_overwrites_with_the_flag_and_reports_a_failing_recording(
    session: Path, tmp_path: Path
) -> None:
    rec = tmp_path / "rec.csv"
    rec.write_text("old\n")
    done, _ = _stream_from_emulator(
        session, "--format", "jsonl", "--reconnect-timeout", "0.5", "--record", str(rec),
        "--overwrite",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert read_session(rec).samples.n_samples == 400  # replaced, every sample recorded

    # a recording that cannot be written (the disk is full) ends the stream with one clear line
    full = tmp_path / "full.csv"
    full.symlink_to("/dev/full")
    done, _ = _stream_from_emulator(
        session, "--format", "jsonl", "--reconnect-timeout", "0.5", "--record", str(full),
        "--overwrite",
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: --record {full}: cannot write the recording: ")


def test_stream_with_the_wrong_protocol_fails_naming_it(session: Path) -> None:
    # the emulator speaks the gait protocol
    done, path = _stream_from_emulator(session, "--protocol", "csv", "--format", "jsonl")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: {path}: no samples decoded from ")
    assert "--protocol csv" in last and "CSV profile 'gait'" in last
    assert "Traceback" not in done.stderr


def test_stream_from_a_silent_device_fails() -> None:
    master, slave = os.openpty()  # a device that never sends
    try:
        done = _stream("--port", os.ttyname(slave), "--format", "jsonl", "--duration", "0.5")
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "no data received" in last and "--protocol gait expects" in last
