/*
 * gait_frame.c - encoder for the gait wire protocol, version 1 (see gait_frame.h, PROTOCOL.md).
 * Hardware-independent C99.
 */
#include "gait_frame.h"

#include <string.h>

uint16_t gait_crc16(const uint8_t *data, size_t len, uint16_t crc)
{
    size_t i;
    int bit;
    for (i = 0; i < len; i++) {
        crc ^= (uint16_t)((uint16_t)data[i] << 8);
        for (bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

size_t gait_cobs_encode(const uint8_t *in, size_t len, uint8_t *out)
{
    size_t read = 0;
    size_t write = 1;
    size_t code_at = 0;
    uint8_t code = 1;

    while (read < len) {
        if (in[read] == 0) {
            out[code_at] = code;
            code_at = write++;
            code = 1;
        } else {
            out[write++] = in[read];
            code++;
            if (code == 0xFF) {
                /* A full block of 254 bytes: no implied zero. Start a new block only if more
                 * data follows, so that input ending on a full block has no extra code byte. */
                out[code_at] = code;
                code = 1;
                if (read + 1 < len) {
                    code_at = write++;
                } else {
                    return write;
                }
            }
        }
        read++;
    }
    out[code_at] = code;
    return write;
}

size_t gait_frame(const uint8_t *payload, size_t len, uint8_t *out)
{
    uint8_t tmp[GAIT_MAX_PAYLOAD_LEN + 2u];
    uint16_t crc;
    size_t n;

    if (len > GAIT_MAX_PAYLOAD_LEN) {
        return 0;
    }
    memcpy(tmp, payload, len);
    crc = gait_crc16(payload, len, 0xFFFFu);
    tmp[len] = (uint8_t)(crc & 0xFFu);
    tmp[len + 1u] = (uint8_t)(crc >> 8);
    n = gait_cobs_encode(tmp, len + 2u, out);
    out[n] = 0;
    return n + 1u;
}

int16_t gait_saturate_i16(int32_t value)
{
    if (value > 32767) {
        return 32767;
    }
    if (value < -32768) {
        return -32768;
    }
    return (int16_t)value;
}

static size_t put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
    return 2;
}

static size_t put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
    return 4;
}

static size_t put_f32(uint8_t *p, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits); /* IEEE-754 binary32 on every target we build for */
    return put_u32(p, bits);
}

static size_t put_text(uint8_t *p, const char *s, int *ok)
{
    size_t n = s ? strlen(s) : 0u;
    if (n > GAIT_MAX_TEXT_LEN) {
        *ok = 0;
        return 0;
    }
    p[0] = (uint8_t)n;
    if (n) {
        memcpy(p + 1, s, n);
    }
    return n + 1u;
}

size_t gait_encode_samples(uint8_t *out, uint32_t seq, uint32_t t_us, uint16_t period_us,
                           uint8_t n_axes, uint8_t count, const int16_t *samples)
{
    uint8_t payload[GAIT_MAX_PAYLOAD_LEN];
    size_t p = 0;
    size_t i;
    size_t n_values = (size_t)count * n_axes;

    if ((n_axes != 6u && n_axes != 3u) || count == 0u || count > GAIT_MAX_SAMPLES_PER_FRAME) {
        return 0;
    }
    payload[p++] = (uint8_t)(n_axes == 6u ? GAIT_MSG_SAMPLES_IMU6 : GAIT_MSG_SAMPLES_ACC3);
    p += put_u32(payload + p, seq);
    p += put_u32(payload + p, t_us);
    p += put_u16(payload + p, period_us);
    payload[p++] = count;
    for (i = 0; i < n_values; i++) {
        p += put_u16(payload + p, (uint16_t)samples[i]);
    }
    return gait_frame(payload, p, out);
}

size_t gait_encode_device_info(uint8_t *out, uint32_t seq, uint32_t t_us,
                               const gait_device_info_t *info)
{
    uint8_t payload[GAIT_MAX_PAYLOAD_LEN];
    size_t p = 0;
    int ok = 1;

    payload[p++] = (uint8_t)GAIT_MSG_DEVICE_INFO;
    p += put_u32(payload + p, seq);
    p += put_u32(payload + p, t_us);
    p += put_f32(payload + p, info->acc_lsb_per_g);
    p += put_f32(payload + p, info->gyr_lsb_per_dps);
    p += put_u16(payload + p, info->acc_range_g);
    p += put_u16(payload + p, info->gyr_range_dps);
    p += put_f32(payload + p, info->sampling_rate_hz);
    payload[p++] = (uint8_t)(info->has_gyro ? 1u : 0u);
    p += put_text(payload + p, info->firmware_version, &ok);
    if (ok) {
        p += put_text(payload + p, info->sensor_model, &ok);
    }
    if (!ok) {
        return 0;
    }
    return gait_frame(payload, p, out);
}

int gait_batcher_init(gait_batcher_t *b, uint8_t n_axes, uint8_t per_frame, uint16_t period_us)
{
    if ((n_axes != 6u && n_axes != 3u) || per_frame == 0u ||
        per_frame > GAIT_MAX_SAMPLES_PER_FRAME) {
        return -1;
    }
    b->n_axes = n_axes;
    b->per_frame = per_frame;
    b->period_us = period_us;
    b->count = 0;
    b->seq = 0;
    b->t_us = 0;
    return 0;
}

size_t gait_batcher_flush(gait_batcher_t *b, uint8_t *out)
{
    size_t n;
    if (b->count == 0u) {
        return 0;
    }
    n = gait_encode_samples(out, b->seq, b->t_us, b->period_us, b->n_axes, b->count, b->values);
    b->count = 0;
    return n;
}

size_t gait_batcher_add(gait_batcher_t *b, uint32_t seq, uint32_t t_us, const int16_t *sample,
                        uint8_t *out)
{
    size_t n = 0;
    if (b->count != 0u && seq != (uint32_t)(b->seq + b->count)) {
        n += gait_batcher_flush(b, out); /* samples were missed: close the batch */
    }
    if (b->count == 0u) {
        b->seq = seq;
        b->t_us = t_us;
    }
    memcpy(&b->values[(size_t)b->count * b->n_axes], sample, (size_t)b->n_axes * sizeof(int16_t));
    b->count++;
    if (b->count == b->per_frame) {
        n += gait_batcher_flush(b, out + n);
    }
    return n;
}
