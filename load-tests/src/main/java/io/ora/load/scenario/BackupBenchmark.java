package io.ora.load.scenario;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslContext;
import io.ora.core.backup.BackupEnvelope;
import io.ora.load.client.ClientLoops;
import io.ora.load.client.ClientTls;
import io.ora.load.client.HttpsConnection;
import io.ora.load.identities.CertificateSet;
import io.ora.load.measure.CpuUse;
import io.ora.load.measure.Latency;
import io.ora.load.measure.OpenLoopPacer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup endpoints under load (docs/backup.md): for each offered rate, a population of its own N hubs, each
 * with its own certificate, connection, random locator and credential, uploads its backup (a create, then optionally
 * replaces with {@code If-Match}) at that total rate on an open-loop schedule, then restores it ({@code GET}, the
 * envelope checked byte for byte). Latency is from each request's due time to its whole response (no coordinated
 * omission), on HdrHistogram; answers are counted, and any answer but the expected one fails the run.
 *
 * <p>Every rate gets fresh hubs so that no hub makes more than {@code uploads + 1} requests, which stays within the
 * per-certificate rate limit's burst (10) with the shipped limits: the limit is not what is measured, and it stays
 * on. Connections are opened (full TLS 1.3 handshakes) before each step's schedule starts and timed apart: a hub
 * that backs up opens a connection first, but 1,000 handshakes are a connection storm, measured elsewhere.
 */
public final class BackupBenchmark {

    /** The first word of a result line when any request got an unexpected answer: the command then fails. */
    public static final String FAILED = "FAILED";
    private static final Logger LOG = LoggerFactory.getLogger(BackupBenchmark.class);
    private static final double MIB = 1024.0 * 1024.0;
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(10);

    private BackupBenchmark() {
    }

    /**
     * The population and what is watched.
     *
     * @param target             the device HTTPS listener
     * @param certs              a directory written by {@code certs}, with enough hubs for every step
     * @param hubs               hubs per step
     * @param connectConcurrency handshakes in flight at most while connecting
     * @param connectLimit       bound on each connect phase
     * @param drain              how long to wait for the last answers after a schedule's end
     * @param serverPid          the node, whose CPU is read over each phase
     * @param storePid           the S3 server, whose CPU is read over each phase too
     * @param ciphertextBytes    ciphertext (tag included) per envelope; the envelope adds its 60-byte header
     */
    public record Settings(Target target, Path certs, int hubs, int connectConcurrency, Duration connectLimit,
                           Duration drain, OptionalLong serverPid, OptionalLong storePid, int ciphertextBytes) {
        public Settings {
            if (hubs < 1 || connectConcurrency < 1) {
                throw new IllegalArgumentException("need at least one hub and a connect concurrency of at least 1");
            }
            if (ciphertextBytes < BackupEnvelope.TAG_BYTES) {
                throw new IllegalArgumentException("a ciphertext has at least the 16-byte tag");
            }
        }

        int envelopeBytes() {
            return BackupEnvelope.HEADER_BYTES + ciphertextBytes;
        }
    }

    /**
     * The steps.
     *
     * @param rates         upload rates offered, one step each, in order
     * @param warmupRate    rate of an unmeasured first step on hubs of its own (0: none)
     * @param uploadsPerHub uploads of each hub per step: a create, then replaces
     * @param restoreRate   restores per second (0: each step's upload rate)
     * @param p99LimitMs    a step passes with no failure and upload p99 below this …
     * @param restoreLimitMs … and restore p99 below this
     * @param stopOnFail    no further step after one that did not pass
     */
    public record Plan(List<Double> rates, double warmupRate, int uploadsPerHub, double restoreRate,
                       double p99LimitMs, double restoreLimitMs, boolean stopOnFail) {
        public Plan {
            rates = List.copyOf(rates);
            if (rates.isEmpty() || rates.stream().anyMatch(rate -> !(rate > 0)) || warmupRate < 0
                    || restoreRate < 0) {
                throw new IllegalArgumentException("rates must be above 0");
            }
            if (uploadsPerHub < 1) {
                throw new IllegalArgumentException("each hub uploads at least once");
            }
        }

        int steps() {
            return rates.size() + (warmupRate > 0 ? 1 : 0);
        }
    }

    /** One phase of a step: uploads or restores. */
    record Phase(String name, double offeredRate, long requests, long ok, Failures failures, long unanswered,
                 Latency.Summary latency, Latency.Summary sendLag, double achievedRate, CpuUse cpu,
                 OptionalLong storeCpuNanos, long windowStartMillis, double windowSeconds, long bytes) {

        boolean clean() {
            return failures.total() == 0 && unanswered == 0;
        }

        String line(String step) {
            return String.format(Locale.ROOT, "RESULT backup step=%s phase=%s offered=%.1f requests=%d ok=%d"
                            + " failed=%d unanswered=%d achieved=%.1f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f"
                            + " max_ms=%.2f lag_p99_ms=%.2f %s server_ms_per_mib=%s store_cpu_pct=%s"
                            + " window_start_ms=%d window_s=%.2f",
                    step, name, offeredRate, requests, ok, failures.total(), unanswered, achievedRate,
                    Latency.Summary.millis(latency.p50()), Latency.Summary.millis(latency.p99()),
                    Latency.Summary.millis(latency.p999()), Latency.Summary.millis(latency.max()),
                    Latency.Summary.millis(sendLag.p99()), cpu.resultFields(requests, "req"), msPerMib(),
                    storePercent(), windowStartMillis, windowSeconds);
        }

        private String msPerMib() {
            return cpu.serverCpuNanos().isPresent() && bytes > 0
                    ? String.format(Locale.ROOT, "%.2f", cpu.serverCpuNanos().getAsLong() / 1e6 / (bytes / MIB))
                    : "n/a";
        }

        private String storePercent() {
            return storeCpuNanos.isPresent() && cpu.wallNanos() > 0
                    ? String.format(Locale.ROOT, "%.1f", 100.0 * storeCpuNanos.getAsLong() / cpu.wallNanos())
                    : "n/a";
        }
    }

    /** One step: its connect phase, uploads and restores, and whether it passed. */
    record Step(String name, int hubs, Latency.Summary connect, double connectSeconds, Phase uploads,
                Phase restores, boolean passed) {

        List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "step %s: %d hubs connected in %.1f s (handshake %s)", name, hubs,
                    connectSeconds, connect.toMillisString()));
            for (Phase phase : List.of(uploads, restores)) {
                lines.add(String.format(Locale.ROOT, "  %s at %.1f/s offered, %.1f/s achieved: %d ok, %d failed %s,"
                                + " %d unanswered; latency %s; send lag p99 %.2f ms", phase.name(),
                        phase.offeredRate(), phase.achievedRate(), phase.ok(), phase.failures().total(),
                        phase.failures().snapshot(), phase.unanswered(), phase.latency().toMillisString(),
                        Latency.Summary.millis(phase.sendLag().p99())));
                lines.add("  " + phase.cpu().line(phase.requests(), "req") + "; node " + phase.msPerMib()
                        + " ms CPU per MiB; S3 server " + phase.storePercent() + " % of a core");
                if (phase.sendLag().explainsTailOf(phase.latency())) {
                    lines.add("  the generator's send lag explains much of this tail: it measured itself too");
                }
            }
            lines.add(phase(uploads));
            lines.add(phase(restores));
            lines.add((uploads.clean() && restores.clean() ? "" : FAILED + " ") + "verdict step=" + name + " "
                    + (passed ? "passed" : "not passed"));
            return lines;
        }

        private String phase(Phase phase) {
            return phase.line(name);
        }
    }

    /** Every step run, in order. */
    public record Report(List<Step> steps, String client) {

        /** Lines for the command line. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add("client: " + client);
            steps.forEach(step -> lines.addAll(step.lines()));
            return lines;
        }
    }

    /** Runs the plan's steps. */
    public static Report run(Settings settings, Plan plan) throws IOException, InterruptedException {
        List<UUID> all = CertificateSet.open(settings.certs()).bindings().hubs();
        long needed = (long) settings.hubs() * plan.steps();
        if (all.size() < needed) {
            throw new IOException(settings.certs() + " has " + all.size() + " hubs; " + plan.steps() + " steps of "
                    + settings.hubs() + " need " + needed + " (each step has hubs of its own)");
        }
        CertificateSet set = CertificateSet.open(settings.certs());
        ByteBuf ciphertext = sharedCiphertext(settings.ciphertextBytes());
        List<Step> steps = new ArrayList<>();
        try (ClientLoops loops = ClientLoops.open(settings.target().eventLoops())) {
            int slice = 0;
            List<String> names = new ArrayList<>();
            List<Double> rates = new ArrayList<>();
            if (plan.warmupRate() > 0) {
                names.add("warm-up");
                rates.add(plan.warmupRate());
            }
            for (double rate : plan.rates()) {
                names.add(String.format(Locale.ROOT, "%.0f", rate));
                rates.add(rate);
            }
            for (int i = 0; i < names.size(); i++) {
                List<Path> dirs = all.subList(slice, slice + settings.hubs()).stream().map(set::hubDir).toList();
                slice += settings.hubs();
                Step step = step(settings, plan, loops, ciphertext, names.get(i), rates.get(i), dirs);
                step.lines().forEach(line -> LOG.info("{}", line));
                boolean warmup = plan.warmupRate() > 0 && i == 0;
                if (!warmup) {
                    steps.add(step);
                }
                if (!step.uploads().clean() || !step.restores().clean()) {
                    LOG.error("step {} got unexpected answers; stopping", step.name());
                    if (warmup) {
                        steps.add(step);
                    }
                    break;
                }
                if (!warmup && !step.passed() && plan.stopOnFail()) {
                    break;
                }
            }
        } finally {
            ciphertext.release();
        }
        return new Report(steps, ClientTls.implementation() + ", " + ClientLoops.availableTransport() + ", "
                + settings.target().eventLoops() + " event loop(s), HTTP/1.1 keep-alive, one connection per hub");
    }

    private static Step step(Settings settings, Plan plan, ClientLoops loops, ByteBuf ciphertext, String name,
                             double rate, List<Path> dirs) throws IOException, InterruptedException {
        LOG.info("step {}: loading {} hubs' credentials", name, dirs.size());
        List<SslContext> contexts = Target.contexts(new ClientTls(), dirs);
        InetSocketAddress remote = new InetSocketAddress(settings.target().host(), settings.target().port());
        SecureRandom random = new SecureRandom();
        List<BackupHub> hubs = new ArrayList<>();
        for (int i = 0; i < contexts.size(); i++) {
            hubs.add(new BackupHub(new HttpsConnection(contexts.get(i), remote, settings.target().connectTimeout(),
                    loops, i % loops.count()), ciphertext, random));
        }
        Connector.Outcome<BackupHub> connected = Connector.connectAll(hubs, hub -> hub.connection().connect(),
                settings.connectConcurrency(), settings.connectLimit(), settings.target().connectTimeout());
        if (connected.connected().size() < hubs.size()) {
            closeAll(hubs);
            throw new IOException("only " + connected.connected().size() + " of " + hubs.size()
                    + " hubs connected: " + connected.failures().snapshot());
        }
        try {
            long uploads = (long) hubs.size() * plan.uploadsPerHub();
            Phase uploaded = phase(settings, loops, hubs, "upload", rate, uploads, BackupHub::upload,
                    (long) settings.envelopeBytes());
            Thread.sleep(SETTLE.toMillis());
            double restoreRate = plan.restoreRate() > 0 ? plan.restoreRate() : rate;
            Phase restored = phase(settings, loops, hubs, "restore", restoreRate, hubs.size(), BackupHub::restore,
                    (long) settings.envelopeBytes());
            boolean passed = uploaded.clean() && restored.clean()
                    && Latency.Summary.millis(uploaded.latency().p99()) < plan.p99LimitMs()
                    && Latency.Summary.millis(restored.latency().p99()) < plan.restoreLimitMs();
            return new Step(name, hubs.size(), connected.latency().summary(), connected.elapsed().toNanos() / 1e9,
                    uploaded, restored, passed);
        } finally {
            closeAll(hubs);
        }
    }

    /**
     * Request {@code k} of {@code count} goes to hub {@code k mod N}, due at {@code start + k / rate}; each loop
     * walks the schedule for the hubs that live on it.
     */
    private static Phase phase(Settings settings, ClientLoops loops, List<BackupHub> hubs, String name, double rate,
                               long count, Function<BackupHub, CompletableFuture<Optional<String>>> request,
                               long bytesPerRequest) throws InterruptedException {
        LOG.info("{}: {} requests at {}/s", name, count, rate);
        int n = hubs.size();
        Latency[] latency = new Latency[loops.count()];
        Latency[] lag = new Latency[loops.count()];
        Failures failures = new Failures();
        CountDownLatch answered = new CountDownLatch((int) count);
        long[] ok = new long[loops.count()];
        long[] last = new long[loops.count()];
        long start = System.nanoTime() + START_DELAY_NANOS;
        OpenLoopPacer pacer = new OpenLoopPacer(start, rate, count);
        long startMillis = System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(START_DELAY_NANOS);
        CpuUse.Mark server = CpuUse.Mark.now(settings.serverPid());
        CpuUse.Mark store = CpuUse.Mark.now(settings.storePid());
        List<CompletableFuture<Long>> walks = new ArrayList<>();
        for (int l = 0; l < loops.count(); l++) {
            int loop = l;
            latency[loop] = Latency.create();
            lag[loop] = Latency.create();
            long maxLag = settings.drain().toNanos();
            walks.add(pacer.start(OpenLoopPacer.Timer.on(loops.loop(loop)), maxLag,
                    index -> (int) (index % n) % loops.count() == loop,
                    (index, due, released) -> {
                        lag[loop].record(released - due);
                        request.apply(hubs.get((int) (index % n))).whenComplete((wrong, error) -> {
                            long now = System.nanoTime();
                            latency[loop].record(now - due);
                            last[loop] = Math.max(last[loop], now);
                            if (error != null) {
                                failures.add(error);
                            } else if (wrong.isPresent()) {
                                failures.add(wrong.get());
                            } else {
                                ok[loop]++;
                            }
                            answered.countDown();
                        });
                    }));
        }
        long waitNanos = pacer.endNanos() - System.nanoTime() + settings.drain().toNanos();
        boolean all = answered.await(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        CpuUse.Mark serverEnd = CpuUse.Mark.now(settings.serverPid());
        CpuUse.Mark storeEnd = CpuUse.Mark.now(settings.storePid());
        long released = 0;
        for (CompletableFuture<Long> walk : walks) {
            released += walk.getNow(0L);
        }
        // Read what the loops recorded on the loops themselves, once they are done with it.
        Latency merged = Latency.create();
        Latency mergedLag = Latency.create();
        long[] totals = new long[2];
        CountDownLatch read = new CountDownLatch(loops.count());
        for (int l = 0; l < loops.count(); l++) {
            int loop = l;
            loops.loop(loop).execute(() -> {
                synchronized (merged) {
                    merged.add(latency[loop]);
                    mergedLag.add(lag[loop]);
                    totals[0] += ok[loop];
                    totals[1] = Math.max(totals[1], last[loop]);
                }
                read.countDown();
            });
        }
        read.await(CLOSE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        long unanswered = all ? 0 : answered.getCount();
        if (released < count) {
            failures.add("not sent: the generator fell " + settings.drain().toSeconds() + " s behind");
        }
        long okCount;
        long lastAnswer;
        synchronized (merged) {
            okCount = totals[0];
            lastAnswer = totals[1];
        }
        double seconds = Math.max(1e-9, (Math.max(lastAnswer, pacer.endNanos()) - start) / 1e9);
        double achieved = okCount / Math.max(1e-9, (Math.max(lastAnswer, start) - start) / 1e9 + 1 / rate);
        CpuUse cpu = server.until(serverEnd);
        return new Phase(name, rate, count, okCount, failures, unanswered, merged.summary(), mergedLag.summary(),
                achieved, cpu, store.until(storeEnd).serverCpuNanos(), startMillis, seconds,
                okCount * bytesPerRequest);
    }

    /** One random ciphertext for every envelope, read-only; a valid envelope's size with the header before it. */
    private static ByteBuf sharedCiphertext(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        byte[] salt = new byte[BackupEnvelope.SALT_BYTES];
        byte[] nonce = new byte[BackupEnvelope.NONCE_BYTES];
        byte[] envelope = BackupEnvelope.of(salt, nonce, random).bytes();
        if (!(BackupEnvelope.parse(envelope, envelope.length) instanceof BackupEnvelope.Parsed.Valid)) {
            throw new IllegalStateException("the generated envelope does not parse");
        }
        return Unpooled.wrappedBuffer(random).asReadOnly();
    }

    private static void closeAll(List<BackupHub> hubs) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(hubs.size());
        hubs.forEach(hub -> hub.connection().close().whenComplete((ignored, error) -> closed.countDown()));
        if (!closed.await(CLOSE_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("{} connections did not close within {}", closed.getCount(), CLOSE_LIMIT);
        }
    }
}
