"""gait: ankle-IMU gait analysis (steps, direction, foot strike, energy), live or from files.

The researcher's API::

    import gait

    result = gait.analyse("walk.csv")      # or a gait.types.Session
    result.summary                         # SessionSummary
    result.steps                           # pandas DataFrame, one row per step

``import gait`` is light: pandas, scikit-learn and the numba kernels load on first use.
"""

from gait.api import Analysis, analyse, analyse_many, read_session
from gait.summary import SessionSummary

__all__ = ["Analysis", "SessionSummary", "analyse", "analyse_many", "read_session"]
