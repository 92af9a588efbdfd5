/*
 * gait_frame_host.c - host-side driver for gait_frame.c, used by the Python tests.
 *
 * Reads one command per line on stdin and prints one line of lower-case hex per command
 * (an empty line when a command produces no bytes). Numbers are decimal; floats are given as
 * the hex of their IEEE-754 binary32 bits so both sides agree exactly; text is hex ("-" = empty).
 *
 *   crc <hex>                                 CRC-16/CCITT-FALSE, 4 hex digits
 *   cobs <hex>                                COBS encoding (no delimiter)
 *   samples <seq> <t_us> <period_us> <n_axes> <count> <v>...
 *   info <seq> <t_us> <acc_lsb_f32> <gyr_lsb_f32> <acc_range> <gyr_range> <rate_f32>
 *        <has_gyro> <firmware_hex> <model_hex>
 *   batch <n_axes> <per_frame> <period_us>    (re)initialise the batcher
 *   add <seq> <t_us> <v>...                   add one sample; prints the frames it completes
 *   flush                                     prints the partly filled frame, if any
 *   sat <int>                                 gait_saturate_i16
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gait_frame.h"

#define MAX_LINE 8192
#define MAX_BYTES 2048

static void print_hex(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
    printf("\n");
}

static size_t parse_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    unsigned int byte;
    if (strcmp(s, "-") == 0) {
        return 0;
    }
    while (s[0] && s[1] && n < cap && sscanf(s, "%2x", &byte) == 1) {
        out[n++] = (uint8_t)byte;
        s += 2;
    }
    return n;
}

static float f32_from_hex(const char *s)
{
    uint32_t bits = (uint32_t)strtoul(s, NULL, 16);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static char *next(void)
{
    return strtok(NULL, " \t\r\n");
}

static unsigned long next_ul(void)
{
    char *t = next();
    return t ? strtoul(t, NULL, 10) : 0ul;
}

int main(void)
{
    static char line[MAX_LINE];
    static uint8_t in[MAX_BYTES];
    static uint8_t out[2 * MAX_BYTES];
    static int16_t values[GAIT_MAX_SAMPLES_PER_FRAME * 6u];
    static char fw[GAIT_MAX_TEXT_LEN + 8u];
    static char model[GAIT_MAX_TEXT_LEN + 8u];
    gait_batcher_t batcher;
    size_t n, i;

    gait_batcher_init(&batcher, 6, 1, 0);
    while (fgets(line, sizeof line, stdin)) {
        char *cmd = strtok(line, " \t\r\n");
        if (!cmd) {
            continue;
        }
        if (strcmp(cmd, "crc") == 0) {
            char *hex = next();
            n = parse_hex(hex ? hex : "-", in, sizeof in);
            printf("%04x\n", gait_crc16(in, n, 0xFFFFu));
        } else if (strcmp(cmd, "cobs") == 0) {
            char *hex = next();
            n = parse_hex(hex ? hex : "-", in, sizeof in);
            print_hex(out, gait_cobs_encode(in, n, out));
        } else if (strcmp(cmd, "samples") == 0) {
            uint32_t seq = (uint32_t)next_ul();
            uint32_t t_us = (uint32_t)next_ul();
            uint16_t period = (uint16_t)next_ul();
            uint8_t n_axes = (uint8_t)next_ul();
            uint8_t count = (uint8_t)next_ul();
            for (i = 0; i < (size_t)count * n_axes && i < sizeof values / sizeof values[0]; i++) {
                char *t = next();
                values[i] = (int16_t)(t ? strtol(t, NULL, 10) : 0);
            }
            print_hex(out, gait_encode_samples(out, seq, t_us, period, n_axes, count, values));
        } else if (strcmp(cmd, "info") == 0) {
            gait_device_info_t info;
            uint32_t seq = (uint32_t)next_ul();
            uint32_t t_us = (uint32_t)next_ul();
            char *t;
            info.acc_lsb_per_g = f32_from_hex(next());
            info.gyr_lsb_per_dps = f32_from_hex(next());
            info.acc_range_g = (uint16_t)next_ul();
            info.gyr_range_dps = (uint16_t)next_ul();
            info.sampling_rate_hz = f32_from_hex(next());
            info.has_gyro = (uint8_t)next_ul();
            t = next();
            n = parse_hex(t ? t : "-", (uint8_t *)fw, sizeof fw - 1);
            fw[n] = 0;
            t = next();
            n = parse_hex(t ? t : "-", (uint8_t *)model, sizeof model - 1);
            model[n] = 0;
            info.firmware_version = fw;
            info.sensor_model = model;
            print_hex(out, gait_encode_device_info(out, seq, t_us, &info));
        } else if (strcmp(cmd, "batch") == 0) {
            uint8_t n_axes = (uint8_t)next_ul();
            uint8_t per_frame = (uint8_t)next_ul();
            uint16_t period = (uint16_t)next_ul();
            printf("%d\n", gait_batcher_init(&batcher, n_axes, per_frame, period));
        } else if (strcmp(cmd, "add") == 0) {
            uint32_t seq = (uint32_t)next_ul();
            uint32_t t_us = (uint32_t)next_ul();
            for (i = 0; i < batcher.n_axes; i++) {
                char *t = next();
                values[i] = (int16_t)(t ? strtol(t, NULL, 10) : 0);
            }
            print_hex(out, gait_batcher_add(&batcher, seq, t_us, values, out));
        } else if (strcmp(cmd, "flush") == 0) {
            print_hex(out, gait_batcher_flush(&batcher, out));
        } else if (strcmp(cmd, "sat") == 0) {
            char *t = next();
            printf("%d\n", (int)gait_saturate_i16((int32_t)(t ? strtol(t, NULL, 10) : 0)));
        } else {
            printf("error unknown command %s\n", cmd);
        }
        fflush(stdout);
    }
    return 0;
}
