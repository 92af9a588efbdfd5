"""Every examples/*.py runs to the end (in a subprocess, writing into a temp folder).

A script whose name ends in ``_no_exec.py`` is not run (e.g. it needs a real sensor). Checks
specific to one example are in ``EXPECTED`` (text its stdout must contain, files it must write)
and ``CHECKS`` (a function given its stdout).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.py") if not p.stem.endswith("_no_exec"))

#: example file name -> (strings the stdout must contain, glob patterns of files it must write)
EXPECTED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "01_analyse_session.py": (
        ("summary", "cadence_spm", "n_steps", "t_s", "foot", "plot:"),
        ("*_contacts.png",),
    ),
}


def check_01(stdout: str) -> None:
    """The sample is a walk: many steps, a plausible cadence, summary agreeing with the table."""
    line = next(x for x in stdout.splitlines() if x.startswith("steps: "))
    n_steps = int(line.split()[1])
    assert n_steps > 10
    summary = {
        parts[0]: parts[1]
        for parts in (x.split() for x in stdout.splitlines() if x.startswith("  "))
        if len(parts) == 2
    }
    assert int(summary["n_steps"]) == n_steps
    assert 40 < float(summary["cadence_spm"]) < 200


#: example file name -> a function that checks its stdout further
CHECKS = {"01_analyse_session.py": check_01}


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    needles, patterns = EXPECTED.get(script.name, ((), ()))
    for needle in needles:
        assert needle in proc.stdout, f"{needle!r} missing from the output of {script.name}"
    for pattern in patterns:
        written = list(tmp_path.glob(pattern))
        assert written, f"{script.name} wrote no {pattern} into {tmp_path}"
        assert all(f.stat().st_size > 1000 for f in written)
    if script.name in CHECKS:
        CHECKS[script.name](proc.stdout)
