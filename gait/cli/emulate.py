"""``gait emulate SESSION``: a virtual sensor that plays a session into a pseudo-terminal.

The first line on stdout is the device path to open (a ``/dev/pts/N`` or the ``--link``
symlink); status goes to stderr. The emulator waits until a reader has opened the port and
written a byte (``gait stream`` does), then plays in real time; see
:mod:`firmware_bridge.emulator` for the readiness rule, pacing and faults.

Every option is checked before the device is created, so a run that fails on its options prints
nothing on stdout, only ``error: ...`` on stderr (exit code 2).
"""

from __future__ import annotations

import math
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from gait.cli._common import Protocol, check_folder_of, fail, handle_errors, info, warn


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
            help="byte: start when the reader writes a byte (gait stream does); open: when it "
            "opens the port (+0.2 s). With both, playback pauses while no reader has the port "
            "open and resumes for the next one. none: a free-running sensor that starts at once "
            "and plays to the end whether or not a reader is there; frames due while none has "
            "the port open are lost (counted in the final status line). none needs --speed > 0."
        ),
    ] = WaitRule.byte,
) -> None:
    """Play a recorded session into a pseudo-terminal as a live sensor; print the device path."""
    from firmware_bridge.codecs import CsvProfile
    from firmware_bridge.emulator import Emulator, FaultSpec
    from gait.errors import GaitError
    from gait.io import read_session

    # every option is checked before the device exists: a failed run prints nothing on stdout
    if not math.isfinite(speed) or speed < 0:
        fail(f"--speed {speed:g}: expected 0 (as fast as possible) or a positive finite factor")
    if wait is WaitRule.none and speed == 0:
        fail(
            "--wait none needs --speed > 0: with --speed 0 the reader paces playback, and "
            "without a reader every frame would be lost at once"
        )
    if profile is not None and protocol is not Protocol.csv:
        fail(f"--profile {profile}: applies to --protocol csv only (not {protocol.value})")
    try:
        CsvProfile.resolve(profile)
    except GaitError as e:
        fail(f"--profile: {e}")
    if samples_per_frame != 1 and protocol is not Protocol.gait:
        fail(
            f"--samples-per-frame {samples_per_frame}: applies to --protocol gait only "
            f"({protocol.value} sends one sample per line or packet)"
        )
    if seed is not None and seed < 0:
        fail(f"--seed {seed}: expected a non-negative integer")
    try:
        faults = FaultSpec.parse(fault)
    except ValueError as e:
        fail(f"--fault: {e}")
    if link is not None:
        _check_link(link)
    sess = read_session(session)
    samples = sess.samples
    if samples.n_samples == 0:
        fail(f"{session}: the session has no samples to play")
    emu = Emulator(  # checks protocol, --profile and --samples-per-frame (GaitError if bad)
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
        try:
            path = emu.open()
        except OSError as e:
            where = f"--link {link}" if link is not None else "a pseudo-terminal"
            fail(f"cannot create the virtual device ({where}): {e.strerror or e}")
        sys.stdout.write(path + "\n")
        sys.stdout.flush()
        pace = "as fast as possible" if speed == 0 else f"at {speed:g}x"
        start = (
            "playing now (frames due while no reader has the port open are lost)"
            if wait is WaitRule.none
            else "waiting for a reader"
        )
        info(
            f"playing {session.name}: {samples.n_samples} samples at "
            f"{samples.sampling_rate_hz:g} Hz ({samples.duration_s:.1f} s), protocol "
            f"{protocol.value}, {pace}; {start} on {path}"
        )
        failure: OSError | None = None
        try:
            stats = emu.run()
        except KeyboardInterrupt:
            info("stopped")
            stats = emu.stats
        except OSError as e:  # e.g. the --link folder went away during an unplug
            failure = e
            stats = emu.stats
        else:
            info("end of session")
        info(
            f"sent {stats.n_samples_sent} samples in {stats.n_frames_sent} frames "
            f"({stats.n_bytes_sent} bytes); dropped {stats.n_bytes_dropped} and corrupted "
            f"{stats.n_bytes_corrupted} bytes; {stats.n_unplugs} unplug(s)"
        )
        if stats.n_samples_unheard:
            warn(
                f"{stats.n_samples_unheard} samples ({stats.n_bytes_unheard} bytes) were due "
                "while no reader had the port open and are lost (--wait none)"
            )
        if failure is not None:
            fail(f"virtual device {path}: {failure.strerror or failure}")
    finally:
        emu.close()
        signal.signal(signal.SIGTERM, old_term)


def _check_link(link: Path) -> None:
    """``--link`` must be a free path (or an old symlink) in an existing, writable folder."""
    if link.exists() and not link.is_symlink():
        fail(f"--link {link}: exists and is not a symlink; choose a free path")
    check_folder_of("--link", link)


def register(app: typer.Typer) -> None:
    """Add ``gait emulate`` to ``app``."""
    app.command("emulate", no_args_is_help=True)(emulate)


__all__ = ["emulate", "register"]
