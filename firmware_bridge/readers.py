"""Reading a live sensor: a pyserial reader thread that turns bytes into ``SampleBlock``s.

:class:`SerialReader` owns the port and a background thread shaped like pyserial's
``serial.threaded.ReaderThread``: it reads ``in_waiting or 1`` bytes with a short timeout, feeds
them to a protocol decoder (:func:`firmware_bridge.codecs.make_decoder`) and puts the decoded
:class:`~gait.types.SampleBlock` and :class:`~firmware_bridge.samples.Gap` events, in stream
order, on a bounded queue that the consumer drains with :meth:`SerialReader.get`.

Rules:

- **No exception is lost.** Whatever stops the thread is stored and raised by the consumer's
  next :meth:`~SerialReader.get` once the events received before it have been handed out. Device
  problems are raised as :class:`~gait.errors.DeviceError` naming the port (``cannot open
  /dev/ttyUSB0: ...``; :class:`DeviceGoneError` when the device disconnected and did not come
  back); anything else (a bug) is raised as it was, with its traceback.
- **Unplug is never silence.** When a read fails because the device went away (pyserial's
  ``SerialException``: "device reports readiness to read but returned no data", or an ``OSError``),
  the reader closes the port and, with ``reconnect=True``, polls the path until it can open it again
  (for at most ``reconnect_timeout_s``). A ``/dev/pts/N`` path is not polled: a closed
  pseudo-terminal never comes back, and a new one with the same number is another device (use a
  symlink, as ``gait emulate --link`` makes, to test reconnection). The outage is then reported as a
  :class:`Gap` from the device time of the last sample before it to the first sample after it, ahead
  of that sample. A fresh decoder starts with each connection (the device may have restarted;
  partial frames from before the outage are not glued to new bytes), so the gap is reported once, by
  the reader. While the device is away, :attr:`SerialReader.connected` is False.
- **Device time keeps increasing across reconnections.** If the new connection's clock continues
  (first ``t_s`` after the last one before the outage), its times are kept. If it does not, because
  the protocol carries no clock (``witmotion``, a CSV profile without a time column: their decoders
  count samples from 0) or the device restarted its clock, the new connection's times are shifted
  to continue after the last sample by the outage's length measured on the host clock (at least
  one sample period). For those, the gap's length is an estimate.
- **A full queue blocks the reader thread** (back-pressure) instead of dropping events: the
  bytes wait in the operating system's buffer. If a real device or driver then overflows its
  own buffer, the lost bytes show up as decoder gaps (sequence numbers / device timestamps), so
  nothing is lost without a record. :attr:`ReaderStats.n_queue_full` counts the stalls.
- **Batching.** Chunks are taken at most every ``min_read_interval_s`` (10 ms): when bytes arrive
  sooner after the previous chunk, the reader waits out the interval and takes what has gathered.
  A 1 kHz sensor sending one sample per frame then costs about 100 decoder calls and queue events
  per second instead of 1000, for at most 10 ms of extra latency (none for a sensor whose frames
  come less often); ``min_read_interval_s=0`` reads as soon as anything is there.
- **Wake byte.** Right after each (re)open the reader writes ``wake`` (default: one byte that every
  supported protocol ignores) so that a virtual device knows that a reader is listening; see
  :mod:`firmware_bridge.emulator`. Real sensors ignore it; pass ``wake=None`` to send nothing.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any, Self

import serial

from firmware_bridge.samples import DecoderStats, Gap
from gait.errors import DeviceError
from gait.types import SampleBlock

Event = SampleBlock | Gap

#: Bytes written after each (re)open, per protocol. For COBS frames a lone 0x00 is an empty frame
#: (ignored); a CSV-line device sees an empty line; a WitMotion device parses only ``FF AA``
#: commands and skips other bytes.
WAKE_BYTES: dict[str, bytes] = {"gait": b"\x00", "csv": b"\n", "witmotion": b"\x00"}


class DeviceGoneError(DeviceError):
    """The device disconnected and did not come back (within the reconnect timeout)."""


@dataclass
class ReaderStats:
    """Counters of one reader over all its connections."""

    n_bytes: int = 0
    n_blocks: int = 0
    n_samples: int = 0
    n_gaps: int = 0
    n_reconnects: int = 0
    n_queue_full: int = 0
    #: Device-time outages ``(t_s_before, t_s_after)`` reported as gaps.
    outages: list[tuple[float, float]] = field(default_factory=list)
    #: Decoder counters summed over the decoders of all connections.
    decoder: DecoderStats = field(default_factory=DecoderStats)


class _Failure:
    """Queue item that ends the stream: the reader thread stopped because of ``error``."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()  # queue item: the reader was closed


def _add_stats(total: DecoderStats, part: DecoderStats) -> DecoderStats:
    return DecoderStats(
        **{f.name: getattr(total, f.name) + getattr(part, f.name) for f in fields(DecoderStats)}
    )


class SerialReader:
    """Reads a serial sensor in a background thread; hand-out with :meth:`get` or iteration.

    ``port`` is a device path or any pyserial URL (``loop://`` for tests). Use as a context
    manager, or call :meth:`open` and :meth:`close`. ``sampling_rate_hz`` and ``profile`` go to the
    decoder (needed by some CSV devices; see :mod:`firmware_bridge.codecs`).
    """

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 115200,
        protocol: str = "gait",
        profile: str | None = None,
        sampling_rate_hz: float | None = None,
        queue_size: int = 1024,
        reconnect: bool = True,
        reconnect_timeout_s: float = 10.0,
        read_timeout_s: float = 0.05,
        min_read_interval_s: float = 0.01,
        wake: bytes | str | None = "auto",
    ) -> None:
        from firmware_bridge.codecs import PROTOCOLS

        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol '{protocol}': expected one of {list(PROTOCOLS)}")
        self.port = port
        self.baudrate = baudrate
        self.protocol = protocol
        self.profile = profile
        self.sampling_rate_hz = sampling_rate_hz
        self.queue_size = queue_size
        self.reconnect = reconnect
        self.reconnect_timeout_s = reconnect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.min_read_interval_s = min_read_interval_s
        self.wake: bytes | None = WAKE_BYTES.get(protocol) if wake == "auto" else wake  # type: ignore[assignment]
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, queue_size))
        self._serial: serial.SerialBase | None = None
        self._decoder: Any = None
        self._stats = ReaderStats()
        self._done_decoders = DecoderStats()
        self._alive = False
        self._connected = False
        self._thread: threading.Thread | None = None
        self._ended = False
        self._device_info: Any = None
        self._write_lock = threading.Lock()

    # -- public -----------------------------------------------------------------------------

    def open(self) -> Self:
        """Open the port (raises DeviceError at once if that fails) and start the thread."""
        if self._thread is not None:
            return self
        self._serial = self._open_port()
        self._new_decoder()
        self._connected = True
        self._alive = True
        self._thread = threading.Thread(target=self._run, name=f"gait-reader {self.port}")
        self._thread.daemon = True
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the thread, join it and close the port (idempotent)."""
        self._alive = False
        ser = self._serial
        if ser is not None and hasattr(ser, "cancel_read"):
            try:
                ser.cancel_read()
            except Exception:  # the port may already be gone
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5.0)
        self._close_port()

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, data: bytes) -> None:
        """Send bytes to the device (commands); DeviceError if the port is not connected."""
        with self._write_lock:
            ser = self._serial
            if ser is None:
                raise DeviceError(f"{self.port}: not connected")
            try:
                ser.write(data)
            except (serial.SerialException, OSError) as e:
                raise DeviceError(f"cannot write to {self.port}: {_reason(e)}") from e

    def get(self, timeout: float | None = None) -> Event | None:
        """The next event; ``None`` when nothing came within ``timeout`` s or the reader ended.

        Raises the error that stopped the reader thread (after the events received before it).
        """
        if self._ended:
            return None
        try:
            item = self._queue.get(timeout=timeout) if timeout != 0 else self._queue.get_nowait()
        except queue.Empty:
            return None
        if isinstance(item, _Failure):
            self._ended = True
            raise item.error
        if item is _END:
            self._ended = True
            return None
        return item  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Event]:
        """Events until the reader is closed; raises the thread's error if it failed."""
        while True:
            ev = self.get(timeout=0.1)
            if ev is not None:
                yield ev
            elif self._ended or (not self._alive and self._queue.empty()):
                return

    @property
    def connected(self) -> bool:
        """True while the device is connected (False during an outage)."""
        return self._connected

    @property
    def ended(self) -> bool:
        """True once :meth:`get` has handed out the end of the stream (or its error)."""
        return self._ended

    @property
    def device_info(self) -> Any:
        """What the device said about itself (the decoder's ``device_info``), if anything."""
        return self._device_info

    @property
    def stats(self) -> ReaderStats:
        """A snapshot of the counters (decoder counters summed over connections)."""
        s = self._stats
        dec = self._done_decoders
        if self._decoder is not None:
            dec = _add_stats(dec, self._decoder.stats)
        return ReaderStats(
            n_bytes=s.n_bytes,
            n_blocks=s.n_blocks,
            n_samples=s.n_samples,
            n_gaps=s.n_gaps,
            n_reconnects=s.n_reconnects,
            n_queue_full=s.n_queue_full,
            outages=list(s.outages),
            decoder=dec,
        )

    # -- port handling ----------------------------------------------------------------------

    def _open_port(self) -> serial.SerialBase:
        try:
            ser = serial.serial_for_url(
                self.port, baudrate=self.baudrate, timeout=self.read_timeout_s
            )
        except (serial.SerialException, OSError, ValueError) as e:
            raise DeviceError(f"cannot open {self.port}: {_reason(e)}") from e
        if self.wake:
            try:
                ser.write(self.wake)
            except (serial.SerialException, OSError) as e:
                ser.close()
                raise DeviceError(f"cannot write to {self.port}: {_reason(e)}") from e
        return ser

    def _close_port(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except Exception:
                pass

    def _new_decoder(self, device_time_hint_s: float | None = None) -> None:
        from firmware_bridge.codecs import make_decoder

        if self._decoder is not None:
            self._done_decoders = _add_stats(self._done_decoders, self._decoder.stats)
        kwargs: dict[str, Any] = {}
        if self.protocol == "gait":
            kwargs["device_time_hint_s"] = device_time_hint_s
        self._decoder = make_decoder(
            self.protocol, profile=self.profile, sampling_rate_hz=self.sampling_rate_hz, **kwargs
        )

    def _has_device_clock(self) -> bool:
        """Whether the protocol's samples carry device time (else the decoder counts samples)."""
        if self.protocol == "witmotion":
            return False
        if self.protocol == "csv":
            from firmware_bridge.codecs import CsvProfile

            return CsvProfile.resolve(self.profile).time_column is not None
        return True

    def _reopen(self, cause: BaseException, last_t_s: float | None) -> None:
        """Wait for the device to come back and open it; DeviceGoneError when it does not."""
        self._connected = False
        self._close_port()
        if not self.reconnect:
            raise DeviceGoneError(f"{self.port}: device disconnected ({_reason(cause)})")
        if self.port.startswith("/dev/pts/"):
            # a closed pseudo-terminal never comes back: a new one may get the same number but
            # is another device (reconnect through a symlink, e.g. gait emulate --link)
            raise DeviceGoneError(f"{self.port}: device disconnected (pseudo-terminal closed)")
        deadline = time.monotonic() + self.reconnect_timeout_s
        is_path = "://" not in self.port
        last: BaseException = cause
        if isinstance(cause, serial.SerialException) and "returned no data" in str(cause):
            last = ConnectionResetError("the port closed")
        while self._alive:
            if time.monotonic() > deadline:
                raise DeviceGoneError(
                    f"{self.port}: device disconnected and did not come back within "
                    f"{self.reconnect_timeout_s:g} s (last error: {_reason(last)})"
                )
            if not is_path or os.path.exists(self.port):
                try:
                    self._serial = self._open_port()
                except DeviceError as e:
                    last = e.__cause__ or e
                else:
                    self._new_decoder(last_t_s)
                    self._stats.n_reconnects += 1
                    self._connected = True
                    return
            time.sleep(0.05)

    # -- thread -----------------------------------------------------------------------------

    def _put(self, item: object) -> bool:
        """Put with back-pressure; False if the reader was closed meanwhile."""
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            self._stats.n_queue_full += 1
        while self._alive:
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        last_t_s: float | None = None  # device time of the last sample handed out
        outage_pending = False
        outage_host_t = 0.0  # host time when the connection was lost
        offset_s = 0.0  # added to this connection's device times (see module docstring)
        clocked = self._has_device_clock()
        last_read = 0.0  # host time of the last chunk taken
        try:
            while self._alive:
                ser = self._serial
                assert ser is not None
                try:
                    data = ser.read(ser.in_waiting or 1)
                except (serial.SerialException, OSError) as e:
                    if not self._alive:
                        break
                    outage_host_t = time.monotonic()
                    self._reopen(e, last_t_s)
                    outage_pending = last_t_s is not None
                    offset_s = 0.0
                    continue
                if not data:
                    continue
                wait_s = self.min_read_interval_s - (time.monotonic() - last_read)
                if wait_s > 0:
                    # batch: let data gather when reads come faster than the interval
                    time.sleep(wait_s)
                    try:
                        data += ser.read(ser.in_waiting)
                    except (serial.SerialException, OSError):
                        pass  # seen by the next read
                last_read = time.monotonic()
                self._stats.n_bytes += len(data)
                events = self._decoder.feed(data)
                info = getattr(self._decoder, "device_info", None)
                if info is not None:
                    self._device_info = info
                for ev in events:
                    if isinstance(ev, SampleBlock):
                        if ev.n_samples == 0:
                            continue
                        if outage_pending and last_t_s is not None:
                            outage_pending = False
                            t0 = float(ev.t_s[0])
                            if not clocked or t0 <= last_t_s:
                                rate = ev.sampling_rate_hz
                                away_s = round((time.monotonic() - outage_host_t) * rate) / rate
                                offset_s = last_t_s + max(1.0 / rate, away_s) - t0
                            gap = _outage_gap(last_t_s, t0 + offset_s, ev.sampling_rate_hz)
                            self._stats.outages.append((gap.t_s_start, gap.t_s_end))
                            self._stats.n_gaps += 1
                            if not self._put(gap):
                                return
                        if offset_s:
                            ev = _shift_block(ev, offset_s)
                        last_t_s = float(ev.t_s[-1])
                        self._stats.n_blocks += 1
                        self._stats.n_samples += ev.n_samples
                    elif isinstance(ev, Gap):
                        if offset_s:
                            ev = Gap(ev.t_s_start + offset_s, ev.t_s_end + offset_s, ev.n_missing)
                        self._stats.n_gaps += 1
                    if not self._put(ev):
                        return
            self._put(_END)
        except BaseException as e:  # stored; re-raised by the consumer's get()
            self._put(_Failure(e))
        finally:
            self._alive = False
            self._connected = False


def _shift_block(block: SampleBlock, offset_s: float) -> SampleBlock:
    return SampleBlock(
        block.t_s + offset_s, block.acc_ms2, block.gyr_dps, block.sampling_rate_hz, block.frame
    )


def _outage_gap(t_before: float, t_after: float, sampling_rate_hz: float) -> Gap:
    n_missing = max(0, round((t_after - t_before) * sampling_rate_hz) - 1)
    return Gap(t_s_start=t_before, t_s_end=t_after, n_missing=int(n_missing))


def _reason(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__
