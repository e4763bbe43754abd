package io.ora.ingest.bench;

import io.ora.ingest.filter.TelemetryFilter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Filter + projection throughput on realistic payloads (docs/benchmarks.md, "Ingest filter"): a clean single
 * sample (291 bytes), a clean batch of three (873 bytes), and a payload with a denied key deep inside (378 bytes),
 * each with the extra keys a hub sends that the projection discards. One thread: payloads per second per core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class TelemetryFilterBenchmark {

    @Param({"clean-291", "batch-873", "denied-378"})
    public String payload;

    private TelemetryFilter filter;
    private byte[] bytes;

    @Setup
    public void setUp() {
        filter = new TelemetryFilter(new TelemetryFilter.Limits(65536, 16, 4096, 1000));
        String sample = "{\"ts\":\"2026-11-27T10:00:00.123+10:00\",\"fw\":\"ora-hub-2.4.17+build.5521\",\"cpu\":37.25,"
                + "\"ram\":61.5,\"rssi\":-67,\"uptime\":123456789,\"temperature\":48.5,\"loadavg\":[0.42,0.37,0.31],"
                + "\"net\":{\"iface\":\"wlan0\",\"txErrors\":0,\"rxErrors\":2,\"channel\":11},\"zigbee\":"
                + "{\"nodes\":23,\"lqiMin\":112},\"thread\":{\"routers\":4}}";
        String chosen = switch (payload) {
            case "clean-291" -> sample;
            case "batch-873" -> "[" + sample + "," + sample.replace("37.25", "12.5") + ","
                    + sample.replace("37.25", "80") + "]";
            default -> sample.replace("\"thread\":{\"routers\":4}", "\"thread\":{\"routers\":4,\"devices\":"
                    + "[{\"id\":\"front-door\",\"kind\":\"lock\"},{\"id\":\"hall\",\"Contact_Sensor_Open\":true}]}");
        };
        bytes = chosen.getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public TelemetryFilter.Outcome filter() {
        return filter.filter(bytes);
    }
}
