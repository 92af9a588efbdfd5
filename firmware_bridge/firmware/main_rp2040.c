/*
 * main_rp2040.c - reference firmware: Raspberry Pi Pico (RP2040) + MPU-6050 over I2C,
 * streaming the gait wire protocol (../PROTOCOL.md) over native USB CDC.
 *
 * Timing: a repeating hardware-timer alarm at GAIT_SAMPLING_RATE_HZ records the 1 MHz system
 * timer (time_us_32(), a u32 that wraps every 71.6 min; the host unwraps it) and counts ticks.
 * The main loop reads the sensor once per tick; the tick count is the sample sequence number,
 * so ticks the loop could not serve show up on the host as a sequence gap, never as silently
 * shifted samples. Samples are batched GAIT_SAMPLES_PER_FRAME to a frame. A device-info
 * message goes out when the host opens the port (DTR) and then once a second.
 *
 * Build with the Pico SDK (see CMakeLists.txt and README.md). Only gait_frame.c is
 * hardware-independent; this file is not compiled by the host tests.
 */
#include <stdbool.h>
#include <stdint.h>

#include "hardware/i2c.h"
#include "hardware/sync.h"
#include "hardware/timer.h"
#include "pico/stdio_usb.h"
#include "pico/stdlib.h"

#include "gait_frame.h"

#ifndef GAIT_SAMPLING_RATE_HZ
#define GAIT_SAMPLING_RATE_HZ 200u
#endif
#ifndef GAIT_SAMPLES_PER_FRAME
#define GAIT_SAMPLES_PER_FRAME 4u
#endif
#define GAIT_PERIOD_US (1000000u / GAIT_SAMPLING_RATE_HZ)
#define GAIT_INFO_INTERVAL_US 1000000u
#define GAIT_FIRMWARE_VERSION "gait-fw 1.0.0"

/* MPU-6050 (InvenSense register map RM-MPU-6000A-00 rev 4.2) */
#define MPU_ADDR 0x68u
#define MPU_SMPLRT_DIV 0x19u
#define MPU_CONFIG 0x1Au
#define MPU_GYRO_CONFIG 0x1Bu
#define MPU_ACCEL_CONFIG 0x1Cu
#define MPU_ACCEL_XOUT_H 0x3Bu
#define MPU_PWR_MGMT_1 0x6Bu
#define MPU_WHO_AM_I 0x75u

#define I2C_PORT i2c0
#define I2C_SDA_PIN 4u
#define I2C_SCL_PIN 5u

static volatile uint32_t g_ticks;     /* timer ticks so far (= next sample's sequence number) */
static volatile uint32_t g_tick_us;   /* time_us_32() at the latest tick */

static bool on_tick(repeating_timer_t *rt)
{
    (void)rt;
    g_tick_us = time_us_32();
    g_ticks++;
    return true;
}

static bool mpu_write(uint8_t reg, uint8_t value)
{
    uint8_t buf[2] = {reg, value};
    return i2c_write_blocking(I2C_PORT, MPU_ADDR, buf, 2, false) == 2;
}

static bool mpu_read(uint8_t reg, uint8_t *dst, size_t len)
{
    if (i2c_write_blocking(I2C_PORT, MPU_ADDR, &reg, 1, true) != 1) {
        return false;
    }
    return i2c_read_blocking(I2C_PORT, MPU_ADDR, dst, len, false) == (int)len;
}

static bool mpu_init(void)
{
    uint8_t who = 0;
    if (!mpu_read(MPU_WHO_AM_I, &who, 1) || who != 0x68u) {
        return false;
    }
    return mpu_write(MPU_PWR_MGMT_1, 0x01u)      /* wake, clock from the X gyro PLL */
           && mpu_write(MPU_CONFIG, 0x02u)        /* DLPF ~94 Hz acc / 98 Hz gyro, 1 kHz */
           && mpu_write(MPU_SMPLRT_DIV, 0x00u)    /* output at 1 kHz; we poll the latest */
           && mpu_write(MPU_GYRO_CONFIG, 0x18u)   /* +/-2000 deg/s: 16.4 LSB per deg/s */
           && mpu_write(MPU_ACCEL_CONFIG, 0x18u); /* +/-16 g: 2048 LSB per g */
}

/* ax, ay, az, gx, gy, gz as int16 counts (the sensor sends big-endian, temperature between). */
static bool mpu_read_sample(int16_t *sample)
{
    uint8_t raw[14];
    if (!mpu_read(MPU_ACCEL_XOUT_H, raw, sizeof raw)) {
        return false;
    }
    for (int i = 0; i < 3; i++) {
        sample[i] = (int16_t)((raw[2 * i] << 8) | raw[2 * i + 1]);
        sample[3 + i] = (int16_t)((raw[8 + 2 * i] << 8) | raw[8 + 2 * i + 1]);
    }
    return true;
}

static void send(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        putchar_raw(data[i]); /* no CR/LF translation */
    }
}

static const gait_device_info_t k_info = {
    .acc_lsb_per_g = 2048.0f,
    .gyr_lsb_per_dps = 16.4f,
    .acc_range_g = 16,
    .gyr_range_dps = 2000,
    .sampling_rate_hz = (float)GAIT_SAMPLING_RATE_HZ,
    .has_gyro = 1,
    .firmware_version = GAIT_FIRMWARE_VERSION,
    .sensor_model = "MPU-6050",
};

int main(void)
{
    static uint8_t out[2 * GAIT_MAX_FRAME_LEN];
    static gait_batcher_t batcher;
    repeating_timer_t timer;
    uint32_t served = 0;
    uint32_t last_info_us = 0;
    bool was_connected = false;

    stdio_usb_init();
    i2c_init(I2C_PORT, 400u * 1000u);
    gpio_set_function(I2C_SDA_PIN, GPIO_FUNC_I2C);
    gpio_set_function(I2C_SCL_PIN, GPIO_FUNC_I2C);
    gpio_pull_up(I2C_SDA_PIN);
    gpio_pull_up(I2C_SCL_PIN);
    while (!mpu_init()) {
        sleep_ms(500); /* no sensor yet: keep trying */
    }
    gait_batcher_init(&batcher, 6, GAIT_SAMPLES_PER_FRAME, (uint16_t)GAIT_PERIOD_US);
    /* A negative delay asks the SDK for a fixed rate (start to start), not a fixed pause. */
    add_repeating_timer_us(-(int64_t)GAIT_PERIOD_US, on_tick, NULL, &timer);

    for (;;) {
        uint32_t ticks, t_us, irq;
        int16_t sample[6];
        size_t n;
        bool connected;

        do {
            irq = save_and_disable_interrupts();
            ticks = g_ticks;
            t_us = g_tick_us;
            restore_interrupts(irq);
            if (ticks == served) {
                __wfi(); /* sleep until the next interrupt (timer or USB) */
            }
        } while (ticks == served);
        served = ticks;
        if (!mpu_read_sample(sample)) {
            continue; /* a failed read is a lost sample: the sequence number will jump */
        }

        connected = stdio_usb_connected();
        if (connected && !was_connected) {
            /* The host just opened the port: a delimiter to sync on, then who we are. */
            gait_batcher_flush(&batcher, out);
            out[0] = 0;
            send(out, 1);
            send(out, gait_encode_device_info(out, ticks - 1u, t_us, &k_info));
            last_info_us = t_us;
        }
        was_connected = connected;
        if (!connected) {
            continue; /* nobody listening; the sequence number keeps counting */
        }
        if ((uint32_t)(t_us - last_info_us) >= GAIT_INFO_INTERVAL_US) {
            send(out, gait_encode_device_info(out, ticks - 1u, t_us, &k_info));
            last_info_us = t_us;
        }
        n = gait_batcher_add(&batcher, ticks - 1u, t_us, sample, out);
        send(out, n);
    }
}
