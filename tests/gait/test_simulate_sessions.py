"""Simulated sessions: labels, plausibility, sensor model, reproducibility, the command."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gait.cli import app
from gait.consts import GRAVITY_MS2
from gait.io import read_session
from gait.labels import assign_labels, read_labels, read_steps
from gait.simulate import Bout, SensorSpec, SessionSpec, SubjectSpec, simulate
from gait.simulate._dataset import generate_sessions
from gait.simulate.presets import demo_spec


def _mixed_spec(**sensor) -> SessionSpec:
    return SessionSpec(
        bouts=(
            Bout("stand", 3.0),
            Bout("walk", 15.0, "forward", "heel", 1.2),
            Bout("stand", 2.0),
            Bout("walk", 12.0, "backward", None, 0.8, turn_deg=90.0),
            Bout("stand", 1.5),
            Bout("run", 10.0, "forward", "forefoot", 3.0),
            Bout("stand", 2.0),
        ),
        subject=SubjectSpec(id="s1"),
        sensor=SensorSpec(**sensor),
    )


def test_labels_and_steps_describe_the_session():
    res = simulate(_mixed_spec(), seed=11)
    s = res.session.samples
    assert [(iv.direction, iv.strike) for iv in res.intervals] == [
        ("forward", "heel"),
        ("backward", "forefoot"),
        ("forward", "forefoot"),
    ]
    for a, b in zip(res.intervals[:-1], res.intervals[1:], strict=True):
        assert a.t_end_s <= b.t_start_s
    assert res.intervals[-1].t_end_s <= s.t_s[-1] + 1.0 / s.sampling_rate_hz
    t = np.array([x.t_s for x in res.steps])
    lab = assign_labels(t, res.intervals)
    assert lab.n_unlabelled == 0
    assert list(lab.direction) == [x.direction for x in res.steps]
    assert list(lab.strike) == [x.strike for x in res.steps]
    feet = {x.foot for x in res.steps}
    assert feet == {"left", "right"}
    # cadence: walking 1.2 m/s about 95-135 steps/min, running 3 m/s about 150-190
    walk = t[(t > res.intervals[0].t_start_s + 2) & (t < res.intervals[0].t_end_s - 2)]
    cadence = 60.0 / np.median(np.diff(walk))
    assert 90 < cadence < 140
    run = t[(t > res.intervals[2].t_start_s + 2) & (t < res.intervals[2].t_end_s - 2)]
    assert 145 < 60.0 / np.median(np.diff(run)) < 200


def test_backward_gait_has_shorter_steps_at_the_same_speed():
    def run(direction):
        spec = SessionSpec(
            (Bout("stand", 2.0), Bout("walk", 20.0, direction, None, 1.0), Bout("stand", 2.0)),
            SubjectSpec(id="x", height_m=1.75, stride_factor=1.0),
        )
        res = simulate(spec, 1)
        t = np.array([x.t_s for x in res.steps])
        return np.median(np.diff(t)), res.truth.plan.person.back_stride_factor

    # a person's backward strides are 0.88-1.0 of its forward ones at the same speed (the
    # factor is drawn in that range; docs/simulator.md step 3), so its steps are as much shorter
    (fwd, factor), (bwd, _) = run("forward"), run("backward")
    assert 0.88 <= factor <= 1.0
    assert bwd / fwd == pytest.approx(factor, abs=0.02)


def test_sensor_model_range_noise_loss_and_rates():
    res = simulate(
        _mixed_spec(
            sampling_rate_hz=50.0, acc_range_g=4.0, gyr_range_dps=500.0, drop_probability=0.01
        ),
        seed=2,
    )
    s = res.session.samples
    assert np.abs(s.acc_ms2).max() <= 4.0 * GRAVITY_MS2
    assert np.isclose(np.abs(s.acc_ms2).max(), 4.0 * GRAVITY_MS2, rtol=1e-3)  # it saturates
    assert np.abs(s.gyr_dps).max() <= 500.0
    dt = np.diff(s.t_s)
    gaps = np.flatnonzero(dt > 1.5 / 50.0) + 1
    np.testing.assert_array_equal(gaps, res.session.gap_idx)
    assert res.session.meta.device["samples_lost"] == round(s.t_s[-1] * 50) + 1 - s.n_samples > 0
    fast = simulate(_mixed_spec(sampling_rate_hz=1000.0), seed=2).session.samples
    assert np.allclose(np.diff(fast.t_s), 1e-3)


def test_same_seed_same_session_other_seed_other_session():
    a = simulate(_mixed_spec(), seed=5).session.samples
    b = simulate(_mixed_spec(), seed=5).session.samples
    c = simulate(_mixed_spec(), seed=6).session.samples
    np.testing.assert_array_equal(a.acc_ms2, b.acc_ms2)
    np.testing.assert_array_equal(a.gyr_dps, b.gyr_dps)
    assert not np.array_equal(a.acc_ms2[: c.n_samples], c.acc_ms2[: a.n_samples])


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_generated_files_are_reproducible_and_valid(tmp_path):
    kw = dict(preset="mixed", seed=3, n_subjects=3, duration_s=40.0, n_test_subjects=1)
    paths = generate_sessions(tmp_path / "a", **kw)
    generate_sessions(tmp_path / "b", **kw)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert len(paths) == 3
    assert sum(p.parent.name == "test" for p in paths) == 1
    for p in paths:
        sess = read_session(p)
        span = (float(sess.samples.t_s[0]), float(sess.samples.t_s[-1]))
        ivs = read_labels(p.with_name(p.stem + ".labels.csv"), recording_span_s=span)
        steps = read_steps(p.with_name(p.stem + ".steps.csv"), recording_span_s=span)
        assert ivs and steps
        assert sess.meta.subject.id is not None
        assert sess.meta.placement in ("left_ankle", "right_ankle")
    test_ids = {read_session(p).meta.subject.id for p in paths if p.parent.name == "test"}
    train_ids = {read_session(p).meta.subject.id for p in paths if p.parent.name == "train"}
    assert not test_ids & train_ids


def test_demo_spec_mixes_directions_standing_and_a_turn():
    spec = demo_spec()
    kinds = {(b.kind, b.direction) for b in spec.bouts}
    assert {("stand", "forward"), ("walk", "forward"), ("walk", "backward")} <= kinds
    assert any(abs(b.turn_deg) >= 180 for b in spec.bouts)
    assert 100 <= spec.duration_s <= 140


def test_gait_simulate_command(tmp_path):
    runner = CliRunner()
    out = tmp_path / "sim"
    r = runner.invoke(
        app,
        ["simulate", "--preset", "walk", "--duration-s", "20", "--seed", "1", "--out", str(out)],
    )
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4
    assert {n.split(".", 1)[1] for n in names} == {"csv", "json", "labels.csv", "steps.csv"}
    bad = runner.invoke(app, ["simulate", "--preset", "moonwalk", "--out", str(out)])
    assert bad.exit_code == 2
    assert "moonwalk" in bad.output and "Traceback" not in bad.output


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--out", "{file}"], "exists and is not a folder"),
        (["--out", "{file}/sub"], "cannot write"),
        (["--seed", "-1"], "--seed"),
        (["--duration-s", "inf"], "--duration-s"),
        (["--duration-s", "nan"], "--duration-s"),
        (["--sampling-rate-hz", "nan"], "--sampling-rate-hz"),
    ],
)
def test_gait_simulate_refuses_bad_options_cleanly(tmp_path, args, phrase):
    plain = tmp_path / "plain"
    plain.write_text("")
    args = [a.format(file=plain) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "sim")]
    r = CliRunner().invoke(app, ["simulate", "--preset", "walk", "--duration-s", "10", *args])
    assert r.exit_code == 2, r.output
    assert phrase in r.output and "Traceback" not in r.output
    assert not (tmp_path / "sim").exists()


@pytest.mark.parametrize("fs", [50.0, 100.0, 400.0])
def test_step_detector_finds_simulated_forward_walking_contacts(fs):
    from gait.evaluation import score_contacts
    from gait.steps import AnkleStepDetector

    spec = SessionSpec(
        (Bout("stand", 3.0), Bout("walk", 30.0, "forward", "heel", 1.3), Bout("stand", 3.0)),
        SubjectSpec(id="d"),
        SensorSpec(sampling_rate_hz=fs),
    )
    res = simulate(spec, 21)
    s = res.session.samples
    swings = res.swings_idx()
    assert swings.shape[0] > 20
    det = AnkleStepDetector().detect(s).steps_
    score = score_contacts(det.ic_idx[det.instrumented], swings, sampling_rate_hz=fs)
    assert score.f1 >= 0.95


def test_a_bout_too_short_for_a_stride_is_an_error():
    with pytest.raises(ValueError, match="too short for one stride"):
        simulate(SessionSpec((Bout("stand", 1.0), Bout("walk", 1.0))), 0)


REPO = Path(__file__).resolve().parents[2]


def _documented_command(readme: Path) -> list[str]:
    """The ``gait simulate ...`` command in a data set's README, as arguments."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    start = next(i for i, s in enumerate(lines) if s.strip().startswith("gait simulate"))
    text = ""
    for s in lines[start:]:
        text += s.strip().removesuffix("\\") + " "
        if not s.rstrip().endswith("\\"):
            break
    return text.split()[1:]


@pytest.mark.parametrize("folder", ["sample", "labelled"])
def test_bundled_data_set_is_what_its_documented_command_writes(folder, tmp_path):
    """A change to the simulator must come with regenerated data (or the README says wrong)."""
    committed = REPO / "datasets" / folder
    args = _documented_command(committed / "README.md")
    out = args.index("--out")
    assert args[out + 1] == f"datasets/{folder}"
    args[out + 1] = str(tmp_path)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    written = _digest(tmp_path)
    assert written, "the command wrote nothing"
    expected = {k: v for k, v in _digest(committed).items() if k in written}
    assert written == expected
    assert set(_digest(committed)) - set(written) == {"README.md"}


def test_data_sets_of_neighbouring_seeds_share_no_person():
    """v18: subject i of seed S is not subject i + 1 of seed S - 1 (v4-v17 drew the person
    from ``default_rng(seed + i)``), and a subject is the same person in every session."""
    from gait.simulate._dataset import subject_spec

    def people(seed, n=24):
        subs = np.random.SeedSequence(seed).spawn(n)
        return [subject_spec(s, f"p{i}") for i, s in enumerate(subs)]

    a, b = people(2026), people(2027)
    key = lambda p: (p.height_m, p.traits_seed)  # noqa: E731
    assert not {key(p) for p in a} & {key(p) for p in b}
    assert len({key(p) for p in a}) == len(a)
    # the same subject stream gives the same person, whatever its sessions spawned
    ss = np.random.SeedSequence(7).spawn(1)[0]
    first = subject_spec(ss, "x")
    ss.spawn(3)
    assert subject_spec(ss, "x") == first
