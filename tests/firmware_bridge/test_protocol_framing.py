"""COBS, CRC-16/CCITT-FALSE and the deframer, against the ``cobs`` and ``crc`` packages."""

from __future__ import annotations

import cobs.cobs
import pytest
from crc import Calculator, Crc16
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge.framing import (
    CobsDecodeError,
    Deframer,
    FrameCheckError,
    cobs_decode,
    cobs_encode,
    crc16_ccitt_false,
    frame_packet,
    unframe_packet,
)

CRC_ORACLE = Calculator(Crc16.IBM_3740)

# Byte strings rich in zeros and in long non-zero runs (the COBS edge cases).
payloads = st.one_of(
    st.binary(max_size=700),
    st.lists(st.sampled_from([b"\x00", b"\x01" * 253, b"\x02" * 254, b"\x03" * 255, b"\xff"])).map(
        b"".join
    ),
)


def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert CRC_ORACLE.checksum(b"123456789") == 0x29B1


@settings(max_examples=200, deadline=None)
@given(payloads)
def test_cobs_and_crc_match_oracles(data: bytes) -> None:
    enc = cobs_encode(data)
    assert enc == cobs.cobs.encode(data)
    assert b"\x00" not in enc
    assert len(enc) <= len(data) + len(data) // 254 + 1
    assert cobs_decode(enc) == data
    assert cobs_decode(cobs.cobs.encode(data)) == data
    assert crc16_ccitt_false(data) == CRC_ORACLE.checksum(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_cobs_decode_agrees_with_oracle_on_garbage(data: bytes) -> None:
    try:
        expected = cobs.cobs.decode(data)
    except cobs.cobs.DecodeError:
        expected = None
    try:
        got = cobs_decode(data)
    except CobsDecodeError:
        got = None
    assert got == expected


def test_frame_packet_round_trip_and_check() -> None:
    frame = frame_packet(b"\x12\x00\x01")
    assert frame.endswith(b"\x00") and b"\x00" not in frame[:-1]
    assert unframe_packet(frame) == b"\x12\x00\x01"
    raw = bytearray(cobs_decode(frame[:-1]))
    raw[0] ^= 0x40
    with pytest.raises(FrameCheckError):
        unframe_packet(cobs_encode(bytes(raw)))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=8),
    st.lists(st.integers(1, 64), min_size=1, max_size=50),
)
def test_deframer_any_chunking(messages: list[bytes], cuts: list[int]) -> None:
    wire = b"".join(frame_packet(m) for m in messages)
    d = Deframer()
    got: list[bytes] = []
    pos, i = 0, 0
    while pos < len(wire):
        step = cuts[i % len(cuts)]
        got += d.feed(wire[pos : pos + step])
        pos += step
        i += 1
    assert got == messages
    assert d.counts.crc_errors == d.counts.framing_errors == d.counts.bytes_skipped == 0


def test_deframer_joins_mid_frame_and_counts_errors() -> None:
    a, b, c = frame_packet(b"first"), frame_packet(b"second"), frame_packet(b"third")
    d = Deframer()
    # Joined in the middle of frame a: its tail is skipped without counting an error.
    assert d.feed(a[3:] + b) == [b"second"]
    assert d.counts.bytes_skipped == len(a) - 3 and d.counts.crc_errors == 0
    # A flipped bit in b: CRC error, and the next frame decodes.
    bad = bytearray(b)
    bad[2] ^= 0x01
    assert d.feed(bytes(bad) + c) == [b"third"]
    assert d.counts.crc_errors + d.counts.framing_errors == 1
    # A run without delimiter longer than the limit is dropped, then decoding resumes.
    assert d.feed(b"\x05" * 2000) == []
    assert d.feed(b"\x00" + c) == [b"third"]
    assert d.counts.framing_errors + d.counts.crc_errors == 2
