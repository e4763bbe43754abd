package io.ora.load.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateSearchTest {

    @Test
    void doublesUntilAStepFailsThenBisectsToTheResolution() {
        RateSearch search = new RateSearch(500, 20_000, 0.1);

        assertThat(search.rate()).isEqualTo(500);
        assertThat(search.record(true)).isEmpty();
        assertThat(search.rate()).isEqualTo(1000);
        assertThat(search.record(true)).isEmpty();
        assertThat(search.rate()).isEqualTo(2000);
        assertThat(search.record(false)).isEmpty();
        assertThat(search.rate()).isEqualTo(1500);
        assertThat(search.record(true)).isEmpty();
        assertThat(search.rate()).isEqualTo(1750);
        assertThat(search.record(false)).isEmpty();
        assertThat(search.rate()).isEqualTo(1625);
        assertThat(search.record(true)).contains("converged");
        assertThat(search.best()).isEqualTo(1625);
    }

    @Test
    void halvesWhenTheFirstStepFails() {
        RateSearch search = new RateSearch(4, 100, 0.1);

        assertThat(search.record(false)).isEmpty();
        assertThat(search.rate()).isEqualTo(2);
        assertThat(search.record(false)).isEmpty();
        assertThat(search.rate()).isEqualTo(1);
        assertThat(search.record(false)).contains("no rate passed");
        assertThat(search.best()).isZero();
    }

    @Test
    void stopsAtTheMaximumRate() {
        RateSearch search = new RateSearch(600, 1000, 0.1);

        assertThat(search.record(true)).isEmpty();
        assertThat(search.rate()).isEqualTo(1000);
        assertThat(search.record(true)).hasValueSatisfying(why -> assertThat(why).contains("maximum rate"));
        assertThat(search.best()).isEqualTo(1000);
    }
}
