"""The labelled-session format: writing, reading, validation errors and the training loader."""

from __future__ import annotations

import numpy as np
import pytest

from gait.errors import GaitError, LabelFormatError
from gait.labels import (
    LabelInterval,
    StepLabel,
    assign_labels,
    load_training_contacts,
    read_labels,
    read_steps,
    write_labels,
    write_steps,
)
from gait.simulate import Bout, SessionSpec, SubjectSpec, simulate, write_labelled_session

HEADER = "t_start_s,t_end_s,direction,strike\n"


def _write(tmp_path, text, name="s.labels.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_round_trip(tmp_path):
    ivs = [
        LabelInterval(1.0, 5.5, "forward", "heel"),
        LabelInterval(5.5, 9.0, "backward", None),
        LabelInterval(10.0, 12.25, None, "forefoot"),
    ]
    p = write_labels(tmp_path / "a.labels.csv", reversed(ivs))
    assert read_labels(p, recording_span_s=(0.0, 12.5)) == ivs
    steps = [
        StepLabel(1.2, "left", "forward", "heel", (("speed_m_s", "1.2"),)),
        StepLabel(1.7, "right", None, None, (("speed_m_s", ""),)),
    ]
    q = write_steps(tmp_path / "a.steps.csv", steps)
    assert q.read_text().splitlines()[0] == "t_s,foot,direction,strike,speed_m_s"
    assert read_steps(q) == steps


@pytest.mark.parametrize(
    ("body", "line", "column", "words"),
    [
        ("1,2,forward,heel\n1.5,3,forward,heel\n", 3, "t_start_s", ["overlaps", "line 2"]),
        ("1,2,sideways,heel\n", 2, "direction", ["sideways", "forward or backward"]),
        ("1,2,forward,toe\n", 2, "strike", ["'toe'", "heel or midfoot or forefoot"]),
        ("1,2,Forward,heel\n", 2, "direction", ["'Forward'"]),
        ("3,2,forward,heel\n", 2, "t_end_s", ["before it starts"]),
        ("2,2,forward,heel\n", 2, "t_end_s", ["where it starts", "expected t_end_s after"]),
        ("a,2,forward,heel\n", 2, "t_start_s", ["not a number"]),
        ("1,2,forward\n", 2, None, ["3 fields", "expected 4"]),
        ("1,nan,forward,heel\n", 2, "t_end_s", ["finite"]),
        ("1,99,forward,heel\n", 2, "t_end_s", ["outside the recording"]),
    ],
)
def test_bad_labels_name_file_line_and_column(tmp_path, body, line, column, words):
    p = _write(tmp_path, HEADER + body)
    with pytest.raises(LabelFormatError) as e:
        read_labels(p, recording_span_s=(0.0, 20.0))
    err = e.value
    assert isinstance(err, GaitError)
    assert err.path == str(p) and err.line == line and err.column == column
    msg = str(err)
    assert str(p) in msg and f"line {line}" in msg
    for w in words:
        assert w in msg


def test_bad_headers_and_files(tmp_path):
    with pytest.raises(LabelFormatError, match="expected it to start with"):
        read_labels(_write(tmp_path, "start,end,direction,strike\n1,2,forward,heel\n"))
    with pytest.raises(LabelFormatError, match="empty file"):
        read_labels(_write(tmp_path, ""))
    with pytest.raises(LabelFormatError, match="not found"):
        read_labels(tmp_path / "missing.labels.csv")
    p = _write(tmp_path, "t_s,foot,direction,strike\n1.0,,forward,heel\n", "s.steps.csv")
    with pytest.raises(LabelFormatError, match="left or right") as e:
        read_steps(p)
    assert e.value.column == "foot"
    with pytest.raises(LabelFormatError, match="outside the recording"):
        read_steps(_write(tmp_path, "t_s,foot,direction,strike\n30,left,,\n", "t.steps.csv"),
                   recording_span_s=(0.0, 10.0))  # fmt: skip


def test_writer_refuses_overlaps(tmp_path):
    with pytest.raises(LabelFormatError, match="overlaps"):
        write_labels(
            tmp_path / "x.labels.csv",
            [LabelInterval(0, 2, "forward", None), LabelInterval(1, 3, "forward", None)],
        )


def test_assign_labels_reports_unlabelled_contacts():
    ivs = [LabelInterval(1.0, 2.0, "forward", "heel"), LabelInterval(3.0, 4.0, "backward", None)]
    lab = assign_labels(np.array([0.5, 1.0, 1.99, 2.0, 3.5, 9.0]), ivs)
    np.testing.assert_array_equal(lab.interval_idx, [-1, 0, 0, -1, 1, -1])
    assert lab.n_unlabelled == 3
    assert list(lab.direction) == [None, "forward", "forward", None, "backward", None]
    assert list(lab.strike) == [None, "heel", "heel", None, None, None]


def test_load_training_contacts_from_a_folder(tmp_path):
    for i, d in enumerate(("forward", "backward")):
        spec = SessionSpec(
            (Bout("stand", 2.0), Bout("walk", 12.0, d, None, 1.0), Bout("stand", 2.0)),
            SubjectSpec(id=f"p{i}"),
        )
        write_labelled_session(simulate(spec, i), tmp_path / f"p{i}", f"p{i}_walk")
    df = load_training_contacts(tmp_path)
    assert set(df["subject"]) == {"p0", "p1"}
    assert df["labelled"].all() and df.attrs["n_unlabelled"] == 0
    assert set(df.loc[df.subject == "p1", "direction"]) == {"backward"}
    assert set(df.loc[df.subject == "p0", "strike"]) == {"heel"}

    def contacts(ls):  # e.g. a step detector that also fires while standing
        return np.array([0.5, ls.intervals[0].t_start_s + 1.0]), np.array(["left", "left"])

    df2 = load_training_contacts(tmp_path, contacts)
    assert len(df2) == 4 and df2.attrs["n_unlabelled"] == 2
    assert list(df2["labelled"]) == [False, True, False, True]


def test_labels_without_session_file_is_an_error(tmp_path):
    _write(tmp_path, HEADER + "1,2,forward,heel\n", "orphan.labels.csv")
    with pytest.raises(LabelFormatError, match="without a session file"):
        load_training_contacts(tmp_path)
