"""Self-contained HTML reports: one per session, one per cohort.

Figures are PNG images embedded as ``data:`` URIs and the style sheet is inline, so a report is
one file that opens in any browser without a network or the files it was made from.
"""

from __future__ import annotations

import base64
import html
import math
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gait.summary import SUMMARY_ROWS as _SUMMARY_ROWS

if TYPE_CHECKING:
    import pandas as pd

    from gait.api import Analysis

#: Length of the close-up of the signal in the session report (s).
CLOSE_UP_S = 10.0
NOT_AVAILABLE = "not available"

#: (summary field, label, digits) shown in the summary table of a report: the command's rows,
#: then what the gaps cost.
SUMMARY_ROWS: tuple[tuple[str, str, int], ...] = (
    *_SUMMARY_ROWS,
    ("n_gaps", "gaps", 0),
    ("samples_lost", "samples lost in gaps", 0),
)

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1000px; color: #222;
       background: #ffffff; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9em; }
td, th { padding: 2px 10px; border-bottom: 1px solid #eee; text-align: right; }
td:first-child, th:first-child { text-align: left; }
th { background: #f3f3f3; }
img { max-width: 100%; display: block; }
.meta { color: #555; }
.na { color: #888; font-style: italic; }
.error { color: #b00020; }
"""


# --- small helpers --------------------------------------------------------------------------


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename, so
    that ``path`` either does not exist or is complete. Returns the path."""
    p = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = p.with_name(f".{p.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(raw)
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return p


def _img(fig: Any, alt: str) -> str:
    from gait.report._figures import png_bytes

    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _fmt(value: Any, digits: int = 3, *, short: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if short:
            return f'<span class="na" title="{NOT_AVAILABLE}">–</span>'
        return f'<span class="na">{NOT_AVAILABLE}</span>'
    if isinstance(value, dict):
        return html.escape(
            ", ".join(f"{k} {100 * float(v):.0f}%" for k, v in value.items() if v is not None)
        )
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return f"{float(value):.{digits}f}"
    return html.escape(str(value))


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def parse_start_time(text: str | None) -> datetime | None:
    """The sidecar's ``start_time_utc`` as an aware UTC datetime (no offset = UTC)."""
    if text is None:
        return None
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def _clock(start: datetime | None, t_s: float) -> str:
    if start is None:
        return ""
    return (start + timedelta(seconds=float(t_s))).strftime("%Y-%m-%d %H:%M:%S")


# --- the session report ---------------------------------------------------------------------


def _column(records: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    return np.array(
        [np.nan if r.get(key) is None else float(r[key]) for r in records], dtype=np.float64
    )


def session_report(analysis: Analysis, *, title: str | None = None) -> str:
    """The HTML text of one session's report: signal with contacts, cadence and speed over
    time, bouts, a direction and strike timeline, energy and the summary."""
    from gait.report import _figures as F
    from gait.summary import bouts

    session = analysis.session
    samples = session.samples
    records = analysis.records
    summary = analysis.summary.to_dict()
    name = title or (session.path or "session")
    start = parse_start_time(session.meta.start_time_utc)
    xlabel = "time (s)"
    if start is not None:
        xlabel += f" since {start.strftime('%Y-%m-%d %H:%M:%S')} UTC"

    t = np.asarray(samples.t_s, dtype=np.float64)
    acc = np.linalg.norm(samples.acc_ms2, axis=1)
    gyr = None if samples.gyr_dps is None else np.linalg.norm(samples.gyr_dps, axis=1)
    step_t = _column(records, "t_s")
    own_mask = np.array([bool(r["instrumented"]) for r in records], dtype=bool)
    own_t = step_t[own_mask]
    found = bouts(own_t)
    bouts_s = [(float(own_t[a]), float(own_t[b])) for a, b in found]
    xlim = (float(t[0]), float(t[-1])) if t.size else (0.0, 1.0)

    window = None
    if t.size and xlim[1] - xlim[0] > CLOSE_UP_S * 1.5:
        if bouts_s:
            a, b = max(bouts_s, key=lambda ab: ab[1] - ab[0])
            centre = (a + b) / 2
        else:
            centre = (xlim[0] + xlim[1]) / 2
        lo = max(xlim[0], centre - CLOSE_UP_S / 2)
        window = (lo, min(xlim[1], lo + CLOSE_UP_S))

    stride_t, cadence = [], []
    for a, b in found:
        strides = np.diff(own_t[a : b + 1])
        stride_t.append(own_t[a + 1 : b + 1])
        cadence.append(120.0 / strides)
    stride_t_arr = np.concatenate(stride_t) if stride_t else np.zeros(0)
    cadence_arr = np.concatenate(cadence) if cadence else np.zeros(0)

    parts: list[str] = [f"<h1>Gait report: {html.escape(Path(name).name)}</h1>"]
    meta = [f"file: {html.escape(name)}"]
    if start is not None:
        end = _clock(start, xlim[1])
        meta.append(f"recorded {start.strftime('%Y-%m-%d %H:%M:%S')} – {end} UTC")
    if session.meta.subject.id is not None:
        meta.append(f"subject: {html.escape(session.meta.subject.id)}")
    meta.append(f"placement: {html.escape(str(summary['placement'] or 'unknown'))}")
    parts.append('<p class="meta">' + " · ".join(meta) + "</p>")

    parts.append("<h2>Summary</h2>")
    parts.append(
        _table(
            ("quantity", "value"),
            ((lab, _fmt(summary.get(k), d)) for k, lab, d in SUMMARY_ROWS if k in summary),
        )
    )

    parts.append("<h2>Signal and contacts</h2>")
    parts.append(
        _img(
            F.contacts_figure(t, acc, gyr, own_t, step_t[~own_mask], bouts_s, window, xlabel),
            "signal with contacts",
        )
    )
    parts.append("<h2>Cadence and speed over time</h2>")
    parts.append(
        _img(
            F.cadence_speed_figure(
                stride_t_arr,
                cadence_arr,
                step_t,
                _column(records, "speed_m_s"),
                bouts_s,
                xlim,
                xlabel,
            ),
            "cadence and speed over time",
        )
    )

    parts.append(f"<h2>Walking bouts ({len(found)})</h2>")
    if found:
        rows = []
        for i, ((a, b), (ta, tb)) in enumerate(zip(found, bouts_s, strict=True), 1):
            strides = b - a
            dur = tb - ta
            row = [
                str(i),
                f"{ta:.2f}",
                f"{tb:.2f}",
                f"{dur:.1f}",
                str(strides),
                f"{120.0 * strides / dur:.1f}" if dur > 0 else _fmt(None),
            ]
            if start is not None:
                row.insert(1, _clock(start, ta))
            rows.append(row)
        header = ["#", "start (s)", "end (s)", "duration (s)", "strides", "cadence (steps/min)"]
        if start is not None:
            header.insert(1, "start (UTC)")
        parts.append(_table(header, rows))
    else:
        parts.append('<p class="na">no walking bout (at least two regular strides)</p>')

    parts.append("<h2>Direction and foot strike</h2>")
    parts.append(
        _img(
            F.timeline_figure(
                step_t,
                [r.get("direction") for r in records],
                [r.get("strike") for r in records],
                xlim,
                xlabel,
            ),
            "direction and strike timeline",
        )
    )
    parts.append("<h2>Energy</h2>")
    parts.append(
        _img(
            F.energy_figure(step_t, _column(records, "kcal"), xlim, xlabel),
            "energy over time",
        )
    )
    notes = session.meta.assumptions
    if notes:
        parts.append("<h2>Notes from the reader</h2><ul>")
        parts += [f"<li>{html.escape(n)}</li>" for n in notes]
        parts.append("</ul>")
    parts.append(_footer())
    return _page(f"Gait report: {Path(name).name}", "\n".join(parts))


def _footer() -> str:
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f'<p class="meta">made by gait on {made}; figures are embedded, no network needed.</p>'


def write_session_report(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write :func:`session_report` to ``path`` (atomically); returns the path."""
    return write_atomic(path, session_report(analysis))


# --- the cohort report ----------------------------------------------------------------------

#: (column of the cohort table, histogram title) of the cohort report's distributions.
COHORT_DISTRIBUTIONS: tuple[tuple[str, str], ...] = (
    ("cadence_spm", "cadence (steps/min)"),
    ("mean_stride_time_s", "mean stride time (s)"),
    ("stride_time_cv", "stride time CV"),
    ("walking_time_s", "walking time (s)"),
    ("n_steps", "steps per session"),
    ("mean_speed_m_s", "mean speed (m/s)"),
    ("backward_share", "backward share"),
    ("kcal_gross", "energy, gross (kcal)"),
    ("duration_s", "duration (s)"),
)
#: (column, header, digits) of the per-session table of the cohort report.
COHORT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("subject_id", "subject", 0),
    ("start_time_utc", "start (UTC)", 0),
    ("duration_s", "duration (s)", 0),
    ("n_steps", "steps", 0),
    ("n_bouts", "bouts", 0),
    ("cadence_spm", "cadence", 1),
    ("mean_stride_time_s", "stride (s)", 3),
    ("stride_time_cv", "CV", 3),
    ("mean_speed_m_s", "speed (m/s)", 2),
    ("backward_share", "backward", 2),
    ("kcal_gross", "kcal", 1),
)


def cohort_report(table: pd.DataFrame, *, title: str = "Cohort report") -> str:
    """The HTML text of the cohort report from the cohort summary table (one row per session,
    :data:`gait.cohort.SUMMARY_COLUMNS`): distributions and a per-session table linking to the
    session reports listed in its ``report`` column."""
    import pandas as pd

    from gait.report import _figures as F

    ok = table[table["status"] == "ok"] if "status" in table else table
    failed = table[table["status"] != "ok"] if "status" in table else table.iloc[0:0]
    parts = [f"<h1>{html.escape(title)}</h1>"]
    parts.append(
        f'<p class="meta">{len(table)} session(s): {len(ok)} analysed, {len(failed)} failed</p>'
    )
    parts.append("<h2>Cohort summary</h2>")
    rows = []
    for col, label in COHORT_DISTRIBUTIONS:
        v = pd.to_numeric(ok[col], errors="coerce").to_numpy(dtype=np.float64) if col in ok else []
        v = np.asarray(v, dtype=np.float64)
        v = v[np.isfinite(v)]
        if v.size:
            rows.append(
                [
                    html.escape(label),
                    str(v.size),
                    f"{np.median(v):.3g}",
                    f"{np.percentile(v, 25):.3g} – {np.percentile(v, 75):.3g}",
                    f"{v.min():.3g} – {v.max():.3g}",
                ]
            )
        else:
            rows.append([html.escape(label), "0", _fmt(None), "", ""])
    parts.append(_table(("quantity", "sessions", "median", "quartiles", "range"), rows))
    parts.append("<h2>Distributions over sessions</h2>")
    panels = [
        (
            label,
            pd.to_numeric(ok[col], errors="coerce").to_numpy(dtype=np.float64)
            if col in ok
            else np.zeros(0),
        )
        for col, label in COHORT_DISTRIBUTIONS
    ]
    parts.append(_img(F.histogram_figure(panels), "distributions over sessions"))

    parts.append(f"<h2>Sessions ({len(table)})</h2>")
    rows = []
    for _, r in table.iterrows():
        name = html.escape(str(r.get("stem") or r.get("file", "")))
        report = r.get("report")
        if isinstance(report, str) and report:
            name = f'<a href="{html.escape(report)}">{name}</a>'
        if r.get("status", "ok") != "ok":
            cells = [name, f'<span class="error">{html.escape(str(r.get("error")))}</span>']
            cells += [""] * (len(COHORT_COLUMNS) - 1)
        else:
            cells = [name]
            for c, _, d in COHORT_COLUMNS:
                v = _plain(r.get(c))
                if c == "start_time_utc" and v is not None:
                    stamp = parse_start_time(str(v))
                    v = stamp.strftime("%Y-%m-%d %H:%M") if stamp is not None else v
                cells.append(_fmt(v, d, short=True))
        rows.append(cells)
    parts.append(_table(["session", *(h for _, h, _ in COHORT_COLUMNS)], rows))
    parts.append('<p class="meta">– : not available. Session names link to their reports.</p>')
    parts.append(_footer())
    return _page(title, "\n".join(parts))


def _plain(value: Any) -> Any:
    """A table cell as a plain Python value (NaN/NA -> None, integral floats of counts kept)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_cohort_report(
    table: pd.DataFrame, path: str | os.PathLike[str], *, title: str = "Cohort report"
) -> Path:
    """Write :func:`cohort_report` to ``path`` (atomically); returns the path."""
    return write_atomic(path, cohort_report(table, title=title))
