"""How long a streaming detector takes to report a contact."""

from __future__ import annotations

import numpy as np

from gait.steps.base import BaseStepDetector
from gait.types import SampleBlock


def decision_delays_s(samples: SampleBlock, detector: BaseStepDetector) -> np.ndarray:
    """Seconds from each reported contact to the sample with which the stream returned it.

    The samples are fed one at a time, as a live sensor delivers them; the delay is in device time
    (what the detector waited for), without transport or printing.
    """
    stream = detector.stream(samples.sampling_rate_hz, has_gyro=samples.has_gyro)
    delays: list[float] = []
    for i in range(samples.n_samples):
        found = stream.feed(samples.slice(i, i + 1))
        delays.extend(samples.t_s[i] - found.t_s)
    return np.asarray(delays, np.float64)
