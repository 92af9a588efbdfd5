"""Write many labelled sessions: presets, subjects, seeds and a subject-wise test split."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gait.simulate._simulate import simulate, write_labelled_session
from gait.simulate._spec import SessionSpec, SubjectSpec
from gait.simulate.presets import demo_spec, draw_speed, draw_strike, mixed_spec, single_spec

PRESET_NAMES = ("demo", "mixed", "walk", "run", "backward-walk", "backward-run")


def _spec_for(
    preset: str,
    rng: np.random.Generator,
    subject: SubjectSpec,
    duration_s: float,
    sampling_rate_hz: float | None,
    placement: str | None,
) -> SessionSpec:
    if preset == "demo":
        spec = demo_spec()
        sensor = spec.sensor
        if sampling_rate_hz or placement:
            from dataclasses import replace

            sensor = replace(
                sensor,
                sampling_rate_hz=sampling_rate_hz or sensor.sampling_rate_hz,
                placement=placement or sensor.placement,
            )
            spec = replace(spec, sensor=sensor)
        return spec
    if preset == "mixed":
        return mixed_spec(rng, duration_s, subject, sampling_rate_hz, placement)
    kind = "run" if preset.endswith("run") else "walk"
    direction = "backward" if preset.startswith("backward") else "forward"
    speed = draw_speed(rng, kind, direction)
    strike = draw_strike(rng, kind)
    from dataclasses import replace

    spec = single_spec(
        kind,
        direction,
        strike,
        float(speed),
        duration_s,
        sampling_rate_hz=sampling_rate_hz or 100.0,
        placement=placement or str(rng.choice(["left_ankle", "right_ankle"])),
    )
    return replace(spec, subject=subject)


#: Spawn-key entry of a subject's own stream, beside its sessions' children (0, 1, ...).
_PERSON_KEY = 2**32 - 1


def subject_spec(subject_seq: np.random.SeedSequence, sid: str) -> SubjectSpec:
    """The person of one subject, drawn from the subject's own child stream of the data set's
    seed: the same in every session of the subject and independent between subjects and seeds.
    (Up to simulator v17 it came from ``default_rng(seed + i)``, so subject i of seed S was
    subject i + 1 of seed S - 1.)"""
    key = (*subject_seq.spawn_key, _PERSON_KEY)
    rng = np.random.default_rng(np.random.SeedSequence(subject_seq.entropy, spawn_key=key))
    return SubjectSpec(
        id=sid,
        height_m=float(rng.uniform(1.52, 1.95)),
        stride_factor=float(rng.uniform(0.95, 1.2)),
        asymmetry=float(rng.normal(0.0, 0.01)),
        stride_cv=float(rng.uniform(0.01, 0.03)),
        traits_seed=int(rng.integers(2**31)),
    )


def generate_sessions(
    out_dir: str | Path,
    *,
    preset: str = "mixed",
    seed: int = 0,
    n_subjects: int = 1,
    sessions_per_subject: int = 1,
    duration_s: float = 120.0,
    sampling_rate_hz: float | None = None,
    placement: str | None = None,
    n_test_subjects: int = 0,
    gzip_csv: bool = False,
) -> list[Path]:
    """Simulate and write sessions; with ``n_test_subjects`` the last subjects go to ``test/``.

    Everything is derived from ``seed``: subject ``i`` and session ``j`` use the ``(i, j)`` child of
    ``numpy.random.SeedSequence(seed)``, so a run is reproducible and subjects are independent.
    """
    if preset not in PRESET_NAMES:
        raise ValueError(f"unknown preset {preset!r}; expected one of {', '.join(PRESET_NAMES)}")
    if n_test_subjects >= n_subjects and n_test_subjects > 0:
        raise ValueError("n_test_subjects must leave at least one training subject")
    out = Path(out_dir)
    root = np.random.SeedSequence(seed)
    subjects_ss = root.spawn(n_subjects)
    paths = []
    for i, sss in enumerate(subjects_ss):
        sid = f"sim-{seed:04d}-{i + 1:03d}" if preset != "demo" else "demo-01"
        folder = out
        if n_test_subjects:
            folder = out / ("test" if i >= n_subjects - n_test_subjects else "train")
        subject = subject_spec(sss, sid)  # the same person in every session
        for j, ss in enumerate(sss.spawn(sessions_per_subject)):
            rng = np.random.default_rng(ss)
            spec = _spec_for(preset, rng, subject, duration_s, sampling_rate_hz, placement)
            session_seed = int(ss.generate_state(1)[0])
            res = simulate(spec, session_seed)
            stem = f"{sid}_{preset}_{j + 1:02d}" if preset != "demo" else "demo"
            paths.append(write_labelled_session(res, folder, stem, gzip_csv=gzip_csv))
    return paths
