"""Sustained live streaming at 1 kHz: no sample lost, and the CPU it costs.

Run from the repository root: ``python -m benchmarks.bench_stream`` (about 45 s).

A simulated walk at 1 kHz (gait.simulate, demo plan, no timing jitter) is written to a temporary
session file and played in real time by ``gait emulate`` in a separate process (gait protocol,
one sample per frame: the most frames per second). This process reads the port with
:class:`~firmware_bridge.readers.SerialReader` and feeds every block to the same pipeline as
``gait analyse`` (``GaitPipeline().stream``). Reported:

- samples sent (emulator) vs received (reader) vs analysed (pipeline); gaps and decoder errors;
- CPU use of the reading + analysing process: process CPU time / wall time over the streaming
  window (all threads; 100 % = one core);
- the baseline: the same reader on a pseudo-terminal that sends nothing, for a few seconds;
- the emulator process's own CPU share, for context.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from firmware_bridge.emulator import VirtualPort
from firmware_bridge.readers import DeviceGoneError, SerialReader
from firmware_bridge.samples import Gap
from gait.io import write_session
from gait.pipeline import GaitPipeline
from gait.types import SampleBlock

CLI = [sys.executable, "-c", "from gait.cli import main; main()"]


def simulated_session(seconds: float, rate_hz: float, seed: int = 1) -> tuple[SampleBlock, object]:
    from gait.simulate import simulate_session
    from gait.simulate.presets import demo_spec

    spec = demo_spec()
    sensor = dataclasses.replace(spec.sensor, sampling_rate_hz=rate_hz, jitter_s=0.0)
    sess, _, _ = simulate_session(dataclasses.replace(spec, sensor=sensor), seed=seed)
    n = round(seconds * rate_hz)
    return sess.samples.slice(0, n), sess.meta


def idle_baseline(seconds: float) -> float:
    """CPU share of a reader on a port that sends nothing."""
    with VirtualPort() as port, SerialReader(port.path) as reader:
        port.wait_for_reader("byte")
        c0, w0 = time.process_time(), time.monotonic()
        while time.monotonic() - w0 < seconds:
            reader.get(timeout=0.1)
        return (time.process_time() - c0) / (time.monotonic() - w0)


def stream(path: Path, n_expected: int, samples_per_frame: int) -> dict[str, float]:
    emu = subprocess.Popen(
        [*CLI, "emulate", str(path), "--speed", "1", "--samples-per-frame", str(samples_per_frame)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert emu.stdout is not None
    port = emu.stdout.readline().strip()
    n_in = n_steps = 0
    n_gap_events = 0
    pipe = None
    t_cpu0 = t_wall0 = None
    t_cpu1 = t_wall1 = 0.0
    with SerialReader(port, reconnect_timeout_s=1.0) as reader:
        try:
            while True:
                ev = reader.get(timeout=1.0)
                if isinstance(ev, SampleBlock):
                    if pipe is None:
                        pipe = GaitPipeline().stream(
                            sampling_rate_hz=ev.sampling_rate_hz, has_gyro=ev.has_gyro
                        )
                        # start the clock once the pipeline exists (numba cache load excluded)
                        t_cpu0, t_wall0 = time.process_time(), time.monotonic()
                    n_in += ev.n_samples
                    n_steps += len(pipe.feed(ev))
                    if n_in >= n_expected:
                        t_cpu1, t_wall1 = time.process_time(), time.monotonic()
                elif isinstance(ev, Gap):
                    n_gap_events += 1
        except DeviceGoneError:
            pass
        stats = reader.stats
    assert pipe is not None and t_cpu0 is not None and t_wall0 is not None
    n_steps += len(pipe.finish())
    summary = pipe.summary()
    _, emu_err = emu.communicate(timeout=30)
    sent = re.search(r"sent (\d+) samples", emu_err)
    wall = t_wall1 - t_wall0
    return {
        "sent": float(sent.group(1)) if sent else float("nan"),
        "received": float(n_in),
        "analysed": float(summary.n_samples),
        "gap_events": float(n_gap_events),
        "pipeline_gaps": float(summary.n_gaps),
        "samples_lost": float(stats.decoder.samples_lost),
        "crc_errors": float(stats.decoder.crc_errors + stats.decoder.framing_errors),
        "steps": float(n_steps),
        "wall_s": wall,
        "cpu_share": (t_cpu1 - t_cpu0) / wall if wall > 0 else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="session seconds to play")
    parser.add_argument("--rate-hz", type=float, default=1000.0)
    parser.add_argument("--samples-per-frame", type=int, default=1)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    args = parser.parse_args()

    block, meta = simulated_session(args.seconds, args.rate_hz)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_session(Path(tmp) / "walk_1khz.csv", block, meta)  # type: ignore[arg-type]
        print(f"session: simulated demo walk, {args.seconds:g} s at {args.rate_hz:g} Hz "
              f"({block.n_samples} samples), gait protocol, {args.samples_per_frame} "
              "sample(s)/frame, real time")  # fmt: skip
        r0 = os.times()
        res = stream(path, block.n_samples, args.samples_per_frame)
        r1 = os.times()
    idle = idle_baseline(args.idle_seconds)
    emu_cpu = (r1.children_user + r1.children_system) - (r0.children_user + r0.children_system)
    print(
        f"samples sent {res['sent']:.0f}, received {res['received']:.0f}, analysed "
        f"{res['analysed']:.0f}; gap events {res['gap_events']:.0f}, decoder samples lost "
        f"{res['samples_lost']:.0f}, CRC/framing errors {res['crc_errors']:.0f}, pipeline gaps "
        f"{res['pipeline_gaps']:.0f}; steps {res['steps']:.0f}"
    )
    lossless = res["received"] == block.n_samples == res["analysed"] and res["gap_events"] == 0
    print(f"lossless at {args.rate_hz:g} Hz: {'yes' if lossless else 'NO'}")
    print(
        f"CPU, reader + decoder + pipeline: {res['cpu_share']:.1%} of one core "
        f"(over {res['wall_s']:.1f} s of streaming)"
    )
    print(f"CPU, idle reader baseline:        {idle:.1%} of one core")
    print(
        f"CPU, emulator process (context):  {emu_cpu / max(res['wall_s'], 1e-9):.1%} of one core "
        "(includes its start-up)"
    )


if __name__ == "__main__":
    main()
