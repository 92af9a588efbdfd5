"""Step detection: initial contacts of the instrumented foot and estimates for the other foot."""

from gait.steps._ankle import AnkleStepDetector, AnkleStepStream
from gait.steps.base import BaseStepDetector, StepStream, StepTable

__all__ = ["AnkleStepDetector", "AnkleStepStream", "BaseStepDetector", "StepStream", "StepTable"]
