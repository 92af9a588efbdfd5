"""Training progress across sessions (issue 21): weekly volume, backward share, the 10 % rule,
the next step in plain words, and the ``gait progress`` command."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gait.cli import app
from gait.energy._progress import (
    NOT_MEDICAL,
    SessionVolume,
    next_step,
    weekly_progress,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "sample" / "demo.csv"


def vol(day: str, fwd_min: float, back_min: float, bouts_min=()) -> SessionVolume:
    when = dt.datetime.fromisoformat(day + "T09:00:00+00:00")
    return SessionVolume(
        f"{day}.csv",
        when,
        "start_time_utc",
        60 * fwd_min,
        60 * back_min,
        tuple(60 * b for b in bouts_min),
    )


def test_weeks_volume_share_and_the_10_percent_rule() -> None:
    sessions = [
        vol("2026-03-02", 50, 5, [1.5]),  # ISO week 10 (Monday)
        vol("2026-03-05", 40, 5, [2.0]),  # week 10
        vol("2026-03-09", 100, 10),  # week 11: 110 min = +10 % (within)
        vol("2026-03-16", 110, 20),  # week 12: 130 min = +18 % (not within)
        vol("2026-03-30", 100, 30),  # week 14: no week 13 before it
    ]
    weeks = weekly_progress(sessions)
    assert [w.week for w in weeks] == ["2026-W10", "2026-W11", "2026-W12", "2026-W14"]
    w10, w11, w12, w14 = weeks
    assert w10.n_sessions == 2 and w10.walking_min == pytest.approx(100)
    assert w10.backward_share == pytest.approx(0.10)
    assert w10.longest_backward_bout_min == pytest.approx(2.0)
    assert w10.change is None and w10.within_10_percent is None
    assert w11.change == pytest.approx(0.10) and w11.within_10_percent is True
    assert w12.change == pytest.approx(130 / 110 - 1) and w12.within_10_percent is False
    assert w14.change is None  # the week before had no sessions


def test_weeks_across_a_year_end() -> None:
    weeks = weekly_progress([vol("2025-12-29", 30, 0), vol("2026-01-05", 33, 0)])
    assert [w.week for w in weeks] == ["2026-W01", "2026-W02"]
    weeks = weekly_progress([vol("2020-12-31", 30, 0), vol("2021-01-04", 40, 0)])
    assert [w.week for w in weeks] == ["2020-W53", "2021-W01"]
    assert weeks[1].within_10_percent is False


def test_next_step_in_plain_words() -> None:
    start = next_step(weekly_progress([vol("2026-03-02", 100, 0)]))
    assert start[0].startswith("Start:") and "1-2 minutes" in start[0] and "5-10 %" in start[0]
    assert start[-1] == NOT_MEDICAL
    mid = next_step(weekly_progress([vol("2026-03-02", 80, 20, [0.5])]))
    assert mid[0].startswith("Next:") and "25 %" in mid[0] and "40 %" in mid[0]
    assert any("longer" in line for line in mid)
    done = next_step(weekly_progress([vol("2026-03-02", 60, 40, [3.0])]))
    assert "keep it" in done[0]
    too_fast = next_step(weekly_progress([vol("2026-03-02", 50, 5), vol("2026-03-09", 80, 10)]))
    assert "more than 10 %" in too_fast[0]
    assert any("at or below 99 minutes" in line for line in too_fast)
    for lines in (start, mid, done, too_fast):
        assert not any(w in " ".join(lines).lower() for w in ("cure", "treat", "heal", "diagnos"))


def test_gait_progress_command(tmp_path: Path) -> None:
    for day in ("01", "09"):
        shutil.copy(DEMO, tmp_path / f"s{day}.csv")
        meta = json.loads(DEMO.with_suffix(".json").read_text())
        meta["start_time_utc"] = f"2026-03-{day}T08:00:00Z"
        (tmp_path / f"s{day}.json").write_text(json.dumps(meta))
    shutil.copy(DEMO, tmp_path / "nodate.csv")  # no sidecar: the file time is used
    plot = tmp_path / "weeks.png"
    result = CliRunner().invoke(
        app, ["progress", str(tmp_path), "--format", "json", "--plot", str(plot)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {s["time_source"] for s in doc["sessions"]} == {"start_time_utc", "file time"}
    assert [w["week"] for w in doc["weeks"]][:2] == ["2026-W09", "2026-W11"]
    assert doc["next_step"][-1] == NOT_MEDICAL
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "file modification time" in result.stderr
    again = CliRunner().invoke(app, ["progress", str(tmp_path / "s01.csv"), "--plot", str(plot)])
    assert again.exit_code == 2 and "--overwrite" in again.stderr  # the plot is kept
