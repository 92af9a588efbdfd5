"""Model cards: what a model folder was trained on and how well it did, as JSON and Markdown."""

from __future__ import annotations

from typing import Any

import numpy as np

from gait.classify.augment import ONBOARD_FILTERS
from gait.classify.data import JITTER_S, STRIKE_JITTER_S
from gait.classify.features import BIN_S, POST_S, PRE_S, SWING_S

FEATURE_SUMMARY = (
    "Per step, in a frame found from the motion (vertical = mean specific force; sagittal axis = "
    "principal gyro axis, signed so the swing ending at the contact is positive; horizontal = "
    "their cross product): sagittal rate, shank angle, vertical and sagittal-horizontal "
    "acceleration, lateral acceleration and off-sagittal rate magnitudes, and the normalised "
    f"sagittal rate, averaged in {BIN_S} s bins from -{PRE_S} s to +{POST_S} s around the contact, "
    f"plus swing and trough scalars (swing searched {SWING_S} s before the contact). Independent "
    "of sensor mounting and leg."
)


def _r(x: Any) -> Any:
    if isinstance(x, float):
        return round(x, 4)
    if isinstance(x, dict):
        return {k: _r(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_r(v) for v in x]
    return x


def build_card(
    *, steps, oof, oof_p, models, data, n_splits, seed, command, features, versions, augment=False
) -> dict[str, Any]:
    """The model card as a JSON-ready dict (no time stamps: the same data give the same card)."""
    from gait.classify.train import TASKS, _labelled, heel_vs_forefoot, metrics

    tasks: dict[str, Any] = {}
    for task, classes in TASKS.items():
        y = getattr(steps, task)
        pred = oof[task]
        m = _labelled(y) & np.array([p is not None for p in pred], dtype=bool)
        yt, yp = y[m].astype(str), pred[m].astype(str)
        model = models[task]
        entry: dict[str, Any] = {
            "classes": [str(c) for c in model.classes_],
            "training_steps": {str(c): int(np.sum(y[_labelled(y)] == c)) for c in classes},
            "cross_validation": metrics(yt, yp, [str(c) for c in model.classes_]),
        }
        subj = {}
        for s in sorted({str(v) for v in steps.subject[m]}):
            k = steps.subject[m] == s
            subj[s] = {"n": int(k.sum()), "accuracy": float(np.mean(yt[k] == yp[k]))}
        entry["cross_validation"]["per_subject_accuracy"] = subj
        if task == "strike":
            p = oof_p[task][m]
            entry["cross_validation"]["heel_vs_forefoot"] = heel_vs_forefoot(
                yt, p, [str(c) for c in model.classes_]
            )
        if task == "direction":
            sk = steps.strike[m]
            ff = (yt == "forward") & (sk == "forefoot")
            entry["cross_validation"]["forward_forefoot_recall"] = (
                float(np.mean(yp[ff] == "forward")) if ff.any() else None
            )
            entry["cross_validation"]["forward_forefoot_n"] = int(ff.sum())
        entry["estimator"] = {k: v for k, v in model.get_params().items()}
        tasks[task] = entry
    return _r(
        {
            "format": "gait model card 1",
            "command": command,
            "data": data,
            "n_steps": len(steps),
            "subjects": len({str(s) for s in steps.subject}),
            "contacts": "sensor-foot contacts from <stem>.steps.csv (or the step detector); the "
            "other foot's steps inherit the labels of the neighbouring sensor-foot step; the "
            "direction model also learns from each truth contact moved by "
            f"{', '.join(f'{o:+.2f}' for o in JITTER_S)} s and the strike model from each "
            f"moved by {', '.join(f'{o:+.2f}' for o in STRIKE_JITTER_S)} s, in the strike model of "
            "its own contact's direction (not scored here)"
            + (
                "; both learn from each recording also read through one on-board filter ("
                + ", ".join(f.name for f in ONBOARD_FILTERS)
                + "; gait.classify.augment; not scored here)"
                if augment
                else ""
            ),
            "cross_validation": {
                "scheme": "GroupKFold by subject (clip for the mocap layout)",
                "n_splits": n_splits,
            },
            "seed": seed,
            "features": {"n": len(features), "summary": FEATURE_SUMMARY, "names": features},
            "tasks": tasks,
            "library_versions": versions,
        }
    )


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def card_markdown(card: dict[str, Any]) -> str:
    """The model card as Markdown."""
    lines = ["# Model card: gait step classifiers (direction, strike)", ""]
    if card.get("command"):
        lines += ["Written by:", "", "```", str(card["command"]), "```", ""]
    lines += ["## Data", "", "| path | layouts | recordings | steps |", "| --- | --- | --- | --- |"]
    for d in card["data"]:
        lines.append(
            f"| `{d['path']}` | {', '.join(d['layouts'])} | {d['recordings']} | {d['steps']} |"
        )
    lines += [
        "",
        f"{card['n_steps']} sensor-foot steps of {card['subjects']} subjects/clips. "
        f"{card['contacts']}. Every DATA argument gets the same total weight; classes are "
        "balanced.",
        "",
        "## Features",
        "",
        f"{card['features']['n']} features. {card['features']['summary']}",
        "",
        f"## Cross-validation ({card['cross_validation']['scheme']}, "
        f"{card['cross_validation']['n_splits']} folds)",
        "",
    ]
    for task, t in card["tasks"].items():
        cv = t["cross_validation"]
        lines += [
            f"### {task}",
            "",
            f"Accuracy {_pct(cv['accuracy'])}, balanced accuracy {_pct(cv['balanced_accuracy'])} "
            f"(n = {cv['n']}).",
            "",
            "| class | training steps | precision | recall |",
            "| --- | --- | --- | --- |",
        ]
        for c, pc in cv["per_class"].items():
            lines.append(
                f"| {c} | {t['training_steps'].get(c, 0)} | {_pct(pc['precision'])} | "
                f"{_pct(pc['recall'])} |"
            )
        labels = cv["confusion"]["labels"]
        lines += ["", "Confusion (rows truth, columns predicted):", ""]
        lines += ["| | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
        for lab, row in zip(labels, cv["confusion"]["rows_truth_columns_predicted"], strict=True):
            lines.append(f"| {lab} | " + " | ".join(str(v) for v in row) + " |")
        if "heel_vs_forefoot" in cv:
            h = cv["heel_vs_forefoot"]
            lines += ["", f"Heel vs forefoot: accuracy {_pct(h['accuracy'])} (n = {h['n']})."]
        if "forward_forefoot_recall" in cv:
            lines += [
                "",
                f"Forward steps landing on the forefoot recognised as forward: "
                f"{_pct(cv['forward_forefoot_recall'])} (n = {cv['forward_forefoot_n']}).",
            ]
        worst = sorted(cv["per_subject_accuracy"].items(), key=lambda kv: kv[1]["accuracy"])[:5]
        lines += [
            "",
            "Lowest per-subject accuracies: "
            + ", ".join(f"{s} {_pct(v['accuracy'])} (n={v['n']})" for s, v in worst)
            + " (all subjects in model_card.json).",
            "",
        ]
    if "evaluation" in card:
        lines += ["## Evaluation (benchmarks/eval_classify.py)", ""]
        for k, v in card["evaluation"].items():
            lines.append(f"- {k}: {v}")
        lines.append("")
    lines += ["## Library versions", ""]
    lines += [f"- {k} {v}" for k, v in card["library_versions"].items()]
    return "\n".join(lines) + "\n"
