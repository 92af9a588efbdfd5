"""What the product writes it reads back: an unknown subject value (NaN) is left out."""

from __future__ import annotations

import math

import numpy as np

from gait.io import read_session, write_session
from gait.types import SampleBlock, SessionMeta, Subject


def test_a_nan_subject_value_is_left_out_of_the_sidecar(tmp_path):
    block = SampleBlock(
        np.arange(200) / 100.0, np.tile([0.0, 0.0, 9.81], (200, 1)), np.zeros((200, 3)), 100.0
    )
    meta = SessionMeta(
        placement="left_ankle", subject=Subject(id="s1", mass_kg=math.nan, height_m=1.7)
    )
    path = write_session(tmp_path / "walk.csv", block, meta)
    back = read_session(path).meta
    assert back.subject.mass_kg is None
    assert back.subject.height_m == 1.7
    assert back.subject.id == "s1"
    assert "NaN" not in (tmp_path / "walk.json").read_text()
