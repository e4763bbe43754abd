package io.ora.ingest.filter;

import java.text.Normalizer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The privacy filter and projection of hub telemetry (docs/ingest.md): what the cloud keeps of a payload is only what
 * describes the machine, never what could describe the people in the home.
 *
 * <ol>
 *   <li><b>Parse with limits</b>: at most {@link Limits#maxBytes()} bytes, nesting {@link Limits#maxDepth()},
 *       strings {@link Limits#maxString()} characters, arrays {@link Limits#maxArray()} elements; anything else is
 *       dropped as {@link Reason#MALFORMED} or {@link Reason#TOO_LARGE}, and never echoed.</li>
 *   <li><b>Privacy rule</b>: the <em>whole</em> payload is dropped ({@link Reason#PRIVACY}) when any object key, at
 *       any depth, including inside arrays of objects, names camera, microphone, occupancy or contact-sensor data.
 *       A key is normalised first — Unicode NFKC, lower-cased, every character that is not a letter or digit
 *       removed — and denied
 *       when the result contains {@code camera}, {@code microphone}, {@code occupancy} or {@code contactsensor}.
 *       So {@code camera}, {@code Camera_Status}, {@code microphoneLevel}, {@code occupancy-state},
 *       {@code contactSensor} and {@code contact_sensor_open} all deny.</li>
 *   <li><b>Projection</b> onto an allow-list: a sample keeps {@code ts} (RFC 3339 string or epoch milliseconds),
 *       {@code fw} (firmware version, printable, at most 64 characters), and the metrics {@code cpu} and {@code ram}
 *       (percent, 0–100) and {@code rssi} (dBm, −130–0) when numeric and in range. Every other key is discarded,
 *       even from a clean payload. A sample with no metric left is not kept; a payload with none is dropped
 *       ({@link Reason#NO_METRICS}).</li>
 * </ol>
 *
 * <p>Stateless and thread-safe; decisions never depend on anything but the payload.
 */
public final class TelemetryFilter {

    /** Why a payload was dropped. Counted, never logged with content. */
    public enum Reason { TOO_LARGE, MALFORMED, PRIVACY, NO_METRICS }

    /** Bounds on what is parsed at all. */
    public record Limits(int maxBytes, int maxDepth, int maxString, int maxArray) {
    }

    /** One health sample as stored. */
    public record Sample(Optional<Instant> ts, Optional<String> firmware, OptionalDouble cpu, OptionalDouble ram,
                         OptionalDouble rssi) {
    }

    /** What the filter decided for one payload. */
    public sealed interface Outcome permits Kept, Dropped {
    }

    /** Samples to store (each with at least one metric). */
    public record Kept(List<Sample> samples) implements Outcome {
    }

    /** Nothing to store, and why. */
    public record Dropped(Reason reason) implements Outcome {
    }

    /** Timestamps at or after this (year 3000) are discarded as nonsense. */
    private static final Instant LATEST_TIMESTAMP = Instant.ofEpochMilli(32_503_680_000_000L);

    private static final List<String> DENIED = List.of("camera", "microphone", "occupancy", "contactsensor");

    private final Limits limits;
    private final JsonMapper mapper;

    public TelemetryFilter(Limits limits) {
        this.limits = limits;
        this.mapper = JsonMapper.builder(JsonFactory.builder()
                        .streamReadConstraints(StreamReadConstraints.builder()
                                .maxNestingDepth(limits.maxDepth())
                                .maxStringLength(limits.maxString())
                                .maxNameLength(limits.maxString())
                                .maxNumberLength(32)
                                .maxDocumentLength(limits.maxBytes())
                                .build())
                        .build())
                .build();
    }

    /** Decides what is kept of one payload (one sample object, or an array of them). */
    public Outcome filter(byte[] payload) {
        if (payload.length > limits.maxBytes()) {
            return new Dropped(Reason.TOO_LARGE);
        }
        JsonNode root;
        try {
            root = mapper.readTree(payload);
        } catch (JacksonException malformed) {
            return new Dropped(Reason.MALFORMED);
        }
        if (root == null || !(root.isObject() || root.isArray())) {
            return new Dropped(Reason.MALFORMED);
        }
        Optional<Reason> refused = scan(root);
        if (refused.isPresent()) {
            return new Dropped(refused.get());
        }
        List<Sample> samples = new ArrayList<>();
        if (root.isObject()) {
            project(root).ifPresent(samples::add);
        } else {
            for (JsonNode element : root) {
                if (element.isObject()) {
                    project(element).ifPresent(samples::add);
                }
            }
        }
        return samples.isEmpty() ? new Dropped(Reason.NO_METRICS) : new Kept(List.copyOf(samples));
    }

    /** Walks every key at every depth: a denied one drops everything; so does an over-long array. */
    private Optional<Reason> scan(JsonNode node) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (denied(field.getKey())) {
                    return Optional.of(Reason.PRIVACY);
                }
                Optional<Reason> inner = scan(field.getValue());
                if (inner.isPresent()) {
                    return inner;
                }
            }
        } else if (node.isArray()) {
            if (node.size() > limits.maxArray()) {
                return Optional.of(Reason.TOO_LARGE);
            }
            for (JsonNode element : node) {
                Optional<Reason> inner = scan(element);
                if (inner.isPresent()) {
                    return inner;
                }
            }
        }
        return Optional.empty();
    }

    /** Whether a key names data about the people in the home (see the class comment for the exact rule). */
    static boolean denied(String key) {
        // NFKC first, so look-alikes such as full-width letters read as the letters they imitate.
        String compatible = Normalizer.normalize(key, Normalizer.Form.NFKC);
        StringBuilder normalised = new StringBuilder(compatible.length());
        for (int i = 0; i < compatible.length(); i++) {
            char c = compatible.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                normalised.append(Character.toLowerCase(c));
            }
        }
        String plain = normalised.toString().toLowerCase(Locale.ROOT);
        for (String stem : DENIED) {
            if (plain.contains(stem)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Sample> project(JsonNode sample) {
        OptionalDouble cpu = number(sample.get("cpu"), 0, 100);
        OptionalDouble ram = number(sample.get("ram"), 0, 100);
        OptionalDouble rssi = number(sample.get("rssi"), -130, 0);
        if (cpu.isEmpty() && ram.isEmpty() && rssi.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Sample(timestamp(sample.get("ts")), firmware(sample.get("fw")), cpu, ram, rssi));
    }

    private static OptionalDouble number(JsonNode value, double min, double max) {
        if (value == null || !value.isNumber()) {
            return OptionalDouble.empty();
        }
        double number = value.asDouble();
        return Double.isFinite(number) && number >= min && number <= max ? OptionalDouble.of(number)
                : OptionalDouble.empty();
    }

    private static Optional<Instant> timestamp(JsonNode value) {
        if (value == null) {
            return Optional.empty();
        }
        Optional<Instant> instant = Optional.empty();
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            instant = Optional.of(Instant.ofEpochMilli(value.asLong()));
        } else if (value.isString()) {
            try {
                instant = Optional.of(OffsetDateTime.parse(value.asString()).toInstant());
            } catch (DateTimeParseException notRfc3339) {
                return Optional.empty();
            }
        }
        // Both forms are bounded alike, so what is stored always fits the column and nothing overflows on the way.
        return instant.filter(t -> t.isAfter(Instant.EPOCH) && t.isBefore(LATEST_TIMESTAMP));
    }

    private static Optional<String> firmware(JsonNode value) {
        if (value == null || !value.isString()) {
            return Optional.empty();
        }
        String text = value.asString();
        return text.length() <= 64 && !text.isEmpty() && text.chars().allMatch(c -> c >= 0x20 && c < 0x7F)
                ? Optional.of(text) : Optional.empty();
    }
}
