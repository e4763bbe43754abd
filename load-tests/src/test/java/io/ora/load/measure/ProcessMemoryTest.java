package io.ora.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {

    @Test
    void readsVmRssInBytes() {
        String status = "Name:\tmosquitto\nVmPeak:\t   20000 kB\nVmRSS:\t    9864 kB\nThreads:\t1\n";

        assertThat(ProcessMemory.parseVmRss(status)).hasValue(9864L * 1024);
    }

    @Test
    void missingOrMalformedIsUnknown() {
        assertThat(ProcessMemory.parseVmRss("Name:\tkthreadd\n")).isEmpty();
        assertThat(ProcessMemory.parseVmRss("VmRSS:\tlots kB\n")).isEmpty();
    }

    @Test
    void readsThisProcess() {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux /proc only");
        OptionalLong resident = ProcessMemory.residentBytes(ProcessHandle.current().pid());

        assertThat(resident).isPresent();
        assertThat(resident.getAsLong()).isPositive();
    }

    @Test
    void aSpanKeepsTheFirstHighestAndLastReading() {
        ProcessMemory.Span span = ProcessMemory.Span.of(100).then(300).then(200);

        assertThat(span).isEqualTo(new ProcessMemory.Span(100, 300, 200, 3));
    }

    @Test
    void watchesThisProcessUntilClosed() {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux /proc only");
        ProcessMemory.Watch watch = ProcessMemory.watch(ProcessHandle.current().pid(), Duration.ofHours(1));
        watch.close();
        watch.close();

        assertThat(watch.span()).hasValueSatisfying(span -> {
            assertThat(span.readings()).isBetween(1L, 2L);
            assertThat(span.peak()).isPositive().isGreaterThanOrEqualTo(span.last());
        });
    }

    @Test
    void aProcessThatIsNotThereHasNoReadings() {
        ProcessMemory.Watch watch = ProcessMemory.watch(Long.MAX_VALUE, Duration.ofMillis(10));
        watch.close();

        assertThat(watch.span()).isEmpty();
    }
}
