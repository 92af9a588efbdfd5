"""``gait evaluate PATH...``: score the analysis against the truth of labelled sessions.

Each session needs its per-contact truth ``<stem>.steps.csv`` beside it (docs/labelled-sessions.md).
Detected contacts are matched one to one with true contacts of the same foot within a tolerance
(:func:`gait.evaluation.match_contacts`, each true contact taking the nearest free detection);
then precision, recall and F1, the timing error of matched contacts (detected minus true), and,
over matched contacts whose label is known on both sides, direction and strike accuracy (and
the speed error when the truth has a ``speed_m_s`` column).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from gait.cli._common import (
    EXIT_USER_ERROR,
    error_line,
    existing_paths,
    fail,
    handle_errors,
    print_json,
    progress_bar,
)
from gait.errors import GaitError
from gait.evaluation import ContactScore, match_contacts

if TYPE_CHECKING:
    from gait.api import Analysis
    from gait.labels import StepLabel

#: Default matching tolerance (s) around a true contact.
TOLERANCE_S = 0.1


class EvalFormat(StrEnum):
    table = "table"
    json = "json"


@dataclass
class Agreement:
    """How often a label of matched contacts agrees with the truth (known on both sides)."""

    n_correct: int = 0
    n_compared: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.n_correct / self.n_compared if self.n_compared else None

    def __add__(self, other: Agreement) -> Agreement:
        return Agreement(self.n_correct + other.n_correct, self.n_compared + other.n_compared)


@dataclass
class Evaluation:
    """The scores of one session (or of several, added up)."""

    file: str
    contacts: ContactScore
    instrumented: ContactScore
    direction: Agreement = field(default_factory=Agreement)
    strike: Agreement = field(default_factory=Agreement)
    speed_error_m_s: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __add__(self, other: Evaluation) -> Evaluation:
        return Evaluation(
            "all sessions",
            self.contacts + other.contacts,
            self.instrumented + other.instrumented,
            self.direction + other.direction,
            self.strike + other.strike,
            np.concatenate([self.speed_error_m_s, other.speed_error_m_s]),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``None`` = not available)."""

        def score(s: ContactScore) -> dict[str, Any]:
            return {
                "n_true": s.n_true_positive + s.n_false_negative,
                "n_detected": s.n_true_positive + s.n_false_positive,
                "n_matched": s.n_true_positive,
                "precision": _num(s.precision),
                "recall": _num(s.recall),
                "f1": _num(s.f1),
            }

        err = self.contacts.timing_error_ms
        speed = self.speed_error_m_s
        return {
            "file": self.file,
            "contacts": score(self.contacts),
            "instrumented_foot": score(self.instrumented),
            "timing_ms": {
                "median": _num(np.median(err)) if err.size else None,
                "mean_abs": _num(np.mean(np.abs(err))) if err.size else None,
                "p95_abs": _num(self.contacts.abs_timing_percentile_ms(95)),
            },
            "direction": {
                "accuracy": self.direction.accuracy,
                "n_compared": self.direction.n_compared,
            },
            "strike": {"accuracy": self.strike.accuracy, "n_compared": self.strike.n_compared},
            "speed": {
                "mean_abs_error_m_s": _num(np.mean(np.abs(speed))) if speed.size else None,
                "n_compared": int(speed.size),
            },
        }


def _num(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else round(x, 6)


# --- scoring ----------------------------------------------------------------------------------


def _match(
    det_t: np.ndarray, true_t: np.ndarray, rate_hz: float, tolerance_s: float
) -> tuple[np.ndarray, np.ndarray, ContactScore]:
    det_idx = np.rint(det_t * rate_hz).astype(np.int64)
    true_idx = np.rint(true_t * rate_hz).astype(np.int64)
    swings = np.column_stack([true_idx, true_idx])  # a contact is a zero-length footstep
    d, a = match_contacts(det_idx, swings, tolerance_samples=round(tolerance_s * rate_hz))
    score = ContactScore(
        n_true_positive=len(d),
        n_false_positive=len(det_idx) - len(d),
        n_false_negative=len(true_idx) - len(d),
        timing_error_ms=(det_t[d] - true_t[a]) * 1000.0,
    )
    return d, a, score


def evaluate_analysis(
    analysis: Analysis,
    truth: list[StepLabel],
    *,
    tolerance_s: float = TOLERANCE_S,
    file: str | None = None,
) -> Evaluation:
    """Score one analysed session against its per-contact truth."""
    recs = analysis.records
    rate = float(analysis.session.samples.sampling_rate_hz)
    det_t = np.array([r["t_s"] for r in recs], dtype=np.float64)
    det_foot = np.array([r["foot"] for r in recs], dtype=object)
    det_own = np.array([bool(r["instrumented"]) for r in recs], dtype=bool)
    true_t = np.array([s.t_s for s in truth], dtype=np.float64)
    true_foot = np.array([s.foot for s in truth], dtype=object)
    true_speed = np.array([_extra_float(s, "speed_m_s") for s in truth], dtype=np.float64)

    # feet known (placement given): a detection may only match a contact of its own foot
    groups: list[tuple[np.ndarray, np.ndarray]]
    if all(f is not None for f in det_foot):
        groups = [(det_foot == f, true_foot == f) for f in ("left", "right")]
    else:
        groups = [(np.ones(det_t.size, bool), np.ones(true_t.size, bool))]
    total = ContactScore.zero()
    direction, strike = Agreement(), Agreement()
    speed_err: list[float] = []
    for det_sel, true_sel in groups:
        di, ti = np.flatnonzero(det_sel), np.flatnonzero(true_sel)
        d, a, score = _match(det_t[di], true_t[ti], rate, tolerance_s)
        total = total + score
        for k, j in zip(di[d], ti[a], strict=True):
            rec, true = recs[k], truth[j]
            for agree, key in ((direction, "direction"), (strike, "strike")):
                said, right = rec.get(key), getattr(true, key)
                if said is not None and right is not None:
                    agree.n_compared += 1
                    agree.n_correct += said == right
            if rec.get("speed_m_s") is not None and not math.isnan(true_speed[j]):
                speed_err.append(float(rec["speed_m_s"]) - float(true_speed[j]))

    own_foot = next((r["foot"] for r in recs if r["instrumented"]), None)
    own_foot = own_foot or _foot_of(analysis)
    if own_foot is not None:
        _, _, instrumented = _match(
            det_t[det_own], true_t[true_foot == own_foot], rate, tolerance_s
        )
    else:
        instrumented = ContactScore(0, int(det_own.sum()), 0, np.zeros(0))
    return Evaluation(
        file or str(analysis.file),
        total,
        instrumented,
        direction,
        strike,
        np.asarray(speed_err, dtype=np.float64),
    )


def _foot_of(analysis: Analysis) -> str | None:
    from gait.consts import foot_of

    return foot_of(analysis.session.meta.placement)


def _extra_float(step: StepLabel, name: str) -> float:
    for key, value in step.extra:
        if key == name:
            try:
                return float(value)
            except ValueError:
                return math.nan
    return math.nan


# --- finding labelled sessions -----------------------------------------------------------------


def _truth_file(session: Path) -> Path:
    from gait.labels import steps_path

    return steps_path(session)


def find_truth_sessions(paths: list[Path]) -> list[Path]:
    """Session files with a ``<stem>.steps.csv`` beside them: files as given (their truth must
    exist), folders searched recursively, in sorted order, each once."""
    from gait.labels import SESSION_SUFFIXES, STEPS_SUFFIX

    found: list[Path] = []
    for p in existing_paths(paths):
        if p.is_dir():
            inside = []
            for truth in sorted(p.rglob("*" + STEPS_SUFFIX)):
                if truth.name.endswith(".gait-steps.csv"):  # results of gait analyse --out
                    continue
                stem = truth.name[: -len(STEPS_SUFFIX)]
                cands = [truth.with_name(stem + s) for s in SESSION_SUFFIXES]
                cands = [c for c in cands if c.is_file()]
                if not cands:
                    fail(f"{truth}: ground truth without a session file ({stem}.csv)")
                inside.append(cands[0])
            if not inside:
                fail(f"{p}: no labelled sessions (<stem>.steps.csv beside a session) here")
            found += inside
        else:
            if p.name.endswith(STEPS_SUFFIX):
                fail(f"{p}: this is ground truth; give the session file beside it")
            if not _truth_file(p).is_file():
                fail(
                    f"{p}: no ground truth {_truth_file(p).name} beside it; expected "
                    "per-contact truth as in docs/labelled-sessions.md"
                )
            found.append(p)
    return list(dict.fromkeys(found))


def evaluate_file(path: Path, *, tolerance_s: float = TOLERANCE_S, **options: Any) -> Evaluation:
    """Analyse ``path`` as ``gait analyse`` does and score it against its ``.steps.csv``."""
    from gait.cohort import analyse_file
    from gait.labels import read_steps

    analysis = analyse_file(str(path), **options)
    t = analysis.session.samples.t_s
    span = (float(t[0]), float(t[-1])) if t.size else (0.0, 0.0)
    truth = read_steps(_truth_file(path), recording_span_s=span)
    return evaluate_analysis(analysis, truth, tolerance_s=tolerance_s, file=str(path))


# --- the command ------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def _ms(x: float | None) -> str:
    return "–" if x is None else f"{x:+.0f}" if x else "0"


def _print_table(evals: list[Evaluation], total: Evaluation, tolerance_s: float) -> None:
    from rich.console import Console
    from rich.table import Table

    from gait.cohort import session_stem

    table = Table(
        title=f"contacts matched within ±{tolerance_s * 1000:.0f} ms of the truth",
        title_justify="left",
    )
    for col in (
        "session", "true", "found", "P %", "R %", "F1 %", "F1 own %", "Δt med ms",
        "|Δt| p95 ms", "dir %", "strike %",
    ):  # fmt: skip
        if col == "session":
            width = max(len(session_stem(ev.file)) for ev in evals)
            table.add_column(col, overflow="fold", min_width=min(width, 40))
        else:
            table.add_column(col, justify="right")
    for ev in [*evals, total]:
        d = ev.to_dict()
        c, own = d["contacts"], d["instrumented_foot"]
        name = session_stem(ev.file) if ev is not total else "[bold]all[/]"
        table.add_row(
            name,
            str(c["n_true"]),
            str(c["n_detected"]),
            _pct(c["precision"]),
            _pct(c["recall"]),
            _pct(c["f1"]),
            _pct(own["f1"]),
            _ms(d["timing_ms"]["median"]),
            "–" if d["timing_ms"]["p95_abs"] is None else f"{d['timing_ms']['p95_abs']:.0f}",
            _pct(d["direction"]["accuracy"]),
            _pct(d["strike"]["accuracy"]),
            end_section=ev is evals[-1],
        )
    console = Console(highlight=False)
    console.print(table)
    if total.direction.n_compared == 0 or total.strike.n_compared == 0:
        console.print(
            "P, R: precision, recall; own: the instrumented foot; Δt: detected - true; "
            "–: not available (no detected direction/strike, or no such truth)",
            style="dim",
        )


@handle_errors
def evaluate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Labelled session files, or folders searched for sessions with a "
            "<stem>.steps.csv beside them.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        EvalFormat,
        typer.Option("--format", "-f", help="table: for people; json: one JSON document."),
    ] = EvalFormat.table,
    tolerance_s: Annotated[
        float,
        typer.Option(
            "--tolerance-s",
            help="A detection within this many seconds of a true contact can match it.",
            min=0.001,
            max=1.0,
        ),
    ] = TOLERANCE_S,
    mass_kg: Annotated[
        float | None,
        typer.Option(help="Body mass in kg for energy (default: the sidecar's)."),
    ] = None,
) -> None:
    """Score the analysis against the truth of labelled sessions: precision, recall, F1,
    timing, direction and strike accuracy."""
    files = find_truth_sessions(paths)
    evals: list[Evaluation] = []
    failed: list[Path] = []
    with progress_bar(len(files), "evaluating") as advance:
        for path in files:
            try:
                evals.append(evaluate_file(path, tolerance_s=tolerance_s, mass_kg=mass_kg))
            except (GaitError, OSError) as e:
                error_line(str(e) if isinstance(e, GaitError) else f"{path}: {e}")
                failed.append(path)
            advance()
    if evals:
        total = evals[0]
        for ev in evals[1:]:
            total = total + ev
        total = Evaluation("all sessions", total.contacts, total.instrumented, total.direction,
                           total.strike, total.speed_error_m_s)  # fmt: skip
        if output_format is EvalFormat.json:
            print_json(
                {
                    "tolerance_s": tolerance_s,
                    "sessions": [ev.to_dict() for ev in evals],
                    "total": total.to_dict(),
                },
                indent=2,
            )
        else:
            _print_table(evals, total, tolerance_s)
    if failed:
        error_line(f"{len(failed)} of {len(files)} session(s) could not be evaluated")
        raise typer.Exit(EXIT_USER_ERROR)


def register(app: typer.Typer) -> None:
    """Add ``gait evaluate`` to ``app``."""
    app.command("evaluate", no_args_is_help=True)(evaluate)


__all__ = ["Evaluation", "evaluate", "evaluate_analysis", "find_truth_sessions", "register"]
