/*
 * gait_frame.h - encoder for the gait wire protocol, version 1 (see ../PROTOCOL.md).
 *
 * Hardware-independent C99: no allocation, no I/O, no globals. The same file builds for the
 * RP2040 firmware and with the host compiler for the byte-for-byte tests in
 * tests/firmware_bridge/test_firmware_frames.py.
 *
 * A frame on the wire is COBS(payload || CRC16-LE(payload)) || 0x00, where the CRC is
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, xorout 0, check 0x29B1).
 * All multi-byte fields are little-endian; float fields are IEEE-754 binary32.
 */
#ifndef GAIT_FRAME_H
#define GAIT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define GAIT_PROTOCOL_VERSION 1u
#define GAIT_MSG_DEVICE_INFO 0x11u  /* version 1 << 4 | type 1 */
#define GAIT_MSG_SAMPLES_IMU6 0x12u /* acc x,y,z + gyro x,y,z per sample */
#define GAIT_MSG_SAMPLES_ACC3 0x13u /* acc x,y,z per sample */

#define GAIT_MAX_SAMPLES_PER_FRAME 20u
#define GAIT_MAX_TEXT_LEN 32u
/* header 12 + 20 samples x 6 axes x 2 bytes */
#define GAIT_MAX_PAYLOAD_LEN (12u + GAIT_MAX_SAMPLES_PER_FRAME * 12u)
/* payload + CRC (2) + COBS overhead (1 per 254 bytes, at least 1) + delimiter (1) */
#define GAIT_MAX_FRAME_LEN (GAIT_MAX_PAYLOAD_LEN + 2u + 2u + 1u)

/* What the device says about itself; sent at connect and about once a second. */
typedef struct {
    float acc_lsb_per_g;        /* raw counts per g */
    float gyr_lsb_per_dps;      /* raw counts per deg/s (0 if no gyro) */
    uint16_t acc_range_g;       /* full-scale range, +/- g */
    uint16_t gyr_range_dps;     /* full-scale range, +/- deg/s (0 if no gyro) */
    float sampling_rate_hz;     /* nominal output rate */
    uint8_t has_gyro;           /* 1 if samples carry gyro axes */
    const char *firmware_version; /* at most 32 bytes, may be NULL */
    const char *sensor_model;     /* at most 32 bytes, may be NULL */
} gait_device_info_t;

/* CRC-16/CCITT-FALSE of data, continuing from crc (start with 0xFFFF). */
uint16_t gait_crc16(const uint8_t *data, size_t len, uint16_t crc);

/* COBS-encode len bytes of in into out (no delimiter). out needs len + len / 254 + 1 bytes.
 * Returns the encoded length. */
size_t gait_cobs_encode(const uint8_t *in, size_t len, uint8_t *out);

/* Frame a payload: appends the CRC, COBS-encodes and ends with 0x00. Returns the frame length.
 * out needs GAIT_MAX_FRAME_LEN bytes; returns 0 if len > GAIT_MAX_PAYLOAD_LEN. */
size_t gait_frame(const uint8_t *payload, size_t len, uint8_t *out);

/* Saturate a 32-bit value to int16 (for calibrated or filtered values). */
int16_t gait_saturate_i16(int32_t value);

/* A samples frame: count (1..20) samples of n_axes (6 or 3) int16 values each, interleaved
 * per sample (ax, ay, az[, gx, gy, gz]). seq is the sequence number of the first sample
 * (it counts samples), t_us the device time of the first sample, sample i was taken at
 * t_us + i * period_us. Returns the frame length, or 0 for bad arguments.
 * out needs GAIT_MAX_FRAME_LEN bytes. */
size_t gait_encode_samples(uint8_t *out, uint32_t seq, uint32_t t_us, uint16_t period_us,
                           uint8_t n_axes, uint8_t count, const int16_t *samples);

/* A device-info frame; seq is the sequence number of the next sample. Returns the frame
 * length, or 0 for bad arguments (text too long). out needs GAIT_MAX_FRAME_LEN bytes. */
size_t gait_encode_device_info(uint8_t *out, uint32_t seq, uint32_t t_us,
                               const gait_device_info_t *info);

/* Collects samples into frames of per_frame samples. A frame is closed when it is full or
 * when a sample does not follow on (its seq is not the next one, e.g. after missed timer
 * ticks), so every frame holds consecutive samples spaced by the nominal period. */
typedef struct {
    uint8_t n_axes;
    uint8_t per_frame;
    uint16_t period_us;
    uint8_t count;
    uint32_t seq;
    uint32_t t_us;
    int16_t values[GAIT_MAX_SAMPLES_PER_FRAME * 6u];
} gait_batcher_t;

/* Returns 0 on success, -1 for bad arguments. */
int gait_batcher_init(gait_batcher_t *b, uint8_t n_axes, uint8_t per_frame, uint16_t period_us);

/* Adds one sample (n_axes values) taken at t_us with sequence number seq. Writes any frames
 * that it completes to out (up to two: the interrupted batch and, when per_frame is 1, this
 * sample) and returns their total length. out needs 2 * GAIT_MAX_FRAME_LEN bytes. */
size_t gait_batcher_add(gait_batcher_t *b, uint32_t seq, uint32_t t_us, const int16_t *sample,
                        uint8_t *out);

/* Writes the partly filled batch, if any, and returns its length. */
size_t gait_batcher_flush(gait_batcher_t *b, uint8_t *out);

#endif /* GAIT_FRAME_H */
