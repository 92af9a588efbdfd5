"""A fresh install's first run says it is compiling (issue 22): numba compiles the step
detector's kernels when their cache is missing or older than their source, about 25 s of
silence otherwise. Later runs say nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gait.cli._common import KERNEL_MODULES, first_run_note

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "sample" / "demo.csv"
SOURCE = ROOT / "gait" / "_kernels" / "_steps.py"
NOTE = "compiling the step detector"


def test_no_cache_says_compiling(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    first_run_note()
    err = capsys.readouterr().err
    assert NOTE in err and "first run only" in err


def test_a_cache_older_than_the_source_says_compiling(tmp_path, monkeypatch, capsys) -> None:
    index = tmp_path / "gait" / "_kernels" / "_steps.detect-12.py311.nbi"
    index.parent.mkdir(parents=True)
    index.write_bytes(b"")
    old = SOURCE.stat().st_mtime - 3600
    os.utime(index, (old, old))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    first_run_note()
    assert NOTE in capsys.readouterr().err


def _fresh_indices(folder: Path) -> None:
    """A fresh cache index for every kernel module (newer than its source)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in KERNEL_MODULES:
        index = folder / f"{name}.kernel-12.py311.nbi"
        index.write_bytes(b"")
        new = (ROOT / "gait" / "_kernels" / f"{name}.py").stat().st_mtime + 1
        os.utime(index, (new, new))


def test_a_fresh_cache_is_silent(tmp_path, monkeypatch, capsys) -> None:
    _fresh_indices(tmp_path / "gait" / "_kernels")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    first_run_note()
    assert capsys.readouterr().err == ""


def test_another_kernel_out_of_date_says_compiling(tmp_path, monkeypatch, capsys) -> None:
    """An upgrade that changes another kernel than the step detector's (the stride kernel,
    a few seconds to compile) is announced too."""
    folder = tmp_path / "gait" / "_kernels"
    _fresh_indices(folder)
    (folder / "_strides.kernel-12.py311.nbi").unlink()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    first_run_note()
    err = capsys.readouterr().err
    assert "compiling the analysis kernels" in err and "first run only" in err


@pytest.mark.skipif(not DEMO.exists(), reason="the bundled demo session is missing")
def test_the_command_is_silent_once_compiled() -> None:
    """The real command: after one run (which compiles if needed) the next says nothing of
    compiling, even without --quiet, and its JSON is intact."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    cmd = [sys.executable, "-c", "from gait.cli import main; main()"]
    args = ["analyse", str(DEMO), "--format", "json"]
    subprocess.run(cmd + args, capture_output=True, text=True, env=env, check=True)
    done = subprocess.run(cmd + args, capture_output=True, text=True, env=env, check=True)
    assert NOTE not in done.stderr
    assert done.stdout.startswith('{"sessions": [')
