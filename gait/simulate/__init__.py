"""A kinematic simulator of an ankle- or foot-worn IMU, writing labelled sessions.

See docs/simulator.md for the model, its assumptions and their sources.
"""

from gait.labels import LabelInterval, StepLabel
from gait.simulate._simulate import (
    SimulationResult,
    SimulationTruth,
    simulate,
    simulate_session,
    write_labelled_session,
)
from gait.simulate._spec import Bout, SensorSpec, SessionSpec, SubjectSpec

__all__ = [
    "Bout",
    "LabelInterval",
    "SensorSpec",
    "SessionSpec",
    "SimulationResult",
    "SimulationTruth",
    "StepLabel",
    "SubjectSpec",
    "simulate",
    "simulate_session",
    "write_labelled_session",
]
