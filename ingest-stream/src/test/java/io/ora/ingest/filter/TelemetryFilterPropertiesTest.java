package io.ora.ingest.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.ingest.filter.TelemetryFilter.Dropped;
import io.ora.ingest.filter.TelemetryFilter.Kept;
import io.ora.ingest.filter.TelemetryFilter.Reason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Generated payloads: a denied key anywhere drops everything; clean payloads keep exactly the allow-list. */
class TelemetryFilterPropertiesTest {

    static final TelemetryFilter FILTER = new TelemetryFilter(new TelemetryFilter.Limits(65536, 16, 4096, 1000));

    @Property(tries = 1000)
    void aDeniedKeyHiddenAnywhereDropsTheWholePayload(@ForAll("deniedKeys") String denied,
                                                     @ForAll @IntRange(min = 0, max = 8) int depth,
                                                     @ForAll boolean insideArray, @ForAll boolean batch) {
        String hidden = "{\"" + denied + "\":true}";
        for (int level = 0; level < depth; level++) {
            hidden = insideArray && level % 2 == 0 ? "{\"x" + level + "\":[1," + hidden + "]}"
                    : "{\"y" + level + "\":" + hidden + "}";
        }
        String sample = "{\"ts\":1764230400000,\"fw\":\"2.1.0\",\"cpu\":12.5,\"ram\":40,\"rssi\":-60,\"extra\":"
                + hidden + "}";
        String payload = batch ? "[{\"cpu\":1}," + sample + "]" : sample;

        assertThat(FILTER.filter(payload.getBytes(StandardCharsets.UTF_8))).isEqualTo(new Dropped(Reason.PRIVACY));
    }

    @Provide
    Arbitrary<String> deniedKeys() {
        Arbitrary<String> stem = Arbitraries.of(List.of("camera", "microphone", "occupancy", "contact sensor"));
        Arbitrary<String> separator = Arbitraries.of("", "_", "-", ".", " ", "__");
        Arbitrary<String> affix = Arbitraries.of("", "status", "Level", "state", "open", "front", "2");
        return Combinators.combine(stem, separator, affix, affix, Arbitraries.integers().between(0, 3))
                .as((word, sep, before, after, style) -> {
                    String joined = word.replace(" ", sep);
                    String cased = switch (style) {
                        case 0 -> joined.toUpperCase(Locale.ROOT);
                        case 1 -> Character.toUpperCase(joined.charAt(0)) + joined.substring(1);
                        case 2 -> camel(joined);
                        default -> joined;
                    };
                    return (before.isEmpty() ? "" : before + sep) + cased + (after.isEmpty() ? "" : sep + after);
                });
    }

    private static String camel(String text) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : text.toCharArray()) {
            if (c == ' ' || c == '_' || c == '-' || c == '.') {
                upper = true;
                continue;
            }
            out.append(upper ? Character.toUpperCase(c) : c);
            upper = false;
        }
        return out.toString();
    }

    @Property(tries = 1000)
    void aCleanPayloadKeepsExactlyTheAllowListedMetrics(@ForAll @IntRange(min = 0, max = 100) int cpu,
                                                       @ForAll @IntRange(min = 0, max = 100) int ram,
                                                       @ForAll @IntRange(min = -130, max = 0) int rssi,
                                                       @ForAll("cleanNoise") String noiseKey,
                                                       @ForAll boolean includeRam) {
        String payload = "{\"ts\":\"2026-11-27T10:00:00+10:00\",\"fw\":\"3.0.1\",\"cpu\":" + cpu
                + (includeRam ? ",\"ram\":" + ram : "") + ",\"rssi\":" + rssi + ",\"" + noiseKey
                + "\":{\"nested\":[1,2,{\"deep\":\"value\"}]},\"temperatureInside\":21.5,\"ssid\":\"MyHome\"}";

        Kept kept = (Kept) FILTER.filter(payload.getBytes(StandardCharsets.UTF_8));

        assertThat(kept.samples()).hasSize(1);
        TelemetryFilter.Sample sample = kept.samples().get(0);
        assertThat(sample.cpu()).hasValue(cpu);
        assertThat(sample.rssi()).hasValue(rssi);
        if (includeRam) {
            assertThat(sample.ram()).hasValue(ram);
        } else {
            assertThat(sample.ram()).isEmpty();
        }
        assertThat(sample.firmware()).contains("3.0.1");
        assertThat(sample.ts()).isPresent();
        assertThat(sample.toString()).doesNotContain("MyHome").doesNotContain("value").doesNotContain("21.5");
    }

    @Provide
    Arbitrary<String> cleanNoise() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12)
                .filter(key -> !TelemetryFilter.denied(key) && !List.of("ts", "fw", "cpu", "ram", "rssi")
                        .contains(key));
    }

    @Property(tries = 500)
    void arbitraryBytesAreDecidedWithoutThrowing(@ForAll byte[] payload) {
        assertThat(FILTER.filter(payload)).isNotNull();
    }
}
