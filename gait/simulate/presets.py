"""Named session plans: the demo session, single-condition sessions and randomised mixes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gait.simulate._spec import Bout, SensorSpec, SessionSpec, SubjectSpec


def demo_bouts() -> tuple[Bout, ...]:
    """About two minutes: forward walking, a U-turn, backward walking, standing in between."""
    return (
        Bout("stand", 5.0),
        Bout("walk", 28.0, "forward", speed_m_s=1.3),
        Bout("walk", 6.0, "forward", speed_m_s=0.6, turn_deg=180.0),
        Bout("walk", 22.0, "forward", speed_m_s=1.2),
        Bout("stand", 5.0),
        Bout("walk", 26.0, "backward", speed_m_s=0.8),
        Bout("stand", 4.0),
        Bout("walk", 20.0, "forward", speed_m_s=1.4),
        Bout("stand", 4.0),
    )


def demo_spec() -> SessionSpec:
    """The bundled demo session: a right-ankle sensor at 100 Hz, strapped on at random."""
    return SessionSpec(
        bouts=demo_bouts(),
        subject=SubjectSpec(id="demo-01", height_m=1.76, mass_kg=72.0, age_years=41),
        sensor=SensorSpec(sampling_rate_hz=100.0, placement="right_ankle", drop_probability=0.0),
    )


#: Strike shares, the same for both directions (drawn independently of direction, so that a
#: classifier cannot read direction off strike): walking and running (our assumption; forward
#: walkers mostly land on the heel, most recreational runners too [Larson et al. 2011], backward
#: walkers mostly on the forefoot, and each gait is found landing every way).
STRIKE_SHARES = {"walk": (0.45, 0.2, 0.35), "run": (0.45, 0.25, 0.3)}
STRIKES = ("heel", "midfoot", "forefoot")


def draw_strike(rng: np.random.Generator, kind: str) -> str:
    """A strike drawn from ``STRIKE_SHARES``, whatever the direction."""
    return str(rng.choice(STRIKES, p=STRIKE_SHARES[kind]))


def draw_speed(rng: np.random.Generator, kind: str, direction: str) -> float:
    """A walking or running speed (m/s). Backward walking is centred on self-selected backward
    speeds, slower than forward [Laufer 2005]: 0.75 m/s, sd 0.2, within 0.3-1.4 m/s; backward
    running 1.6-2.6 m/s (above the backward walk-run transition, 1.63 m/s [Hreljac et al.
    2005])."""
    if direction == "forward":
        return float(rng.uniform(2.0, 4.0) if kind == "run" else rng.uniform(0.5, 2.0))
    if kind == "run":
        return float(rng.uniform(1.6, 2.6))
    return float(np.clip(rng.normal(0.75, 0.2), 0.3, 1.4))


def _gait_bout(rng: np.random.Generator, duration_s: float) -> Bout:
    """A random bout of gait over the conditions people actually use."""
    direction = "forward" if rng.random() < 0.6 else "backward"
    run = rng.random() < 0.3
    kind = "run" if run else "walk"
    speed = draw_speed(rng, kind, direction)
    strike = draw_strike(rng, kind)
    turn = float(rng.choice([0.0, 0.0, 0.0, 45.0, -45.0, 90.0, -90.0, 180.0]))
    return Bout(kind, duration_s, direction, strike, speed, turn_deg=turn)  # type: ignore[arg-type]


def mixed_spec(
    rng: np.random.Generator,
    duration_s: float,
    subject: SubjectSpec,
    sampling_rate_hz: float | None = None,
    placement: str | None = None,
) -> SessionSpec:
    """Random bouts (8-30 s) separated by standing (1-5 s), with a random sensor set-up."""
    bouts = [Bout("stand", float(rng.uniform(2.0, 5.0)))]
    t = bouts[0].duration_s
    while t < duration_s - 8.0:
        d = float(min(rng.uniform(8.0, 30.0), duration_s - t - 2.0))
        bouts.append(_gait_bout(rng, d))
        pause = float(rng.uniform(1.0, 5.0))
        bouts.append(Bout("stand", pause))
        t += d + pause
    fs = sampling_rate_hz or float(rng.choice([50.0, 100.0, 100.0, 104.0, 200.0, 400.0]))
    sensor = SensorSpec(
        **shank_sensor_effects(rng, fs),
        sampling_rate_hz=fs,
        placement=placement or str(rng.choice(["left_ankle", "right_ankle"])),
        side=str(rng.choice(["lateral", "medial"])),  # type: ignore[arg-type]
        height_above_ankle_m=float(rng.uniform(0.05, 0.10)),
        acc_range_g=float(rng.choice([8.0, 16.0, 16.0])),
        gyr_range_dps=float(rng.choice([1000.0, 2000.0, 2000.0])),
        jitter_s=float(rng.uniform(0.0, 0.1)) / fs,
        drop_probability=float(rng.choice([0.0, 0.0, 0.001, 0.003])),
    )
    return SessionSpec(tuple(bouts), subject, sensor)


def shank_sensor_effects(rng: np.random.Generator, fs: float) -> dict:
    """What a real shank sensor feels, at realistic levels (docs/simulator.md §1.9-1.10):
    skin and strap ringing after impacts (8-20 Hz, damping ratio 0.1-0.3: a second peak
    50-125 ms after the first), the other foot's landing (5-20 % of its impact peak) and, in
    half the sessions, an on-board low-pass of 21, 44 or 94 Hz (below 0.45 x the rate), in 15 %
    an on-board moving average of the accelerometer over 20-100 ms."""
    lp = None
    if rng.random() < 0.5:
        lp = float(rng.choice([21.0, 44.0, 94.0]))
        lp = lp if lp < 0.45 * fs else 21.0
    avg = float(rng.uniform(0.02, 0.1)) if rng.random() < 0.15 else None
    return {
        "soft_tissue_hz": float(rng.uniform(8.0, 20.0)),
        "soft_tissue_damping": float(rng.uniform(0.1, 0.3)),
        "contralateral_gain": float(rng.uniform(0.05, 0.2)),
        "acc_lowpass_hz": lp,
        "gyr_lowpass_hz": lp,
        "acc_average_s": avg,
    }


def single_spec(
    kind: str, direction: str, strike: str | None, speed_m_s: float, duration_s: float, **sensor
) -> SessionSpec:
    """Standing, one bout of one condition, standing."""
    return SessionSpec(
        bouts=(
            Bout("stand", 3.0),
            Bout(kind, duration_s - 6.0, direction, strike, speed_m_s),  # type: ignore[arg-type]
            Bout("stand", 3.0),
        ),
        sensor=SensorSpec(**sensor),
    )


PRESETS: dict[str, Callable[..., SessionSpec]] = {"demo": demo_spec}
