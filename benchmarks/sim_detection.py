"""Step detection on simulated development sessions, by seed set, with the misses by condition.

The realism report (``benchmarks/realism_report.py``) scores the detector on one set of held-out
seeds. This command scores it on other seed sets, the ones used while developing the detector,
so a figure can be checked on more than one sample of sessions:

    python -m benchmarks.sim_detection                 # seed sets 1000, 3000, 4000
    python -m benchmarks.sim_detection --seeds 5000    # any other set
    python -m benchmarks.sim_detection --acc-only      # the detector without the gyroscope

Each seed set holds 16 mixed shank sessions (90 s, random bouts and sensor set-ups) and 8 foot
sessions laid out like the IPOL protocol, built exactly as the realism report builds its own.
"""

from __future__ import annotations

import argparse
from collections import Counter

from benchmarks.realism_report import detect_simulated, detection_sessions
from gait.evaluation import ContactScore, match_contacts, score_contacts

N_MIXED = 16
N_FOOT = 8


def _condition(res, t_s: float) -> str:
    """Gait, direction and speed band of the simulated step nearest ``t_s``."""
    lab = min(res.steps, key=lambda s: abs(s.t_s - t_s))
    extra = dict(lab.extra)
    speed = float(extra.get("speed_m_s", "nan"))
    band = "<0.5" if speed < 0.5 else "0.5-1" if speed < 1.0 else ">=1"
    return f"{extra.get('gait', '?')} {lab.direction} {band} m/s"


def score_seed_set(
    seed: int, misses: Counter, *, acc_only: bool = False
) -> dict[str, ContactScore]:
    """Pooled contact scores per group; adds each missed contact's condition to ``misses``."""
    out = {}
    mixed, foot = detection_sessions(seed, N_MIXED, N_FOOT)
    for name, specs in (("mixed shank", mixed), ("IPOL-like foot", foot)):
        total = ContactScore.zero()
        for spec, sd in specs:
            res, own, swings = detect_simulated(spec, sd, acc_only=acc_only)
            samples = res.session.samples
            total = total + score_contacts(own, swings, sampling_rate_hz=samples.sampling_rate_hz)
            tol = round(0.1 * samples.sampling_rate_hz)
            _, matched = match_contacts(own, swings, tolerance_samples=tol)
            for k in sorted(set(range(len(swings))) - set(matched)):
                misses[f"{name}: {_condition(res, float(samples.t_s[swings[k, 1]]))}"] += 1
        out[name] = total
    return out


def _row(label: str, s: ContactScore) -> str:
    n = s.n_true_positive + s.n_false_negative
    return (
        f"{label:<22} {n:>6} {s.precision:>7.4f} {s.recall:>7.4f} {s.f1:>7.4f}"
        f" {s.n_false_positive:>4} {s.n_false_negative:>4}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1000, 3000, 4000])
    ap.add_argument("--acc-only", action="store_true", help="hide the gyroscope from the detector")
    args = ap.parse_args()
    misses: Counter = Counter()
    pooled: dict[str, ContactScore] = {}
    print(f"{'seed set / group':<22} {'n':>6} {'P':>7} {'R':>7} {'F1':>7} {'FP':>4} {'FN':>4}")
    for seed in args.seeds:
        for name, s in score_seed_set(seed, misses, acc_only=args.acc_only).items():
            print(_row(f"{seed} {name}", s), flush=True)
            pooled[name] = pooled.get(name, ContactScore.zero()) + s
    for name, s in pooled.items():
        print(_row(f"all {name}", s))
    print("\nmissed contacts by condition:")
    for cond, n in misses.most_common():
        print(f"  {n:>4}  {cond}")


if __name__ == "__main__":
    main()
