"""COBS byte stuffing, CRC-16/CCITT-FALSE and an incremental deframer (pure, no I/O).

A frame on the wire is ``COBS(payload ‖ crc16_le(payload)) ‖ 0x00`` (see PROTOCOL.md). The
:class:`Deframer` turns an arbitrary byte stream, cut at arbitrary points, back into CRC-checked
payloads and resynchronises at the next ``0x00`` after anything it cannot decode.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass

__all__ = [
    "DELIMITER",
    "MAX_ENCODED_LEN",
    "CobsDecodeError",
    "Deframer",
    "DeframerCounts",
    "FrameCheckError",
    "cobs_decode",
    "cobs_encode",
    "crc16_ccitt_false",
    "frame_packet",
    "unframe_packet",
]

DELIMITER = b"\x00"
#: Longest encoded frame (without delimiter) the deframer accepts; longer runs are framing errors.
#: The largest message (20 six-axis samples, 254 bytes with CRC) encodes to 255 bytes.
MAX_ENCODED_LEN = 512
CRC_LEN = 2


class CobsDecodeError(ValueError):
    """Bytes that are not a valid COBS encoding."""


class FrameCheckError(ValueError):
    """A decoded frame whose CRC does not match its payload."""


def crc16_ccitt_false(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, xorout 0; check 0x29B1)."""
    return binascii.crc_hqx(data, crc)


def cobs_encode(data: bytes) -> bytes:
    """Consistent Overhead Byte Stuffing of ``data`` (no trailing delimiter).

    The output contains no zero byte and is at most ``len(data) + len(data) // 254 + 1`` long.
    """
    out = bytearray()
    blocks = bytes(data).split(b"\x00")
    last = len(blocks) - 1
    for i, block in enumerate(blocks):
        # Each zero-separated block goes out in chunks of at most 254 bytes. A full chunk (code
        # 0xFF) implies no zero; the block's final code implies the zero that ended the block.
        # The very last block needs no final code when it ends exactly on a full chunk.
        n_full = len(block) // 254
        for j in range(n_full):
            out.append(0xFF)
            out += block[254 * j : 254 * (j + 1)]
        rest = block[254 * n_full :]
        if i == last and n_full and not rest:
            break
        out.append(len(rest) + 1)
        out += rest
    return bytes(out)


def cobs_decode(data: bytes) -> bytes:
    """Inverse of :func:`cobs_encode`; raises :class:`CobsDecodeError` on malformed input."""
    data = bytes(data)
    n = len(data)
    out = bytearray()
    i = 0
    while i < n:
        code = data[i]
        if code == 0:
            raise CobsDecodeError(f"zero byte inside COBS data at offset {i}")
        end = i + code
        if end > n:
            raise CobsDecodeError(f"COBS block at offset {i} runs past the end ({code} > {n - i})")
        block = data[i + 1 : end]
        if 0 in block:
            raise CobsDecodeError(f"zero byte inside COBS data near offset {i}")
        out += block
        i = end
        if code != 0xFF and i < n:
            out.append(0)
    return bytes(out)


def frame_packet(payload: bytes) -> bytes:
    """Wire bytes for one message: ``COBS(payload ‖ CRC16-LE) ‖ 0x00``."""
    crc = crc16_ccitt_false(payload)
    return cobs_encode(payload + crc.to_bytes(2, "little")) + DELIMITER


def unframe_packet(encoded: bytes) -> bytes:
    """Payload of one encoded frame (with or without its trailing delimiter), CRC checked."""
    if encoded.endswith(DELIMITER):
        encoded = encoded[:-1]
    raw = cobs_decode(encoded)
    if len(raw) <= CRC_LEN:
        raise CobsDecodeError(f"frame of {len(raw)} bytes is too short for a payload and CRC")
    payload, crc = raw[:-CRC_LEN], int.from_bytes(raw[-CRC_LEN:], "little")
    if crc16_ccitt_false(payload) != crc:
        raise FrameCheckError("CRC mismatch")
    return payload


@dataclass
class DeframerCounts:
    """What the deframer saw: good frames and each kind of rejected bytes."""

    frames_ok: int = 0
    crc_errors: int = 0
    framing_errors: int = 0
    bytes_skipped: int = 0


class Deframer:
    """Incremental ``bytes -> [payload]`` splitter; pure and safe on any input.

    The first fragment before the first delimiter may be the tail of a frame that started before
    we joined the stream: if it does not decode it is counted in ``bytes_skipped``, not as an error.
    Every later fragment that fails COBS or is too long counts as a framing error, every CRC
    mismatch as a CRC error; empty fragments (repeated delimiters) are ignored.
    """

    def __init__(self, max_encoded_len: int = MAX_ENCODED_LEN) -> None:
        self.max_encoded_len = max_encoded_len
        self.counts = DeframerCounts()
        self._buf = bytearray()
        self._synced = False
        self._overflow = False

    def feed(self, data: bytes) -> list[bytes]:
        """Payloads of all frames completed by ``data``."""
        buf = self._buf
        buf += data
        if DELIMITER not in data:
            if len(buf) > self.max_encoded_len:
                # No delimiter for too long: drop what we hold and wait for the next one.
                if not self._overflow and self._synced:
                    self.counts.framing_errors += 1
                self.counts.bytes_skipped += len(buf)
                buf.clear()
                self._overflow = True
            return []
        parts = bytes(buf).split(DELIMITER)
        buf.clear()
        buf += parts.pop()
        out: list[bytes] = []
        counts = self.counts
        for part in parts:
            first = not self._synced
            self._synced = True
            if self._overflow:
                # Tail of an over-long run, already counted.
                counts.bytes_skipped += len(part) + 1
                self._overflow = False
                continue
            if not part:
                continue
            if len(part) > self.max_encoded_len:
                counts.bytes_skipped += len(part) + 1
                if not first:
                    counts.framing_errors += 1
                continue
            try:
                raw = cobs_decode(part)
            except CobsDecodeError:
                counts.bytes_skipped += len(part) + 1
                if not first:
                    counts.framing_errors += 1
                continue
            if len(raw) <= CRC_LEN:
                counts.bytes_skipped += len(part) + 1
                if not first:
                    counts.framing_errors += 1
                continue
            payload = raw[:-CRC_LEN]
            if binascii.crc_hqx(payload, 0xFFFF) != int.from_bytes(raw[-CRC_LEN:], "little"):
                counts.bytes_skipped += len(part) + 1
                if not first:
                    counts.crc_errors += 1
                continue
            counts.frames_ok += 1
            out.append(payload)
        return out
