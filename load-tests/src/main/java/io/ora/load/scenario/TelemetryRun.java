package io.ora.load.scenario;

import io.netty.buffer.ByteBuf;
import io.ora.load.client.ClientLoops;
import io.ora.load.client.Frames;
import io.ora.load.client.MqttClient;
import io.ora.load.client.ReasonCodes;
import io.ora.load.measure.CpuUse;
import io.ora.load.measure.Latency;
import io.ora.load.measure.OpenLoopPacer;
import io.ora.load.measure.ProcessMemory;
import io.ora.load.measure.TelemetryPayload;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open-loop telemetry run over a connected {@link Fleet} of hubs: message {@code k} is due at
 * {@code start + k / rate} and goes from hub {@code k mod N} to its own telemetry topic at QoS 1, released by timer
 * tasks on the hubs' event loops; each PUBACK is classified as it arrives. The run ends by itself: after the
 * schedule (or when the generator falls hopelessly behind it), then after the drain at the latest.
 */
final class TelemetryRun {

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryRun.class);
    /** Lead time so the first messages are not already late when the loops start. */
    private static final Duration START_LEAD = Duration.ofMillis(50);
    private static final long DRAIN_POLL_MILLIS = 10;
    private static final Duration RSS_PERIOD = Duration.ofSeconds(1);
    private static final Duration PACER_SLACK = Duration.ofSeconds(30);

    private TelemetryRun() {
    }

    /** What a PUBACK (or its absence) says about one message. */
    enum Outcome { SUCCESS, QUOTA_EXCEEDED, PAYLOAD_REJECTED, OTHER }

    /** Runs {@code load} over the hubs of {@code fleet} as run number {@code run}. */
    static TelemetryResult execute(Fleet fleet, int run, TelemetryBenchmark.Load load,
                                   TelemetryBenchmark.Settings settings) throws IOException, InterruptedException {
        OptionalLong rowsBefore = count(settings);
        // A null resource is allowed, and not closed: no pid, no readings.
        try (ProcessMemory.Watch rss = settings.serverPid().isPresent()
                ? ProcessMemory.watch(settings.serverPid().getAsLong(), RSS_PERIOD) : null) {
            long started = System.nanoTime();
            long startedMillis = System.currentTimeMillis();
            OpenLoopPacer pacer = OpenLoopPacer.of(started + START_LEAD.toNanos(), load.rate(),
                    load.warmup().plus(load.duration()));
            long warmupCount = Math.min(pacer.count(), Math.round(load.rate() * load.warmup().toNanos() / 1e9));
            Recorder recorder = new Recorder(warmupCount, pacer.startNanos());
            List<MqttClient> hubs = fleet.hubClients();
            LongAdder bytes = new LongAdder();
            int[] loopOfHub = new int[hubs.size()];
            for (int h = 0; h < hubs.size(); h++) {
                byte[] topic = Frames.topic(TelemetryPayload.topic(fleet.hubIds().get(h)));
                loopOfHub[h] = hubs.get(h).loopIndex();
                hubs.get(h).use(recorder, (alloc, index, due, qos, packetId) -> {
                    // Stamped when it goes out: a message that waited for room carries the time it was sent.
                    byte[] body = TelemetryPayload.encode(load.samples(), System.currentTimeMillis(), index);
                    bytes.add(body.length);
                    ByteBuf frame = Frames.publish(alloc, topic, qos, packetId, body.length, true);
                    return frame.writeBytes(body);
                });
            }
            ClientLoops loops = fleet.loops();
            List<CompletableFuture<Long>> pacing = new ArrayList<>();
            for (int l = 0; l < loops.count(); l++) {
                int loop = l;
                pacing.add(pacer.start(OpenLoopPacer.Timer.on(loops.loop(loop)),
                        settings.limits().maxLag().toNanos(), index -> loopOfHub[(int) (index % hubs.size())] == loop,
                        recorder.sending.sender(hubs, 1)));
            }
            long measureStart = warmupCount < pacer.count() ? pacer.scheduledAt(warmupCount) : pacer.endNanos();
            CpuUse.Mark windowStart = RelayRun.markAt(measureStart, settings.serverPid());
            long sent = RelayRun.awaitPacers(pacing, pacer.endNanos() + settings.limits().maxLag().toNanos()
                    + PACER_SLACK.toNanos());
            CpuUse cpu = windowStart.until(CpuUse.Mark.now(settings.serverPid()));

            // Wait for every outcome, but no longer than the drain.
            long drainDeadline = System.nanoTime() + settings.limits().drain().toNanos();
            while (recorder.sending.pending() > 0 && System.nanoTime() < drainDeadline) {
                Thread.sleep(DRAIN_POLL_MILLIS);
            }
            Optional<ProcessMemory.Span> rssSpan = Optional.empty();
            if (rss != null) {
                rss.close();
                rssSpan = rss.span();
            }
            OptionalLong rowsAfter = count(settings);
            if (recorder.firstRefused.get() != Long.MAX_VALUE) {
                // When the node refused is worth knowing (a cold start, a stall), and the counts alone do not say.
                LOG.info("0x97 answered to messages due from {} s to {} s into run {} (warm-up: the first {} s)",
                        String.format(Locale.ROOT, "%.1f", recorder.firstRefused.get() / load.rate()),
                        String.format(Locale.ROOT, "%.1f", recorder.lastRefused.get() / load.rate()), run,
                        load.warmup().toSeconds());
            }

            long windowEnd = Math.max(pacer.endNanos(), recorder.lastMeasuredSuccess.get());
            long measuredSent = Math.max(0, sent - warmupCount);
            long lastRelease = recorder.sending.lastRelease();
            return new TelemetryResult(run, load.rate(), hubs.size(), load.samples(),
                    sent == 0 ? 0 : bytes.doubleValue() / sent, pacer.count(), sent, pacer.count() - sent,
                    recorder.warmup.outcomes(), recorder.measured.outcomes(), Math.max(0, recorder.sending.pending()),
                    Duration.ofNanos(Math.max(0, windowEnd - measureStart)),
                    Instant.ofEpochMilli(startedMillis + (measureStart - started) / 1_000_000),
                    lastRelease > measureStart ? measuredSent / ((lastRelease - measureStart) / 1e9) : 0,
                    recorder.latency.summary(), recorder.sending.sendLag(), rssSpan, rowsBefore, rowsAfter,
                    Duration.ofNanos(System.nanoTime() - started), cpu, measuredSent);
        }
    }

    /** Classifies the reason code of a PUBACK: only SUCCESS is a success (NO_MATCHING_SUBSCRIBERS is not). */
    static Outcome classify(int reasonCode) {
        return switch (reasonCode) {
            case ReasonCodes.SUCCESS -> Outcome.SUCCESS;
            case ReasonCodes.QUOTA_EXCEEDED -> Outcome.QUOTA_EXCEEDED;
            case ReasonCodes.PAYLOAD_FORMAT_INVALID -> Outcome.PAYLOAD_REJECTED;
            default -> Outcome.OTHER;
        };
    }

    private static OptionalLong count(TelemetryBenchmark.Settings settings) throws IOException {
        return settings.table().isPresent() ? OptionalLong.of(settings.table().get().count()) : OptionalLong.empty();
    }

    /** Counts outcomes as they arrive, on the clients' event loops. */
    private static final class Recorder implements MqttClient.Listener {

        private final long warmupCount;
        private final long startNanos;
        private final Sending sending;
        private final Tally warmup = new Tally();
        private final Tally measured = new Tally();
        private final Latency latency = Latency.threadSafe();
        private final AtomicLong lastMeasuredSuccess = new AtomicLong();
        /** Indexes of the first and last message answered 0x97. */
        private final AtomicLong firstRefused = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong lastRefused = new AtomicLong(-1);

        /** A recorder for a run whose first message is due at {@code startNanos}. */
        Recorder(long warmupCount, long startNanos) {
            this.warmupCount = warmupCount;
            this.startNanos = startNanos;
            this.sending = new Sending(warmupCount, startNanos);
        }

        @Override
        public void acknowledged(MqttClient sender, long index, long dueNanos, int reasonCode, long nowNanos) {
            if (dueNanos < startNanos) {
                return;
            }
            boolean isMeasured = index >= warmupCount;
            Tally tally = isMeasured ? measured : warmup;
            switch (classify(reasonCode)) {
                case SUCCESS -> {
                    tally.success.increment();
                    if (isMeasured) {
                        latency.record(nowNanos - dueNanos);
                        lastMeasuredSuccess.accumulateAndGet(nowNanos, Math::max);
                    }
                }
                case QUOTA_EXCEEDED -> {
                    tally.quotaExceeded.increment();
                    firstRefused.accumulateAndGet(index, Math::min);
                    lastRefused.accumulateAndGet(index, Math::max);
                }
                case PAYLOAD_REJECTED -> tally.payloadRejected.increment();
                case OTHER -> tally.other.add("PUBACK " + ReasonCodes.name(reasonCode));
            }
            sending.settled();
        }

        @Override
        public void abandoned(MqttClient sender, long index, long dueNanos, String cause) {
            if (dueNanos < startNanos) {
                return;
            }
            (index >= warmupCount ? measured : warmup).other.add(cause);
            sending.settled();
        }
    }

    /** Outcomes of one part of the run, counted from any thread. */
    private static final class Tally {

        private final LongAdder success = new LongAdder();
        private final LongAdder quotaExceeded = new LongAdder();
        private final LongAdder payloadRejected = new LongAdder();
        private final Failures other = new Failures();

        TelemetryResult.Outcomes outcomes() {
            return new TelemetryResult.Outcomes(success.sum(), quotaExceeded.sum(), payloadRejected.sum(),
                    other.snapshot());
        }
    }
}
