"""HTML reports (gait.report): self-contained files whose figures show what the analysis found,
rendered by a real headless Chromium and checked on the screenshot's pixels.

Data: the bundled demo session (datasets/sample), analysed by the real detector. Direction,
strike, speed and energy are filled into copies of its step records to check that the report
shows them when present and says "not available" when not. The browser test skips when no
Chromium binary is installed (CI installs it: .ci/run).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gait
from gait.cohort import cohort_table, make_jobs, run_cohort
from gait.datasets import sample_dir
from gait.report import _figures as F
from gait.report import session_report, write_atomic, write_cohort_report, write_session_report
from gait.report._html import SUMMARY_ROWS

pytest.importorskip("matplotlib", reason="reports need matplotlib")
DEMO = sample_dir() / "demo.csv"
CHROMIUM = next(
    (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
)


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)


def _count_colour(rgb: np.ndarray, hex_colour: str, tol: int = 3) -> int:
    """Pixels of ``rgb`` (H×W×3, 0-255) within ``tol`` of ``hex_colour`` on every channel."""
    return int(np.all(np.abs(rgb.astype(np.int16) - _rgb(hex_colour)) <= tol, axis=-1).sum())


def _pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3]


@pytest.fixture(scope="module")
def demo() -> gait.Analysis:
    if not DEMO.is_file():
        pytest.skip(f"the bundled demo session {DEMO} is missing")
    return gait.analyse(DEMO, energy=False)  # later-stage fields empty (no energy stage)


@pytest.fixture(scope="module")
def labelled(demo: gait.Analysis) -> gait.Analysis:
    """The demo's analysis with every later-stage field filled (as a classifier/energy stage
    would), alternating values so that every category shows."""
    records = []
    for i, r in enumerate(demo.records):
        records.append(
            r
            | {
                "direction": ("forward", "backward")[i // 40 % 2],
                "direction_p": 0.9,
                "strike": ("heel", "midfoot", "forefoot")[i // 30 % 3],
                "strike_p": 0.8,
                "speed_m_s": 1.0 + 0.2 * np.sin(i / 10),
                "kcal": 0.05,
            }
        )
    summary = dataclasses.replace(
        demo.summary, backward_share=0.4, mean_speed_m_s=1.0, kcal_gross=9.3, distance_m=95.0
    )
    return dataclasses.replace(demo, records=records, summary=summary)


def test_session_report_is_one_self_contained_file(demo: gait.Analysis, tmp_path: Path) -> None:
    path = write_session_report(demo, tmp_path / "demo.gait-report.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # nothing fetched: no external scripts, styles or images
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "<script" not in text
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == 4  # signal, cadence/speed, direction/strike, energy
    for section in ("Summary", "Signal and contacts", "Cadence and speed", "Walking bouts",
                    "Direction and foot strike", "Energy"):  # fmt: skip
        assert section in text
    # every bout of the summary is a row of the bouts table
    assert f"Walking bouts ({demo.summary.n_bouts})" in text
    # the sidecar's start time gives clock times
    assert "2026-01-01 09:00:00" in text
    # fields that no stage filled are said to be missing, not shown as 0
    summary = demo.summary.to_dict()
    missing = [k for k, _, _ in SUMMARY_ROWS if k in summary and summary[k] is None]
    assert text.count('<span class="na">not available</span>') == len(missing)


def test_report_shows_later_stage_fields_when_present(
    demo: gait.Analysis, labelled: gait.Analysis
) -> None:
    empty, full = session_report(demo), session_report(labelled)
    assert full.count("not available") < empty.count("not available")
    assert "0.40" in full  # backward share in the summary table


def test_timeline_draws_each_category_in_its_colour() -> None:
    t = np.arange(20.0)
    direction = ["forward"] * 10 + ["backward"] * 10
    strike = ["heel"] * 5 + ["midfoot"] * 5 + [None] * 10
    px = _pixels(F.timeline_figure(t, direction, strike, (0.0, 20.0), "t"))
    for cat in ("forward", "backward", "heel", "midfoot"):
        assert _count_colour(px, F.CATEGORY_COLOURS[cat]) > 20, cat
    assert _count_colour(px, F.CATEGORY_COLOURS["forefoot"]) == 0
    none = _pixels(F.timeline_figure(t, [None] * 20, [None] * 20, (0.0, 20.0), "t"))
    for cat in ("forward", "backward", "heel"):
        assert _count_colour(none, F.CATEGORY_COLOURS[cat]) == 0


def test_envelope_keeps_the_extremes_of_a_long_signal() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=100_003)
    t = np.arange(y.size) / 100.0
    tb, lo, hi = F.envelope(t, y, max_points=1000)
    assert tb.size <= 1000 and lo.size == hi.size == tb.size
    assert np.all(lo <= hi)
    per = int(np.ceil(y.size / 1000))
    assert hi.max() == y[: tb.size * per].max() and lo.min() == y[: tb.size * per].min()
    _, y2, none = F.envelope(t[:500], y[:500])
    assert none is None and np.array_equal(y2, y[:500])


def test_write_atomic_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    write_atomic(target, "old")

    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory: pytest.TempPathFactory, demo: gait.Analysis) -> Path:
    """Three copies of the demo session and one broken file, analysed with reports."""
    folder = tmp_path_factory.mktemp("cohort-in")
    out = tmp_path_factory.mktemp("cohort-out")
    for name in ("a", "b", "c"):
        for f in DEMO.parent.glob("demo.*"):
            if f.name in ("demo.csv", "demo.json"):
                shutil.copy(f, folder / f.name.replace("demo", name))
    (folder / "broken.csv").write_text("t_s,acc_x,acc_y,acc_z\n0,1,2\n")
    files = sorted(folder.glob("*.csv"))
    run = run_cohort(make_jobs(files, out, report=True))
    write_cohort_report(run.table(), out / "cohort-report.html")
    return out


def test_cohort_report_lists_every_session_and_links_its_report(cohort_dir: Path) -> None:
    text = (cohort_dir / "cohort-report.html").read_text(encoding="utf-8")
    assert "4 session(s): 3 analysed, 1 failed" in text
    for name in ("a", "b", "c"):
        assert f'href="{name}.gait-report.html"' in text
        assert (cohort_dir / f"{name}.gait-report.html").is_file()
    assert "broken.csv" in text and 'class="error"' in text


def _screenshot(html: Path, tmp_path: Path, height: int = 3000) -> np.ndarray:
    from matplotlib.image import imread

    shot = tmp_path / f"{html.stem}.png"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}", f"--window-size=1200,{height}", html.resolve().as_uri(),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert shot.is_file(), f"chromium wrote no screenshot: {done.stderr[-1500:]}"
    rgb = imread(shot)[..., :3]
    return np.rint(rgb * 255).astype(np.uint8) if rgb.dtype != np.uint8 else rgb


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)")
def test_reports_render_in_a_real_browser(
    labelled: gait.Analysis, cohort_dir: Path, tmp_path: Path
) -> None:
    session_html = write_session_report(labelled, tmp_path / "demo.gait-report.html")
    px = _screenshot(session_html, tmp_path)
    assert px.shape[:2] == (3000, 1200)
    white = np.all(px >= 250, axis=-1)
    assert 0.03 < 1 - white.mean() < 0.9, "the page is blank (or all ink)"
    colours = np.unique(px.reshape(-1, 3)[~white.ravel()], axis=0)
    assert len(colours) > 100, "no anti-aliased figures drawn"
    # the figures are drawn: the signal, the contacts, the categories and the energy curve
    for colour in (F.SIGNAL_COLOUR, F.OWN_FOOT_COLOUR, F.CATEGORY_COLOURS["backward"],
                   F.CATEGORY_COLOURS["forefoot"]):  # fmt: skip
        assert _count_colour(px, colour) > 50, colour
    # the signal figure is near the top (below the summary), the energy at the bottom
    rows = np.flatnonzero(np.all(np.abs(px.astype(int) - _rgb(F.SIGNAL_COLOUR)) <= 3, -1).any(1))
    assert rows.min() < 1500

    cohort_px = _screenshot(cohort_dir / "cohort-report.html", tmp_path, height=2000)
    assert _count_colour(cohort_px, F.SIGNAL_COLOUR) > 2000  # histogram bars
    # the error of the broken session is printed in the error colour (#b00020)
    assert _count_colour(cohort_px, "#b00020", tol=40) > 20


def test_cohort_table_keeps_types_for_parquet(tmp_path: Path) -> None:
    rows = [
        {"file": "x.csv", "stem": "x", "status": "error", "error": "bad"},
        {"file": "y.csv", "stem": "y", "status": "ok", "n_steps": 12, "cadence_spm": 110.5},
    ]
    cohort_table(rows).to_parquet(tmp_path / "t.parquet")
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert pd.isna(back["n_steps"].iloc[0]) and back["n_steps"].iloc[1] == 12
    assert back["cadence_spm"].dtype == np.float64
    assert back["error"].iloc[0] == "bad" and pd.isna(back["error"].iloc[1])
