package io.ora.load.scenario;

import io.ora.load.client.ClientLoops;
import io.ora.load.client.ClientTls;
import io.ora.load.client.MqttClient;
import io.ora.load.identities.CertificateSet;
import io.ora.load.measure.CpuUse;
import io.ora.load.measure.Latency;
import io.ora.load.measure.ProcessMemory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection storm: N hubs connect (TLS 1.3 with client certificates, then MQTT 5 CONNECT) as fast as the
 * broker lets them with at most C connects in flight. Reports the connect rate, failures by cause and connect
 * latency; then holds the connections idle and, given the broker's pid, prices a connection in broker resident
 * memory; then disconnects them all cleanly.
 */
public final class HandshakeBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(HandshakeBenchmark.class);
    private static final Duration DISCONNECT_LIMIT = Duration.ofSeconds(60);
    private static final Duration WARMUP_SETTLE = Duration.ofSeconds(1);
    private static final double MIB = 1024.0 * 1024.0;

    private HandshakeBenchmark() {
    }

    /**
     * One connection storm.
     *
     * @param target      the broker
     * @param certs       a directory written by {@code certs}; its first {@code connections} hubs connect
     * @param connections how many hubs connect
     * @param concurrency connects in flight at most
     * @param timeLimit   no new connect starts after this long
     * @param hold        how long the connections stay idle before memory is read and they are closed
     * @param serverPid   the broker's process, when it runs on this machine
     * @param warmup      how many other identities (spare hubs, then apps) connect and disconnect before the
     *                    measured storm, so that the generator's JIT warm-up is not billed to the broker
     */
    public record Settings(Target target, Path certs, int connections, int concurrency, Duration timeLimit,
                           Duration hold, OptionalLong serverPid, int warmup) {
        public Settings {
            if (connections < 1 || concurrency < 1 || warmup < 0) {
                throw new IllegalArgumentException("connections and concurrency must be at least 1, warm-up >= 0");
            }
        }
    }

    /**
     * What the storm measured.
     *
     * @param warmedUp  identities that connected and disconnected before the storm
     * @param rssBefore broker resident bytes before the first (warm-up) connect
     * @param rssAfter  broker resident bytes after the hold, all connections still open
     * @param cpu       CPU of the generator and of the broker (given its pid) over the measured connect phase
     */
    public record Result(Settings settings, Duration prepareTime, int warmedUp, int attempted, int connected,
                         Map<String, Long> failures, long unsettled, boolean cutShort, Duration connectTime,
                         Latency.Summary connectLatency, int stillConnectedAfterHold,
                         OptionalLong rssBefore, OptionalLong rssAfter, long disconnectFailures,
                         Duration disconnectTime, Duration total, CpuUse cpu) {

        /** Successful connections per second over the connect phase. */
        public double connectionsPerSecond() {
            double seconds = connectTime.toNanos() / 1e9;
            return seconds > 0 ? connected / seconds : 0;
        }

        /** Lines for the command line. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "handshake: %s:%d, %d hubs, concurrency %d",
                    settings.target().host(), settings.target().port(), settings.connections(),
                    settings.concurrency()));
            lines.add(String.format(Locale.ROOT, "  prepared clients in %.2f s, warmed up with %d other identities"
                    + " (neither measured)", prepareTime.toMillis() / 1000.0, warmedUp));
            lines.add(String.format(Locale.ROOT, "  connected %d of %d attempted in %.2f s: %.1f connections/s%s",
                    connected, attempted, connectTime.toMillis() / 1000.0, connectionsPerSecond(),
                    cutShort ? " (time limit reached)" : ""));
            lines.add("  connect latency " + connectLatency.toMillisString());
            lines.add("  " + cpu.line(connected, "conn"));
            lines.add("  failures: " + (failures.isEmpty() ? "none" : failures.toString())
                    + (unsettled > 0 ? ", no outcome: " + unsettled : ""));
            lines.add(String.format(Locale.ROOT, "  still connected after %d s idle: %d", settings.hold().toSeconds(),
                    stillConnectedAfterHold));
            if (rssBefore.isPresent() && rssAfter.isPresent()) {
                long delta = rssAfter.getAsLong() - rssBefore.getAsLong();
                lines.add(String.format(Locale.ROOT,
                        "  server RSS %.1f MiB -> %.1f MiB: +%.1f MiB, %.1f KiB per connection",
                        rssBefore.getAsLong() / MIB, rssAfter.getAsLong() / MIB, delta / MIB,
                        stillConnectedAfterHold > 0 ? delta / 1024.0 / stillConnectedAfterHold : 0));
            } else if (settings.serverPid().isPresent()) {
                lines.add("  server RSS: cannot read /proc/" + settings.serverPid().getAsLong() + "/status");
            }
            lines.add(String.format(Locale.ROOT, "  disconnected in %.2f s, failures: %d; total time %.1f s",
                    disconnectTime.toMillis() / 1000.0, disconnectFailures, total.toMillis() / 1000.0));
            lines.add(String.format(Locale.ROOT,
                    "RESULT handshake connections=%d connected=%d failed=%d conn_per_s=%.1f p50_ms=%.3f p99_ms=%.3f"
                            + " rss_kib_per_conn=%s %s",
                    attempted, connected, attempted - connected, connectionsPerSecond(),
                    Latency.Summary.millis(connectLatency.p50()),
                    Latency.Summary.millis(connectLatency.p99()),
                    rssBefore.isPresent() && rssAfter.isPresent() && stillConnectedAfterHold > 0
                            ? String.format(Locale.ROOT, "%.1f", (rssAfter.getAsLong() - rssBefore.getAsLong())
                                    / 1024.0 / stillConnectedAfterHold)
                            : "n/a", cpu.resultFields(connected, "conn")));
            return lines;
        }
    }

    /** Runs the storm; every phase is bounded in time. */
    public static Result run(Settings settings) throws IOException, InterruptedException {
        try (ClientLoops loops = ClientLoops.open(settings.target().eventLoops())) {
            return run(settings, loops);
        }
    }

    private static Result run(Settings settings, ClientLoops loops) throws IOException, InterruptedException {
        CertificateSet set = CertificateSet.open(settings.certs());
        List<UUID> hubs = set.bindings().hubs();
        if (hubs.size() < settings.connections()) {
            throw new IllegalArgumentException("asked for " + settings.connections() + " connections but "
                    + settings.certs() + " holds only " + hubs.size() + " hubs");
        }
        long started = System.nanoTime();
        ClientTls tls = new ClientTls();
        List<MqttClient> clients = settings.target().prepare(loops, tls,
                hubs.subList(0, settings.connections()).stream().map(set::hubDir).toList());
        List<MqttClient> warmup = settings.target().prepare(loops, tls, warmupIdentities(set, settings));
        Duration prepareTime = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("prepared {} clients in {} ms", clients.size() + warmup.size(), prepareTime.toMillis());

        // Read before the warm-up: memory the warm-up sessions leave allocated is reused by the storm, and belongs
        // in the per-connection price.
        OptionalLong rssBefore = rss(settings);
        int warmedUp = 0;
        if (!warmup.isEmpty()) {
            Connector.Outcome<MqttClient> warmed = Connector.connectAll(warmup, settings.concurrency(),
                    settings.timeLimit(), settings.target().connectTimeout());
            Connector.disconnectAll(warmed.connected(), DISCONNECT_LIMIT);
            warmedUp = warmed.connected().size();
            LOG.info("warm-up: {} of {} connected and disconnected again in {} ms", warmed.connected().size(),
                    warmup.size(), warmed.elapsed().toMillis());
            // The broker may still be releasing the warm-up sessions; let it finish before the storm starts.
            Thread.sleep(WARMUP_SETTLE.toMillis());
        }

        CpuUse.Mark stormStart = CpuUse.Mark.now(settings.serverPid());
        Connector.Outcome<MqttClient> outcome = Connector.connectAll(clients, settings.concurrency(),
                settings.timeLimit(), settings.target().connectTimeout());
        CpuUse cpu = stormStart.until(CpuUse.Mark.now(settings.serverPid()));
        LOG.info("connected {} in {} ms; holding for {} s", outcome.connected().size(), outcome.elapsed().toMillis(),
                settings.hold().toSeconds());

        Thread.sleep(settings.hold().toMillis());
        int stillConnected = (int) outcome.connected().stream().filter(MqttClient::isConnected).count();
        OptionalLong rssAfter = rss(settings);

        long disconnecting = System.nanoTime();
        long disconnectFailures = Connector.disconnectAll(outcome.connected(), DISCONNECT_LIMIT);
        Duration disconnectTime = Duration.ofNanos(System.nanoTime() - disconnecting);

        return new Result(settings, prepareTime, warmedUp, outcome.attempted(), outcome.connected().size(),
                outcome.failures().snapshot(), outcome.unsettled(), outcome.cutShort(), outcome.elapsed(),
                outcome.latency().summary(), stillConnected, rssBefore, rssAfter, disconnectFailures,
                disconnectTime, Duration.ofNanos(System.nanoTime() - started), cpu);
    }

    /**
     * Identities for the warm-up that are not in the measured storm: spare hubs, then apps. Reusing a measured hub
     * would let its measured connect resume the warm-up's TLS session instead of doing a full handshake.
     */
    private static List<Path> warmupIdentities(CertificateSet set, Settings settings) {
        List<Path> dirs = new ArrayList<>();
        List<UUID> hubs = set.bindings().hubs();
        for (int i = settings.connections(); i < hubs.size() && dirs.size() < settings.warmup(); i++) {
            dirs.add(set.hubDir(hubs.get(i)));
        }
        for (String app : set.bindings().apps()) {
            if (dirs.size() >= settings.warmup()) {
                break;
            }
            dirs.add(set.appDir(app));
        }
        if (dirs.size() < settings.warmup()) {
            LOG.warn("only {} identities outside the storm for a warm-up of {}", dirs.size(), settings.warmup());
        }
        return dirs;
    }

    private static OptionalLong rss(Settings settings) {
        return settings.serverPid().isPresent()
                ? ProcessMemory.residentBytes(settings.serverPid().getAsLong())
                : OptionalLong.empty();
    }
}
