package io.ora.load.measure;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The body of a hub's health report (docs/ingest.md, "The sample document"): one sample object, or a JSON array of
 * {@code samples} of them taken one {@link #SAMPLE_INTERVAL_MILLIS} apart, the newest at {@code newestMillis}.
 *
 * <pre>
 * {"ts":1764237600000,"fw":"2.1.0","cpu":12.3,"ram":45.6,"rssi":-61}     about 66 bytes a sample
 * </pre>
 *
 * <p>Only the five keys the ingest filter keeps, every metric within its range, so every sample is stored and the
 * stored row count can be checked against the acknowledged samples. The values vary with {@code variation} (the
 * message index) and the sample's position, so batches are not one value repeated. Written by hand rather than by a
 * JSON library: the generator builds thousands a second on the cores the node under test also uses.
 */
public final class TelemetryPayload {

    /** Most samples in one message (the filter's array limit). */
    public static final int MAX_SAMPLES = 1000;
    /**
     * Largest body: the filter's 64 KiB, less room for the topic and header of the PUBLISH packet, which must fit the
     * relay's 64 KiB maximum packet size as a whole.
     */
    public static final int MAX_BYTES = 65_536 - 256;
    /** Time between the samples of one message. */
    public static final long SAMPLE_INTERVAL_MILLIS = 1000;
    /** Firmware version every generated sample reports. */
    public static final String FIRMWARE = "2.1.0";

    private static final int BYTES_PER_SAMPLE = 72;

    private TelemetryPayload() {
    }

    /** The telemetry topic of a hub: only that hub may publish there. */
    public static String topic(UUID hub) {
        return "ora/v1/hub/" + hub + "/telemetry";
    }

    /** A report of {@code samples} samples (an object for one, an array otherwise), as UTF-8 JSON. */
    public static byte[] encode(int samples, long newestMillis, long variation) {
        if (samples < 1 || samples > MAX_SAMPLES) {
            throw new IllegalArgumentException("samples must be within 1.." + MAX_SAMPLES + ": " + samples);
        }
        if (newestMillis - (samples - 1) * SAMPLE_INTERVAL_MILLIS <= 0) {
            throw new IllegalArgumentException("timestamps must be after the epoch");
        }
        StringBuilder json = new StringBuilder(samples * BYTES_PER_SAMPLE + 2);
        if (samples > 1) {
            json.append('[');
        }
        for (int i = 0; i < samples; i++) {
            if (i > 0) {
                json.append(',');
            }
            long spread = Math.floorMod(variation * 31 + i * 17, 1000);
            json.append("{\"ts\":").append(newestMillis - (samples - 1 - i) * SAMPLE_INTERVAL_MILLIS)
                    .append(",\"fw\":\"").append(FIRMWARE)
                    .append("\",\"cpu\":").append(tenths(spread))
                    .append(",\"ram\":").append(tenths(200 + spread / 2))
                    .append(",\"rssi\":").append(-40 - spread % 50)
                    .append('}');
        }
        if (samples > 1) {
            json.append(']');
        }
        byte[] body = json.toString().getBytes(StandardCharsets.US_ASCII);
        if (body.length > MAX_BYTES) {
            throw new IllegalArgumentException(samples + " samples make " + body.length + " bytes, more than "
                    + MAX_BYTES);
        }
        return body;
    }

    /** A bound on the body {@code samples} samples make, whatever the timestamps and values. */
    public static int maxBytes(int samples) {
        // A sample is at most 67 bytes with its comma: 13-digit epoch milliseconds (until 2286), 99.9, 69.9, -89.
        return samples * BYTES_PER_SAMPLE + 2;
    }

    /** {@code value / 10} with one decimal, e.g. 123 as {@code 12.3}: what a hub's percentages look like. */
    private static String tenths(long value) {
        return value / 10 + "." + value % 10;
    }
}
