"""Step detection: initial contacts of the instrumented foot and estimates for the other foot."""

from gait.steps.base import BaseStepDetector, StepStream, StepTable

__all__ = ["BaseStepDetector", "StepStream", "StepTable"]
