"""The report's figures: matplotlib (Agg, no display, no pyplot state) rendered to PNG bytes.

Each function takes plain arrays and returns a :class:`matplotlib.figure.Figure`; a panel whose
data are missing says "not available" inside the panel instead of being left out, so a report
looks the same before and after a stage (direction, strike, speed, energy) exists.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Colours of the report (also used by the browser test to find the plots in a screenshot).
SIGNAL_COLOUR = "#1f5fa8"
GYRO_COLOUR = "#7a7a7a"
OWN_FOOT_COLOUR = "#d62728"
OTHER_FOOT_COLOUR = "#ff9f1c"
BOUT_COLOUR = "#2ca02c"
CATEGORY_COLOURS = {
    "forward": "#1f77b4",
    "backward": "#d62728",
    "heel": "#9467bd",
    "midfoot": "#8c564b",
    "forefoot": "#e377c2",
    None: "#c7c7c7",
}
#: Width of the figures in inches (at :data:`DPI` dots per inch).
WIDTH_IN = 10.0
DPI = 96
#: At most this many points per line; longer signals are drawn as a min/max envelope.
MAX_POINTS = 4000


def blank_figure(height_in: float, n_rows: int, gap_in: float) -> Figure:
    """A figure on the Agg canvas with fixed margins (in inches) and ``gap_in`` between rows.

    Fixed margins instead of matplotlib's constrained layout: the layout solver took half the
    time of a report (it measures every tick label), and these figures all look alike.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    top, bottom, side = 0.3, 0.5, 0.8
    axis_h = (height_in - top - bottom - (n_rows - 1) * gap_in) / n_rows
    fig.subplots_adjust(
        left=side / WIDTH_IN,
        right=1 - side / WIDTH_IN,
        top=1 - top / height_in,
        bottom=bottom / height_in,
        hspace=gap_in / axis_h,
        wspace=0.3,
    )
    return fig


def new_figure(n_rows: int, height_in: float, gap_in: float = 0.35) -> tuple[Figure, list[Axes]]:
    """A figure with ``n_rows`` stacked axes sharing x, on the Agg canvas."""
    fig = blank_figure(height_in, n_rows, gap_in)
    axes = fig.subplots(n_rows, 1, sharex=True, squeeze=False)[:, 0]
    return fig, list(axes)


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def not_available(ax: Axes, what: str) -> None:
    """Write '<what>: not available' in the middle of an empty panel."""
    ax.text(
        0.5,
        0.5,
        f"{what}: not available",
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="#555555",
        fontsize=11,
    )
    ax.set_yticks([])


def envelope(t: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS) -> tuple:
    """``(t, lo, hi)``: the signal binned to at most ``max_points`` bins (min and max per bin),
    or ``(t, y, None)`` when it is short enough to draw as it is."""
    n = y.shape[0]
    if n <= max_points:
        return t, y, None
    per = int(np.ceil(n / max_points))
    m = n // per
    tb = t[: m * per].reshape(m, per)[:, 0]
    yb = y[: m * per].reshape(m, per)
    return tb, yb.min(axis=1), yb.max(axis=1)


def draw_signal(ax: Axes, t: np.ndarray, y: np.ndarray, colour: str, label: str) -> None:
    tb, lo, hi = envelope(t, y)
    if hi is None:
        ax.plot(tb, lo, color=colour, lw=0.8, label=label)
    else:
        ax.fill_between(tb, lo, hi, color=colour, lw=0, label=label)


def shade_bouts(ax: Axes, bouts_s: Sequence[tuple[float, float]]) -> None:
    for i, (a, b) in enumerate(bouts_s):
        ax.axvspan(
            a, b, color=BOUT_COLOUR, alpha=0.12, lw=0, label="walking bout" if i == 0 else None
        )


def contacts_figure(
    t_s: np.ndarray,
    acc_norm: np.ndarray,
    gyr_norm: np.ndarray | None,
    contacts_own_s: np.ndarray,
    contacts_other_s: np.ndarray,
    bouts_s: Sequence[tuple[float, float]],
    window_s: tuple[float, float] | None,
    xlabel: str,
) -> Figure:
    """The whole signal with its bouts and contacts, and a close-up ``window_s`` of it."""
    fig = blank_figure(5.6, 2, 0.75)
    whole, close = fig.subplots(2, 1)
    full = (-np.inf, np.inf)
    top = float(np.max(acc_norm)) if acc_norm.size else 1.0
    for ax, (lo, hi) in ((whole, full), (close, window_s or full)):
        sel = (t_s >= lo) & (t_s <= hi)
        if gyr_norm is not None:
            ax2 = ax.twinx()
            draw_signal(ax2, t_s[sel], gyr_norm[sel], GYRO_COLOUR, "|angular rate| (deg/s)")
            ax2.set_ylabel("deg/s", color=GYRO_COLOUR)
            ax.set_zorder(ax2.get_zorder() + 1)
            ax.patch.set_visible(False)
        draw_signal(ax, t_s[sel], acc_norm[sel], SIGNAL_COLOUR, "|acceleration| (m/s²)")
        own = contacts_own_s[(contacts_own_s >= lo) & (contacts_own_s <= hi)]
        other = contacts_other_s[(contacts_other_s >= lo) & (contacts_other_s <= hi)]
        ax.plot(
            own,
            np.full(own.shape, top * 1.05),
            "v",
            color=OWN_FOOT_COLOUR,
            ms=5,
            label="contact, instrumented foot",
        )
        ax.plot(
            other,
            np.full(other.shape, top * 1.12),
            "v",
            color=OTHER_FOOT_COLOUR,
            ms=4,
            label="contact, other foot (estimated)",
        )
        ax.set_ylabel("m/s²", color=SIGNAL_COLOUR)
        ax.set_xlabel(xlabel)
    shade_bouts(whole, bouts_s)
    whole.set_title("whole session", loc="left", fontsize=10)
    if window_s is not None:
        close.set_xlim(*window_s)
        close.set_title(f"close-up {window_s[0]:.0f}-{window_s[1]:.0f} s", loc="left", fontsize=10)
    else:
        close.remove()
    whole.legend(loc="lower right", fontsize=8, ncols=4)
    return fig


def cadence_speed_figure(
    stride_t_s: np.ndarray,
    cadence_spm: np.ndarray,
    step_t_s: np.ndarray,
    speed_m_s: np.ndarray,
    bouts_s: Sequence[tuple[float, float]],
    xlim: tuple[float, float],
    xlabel: str,
) -> Figure:
    """Cadence per stride inside bouts and speed per step over time."""
    fig, (cad, spd) = new_figure(2, 4.2)
    for ax in (cad, spd):
        shade_bouts(ax, bouts_s)
    if cadence_spm.size:
        cad.plot(stride_t_s, cadence_spm, ".", color=SIGNAL_COLOUR, ms=4)
        cad.set_ylabel("steps/min")
    else:
        not_available(cad, "cadence (no walking bout)")
    cad.set_title(
        "cadence (two steps per stride of the instrumented foot)", loc="left", fontsize=10
    )
    known = ~np.isnan(speed_m_s)
    if known.any():
        spd.plot(step_t_s[known], speed_m_s[known], ".", color=BOUT_COLOUR, ms=4)
        spd.set_ylabel("m/s")
    else:
        not_available(spd, "speed")
    spd.set_title("speed per step", loc="left", fontsize=10)
    spd.set_xlim(*xlim)
    spd.set_xlabel(xlabel)
    return fig


def timeline_figure(
    step_t_s: np.ndarray,
    direction: Sequence[str | None],
    strike: Sequence[str | None],
    xlim: tuple[float, float],
    xlabel: str,
) -> Figure:
    """One coloured tick per step: its direction (top) and its foot strike (bottom)."""
    fig, (dir_ax, strike_ax) = new_figure(2, 2.6)
    for ax, values, title in (
        (dir_ax, direction, "direction"),
        (strike_ax, strike, "foot strike"),
    ):
        ax.set_title(title, loc="left", fontsize=10)
        if not any(v is not None for v in values):
            not_available(ax, title)
            continue
        # each step is a band reaching to the next step (at most a stride), so that runs of
        # one label read as coloured stretches
        width = np.diff(step_t_s, append=step_t_s[-1] + 0.5) if step_t_s.size else step_t_s
        width = np.clip(width, 0.05, 2.5)
        for cat in dict.fromkeys(values):
            sel = np.array([v == cat for v in values], dtype=bool)
            ax.bar(
                step_t_s[sel],
                1.0,
                width=width[sel],
                align="edge",
                linewidth=0,
                color=CATEGORY_COLOURS.get(cat, "#000000"),
                label="unknown" if cat is None else cat,
            )
        ax.set_ylim(0, 1.35)
        ax.set_yticks([])
        ax.legend(loc="upper right", fontsize=8, ncols=4)
    strike_ax.set_xlim(*xlim)
    strike_ax.set_xlabel(xlabel)
    return fig


def energy_figure(
    step_t_s: np.ndarray, kcal: np.ndarray, xlim: tuple[float, float], xlabel: str
) -> Figure:
    """Cumulative energy over the session (gross kcal of the steps)."""
    fig, (ax,) = new_figure(1, 2.4)
    known = ~np.isnan(kcal)
    if known.any():
        ax.step(
            step_t_s, np.cumsum(np.where(known, kcal, 0.0)), where="post", color=OWN_FOOT_COLOUR
        )
        ax.set_ylabel("kcal (cumulative)")
    else:
        not_available(ax, "energy")
    ax.set_title("energy", loc="left", fontsize=10)
    ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    return fig


def histogram_figure(panels: Sequence[tuple[str, np.ndarray]]) -> Figure:
    """One histogram per ``(title, values)``, in a grid of three columns."""
    n_cols = 3
    n_rows = max(1, -(-len(panels) // n_cols))
    fig = blank_figure(2.6 * n_rows, n_rows, 0.6)
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    for ax, (title, values) in zip(axes, panels, strict=False):
        v = np.asarray(values, dtype=np.float64)
        v = v[np.isfinite(v)]
        ax.set_title(title, loc="left", fontsize=10)
        if v.size:
            ax.hist(v, bins=min(30, max(5, v.size // 3)), color=SIGNAL_COLOUR)
            ax.set_ylabel("sessions")
        else:
            ax.text(0.5, 0.5, "not available", transform=ax.transAxes, ha="center",
                    va="center", color="#555555", fontsize=10)  # fmt: skip
            ax.set_yticks([])
    for ax in axes[len(panels) :]:
        ax.remove()
    return fig
