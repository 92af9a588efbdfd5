"""``gait stream --port DEV``: live analysis of a serial sensor.

Bytes from the port go through :class:`firmware_bridge.readers.SerialReader` (decoder, reconnect,
gaps) into the same :class:`gait.pipeline.PipelineStream` that ``gait analyse`` feeds with a whole
file, so a session streamed live and the same session analysed afterwards give the same steps.

Output: ``--format jsonl`` prints one JSON object per step on stdout as soon as the step is final
(the fields of a step in ``gait analyse --format json``, ``t_s`` on the device clock), and
nothing else; status, gaps, errors and, at the end, the summary (``gait stream: summary {...}``,
one JSON object) go to stderr, one flushed line each.
The default ``--format live`` shows a live view (rich) and a summary at the end.

The stream ends when ``--duration`` seconds have passed, when the device disconnected and did not
come back within ``--reconnect-timeout`` seconds (at once for a ``/dev/pts/N`` pseudo-terminal,
which never comes back), or on Ctrl-C; then the held-back steps and the
summary are printed and the exit code is 0. Exit code 2 with one ``error: ...`` line: a bad
option (checked before the port is opened), a port that cannot be opened, a recording that cannot
be written, or a stream that ended without a single decoded sample (wrong ``--protocol``,
``--profile`` or ``--baud``, or a silent device).

``--record FILE`` writes the received samples as a canonical session CSV plus sidecar (flushed at
least once a second). Its folder must exist; an existing FILE or sidecar is replaced only with
``--overwrite``. ``gait analyse FILE`` reads it with ``t_s`` starting at 0, so its steps equal
the live ones minus the device time of the first recorded sample (0 when the device clock starts
with the recording, as with ``gait emulate``); that time is kept in the sidecar as
``device.first_t_s``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import sys
import time
from datetime import UTC, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gait.cli._common import (
    CliInputError,
    Protocol,
    check_folder_of,
    fail,
    first_run_note,
    handle_errors,
    to_json,
)
from gait.consts import PLACEMENTS

if TYPE_CHECKING:
    from firmware_bridge.readers import SerialReader
    from gait.io import SessionWriter
    from gait.pipeline import PipelineStream
    from gait.types import SampleBlock

Placement = Enum("Placement", {p: p for p in PLACEMENTS}, type=str)  # type: ignore[misc]

#: Steps listed in the live view.
LIVE_STEPS = 8
#: The live view refreshes this often (per second).
LIVE_REFRESH_HZ = 4.0
#: The recording is flushed at least this often (s).
RECORD_FLUSH_S = 1.0
#: Gaps reported one line each; after these, one summarising line per GAP_REPORT_S seconds.
GAP_LINES = 5
GAP_REPORT_S = 10.0
#: A gap at least this long (s, an outage) always gets its own line.
GAP_LINE_MIN_S = 1.0
#: A device time less than this after the previous one (s) is clock jitter: it is moved to
#: TIME_BUMP_S after it, live and in the recording, so that the recording reads back (6 decimals
#: on disk: 2 µs stay strictly increasing after rounding).
MIN_INTERVAL_S = 1.5e-6
TIME_BUMP_S = 2e-6
DASH = "–"


class OutputFormat(StrEnum):
    live = "live"
    jsonl = "jsonl"


def status(message: str) -> None:
    """One status line on stderr, flushed."""
    sys.stderr.write(f"gait stream: {message}\n")
    sys.stderr.flush()


def _fmt(value: Any, spec: str = ".2f") -> str:
    if value is None:
        return DASH
    if isinstance(value, float):
        return format(value, spec)
    return str(value)


class _Session:
    """What the stream has seen: pipeline, recording, counters (created at the first block)."""

    def __init__(
        self,
        *,
        port: str,
        protocol: str,
        placement: str | None,
        mass_kg: float | None,
        record: Path | None,
        jsonl: bool,
        height_m: float | None = None,
    ) -> None:
        self.port = port
        self.protocol = protocol
        self.placement = placement
        self.mass_kg = mass_kg
        self.height_m = height_m
        self.record = record
        self.jsonl = jsonl
        self.pipe: PipelineStream | None = None
        self.writer: SessionWriter | None = None
        self.has_gyro: bool | None = None
        self.records: list[dict[str, Any]] = []
        self.gaps: list[Any] = []
        self.n_samples = 0
        self.last_flush = time.monotonic()
        self.resampler: Any = None
        self.meta: Any = None
        self.n_times_fixed = 0
        self._last_t: float | None = None
        # gap reporting: the first GAP_LINES one by one, then summarised
        self.n_gaps_unreported = 0
        self.n_missing_unreported = 0
        self.last_gap_report = time.monotonic()
        # samples at the sensor's range limit (gait.quality): one warning per sensor
        self.range_meters: list[Any] = []
        self.range_warned: set[str] = set()

    def _start(self, block: SampleBlock, reader: SerialReader) -> None:
        from gait.pipeline import GaitPipeline
        from gait.quality import meters
        from gait.resample import Resampler, check_rate, needs_resampling, resample_note

        self.has_gyro = block.has_gyro
        rate = block.sampling_rate_hz
        check_rate(rate, self.port)  # below 15 Hz: one error line
        # the ranges the device declares, if it sends an info frame (gait protocol)
        info = reader.device_info
        declared = None
        if dataclasses.is_dataclass(info) and not isinstance(info, type):
            declared = {"info": dataclasses.asdict(info)}
        self.range_meters = meters(declared, block.has_gyro)
        if needs_resampling(rate):
            # as `gait analyse` does with the recording, so both give the same steps
            self.resampler = Resampler(rate)
            status(f"note: {resample_note(rate)}")
        first_run_note()
        # the same pipeline as `gait analyse` (gait.api.analyse builds it the same way)
        from gait.energy import MetEnergyEstimator

        energy = MetEnergyEstimator(height_m=self.height_m)
        classifier = None
        if block.has_gyro:  # live labels from the shipped models, as gait analyse
            from gait.classify.stage import default_labeller

            classifier = default_labeller()
        self.pipe = GaitPipeline(mass_kg=self.mass_kg, energy=energy, classifier=classifier).stream(
            sampling_rate_hz=self.resampler.rate_hz if self.resampler else rate,
            has_gyro=block.has_gyro,
            placement=self.placement,
            mass_kg=self.mass_kg,
        )
        if self.record is not None:
            from gait.io import SessionWriter
            from gait.types import SessionMeta, Subject

            device: dict[str, Any] = {
                "port": self.port,
                "protocol": self.protocol,
                "first_t_s": float(block.t_s[0]),
            }
            info = reader.device_info
            if info is not None and dataclasses.is_dataclass(info):
                device["info"] = dataclasses.asdict(info)  # type: ignore[arg-type]
            meta = SessionMeta(
                sampling_rate_hz=block.sampling_rate_hz,
                start_time_utc=datetime.now(UTC).isoformat(timespec="seconds"),
                placement=self.placement,
                subject=Subject(mass_kg=self.mass_kg, height_m=self.height_m),
                device=device,
            )
            self.meta = meta
            with self._recording():
                self.writer = SessionWriter(self.record, meta, has_gyro=block.has_gyro)

    @contextlib.contextmanager
    def _recording(self) -> Any:
        """Turn a failed write to ``--record`` (disk full, folder removed) into a user error."""
        try:
            yield
        except OSError as e:
            # stop recording (what was written stays on disk); the stream ends with this error
            writer, self.writer = self.writer, None
            if writer is not None:
                with contextlib.suppress(OSError):
                    writer.close()
            raise CliInputError(
                f"--record {self.record}: cannot write the recording: {e.strerror or e}"
            ) from None

    def _fix_times(self, block: SampleBlock) -> SampleBlock:
        """Device times that do not increase (clock jitter: repeated or slightly earlier than
        the previous one; a restart or wrap is re-based by the decoder) are moved
        :data:`TIME_BUMP_S` after the previous time, so what is analysed live is what the
        recording holds and ``gait analyse`` reads it back."""
        import numpy as np

        t = np.asarray(block.t_s, dtype=np.float64)
        prev = self._last_t
        joined = t if prev is None else np.concatenate(([prev], t))
        if joined.size > 1 and np.any(np.diff(joined) < MIN_INTERVAL_S):
            t = t.copy()
            for i in range(t.size):
                if prev is not None and t[i] - prev < MIN_INTERVAL_S:
                    t[i] = prev + TIME_BUMP_S
                    self.n_times_fixed += 1
                prev = float(t[i])
            block = dataclasses.replace(block, t_s=t)
        if t.size:
            self._last_t = float(t[-1])
        return block

    def gap(self, gap: Any) -> None:
        """Report a gap: the first :data:`GAP_LINES` and every outage of at least
        :data:`GAP_LINE_MIN_S` one line each, other ones summarised."""
        self.gaps.append(gap)
        n_small = sum(g.t_s_end - g.t_s_start < GAP_LINE_MIN_S for g in self.gaps)
        if gap.t_s_end - gap.t_s_start >= GAP_LINE_MIN_S or n_small <= GAP_LINES:
            status(
                f"gap: {gap.t_s_start:.3f}–{gap.t_s_end:.3f} s device time "
                f"({gap.n_missing} samples missing)"
                + ("; further short gaps are summarised" if n_small == GAP_LINES else "")
            )
            self.last_gap_report = time.monotonic()
            return
        self.n_gaps_unreported += 1
        self.n_missing_unreported += gap.n_missing

    def report_gaps(self, *, now: bool = False) -> None:
        """One line for the gaps not reported yet (at most every :data:`GAP_REPORT_S` s)."""
        if not self.n_gaps_unreported:
            return
        if now or time.monotonic() - self.last_gap_report >= GAP_REPORT_S:
            status(
                f"gaps: {self.n_gaps_unreported} more ({self.n_missing_unreported} samples "
                f"missing); {len(self.gaps)} so far"
            )
            self.n_gaps_unreported = self.n_missing_unreported = 0
            self.last_gap_report = time.monotonic()

    def feed(self, block: SampleBlock, reader: SerialReader) -> None:
        block = self._fix_times(block)
        if self.pipe is None:
            self._start(block, reader)
        assert self.pipe is not None
        if block.has_gyro != self.has_gyro:
            from gait.errors import DeviceError

            raise DeviceError(
                f"{self.port}: the device switched {'to' if block.has_gyro else 'off'} gyroscope "
                "data mid-stream; restart the stream"
            )
        if self.writer is not None:
            with self._recording():
                self.writer.write(block)
        self.n_samples += block.n_samples
        self.range_meters[0].update(block.acc_ms2)
        if block.gyr_dps is not None and len(self.range_meters) > 1:
            self.range_meters[1].update(block.gyr_dps)
        if self.resampler is not None:
            block = self.resampler.feed(block)
        self.emit(self.pipe.feed(block))

    def emit(self, records: list[dict[str, Any]]) -> None:
        for rec in records:
            self.records.append(rec)
            if self.jsonl:
                sys.stdout.write(to_json(rec) + "\n")
        if records and self.jsonl:
            sys.stdout.flush()

    def report_range(self) -> None:
        """Warn once per sensor when it sits at its range limit often enough to cost steps."""
        for meter in self.range_meters:
            use = meter.result()
            if use.sensor not in self.range_warned and use.harmful:
                self.range_warned.add(use.sensor)
                status(f"warning: {self.port}: {use.message()}")

    def tick(self) -> None:
        self.report_gaps()
        self.report_range()
        if self.writer is not None and time.monotonic() - self.last_flush >= RECORD_FLUSH_S:
            with self._recording():
                self.writer.flush()
            self.last_flush = time.monotonic()

    def finish(self) -> dict[str, Any] | None:
        """Flush held-back steps, close the recording; the summary dict (None if no samples)."""
        if self.writer is not None:
            with self._recording():
                self.writer.close()
                if self.n_times_fixed and self.meta is not None and self.record is not None:
                    from gait.io import write_sidecar

                    device = dict(self.meta.device)
                    device["t_s_adjusted"] = {
                        "n_samples": self.n_times_fixed,
                        "why": "device time not after the previous sample (clock jitter); "
                        f"moved {TIME_BUMP_S * 1e6:g} µs after it",
                    }
                    write_sidecar(self.record, dataclasses.replace(self.meta, device=device))
        if self.n_times_fixed:
            status(
                f"note: {self.n_times_fixed} device time(s) did not increase (clock jitter); "
                f"each was moved {TIME_BUMP_S * 1e6:g} µs after the previous sample, live and in "
                "the recording (noted in its sidecar)"
            )
        self.report_gaps(now=True)
        self.report_range()
        if self.pipe is None:
            return None
        self.emit(self.pipe.finish())
        return self.pipe.summary().to_dict()


def _backward(summ: Any) -> float | None:
    """Backward share of walking time (of steps while the energy stage has none yet)."""
    share = getattr(summ, "backward_time_share", None)
    return summ.backward_share if share is None else share


def _live_view(sess: _Session, reader: SerialReader, started: float) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    summ = sess.pipe.summary() if sess.pipe is not None else None
    state = "connected" if reader.connected else "[yellow]reconnecting…[/]"
    head = Text.from_markup(
        f"[bold]{reader.port}[/] ({reader.protocol}) {state}   "
        f"{time.monotonic() - started:6.1f} s   {sess.n_samples} samples"
    )
    figures = Table.grid(padding=(0, 3))
    for _ in range(4):
        figures.add_column()
        figures.add_column(justify="right")
    st = reader.stats
    dec = st.decoder
    figures.add_row(
        "steps",
        str(len(sess.records)),
        "strides",
        _fmt(summ.n_strides if summ else None),
        "cadence (spm)",
        _fmt(summ.cadence_spm if summ else None, ".1f"),
        "backward",
        _fmt(None if summ is None else _backward(summ), ".0%"),
    )
    speeds = [r["speed_m_s"] for r in sess.records if r.get("speed_m_s") is not None]
    figures.add_row(
        "speed (m/s)",
        _fmt(speeds[-1] if speeds else None),
        "distance (m)",
        _fmt(summ.distance_m if summ else None, ".1f"),
    )
    figures.add_row(
        "kcal",
        _fmt(summ.kcal_gross if summ else None, ".2f"),
        "gaps",
        str(st.n_gaps),
        "samples lost",
        str(dec.samples_lost),
        "CRC / framing errors",
        f"{dec.crc_errors} / {dec.framing_errors}",
    )
    steps = Table(box=None, padding=(0, 2), header_style="bold")
    for col in ("t_s", "foot", "direction", "strike", "speed m/s", "kcal"):
        steps.add_column(col, justify="right" if col in ("t_s", "speed m/s", "kcal") else "left")
    for rec in sess.records[-LIVE_STEPS:]:
        steps.add_row(
            f"{rec['t_s']:.3f}",
            _fmt(rec.get("foot")),
            _fmt(rec.get("direction")),
            _fmt(rec.get("strike")),
            _fmt(rec.get("speed_m_s")),
            _fmt(rec.get("kcal"), ".3f"),
        )
    return Group(head, figures, steps)


def _print_summary(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="summary", box=None, show_header=False, padding=(0, 2))
    table.add_column()
    table.add_column(justify="right")
    for key, value in summary.items():
        if isinstance(value, dict | list):
            continue
        table.add_row(key, _fmt(value, ".3f") if isinstance(value, float) else _fmt(value))
    Console().print(table)


@handle_errors
def stream(
    port: Annotated[
        str,
        typer.Option(
            "--port",
            help="Serial device (/dev/ttyUSB0, COM3, the path `gait emulate` printed) "
            "or a pyserial URL.",
        ),
    ],
    protocol: Annotated[
        Protocol, typer.Option("--protocol", "-p", help="Wire protocol of the sensor.")
    ] = Protocol.gait,
    profile: Annotated[
        str | None, typer.Option(help="CSV line profile (with --protocol csv).")
    ] = None,
    baud: Annotated[int, typer.Option(help="Baud rate (ignored by USB CDC and ptys).")] = 115200,
    sampling_rate_hz: Annotated[
        float | None,
        typer.Option(help="Nominal sampling rate; needed by witmotion and CSV without a clock."),
    ] = None,
    placement: Annotated[
        Placement | None, typer.Option(help="Where the sensor is worn (sets the 'foot' field).")
    ] = None,
    mass_kg: Annotated[float | None, typer.Option(help="Body mass in kg for energy.")] = None,
    height_m: Annotated[
        float | None, typer.Option(help="Body height in m for the leg length (default 1.70 m).")
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option(
            help="Also record the samples as a session CSV (+ sidecar) to FILE. Its folder must "
            "exist; an existing FILE or sidecar is not replaced unless --overwrite is given.",
            metavar="FILE",
            dir_okay=False,
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Replace an existing --record FILE and its sidecar (.json)."
        ),
    ] = False,
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (wall clock).")
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="live: a live view; jsonl: one JSON line per step."),
    ] = OutputFormat.live,
    reconnect_timeout: Annotated[
        float,
        typer.Option(help="Seconds to wait for an unplugged device to come back before ending."),
    ] = 10.0,
) -> None:
    """Analyse a live sensor: steps as they happen, a summary at the end."""
    from firmware_bridge.codecs import CsvProfile, make_decoder
    from firmware_bridge.readers import DeviceGoneError, SerialReader
    from firmware_bridge.samples import Gap
    from gait.errors import DeviceError, GaitError
    from gait.types import SampleBlock

    # every option is checked before the port is opened
    for name, value in (
        ("--sampling-rate-hz", sampling_rate_hz),
        ("--mass-kg", mass_kg),
        ("--height-m", height_m),
        ("--duration", duration),
        ("--reconnect-timeout", reconnect_timeout),
    ):
        if value is not None and not math.isfinite(value):
            fail(f"{name} {value}: expected a finite number")
    if mass_kg is not None and not 0 < mass_kg < 500:
        fail(f"--mass-kg {mass_kg:g}: expected a body mass in kg between 0 and 500")
    if height_m is not None and not 0.5 < height_m < 2.6:
        fail(f"--height-m {height_m:g}: expected a body height in m between 0.5 and 2.6")
    if duration is not None and duration <= 0:
        fail(f"--duration {duration:g}: expected a positive number of seconds")
    if sampling_rate_hz is not None and sampling_rate_hz <= 0:
        fail(f"--sampling-rate-hz {sampling_rate_hz:g}: expected a positive rate")
    if reconnect_timeout < 0:
        fail(f"--reconnect-timeout {reconnect_timeout:g}: expected >= 0 seconds")
    if baud <= 0:
        fail(f"--baud {baud}: expected a positive baud rate")
    if protocol is Protocol.witmotion and sampling_rate_hz is None:
        fail("--protocol witmotion needs --sampling-rate-hz: WitMotion packets carry no clock")
    if profile is not None and protocol is not Protocol.csv:
        fail(f"--profile {profile}: applies to --protocol csv only (not {protocol.value})")
    if protocol is Protocol.csv:
        try:
            prof = CsvProfile.resolve(profile)
        except GaitError as e:
            fail(f"--profile: {e}")
        if prof.time_column is None and sampling_rate_hz is None:
            fail(
                f"--profile {prof.name} has no time column: give --sampling-rate-hz "
                "(the sensor's sampling rate)"
            )
    # whatever else the decoder refuses (a GaitError naming the field)
    make_decoder(protocol.value, profile=profile, sampling_rate_hz=sampling_rate_hz)
    if record is not None:
        _check_record(record, overwrite=overwrite)
    jsonl = output_format is OutputFormat.jsonl
    sess = _Session(
        port=port,
        protocol=protocol.value,
        placement=placement.value if placement is not None else None,
        mass_kg=mass_kg,
        record=record,
        jsonl=jsonl,
        height_m=height_m,
    )
    reader = SerialReader(
        port,
        baudrate=baud,
        protocol=protocol.value,
        profile=profile,
        sampling_rate_hz=sampling_rate_hz,
        reconnect_timeout_s=reconnect_timeout,
    )
    live = None
    ending = "stopped"
    with reader:
        started = time.monotonic()
        status(f"reading {port} ({protocol.value})")
        if not jsonl:
            from rich.live import Live

            live = Live(
                get_renderable=lambda: _live_view(sess, reader, started),
                refresh_per_second=LIVE_REFRESH_HZ,
                transient=False,
            )
            live.start()
        was_connected = True
        n_reconnects_seen = 0
        warned_silent = False
        try:
            while True:
                if duration is not None and time.monotonic() - started >= duration:
                    ending = f"duration of {duration:g} s reached"
                    break
                ev = reader.get(timeout=0.1)
                if isinstance(ev, SampleBlock):
                    sess.feed(ev, reader)
                elif isinstance(ev, Gap):
                    sess.gap(ev)
                elif reader.ended:
                    break
                if not warned_silent and sess.n_samples == 0 and time.monotonic() - started > 3:
                    warned_silent = True
                    n_bytes = reader.stats.n_bytes
                    status(
                        f"no samples decoded after 3 s ({n_bytes} bytes received); check --protocol"
                        + (", --profile and --baud" if n_bytes else " and that the device sends")
                    )
                # Reconnections are counted by the reader, so one that happens between two
                # looks at ``connected`` (e.g. while the pipeline is busy) is still reported.
                n_reconnects = reader.stats.n_reconnects
                if n_reconnects > n_reconnects_seen:
                    n_reconnects_seen = n_reconnects
                    was_connected = True
                    status("reconnected")
                elif was_connected and not reader.connected:
                    was_connected = False
                    status(f"device disconnected; waiting up to {reconnect_timeout:g} s")
                sess.tick()
        except DeviceGoneError as e:
            ending = str(e)
        except KeyboardInterrupt:
            ending = "interrupted"
        finally:
            # what the reader had already received is analysed (and recorded) too
            reader.close()
            try:
                with contextlib.suppress(DeviceError, KeyboardInterrupt):
                    while (ev := reader.get(timeout=0)) is not None:
                        if isinstance(ev, SampleBlock):
                            sess.feed(ev, reader)
                        elif isinstance(ev, Gap):
                            sess.gap(ev)
                summary = sess.finish()
            finally:
                if live is not None:
                    live.stop()
    status(f"end: {ending}")
    st = reader.stats
    dec = st.decoder
    # one count of gaps and lost samples, the same here and in the summary: the gaps the
    # stream reported (decoder gaps and reconnections), each with its known missing samples
    n_gaps = len(sess.gaps)
    samples_lost = sum(g.n_missing for g in sess.gaps)
    status(
        f"{st.n_samples} samples, {n_gaps} gaps ({samples_lost} samples lost), "
        f"{st.n_reconnects} reconnections; decoder: {dec.bytes_in} bytes, {dec.frames_ok} frames "
        f"ok, {dec.crc_errors} CRC errors, {dec.framing_errors} framing errors"
    )
    if summary is None:
        fail(_no_samples_message(port, protocol, profile, st.n_bytes, ending))
    # the decoder and the reader know the lost samples (sequence numbers, outages); the
    # pipeline could only guess them from jumps in time
    summary["n_gaps"] = n_gaps
    summary["samples_lost"] = samples_lost
    if jsonl:
        # stdout carries step objects only (DESIGN.md); the summary is a status line.
        status(f"summary {to_json(summary)}")
    else:
        _print_summary(summary)


def _check_record(record: Path, *, overwrite: bool) -> None:
    """``--record``: a .csv name in an existing, writable folder; no existing file replaced
    without ``overwrite``."""
    from gait.io import sidecar_path

    if record.suffix.lower() != ".csv":
        fail(f"--record {record}: expected a .csv file name")
    check_folder_of("--record", record)
    for path in (record, sidecar_path(record)):
        if path.is_dir():
            fail(f"--record {record}: {path} is a folder")
        if path.exists() and not overwrite:
            fail(
                f"--record {record}: {path} already exists; choose another name or pass "
                "--overwrite to replace it"
            )


def _no_samples_message(
    port: str, protocol: Protocol, profile: str | None, n_bytes: int, ending: str
) -> str:
    """What a stream that decoded nothing tells the user: what arrived, what was expected."""
    if protocol is Protocol.gait:
        expected = "COBS-framed gait protocol frames (firmware_bridge/PROTOCOL.md)"
    elif protocol is Protocol.witmotion:
        expected = "WitMotion 0x55 packets"
    else:
        from firmware_bridge.codecs import CsvProfile

        prof = CsvProfile.resolve(profile)
        expected = f"text lines of CSV profile '{prof.name}' ({prof.delimiter.join(prof.columns)})"
    if n_bytes:
        return (
            f"{port}: no samples decoded from {n_bytes} bytes received with --protocol "
            f"{protocol.value}, which expects {expected}; check --protocol, --profile and "
            f"--baud (stream ended: {ending})"
        )
    return (
        f"{port}: no data received; --protocol {protocol.value} expects {expected}; check that "
        f"the device sends (stream ended: {ending})"
    )


def register(app: typer.Typer) -> None:
    """Add ``gait stream`` to ``app``."""
    app.command("stream", no_args_is_help=True)(stream)


__all__ = ["register", "stream"]
