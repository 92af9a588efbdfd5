"""A session spec shared by the simulator's strike tests: 2 s standing, 12 s of walking in one
direction, strike and speed, 2 s standing, on an ideal sensor aligned with the shank (no
errors, stiff soft tissue). Import as ``from _sim_specs import walking_spec`` (pytest puts this
folder on sys.path)."""

from __future__ import annotations

from gait.simulate import Bout, SensorSpec, SessionSpec, SubjectSpec


def walking_spec(
    direction: str, strike: str, speed: float, contralateral_gain: float = 0.0
) -> SessionSpec:
    """One walking bout between two standing ones."""
    return SessionSpec(
        bouts=(
            Bout("stand", 2.0),
            Bout("walk", 12.0, direction, strike, speed),
            Bout("stand", 2.0),
        ),
        subject=SubjectSpec(id="s"),
        sensor=SensorSpec(
            errors=False,
            mounting="aligned",
            soft_tissue_hz=60.0,
            soft_tissue_damping=0.7,
            contralateral_gain=contralateral_gain,
        ),
    )
