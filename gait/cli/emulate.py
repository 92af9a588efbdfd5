"""``gait emulate SESSION``: a virtual sensor that plays a session into a pseudo-terminal.

The first line on stdout is the device path to open (a ``/dev/pts/N`` or the ``--link``
symlink); status goes to stderr. The emulator waits until a reader has opened the port and
written a byte (``gait stream`` does), then plays in real time; see
:mod:`firmware_bridge.emulator` for the readiness rule, pacing and faults.
"""

from __future__ import annotations

import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from gait.cli._common import Protocol, fail, handle_errors, info


class WaitRule(StrEnum):
    byte = "byte"
    open = "open"
    none = "none"


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@handle_errors
def emulate(
    session: Annotated[
        Path,
        typer.Argument(
            help="Session file to play (anything `gait analyse` reads).", metavar="SESSION"
        ),
    ],
    protocol: Annotated[
        Protocol, typer.Option("--protocol", "-p", help="Wire protocol the virtual sensor speaks.")
    ] = Protocol.gait,
    profile: Annotated[
        str | None, typer.Option(help="CSV line profile (with --protocol csv).")
    ] = None,
    speed: Annotated[
        float,
        typer.Option(
            help="Playback speed: 1 = real time, N = N times faster, 0 = as fast as "
            "the reader takes it."
        ),
    ] = 1.0,
    loop: Annotated[
        bool, typer.Option("--loop", help="Play again and again (device time keeps increasing).")
    ] = False,
    samples_per_frame: Annotated[
        int, typer.Option(help="Samples per frame (gait protocol, 1-20).", min=1, max=20)
    ] = 1,
    fault: Annotated[
        str | None,
        typer.Option(
            help="Faults to inject: corrupt=RATE,drop=RATE (per byte), unplug=T1:T2 (device "
            "seconds; may repeat).",
            metavar="SPEC",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the fault generator.")] = None,
    link: Annotated[
        Path | None,
        typer.Option(
            help="Symlink to the pseudo-terminal, kept across unplug/replug (printed as the device "
            "path). Made in a temporary folder when --fault has unplug and no --link is given.",
        ),
    ] = None,
    wait: Annotated[
        WaitRule,
        typer.Option(
            help="Start when the reader writes a byte (gait stream does), when it opens the port "
            "(+0.2 s), or at once (bytes sent before a reader opens are lost)."
        ),
    ] = WaitRule.byte,
) -> None:
    """Play a recorded session into a pseudo-terminal as a live sensor; print the device path."""
    from firmware_bridge.emulator import Emulator, FaultSpec
    from gait.io import read_session

    if speed < 0:
        fail(f"--speed {speed:g}: expected 0 (as fast as possible) or a positive factor")
    try:
        faults = FaultSpec.parse(fault)
    except ValueError as e:
        fail(f"--fault: {e}")
    if link is not None and link.exists() and not link.is_symlink():
        fail(f"--link {link}: exists and is not a symlink; choose a free path")
    sess = read_session(session)
    samples = sess.samples
    emu = Emulator(
        samples,
        protocol=protocol.value,
        profile=profile,
        speed=speed,
        loop=loop,
        samples_per_frame=samples_per_frame,
        faults=faults,
        seed=seed,
        link=link,
        wait=wait.value,  # type: ignore[arg-type]
    )
    old_term = signal.signal(signal.SIGTERM, _terminate)
    try:
        path = emu.open()
        sys.stdout.write(path + "\n")
        sys.stdout.flush()
        pace = "as fast as possible" if speed == 0 else f"at {speed:g}x"
        info(
            f"playing {session.name}: {samples.n_samples} samples at "
            f"{samples.sampling_rate_hz:g} Hz ({samples.duration_s:.1f} s), protocol "
            f"{protocol.value}, {pace}; waiting for a reader on {path}"
        )
        try:
            stats = emu.run()
        except KeyboardInterrupt:
            info("stopped")
            stats = emu.stats
        else:
            info("end of session")
        info(
            f"sent {stats.n_samples_sent} samples in {stats.n_frames_sent} frames "
            f"({stats.n_bytes_sent} bytes); dropped {stats.n_bytes_dropped} and corrupted "
            f"{stats.n_bytes_corrupted} bytes; {stats.n_unplugs} unplug(s)"
        )
    finally:
        emu.close()
        signal.signal(signal.SIGTERM, old_term)


def register(app: typer.Typer) -> None:
    """Add ``gait emulate`` to ``app``."""
    app.command("emulate", no_args_is_help=True)(emulate)


__all__ = ["emulate", "register"]
