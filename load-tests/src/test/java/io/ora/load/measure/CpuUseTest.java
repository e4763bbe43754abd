package io.ora.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CpuUseTest {

    /** A real line of /proc/PID/stat, with a command name that has spaces and parentheses in it. */
    private static final String STAT = "4242 (java (gen) x) S 1 4242 4242 0 -1 4194560 12345 0 0 0 1234 567 0 0 20"
            + " 0 42 0 123456 4567890123 12345 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

    @Test
    void cpuTimeIsUserPlusSystemTicksOfTenMilliseconds() {
        assertThat(CpuUse.parseStat(STAT)).hasValue((1234 + 567) * 10_000_000L);
    }

    @Test
    void whatIsNotAStatLineIsUnknown() {
        assertThat(CpuUse.parseStat("")).isEmpty();
        assertThat(CpuUse.parseStat("4242 (java) S 1 2")).isEmpty();
        assertThat(CpuUse.parseStat("4242 (java) S 1 2 3 4 5 6 7 8 9 10 ten 12")).isEmpty();
    }

    @Test
    void thisProcessCanBeReadAndAMissingOneCannot() {
        assertThat(CpuUse.cpuNanos("self")).isPresent();
        assertThat(CpuUse.cpuNanos("999999999")).isEmpty();
    }

    @Test
    void aWindowGivesPercentOfACoreAndMicrosecondsPerMessage() {
        CpuUse.Mark start = new CpuUse.Mark(1_000_000_000L, OptionalLong.of(5_000_000_000L),
                OptionalLong.of(7_000_000_000L), 10, 100);
        CpuUse.Mark end = new CpuUse.Mark(11_000_000_000L, OptionalLong.of(9_000_000_000L),
                OptionalLong.of(8_000_000_000L), 12, 130);

        CpuUse use = start.until(end);

        assertThat(use.generatorPercent().getAsDouble()).isCloseTo(40.0, within(1e-9));
        assertThat(use.serverPercent().getAsDouble()).isCloseTo(10.0, within(1e-9));
        assertThat(use.resultFields(100_000, "msg")).isEqualTo("gen_cpu_pct=40.0 gen_us_per_msg=40.0"
                + " server_cpu_pct=10.0 server_us_per_msg=10.0 gc_count=2 gc_ms=30");
        assertThat(use.line(100_000, "msg")).contains("generator 40.0 % of a core (40.0 µs/msg)");
    }

    @Test
    void theServerOfSeveralProcessesIsTheirSumAndUnknownWhenOneIsGone() {
        long self = ProcessHandle.current().pid();

        // This process read first as the generator, then twice as the server: CPU time only grows in between.
        CpuUse.Mark twice = CpuUse.Mark.now(List.of(self, self));
        CpuUse.Mark withAGhost = CpuUse.Mark.now(List.of(self, Long.MAX_VALUE));

        assertThat(twice.serverCpuNanos().getAsLong()).isGreaterThanOrEqualTo(
                2 * twice.generatorCpuNanos().getAsLong());
        assertThat(withAGhost.serverCpuNanos()).isEmpty();
        assertThat(CpuUse.Mark.now(List.of()).serverCpuNanos()).isEmpty();
    }

    @Test
    void withoutAServerItsFiguresAreNotAvailable() {
        CpuUse.Mark start = CpuUse.Mark.now(OptionalLong.empty());
        CpuUse use = start.until(CpuUse.Mark.now(OptionalLong.empty()));

        assertThat(use.serverPercent()).isEmpty();
        assertThat(use.generatorCpuNanos()).isPresent();
        assertThat(use.resultFields(10, "conn")).contains(" server_cpu_pct=n/a server_us_per_conn=n/a ");
    }
}
