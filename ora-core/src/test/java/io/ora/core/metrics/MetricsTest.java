package io.ora.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void rendersCountersAndGaugesInPrometheusTextFormat() {
        Metrics metrics = new Metrics();
        metrics.counter("ora_test_total", "Things", "reason", "b").add(2);
        metrics.counter("ora_test_total", "Things", "reason", "a").increment();
        metrics.gauge("ora_test_open", "Open things", () -> 7);

        assertThat(metrics.prometheusText()).isEqualTo("""
                # HELP ora_test_open Open things
                # TYPE ora_test_open gauge
                ora_test_open 7
                # HELP ora_test_total Things
                # TYPE ora_test_total counter
                ora_test_total{reason="a"} 1
                ora_test_total{reason="b"} 2
                """);
        assertThat(metrics.value("ora_test_total", "reason", "b")).isEqualTo(2);
        assertThat(metrics.value("ora_test_open")).isEqualTo(7);
    }

    @Test
    void labelValuesAreFixedWordsSoNoPeerInputCanBecomeASeries() {
        Metrics metrics = new Metrics();
        assertThatThrownBy(() -> metrics.counter("ora_x_total", "x", "reason", "urn:ora:hub:1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.counter("ora_x_total", "x", "reason", "a\"} 1\nevil{"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
