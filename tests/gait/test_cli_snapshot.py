"""Regression snapshot: `gait analyse datasets/sample --format json` against a stored copy.

The stored JSON is tests/snapshots/sample_analyse.json. Floats are compared with a tolerance
(relative 1e-6, absolute 1e-6), everything else exactly. After an intended change (a better
detector, a new summary field), refresh it and review the diff before committing:

    GAIT_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/gait/test_cli_snapshot.py
    git diff tests/snapshots/
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gait.cli import app

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "datasets" / "sample"
SNAPSHOT = REPO / "tests" / "snapshots" / "sample_analyse.json"
UPDATE = os.environ.get("GAIT_UPDATE_SNAPSHOTS") == "1"
REL_TOL = ABS_TOL = 1e-6


def differences(expected: Any, got: Any, where: str = "$") -> list[str]:
    """Where ``got`` differs from ``expected`` (floats within tolerance count as equal)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        out = [f"{where}: keys {sorted(set(expected) ^ set(got))} differ"] * (
            set(expected) != set(got)
        )
        for key in expected.keys() & got.keys():
            out += differences(expected[key], got[key], f"{where}.{key}")
        return out
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return [f"{where}: {len(got)} items, expected {len(expected)}"]
        return [
            d
            for i, (e, g) in enumerate(zip(expected, got, strict=True))
            for d in differences(e, g, f"{where}[{i}]")
        ]
    number = (int, float)
    if (
        isinstance(expected, number)
        and isinstance(got, number)
        and not isinstance(expected, bool)
        and not isinstance(got, bool)
        and (isinstance(expected, float) or isinstance(got, float))
    ):
        if math.isclose(expected, got, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return []
        return [f"{where}: {got!r}, expected {expected!r}"]
    return (
        []
        if expected == got and type(expected) is type(got)
        else [f"{where}: {got!r}, expected {expected!r}"]
    )


def test_differences_tolerates_float_noise_only() -> None:
    base = {"a": [1.0, 2, "x", None, True], "b": {"c": 0.5}}
    assert differences(base, {"a": [1.0 + 1e-9, 2, "x", None, True], "b": {"c": 0.5}}) == []
    assert differences(base, {"a": [1.1, 2, "x", None, True], "b": {"c": 0.5}}) == [
        "$.a[0]: 1.1, expected 1.0"
    ]
    assert differences(base, {"a": [1.0, 2, "x", None], "b": {"c": 0.5}})
    assert differences(base, {"a": [1.0, 2, "x", None, 1], "b": {"c": 0.5}})
    assert differences(base, {"a": [1.0, 2, "x", None, True], "b": {}})


def _sample_json(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(REPO)  # file names in the JSON are relative: datasets/sample/...
    result = CliRunner().invoke(app, ["analyse", "--format", "json", "datasets/sample"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(not SAMPLE.is_dir(), reason=f"bundled sample {SAMPLE} not present")
def test_sample_json_matches_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    got = _sample_json(monkeypatch)
    if UPDATE:
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(json.dumps(got, indent=1) + "\n")
        pytest.skip(f"snapshot written to {SNAPSHOT}; review `git diff` and commit it")
    assert SNAPSHOT.exists(), (
        f"no snapshot {SNAPSHOT}; create it with GAIT_UPDATE_SNAPSHOTS=1 (see module docstring)"
    )
    expected = json.loads(SNAPSHOT.read_text())
    diffs = differences(expected, got)
    assert not diffs, (
        f"{len(diffs)} difference(s) from {SNAPSHOT.name} (refresh with GAIT_UPDATE_SNAPSHOTS=1 "
        "if intended):\n" + "\n".join(diffs[:20])
    )
