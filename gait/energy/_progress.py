"""Training progress across sessions: backward share and weekly volume per ISO week, the 10 %
rule, and the next step of a retro-walking progression (DESIGN.md, "Training guidance").

The progression follows common retro-walking practice, not a medical prescription: start with
short backward bouts (1-2 minutes) making up 5-10 % of walking time, build towards about 40 %
backward and 60 % forward, and raise the weekly walking volume by no more than 10 % a week.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

#: Backward share of walking time to start with (5-10 %), and the share to build towards.
START_SHARE: tuple[float, float] = (0.05, 0.10)
TARGET_SHARE: float = 0.40
#: Backward share added per step of the progression (one step a week at most).
SHARE_STEP: float = 0.05
#: Backward bout length to start with, minutes.
START_BOUT_MIN: tuple[float, float] = (1.0, 2.0)
#: Largest week-on-week rise of walking volume.
MAX_WEEKLY_RISE: float = 0.10
#: Said with every piece of guidance.
NOT_MEDICAL = "This is training guidance from retro-walking practice, not medical advice."


@dataclass(frozen=True)
class SessionVolume:
    """What one session contributed: when, and how long forward and backward."""

    file: str
    start_utc: dt.datetime
    time_source: str  # "start_time_utc" (sidecar) or "file time"
    forward_s: float
    backward_s: float
    backward_bouts_s: tuple[float, ...] = ()

    @property
    def week(self) -> str:
        year, week, _ = self.start_utc.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class WeekProgress:
    """One ISO week: volume, backward share, and the change from the week before."""

    week: str
    n_sessions: int
    walking_min: float
    backward_min: float
    backward_share: float | None
    longest_backward_bout_min: float | None
    #: Relative change of walking volume from the previous ISO week (None: no sessions then).
    change: float | None
    within_10_percent: bool | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def session_volume(analysis: Any) -> SessionVolume:
    """A :class:`SessionVolume` from a :class:`gait.api.Analysis`: the sidecar's
    ``start_time_utc``, else the file's modification time (UTC)."""
    s = analysis.summary
    start = analysis.session.meta.start_time_utc
    when: dt.datetime | None = None
    source = "start_time_utc"
    if start:
        try:
            when = dt.datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
    if when is None:
        source = "file time"
        path = analysis.session.path
        mtime = Path(path).stat().st_mtime if path else 0.0
        when = dt.datetime.fromtimestamp(mtime, tz=dt.UTC)
    bouts = tuple(
        float(b["duration_s"])
        for b in (s.direction_bouts or [])
        if b.get("direction") == "backward"
    )
    return SessionVolume(
        file=str(analysis.session.path),
        start_utc=when.astimezone(dt.UTC),
        time_source=source,
        forward_s=float(s.time_forward_s or 0.0),
        backward_s=float(s.time_backward_s or 0.0),
        backward_bouts_s=bouts,
    )


def _previous_week(week: str) -> str:
    year, w = week.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(w), 1) - dt.timedelta(days=7)
    y, wk, _ = monday.isocalendar()
    return f"{y}-W{wk:02d}"


def weekly_progress(sessions: Sequence[SessionVolume]) -> list[WeekProgress]:
    """Per ISO week (in time order): volume, backward share, longest backward bout, and whether
    the rise from the previous week stayed within :data:`MAX_WEEKLY_RISE`."""
    by_week: dict[str, list[SessionVolume]] = {}
    for s in sorted(sessions, key=lambda s: s.start_utc):
        by_week.setdefault(s.week, []).append(s)
    volume = {w: sum(s.forward_s + s.backward_s for s in ss) / 60.0 for w, ss in by_week.items()}
    out = []
    for week, ss in by_week.items():
        walking = volume[week]
        backward = sum(s.backward_s for s in ss) / 60.0
        bouts = [b for s in ss for b in s.backward_bouts_s]
        prev = volume.get(_previous_week(week))
        change = (walking - prev) / prev if prev else None
        out.append(
            WeekProgress(
                week=week,
                n_sessions=len(ss),
                walking_min=walking,
                backward_min=backward,
                backward_share=backward / walking if walking > 0 else None,
                longest_backward_bout_min=max(bouts) / 60.0 if bouts else None,
                change=change,
                within_10_percent=None if change is None else change <= MAX_WEEKLY_RISE + 1e-9,
            )
        )
    return out


def next_step(weeks: Sequence[WeekProgress]) -> list[str]:
    """The next step of the progression, in plain words (one sentence per line)."""
    if not weeks:
        return ["No walking found in these sessions yet.", NOT_MEDICAL]
    last = weeks[-1]
    lines: list[str] = []
    cap = last.walking_min * (1 + MAX_WEEKLY_RISE)
    if last.within_10_percent is False:
        lines.append(
            f"Your walking time rose by {100 * last.change:.0f} % over the week before "  # type: ignore[operator]
            f"(more than {100 * MAX_WEEKLY_RISE:.0f} %): keep next week's total near "
            f"{last.walking_min:.0f} minutes before adding more."
        )
    share = last.backward_share or 0.0
    bout = last.longest_backward_bout_min
    if share < START_SHARE[0]:
        lines.append(
            f"Start: add backward walking in short bouts of {START_BOUT_MIN[0]:.0f}-"
            f"{START_BOUT_MIN[1]:.0f} minutes, about {100 * START_SHARE[0]:.0f}-"
            f"{100 * START_SHARE[1]:.0f} % of your walking time"
            + (
                f" (about {START_SHARE[1] * last.walking_min:.0f} minutes a week at your volume)."
                if START_SHARE[1] * last.walking_min >= 1.0
                else "."
            )
        )
    elif share < TARGET_SHARE - 1e-9:
        goal = min(share + SHARE_STEP, TARGET_SHARE)
        lines.append(
            f"Next: walk backwards for about {100 * goal:.0f} % of your walking time "
            f"(now {100 * share:.0f} %), towards about {100 * TARGET_SHARE:.0f} % backward and "
            f"{100 * (1 - TARGET_SHARE):.0f} % forward."
        )
        if bout is not None and bout < START_BOUT_MIN[0]:
            lines.append(
                f"Make the backward bouts a little longer, towards {START_BOUT_MIN[0]:.0f}-"
                f"{START_BOUT_MIN[1]:.0f} minutes (longest so far this week: {bout:.1f} min)."
            )
    else:
        lines.append(
            f"You are at about {100 * share:.0f} % backward, the mix the progression builds "
            f"towards ({100 * TARGET_SHARE:.0f} % backward, {100 * (1 - TARGET_SHARE):.0f} % "
            "forward): keep it."
        )
    lines.append(
        f"Keep next week's total walking time at or below {cap:.0f} minutes "
        f"(at most {100 * MAX_WEEKLY_RISE:.0f} % more than this week)."
    )
    lines.append(NOT_MEDICAL)
    return lines


def plot_weeks(weeks: Sequence[WeekProgress], path: str | Path | BinaryIO) -> None:
    """A PNG of the weeks: forward and backward minutes stacked, the backward share, and the
    weeks whose rise exceeded 10 % marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [w.week for w in weeks]
    x = list(range(len(weeks)))
    fwd = [w.walking_min - w.backward_min for w in weeks]
    bwd = [w.backward_min for w in weeks]
    fig, ax = plt.subplots(figsize=(max(5.0, 0.8 * len(weeks) + 2), 3.6), dpi=100)
    ax.bar(x, fwd, color="#7a9cc6", label="forward (min)")
    ax.bar(x, bwd, bottom=fwd, color="#d9823b", label="backward (min)")
    for i, w in enumerate(weeks):
        if w.within_10_percent is False:
            ax.annotate(
                f"+{100 * w.change:.0f} %",  # type: ignore[operator]
                (i, w.walking_min),
                ha="center",
                va="bottom",
                color="#b22222",
                fontsize=8,
            )
    ax.set_xticks(x, labels, rotation=45 if len(weeks) > 6 else 0, fontsize=8)
    ax.set_ylabel("walking time per week (min)")
    ax.set_ylim(0, 1.35 * max([w.walking_min for w in weeks] + [1.0]))  # room for the legend
    share_ax = ax.twinx()
    shares = [math.nan if w.backward_share is None else 100 * w.backward_share for w in weeks]
    share_ax.plot(x, shares, "o-", color="#333333", label="backward share (%)")
    share_ax.axhline(100 * TARGET_SHARE, color="#333333", ls=":", lw=1)
    share_ax.set_ylim(0, 100)
    share_ax.set_ylabel("backward share (%)")
    handles = ax.get_legend_handles_labels()
    handles2 = share_ax.get_legend_handles_labels()
    ax.legend(
        handles[0] + handles2[0], handles[1] + handles2[1], fontsize=7, loc="upper left", ncol=3
    )
    ax.set_title("Walking per ISO week (red: rise above 10 %; dotted: 40 % backward)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, format="png")  # a path or a binary file object
    plt.close(fig)
