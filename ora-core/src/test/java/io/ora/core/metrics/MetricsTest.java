package io.ora.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void rendersCountersGaugesAndHistogramsInPrometheusTextFormat() {
        Metrics metrics = new Metrics();
        metrics.counter("ora_test_total", "Things", "reason", "b").increment(2);
        metrics.counter("ora_test_total", "Things", "reason", "a").increment();
        metrics.gauge("ora_test_open", "Open things", () -> 7);
        metrics.timer("ora_test_seconds", "How long things take", "route", "/v1/things/{thingId}")
                .record(Duration.ofMillis(3));

        String text = metrics.prometheusText();
        assertThat(text)
                .contains("# HELP ora_test_total Things\n", "# TYPE ora_test_total counter\n")
                .contains("ora_test_total{reason=\"a\"} 1.0\n", "ora_test_total{reason=\"b\"} 2.0\n")
                .contains("# TYPE ora_test_open gauge\n", "ora_test_open 7.0\n")
                .contains("# TYPE ora_test_seconds histogram\n")
                .contains("ora_test_seconds_bucket{route=\"/v1/things/{thingId}\",le=\"0.002\"} 0\n")
                .contains("ora_test_seconds_bucket{route=\"/v1/things/{thingId}\",le=\"0.005\"} 1\n")
                .contains("ora_test_seconds_count{route=\"/v1/things/{thingId}\"} 1\n");
        assertThat(metrics.value("ora_test_total", "reason", "b")).isEqualTo(2);
        assertThat(metrics.value("ora_test_open")).isEqualTo(7);
        assertThat(metrics.observations("ora_test_seconds", "route", "/v1/things/{thingId}")).isEqualTo(1);
    }

    @Test
    void aGaugeRegisteredAgainReadsTheNewestSupplier() {
        Metrics metrics = new Metrics();
        metrics.gauge("ora_test_open", "Open things", () -> 1);
        AtomicLong now = new AtomicLong(5);
        metrics.gauge("ora_test_open", "Open things", now::get);
        now.set(6);

        assertThat(metrics.value("ora_test_open")).isEqualTo(6);
    }

    @Test
    void nodesInOneJvmKeepTheirOwnCounts() {
        Metrics one = new Metrics();
        Metrics two = new Metrics();
        one.counter("ora_test_total", "Things").increment();

        assertThat(one.value("ora_test_total")).isEqualTo(1);
        assertThat(two.value("ora_test_total")).isZero();
    }

    @Test
    void labelValuesAreFixedWordsSoNoPeerInputCanBecomeASeries() {
        Metrics metrics = new Metrics();
        assertThatThrownBy(() -> metrics.counter("ora_x_total", "x", "reason", "urn:ora:hub:1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.counter("ora_x_total", "x", "reason", "a\"} 1\nevil{"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.counter("ora_x_total", "x", "reason", "a".repeat(81)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesSayWhatTheyAre() {
        Metrics metrics = new Metrics();
        assertThatThrownBy(() -> metrics.counter("ora_things", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.timer("ora_latency", "x", "route", "a"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.gauge("Ora-Open", "x", () -> 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
