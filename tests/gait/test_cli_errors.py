"""`gait` command line: help, and bad input -> one `error:` line, exit code 2, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gait.cli import app
from gait.io import write_session
from gait.types import SampleBlock, SessionMeta

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def assert_user_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]


@pytest.fixture
def good_csv(tmp_path: Path) -> Path:
    t = np.arange(300) / 100.0
    acc = np.tile([0.0, 0.0, 9.81], (300, 1))
    gyr = np.zeros((300, 3))
    return write_session(
        tmp_path / "still.csv",
        SampleBlock(t, acc, gyr, 100.0),
        SessionMeta(sampling_rate_hz=100.0, placement="left_ankle"),
    )


def test_help_lists_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "analyse" in result.stdout
    result = invoke("analyse", "--help")
    assert result.exit_code == 0
    for option in ("--format", "--out", "--placement", "--acc-unit", "--gyr-unit", "--mass-kg"):
        assert option in result.stdout


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    assert_user_error(invoke("analyse", str(missing)), str(missing), "no such file")


def test_bad_cell_names_file_line_and_column(good_csv: Path) -> None:
    lines = good_csv.read_text().splitlines()
    cells = lines[4].split(",")
    cells[2] = "abc"  # acc_y of the 4th data row, line 5 of the file
    lines[4] = ",".join(cells)
    good_csv.write_text("\n".join(lines) + "\n")
    result = invoke("analyse", "--format", "json", str(good_csv))
    assert_user_error(result, str(good_csv), "line 5", "acc_y")


def test_missing_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("t_s,acc_x,acc_y\n0,0,0\n0.01,0,0\n")
    assert_user_error(invoke("analyse", str(bad)), str(bad))


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "walk.labels.csv").write_text("t_start_s,t_end_s,direction,strike\n")
    assert_user_error(invoke("analyse", str(tmp_path)), str(tmp_path), "no session files")


def test_bad_mass(good_csv: Path) -> None:
    assert_user_error(invoke("analyse", "--mass-kg", "-3", str(good_csv)), "--mass-kg")


def test_bad_option_value_is_a_usage_error(good_csv: Path) -> None:
    result = invoke("analyse", "--format", "xml", str(good_csv))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_same_stem_twice_with_out(tmp_path: Path, good_csv: Path) -> None:
    other = tmp_path / "sub"
    other.mkdir()
    twin = other / good_csv.name
    twin.write_text(good_csv.read_text())
    result = invoke("analyse", "--out", str(tmp_path / "out"), str(good_csv), str(twin))
    assert_user_error(result, "still.gait-steps.csv")


def test_notes_go_to_stderr_and_quiet_hides_them(tmp_path: Path) -> None:
    t = np.arange(300) / 100.0
    bare = write_session(  # no sidecar: the reader notes the rate it assumed
        tmp_path / "bare.csv", SampleBlock(t, np.tile([0.0, 0.0, 9.81], (300, 1)), None, 100.0)
    )
    result = invoke("analyse", "--format", "json", str(bare))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("{")
    assert "note: " in result.stderr
    assert "warning: " in result.stderr and "placement unknown" in result.stderr
    quiet = invoke("analyse", "--format", "json", "--quiet", str(bare))
    assert "note: " not in quiet.stderr
    assert "placement unknown" in quiet.stderr  # warnings stay
    assert quiet.stdout == result.stdout


def test_a_still_sensor_has_no_steps(good_csv: Path) -> None:
    result = invoke("analyse", str(good_csv))
    assert result.exit_code == 0, result.stderr
    assert "no steps found" in result.stdout
    assert "cadence (steps/min)" in result.stdout


def test_a_bad_file_among_good_ones_is_named_and_the_others_analysed(
    tmp_path: Path, good_csv: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("t_s,acc_x,acc_y,acc_z\n0,0,0,9.8\n0,0,0,9.8\n")
    result = invoke("analyse", "--format", "json", str(bad), str(good_csv))
    assert result.exit_code == 2  # non-zero at the end
    assert "Traceback" not in result.output
    assert f"{bad}, line 3" in result.stderr
    assert "1 of 2 sessions could not be analysed" in result.stderr
    doc = json.loads(result.stdout)  # the good session is there, after the bad one
    assert [s["file"] for s in doc["sessions"]] == [str(good_csv)]


def test_find_sessions_walks_folders_and_skips_companions(tmp_path: Path) -> None:
    from gait.cli.analyse import find_sessions

    names = ("b.csv", "a.tsv", "sub/c.csv.gz", "sub/d.parquet", "sub/f.tsv.xz", "sub/g.tsv.bz2")
    for name in (*names, "e.labels.csv", "e.steps.csv"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "b.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "alias").symlink_to(tmp_path / "sub", target_is_directory=True)
    found = find_sessions([tmp_path, tmp_path / "b.csv"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.tsv",
        "b.csv",
        "sub/c.csv.gz",
        "sub/d.parquet",
        "sub/f.tsv.xz",
        "sub/g.tsv.bz2",
    ]


def test_out_below_a_file_is_a_user_error(tmp_path: Path, good_csv: Path) -> None:
    (tmp_path / "plain").write_text("")
    result = invoke("analyse", "--out", str(tmp_path / "plain" / "sub"), str(good_csv))
    assert_user_error(result, "--out", "cannot create the folder")


def test_unit_options_take_every_documented_spelling(tmp_path: Path) -> None:
    t = np.arange(300) / 100.0
    acc_mg = np.tile([0.0, 0.0, 1000.0], (300, 1))  # 1 g, in mg under canonical column names
    path = write_session(tmp_path / "mg.csv", SampleBlock(t, acc_mg, np.zeros((300, 3)), 100.0))
    refused = invoke("analyse", str(path))
    assert_user_error(refused, "--acc-unit mg")
    for spelling in ("mg", "MG"):
        result = invoke("analyse", "-q", "--acc-unit", spelling, "--gyr-unit", "deg/s", str(path))
        assert result.exit_code == 0, result.output
    bad = invoke("analyse", "--acc-unit", "furlong", str(path))
    assert bad.exit_code == 2 and bad.stdout == ""
    assert "--acc-unit" in bad.stderr and "'mg'" in bad.stderr


def test_a_folder_that_cannot_be_listed_stops_the_run(tmp_path: Path, good_csv: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    locked = tmp_path / "tree" / "locked"
    locked.mkdir(parents=True)
    shutil.copy(good_csv, tmp_path / "tree" / "a.csv")
    shutil.copy(good_csv, locked / "b.csv")
    locked.chmod(0)
    cmd = [sys.executable, "-c", "from gait.cli import main; main()", "analyse", "-q"]
    if os.geteuid() == 0:  # root lists any folder unless it drops that capability
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            locked.chmod(0o755)
            pytest.skip("running as root without setpriv: cannot make a folder unreadable")
        cmd = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *cmd]
    try:
        run = subprocess.run([*cmd, str(tmp_path / "tree")], capture_output=True, text=True)
    finally:
        locked.chmod(0o755)
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert f"{locked}: cannot list this folder" in run.stderr
    assert "Traceback" not in run.stderr
