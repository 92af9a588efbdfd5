"""Reader of the mocap virtual-IMU layout (gait.datasets.mocap) and training on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gait.datasets.mocap import find_mocap_signals, read_mocap_recording
from gait.errors import LabelFormatError, SessionFormatError

MOCAP = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "mocap_snu"


def _write(folder: Path, events: str, header: str = "t,ax,ay,az,gx,gy,gz") -> Path:
    t = np.arange(300) / 100.0
    rows = [header] + [f"{x:.2f},0,9.81,0,0.1,0,{np.sin(x):.4f}" for x in t]
    sig = folder / "clip_R.csv"
    sig.write_text("\n".join(rows) + "\n")
    (folder / "clip_R_events.csv").write_text(events)
    return sig


def test_reads_units_side_and_labels(tmp_path):
    sig = _write(
        tmp_path,
        "t_contact,foot,direction,strike\n1.0,R,forward,flat\n1.5,L,none,heel\n2.0,R,backward,\n",
    )
    assert find_mocap_signals(tmp_path) == [sig]
    rec = read_mocap_recording(sig)
    assert rec.session.meta.placement == "right_ankle"
    assert rec.session.samples.sampling_rate_hz == 100.0
    np.testing.assert_allclose(rec.session.samples.gyr_dps[:, 0], np.rad2deg(0.1))
    assert [(s.foot, s.direction, s.strike) for s in rec.steps] == [
        ("right", "forward", "midfoot"),
        ("left", None, "heel"),
        ("right", "backward", None),
    ]


def test_bad_label_is_located(tmp_path):
    sig = _write(
        tmp_path, "t_contact,foot,direction,strike\n1.0,R,forward,heel\n1.5,R,upward,heel\n"
    )
    with pytest.raises(LabelFormatError) as e:
        read_mocap_recording(sig)
    assert "clip_R_events.csv, line 3, column 'direction'" in str(e.value)
    assert "expected forward, backward, sideways or none" in str(e.value)


def test_bad_header_is_located(tmp_path):
    sig = _write(tmp_path, "t_contact,foot,direction,strike\n", header="time,ax,ay,az,gx,gy,gz")
    with pytest.raises(SessionFormatError, match="line 1"):
        read_mocap_recording(sig)


@pytest.mark.skipif(not MOCAP.is_dir(), reason=f"shared mocap set not found at {MOCAP}")
def test_shared_mocap_set_reads_every_contact():
    from gait.classify.data import load_steps

    sigs = find_mocap_signals(MOCAP)
    assert len(sigs) == 138  # 69 clips x 2 shanks
    steps = load_steps(
        [MOCAP / "snu_wd2_WalkBackward00_R.csv", MOCAP / "snu_wd2_WalkBackward00_L.csv"]
    )
    truth = steps.subset(~steps.at_detector)
    assert set(truth.direction) <= {"backward", None}
    assert (truth.direction == "backward").sum() >= 5
