"""HTML reports people look at: one self-contained file per session and one per cohort.

>>> import gait
>>> from gait.report import write_session_report
>>> write_session_report(gait.analyse("walk.csv"), "walk.gait-report.html")  # doctest: +SKIP

Figures are drawn with matplotlib's Agg canvas and embedded as PNG, so the files open in any
browser with no network. matplotlib is imported only when a report is made.
"""

from gait.report._html import (
    cohort_report,
    parse_start_time,
    session_report,
    write_atomic,
    write_cohort_report,
    write_session_report,
)

__all__ = [
    "cohort_report",
    "parse_start_time",
    "session_report",
    "write_atomic",
    "write_cohort_report",
    "write_session_report",
]
