"""The IPOL healthy-gait loader: gap filling, annotations and units on the real data.

The real-data tests skip when ../shared/datasets/ipol_healthy (or $GAIT_IPOL_DIR) is absent; the
synthetic-file tests always run.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gait.datasets import IpolFoot, find_ipol_dir, list_ipol_trials, load_ipol_foot, sample_dir
from gait.errors import SessionFormatError

IPOL_DIR = find_ipol_dir()
needs_data = pytest.mark.skipif(
    IPOL_DIR is None,
    reason="IPOL data not found: set GAIT_IPOL_DIR or put it in ../shared/datasets/ipol_healthy",
)
HEADER = "PacketCounter\tAcc_X\tAcc_Y\tAcc_Z\tGyr_X\tGyr_Y\tGyr_Z\tMag_X\tMag_Y\tMag_Z"


@pytest.fixture(scope="module")
def all_feet() -> list[IpolFoot]:
    assert IPOL_DIR is not None
    return [
        load_ipol_foot(IPOL_DIR, code, foot)
        for code in list_ipol_trials(IPOL_DIR)
        for foot in ("left", "right")
    ]


def raw_counter_and_gyro(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """PacketCounter and Gyr_* straight from the text file, read independently of the loader."""
    data = np.loadtxt(path, skiprows=2, delimiter="\t")
    return data[:, 0].astype(np.int64), data[:, 4:7]


@needs_data
def test_every_foot_file_loads(all_feet: list[IpolFoot]) -> None:
    assert len(all_feet) == 220  # 110 trials x 2 feet (SOURCE.md)
    assert len({f.subject_id for f in all_feet}) == 19
    assert sum(len(f.swings_idx) for f in all_feet) == 3866
    for foot in all_feet:
        samples = foot.session.samples
        assert samples.sampling_rate_hz == 100.0
        assert samples.t_s[0] == 0.0
        np.testing.assert_allclose(np.diff(samples.t_s), 0.01, atol=1e-9)
        assert samples.gyr_dps is not None
        assert np.isfinite(samples.acc_ms2).all() and np.isfinite(samples.gyr_dps).all()
        assert foot.session.meta.placement == f"{foot.foot}_foot"
        assert foot.session.meta.subject.id == str(foot.subject_id)
        assert 13 <= len(foot.swings_idx) <= 23


@needs_data
def test_every_annotation_is_inside_the_signal(all_feet: list[IpolFoot]) -> None:
    for foot in all_feet:
        n = foot.session.samples.n_samples
        swings = foot.swings_idx
        assert swings.shape[1] == 2 and swings.dtype == np.int64
        assert (swings >= 0).all() and (swings < n).all(), foot.code
        assert (foot.heel_strike_idx > foot.toe_off_idx).all()
        assert (np.diff(foot.toe_off_idx) > 0).all()
        assert (foot.trial_boundaries_idx < n).all() and (foot.uturn_idx < n).all()


@needs_data
def test_swings_line_up_with_the_gyro_bursts(all_feet: list[IpolFoot]) -> None:
    # On the gap-filled timeline the foot rotates much faster in swing than in stance
    # (medians: the U-turn adds fast pivoting to some stance phases).
    ratios = []
    for foot in all_feet:
        gyr = np.linalg.norm(foot.session.samples.gyr_dps, axis=1)
        in_swing = np.zeros(gyr.size, dtype=bool)
        for to, hs in foot.swings_idx:
            in_swing[to:hs] = True
        first, last = foot.swings_idx[0, 0], foot.swings_idx[-1, 1]
        walk, swing = gyr[first:last], in_swing[first:last]
        ratios.append(np.median(walk[swing]) / np.median(walk[~swing]))
    assert min(ratios) > 2.0
    assert np.median(ratios) > 5.0


@needs_data
def test_gap_filling_follows_source_md(all_feet: list[IpolFoot]) -> None:
    assert IPOL_DIR is not None
    n_gappy = sum(f.n_filled > 0 for f in all_feet)
    assert n_gappy == 145  # SOURCE.md: 145 of the 220 foot files skip counter values
    assert max(f.n_filled for f in all_feet) == 783
    assert sum(f.session.samples.n_samples for f in all_feet) == 674_098
    gappy = sorted((f for f in all_feet if f.n_filled), key=lambda f: -f.n_filled)[:6]
    for foot in gappy:
        counter, gyr_rad_s = raw_counter_and_gyro(Path(foot.session.path or ""))
        _, first = np.unique(counter, return_index=True)  # duplicates: first row kept
        counter, gyr_rad_s = counter[first], gyr_rad_s[first]
        idx = counter - counter[0]
        got = foot.session.samples.gyr_dps
        assert got is not None
        assert foot.session.samples.n_samples == idx[-1] + 1
        # Recorded samples are where PacketCounter - PacketCounter[0] puts them, in deg/s.
        np.testing.assert_allclose(got[idx], np.degrees(gyr_rad_s), rtol=1e-12)
        # Filled samples are exactly the missing counter values...
        missing = np.setdiff1d(np.arange(idx[-1] + 1), idx)
        np.testing.assert_array_equal(foot.session.gap_idx, missing)
        assert foot.n_filled == missing.size
        # ... and lie on the straight line between the recorded neighbours.
        after = np.searchsorted(idx, missing)
        lo, hi = idx[after - 1], idx[after]
        w = ((missing - lo) / (hi - lo))[:, None]
        np.testing.assert_allclose(got[missing], (1 - w) * got[lo] + w * got[hi], atol=1e-9)


@needs_data
def test_repeated_counter_in_trial_11_1(all_feet: list[IpolFoot]) -> None:
    repeated = {(f.code, f.foot): f.n_repeated for f in all_feet if f.n_repeated}
    assert repeated == {("11-1", "left"): 1, ("11-1", "right"): 1}
    foot = next(f for f in all_feet if f.code == "11-1" and f.foot == "left")
    assert any("line(s) 312" in a for a in foot.session.meta.assumptions)


@needs_data
def test_units_are_plausible(all_feet: list[IpolFoot]) -> None:
    peaks, rest_gyr, rest_acc, largest = [], [], [], 0.0
    for foot in all_feet:
        samples = foot.session.samples
        gyr = np.linalg.norm(samples.gyr_dps, axis=1)
        acc = np.linalg.norm(samples.acc_ms2, axis=1)
        peaks.append(max(gyr[to:hs].max() for to, hs in foot.swings_idx))
        largest = max(largest, float(np.abs(samples.gyr_dps).max()))
        quiet = slice(0, max(int(foot.swings_idx[0, 0]) - 50, 20))  # standing still at the start
        rest_gyr.append(np.median(gyr[quiet]))
        rest_acc.append(np.median(acc[quiet]))
    # Swing peaks of a foot are hundreds of deg/s; the largest is about 33.5 rad/s = 1919 deg/s.
    assert 200 < np.median(peaks) < 1000
    assert 1800 < largest < 2000
    assert np.median(rest_gyr) < 5.0
    assert 9.5 < np.median(rest_acc) < 10.6


@needs_data
def test_meta_and_boundaries() -> None:
    assert IPOL_DIR is not None
    foot = load_ipol_foot(IPOL_DIR, "1-1", "right")
    meta = json.loads((IPOL_DIR / "1-1.json").read_text())
    np.testing.assert_array_equal(foot.swings_idx, meta["RightFootEvents"])
    np.testing.assert_array_equal(foot.trial_boundaries_idx, meta["TrialBoundaries"])
    np.testing.assert_array_equal(foot.uturn_idx, meta["UTurnBoundaries"])
    subject = foot.session.meta.subject
    assert subject.mass_kg == meta["Weight"]
    assert subject.height_m == pytest.approx(meta["Height"] / 100)
    assert subject.age_years == meta["Age"]
    assert foot.subject_id == 1 and foot.code == "1-1"


def test_find_ipol_dir_uses_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAIT_IPOL_DIR", str(tmp_path))
    assert find_ipol_dir() == tmp_path
    monkeypatch.setenv("GAIT_IPOL_DIR", str(tmp_path / "absent"))
    assert find_ipol_dir() is None
    monkeypatch.delenv("GAIT_IPOL_DIR")
    (tmp_path / "datasets" / "ipol_healthy").mkdir(parents=True)
    monkeypatch.setenv("GAIT_SHARED_DIR", str(tmp_path))
    assert find_ipol_dir() == tmp_path / "datasets" / "ipol_healthy"


def test_sample_dir_is_in_the_repository() -> None:
    assert sample_dir() == Path(__file__).resolve().parents[2] / "datasets" / "sample"


# --------------------------------------------------------------------------------------------
# A small made-up trial in the same format (always runs)
# --------------------------------------------------------------------------------------------


def write_fake_trial(root: Path, counters: list[int], events: list[list[int]]) -> None:
    rows = []
    for c in counters:
        # Acc_* m/s², Gyr_* rad/s, all linear in the counter so interpolation is exact.
        rows.append([float(c), 1.0 + c, 2.0, 9.8, 0.01 * c, -0.02 * c, 1.0, 0.1, 0.2, 0.3])
    text = "Acquisition frequency: 100 Hz\n" + HEADER + "\n"
    text += "\n".join("\t".join(f"{v:g}" for v in r) for r in rows) + "\n"
    (root / "7-2_lf.txt").write_text(text)
    meta = {
        "Subject": 7,
        "Trial": 2,
        "Age": 30,
        "Height": 170.0,
        "Weight": 60.0,
        "TrialBoundaries": [2, 8],
        "UTurnBoundaries": [4, 5],
        "LeftFootEvents": events,
        "RightFootEvents": [],
    }
    (root / "7-2.json").write_text(json.dumps(meta))


def test_fake_trial_gap_fill_and_duplicate(tmp_path: Path) -> None:
    write_fake_trial(tmp_path, [2, 3, 3, 4, 7, 8, 9, 12], [[1, 3], [5, 9]])
    assert list_ipol_trials(tmp_path) == ["7-2"]
    foot = load_ipol_foot(tmp_path, "7-2", "left")
    samples = foot.session.samples
    assert samples.n_samples == 11  # counters 2..12
    np.testing.assert_array_equal(foot.session.gap_idx, [3, 4, 8, 9])
    assert foot.n_filled == 4 and foot.n_repeated == 1
    counters = np.arange(2, 13)
    np.testing.assert_allclose(samples.acc_ms2[:, 0], 1.0 + counters)
    np.testing.assert_allclose(samples.gyr_dps[:, 0], np.degrees(0.01 * counters))  # type: ignore[index]
    np.testing.assert_allclose(samples.t_s, np.arange(11) / 100)
    np.testing.assert_array_equal(foot.swings_idx, [[1, 3], [5, 9]])
    assert foot.session.meta.subject.height_m == pytest.approx(1.70)
    notes = "\n".join(foot.session.meta.assumptions)
    assert "4 lost packet(s) filled by linear interpolation" in notes
    assert "converted to deg/s" in notes
    with pytest.raises(SessionFormatError, match="not found"):
        load_ipol_foot(tmp_path, "7-2", "right")
    with pytest.raises(ValueError, match="left' or 'right"):
        load_ipol_foot(tmp_path, "7-2", "middle")  # type: ignore[arg-type]


def test_fake_trial_errors_are_located(tmp_path: Path) -> None:
    write_fake_trial(tmp_path, [0, 1, 2, 3], [[1, 9]])
    with pytest.raises(SessionFormatError, match="LeftFootEvents"):
        load_ipol_foot(tmp_path, "7-2", "left")
    write_fake_trial(tmp_path, [0, 1, 3, 2], [[1, 2]])
    with pytest.raises(SessionFormatError, match="backwards") as err:
        load_ipol_foot(tmp_path, "7-2", "left")
    assert err.value.line == 6 and err.value.column == "PacketCounter"
    path = tmp_path / "7-2_lf.txt"
    path.write_text(path.read_text().replace("\n2\t", "\nx\t", 1))
    with pytest.raises(SessionFormatError, match="finite number") as err:
        load_ipol_foot(tmp_path, "7-2", "left")
    assert err.value.line == 6
    path.write_text("Sampling: fast\n" + HEADER + "\n")
    with pytest.raises(SessionFormatError, match="Acquisition frequency") as err:
        load_ipol_foot(tmp_path, "7-2", "left")
    assert err.value.line == 1
