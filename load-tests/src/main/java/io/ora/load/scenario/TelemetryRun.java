package io.ora.load.scenario;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ora.load.measure.LatencyHistogram;
import io.ora.load.measure.OpenLoopPacer;
import io.ora.load.measure.ProcessMemory;
import io.ora.load.measure.TelemetryPayload;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open-loop telemetry run over a connected {@link Fleet} of hubs: message {@code k} is due at
 * {@code start + k / rate} and goes from hub {@code k mod N} to its own telemetry topic at QoS 1; each PUBACK is
 * classified as it arrives. The run ends by itself: after the schedule (or when the generator falls hopelessly
 * behind it), then after the drain at the latest.
 */
final class TelemetryRun {

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryRun.class);
    /** Lead time so the first messages are not already late when the loop starts. */
    private static final Duration START_LEAD = Duration.ofMillis(50);
    private static final long DRAIN_POLL_MILLIS = 10;
    private static final Duration RSS_PERIOD = Duration.ofSeconds(1);

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
            Recorder recorder = new Recorder(warmupCount);
            List<Mqtt5AsyncClient> hubs = fleet.hubClients();
            List<MqttTopic> topics = fleet.hubIds().stream().map(TelemetryPayload::topic).map(MqttTopic::of)
                    .toList();
            LongAdder bytes = new LongAdder();
            LatencyHistogram sendLag = new LatencyHistogram();
            long[] lastRelease = {pacer.startNanos()};
            long sent = pacer.drive(OpenLoopPacer.Clock.system(), settings.limits().maxLag().toNanos(),
                    (index, due, released) -> {
                        int hub = (int) (index % hubs.size());
                        if (index >= warmupCount) {
                            sendLag.record(released - due);
                        }
                        lastRelease[0] = released;
                        byte[] body = TelemetryPayload.encode(load.samples(), System.currentTimeMillis(), index);
                        bytes.add(body.length);
                        recorder.pending.incrementAndGet();
                        hubs.get(hub).publishWith().topic(topics.get(hub)).qos(MqttQos.AT_LEAST_ONCE).payload(body)
                                .send()
                                .whenComplete((result, error) -> recorder.record(index, due, System.nanoTime(),
                                        result, error));
                    });

            // Wait for every outcome, but no longer than the drain.
            long drainDeadline = System.nanoTime() + settings.limits().drain().toNanos();
            while (recorder.pending.get() > 0 && System.nanoTime() < drainDeadline) {
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

            long measureStart = warmupCount < pacer.count() ? pacer.scheduledAt(warmupCount) : pacer.endNanos();
            long windowEnd = Math.max(pacer.endNanos(), recorder.lastMeasuredSuccess.get());
            long measuredSent = Math.max(0, sent - warmupCount);
            return new TelemetryResult(run, load.rate(), hubs.size(), load.samples(),
                    sent == 0 ? 0 : bytes.doubleValue() / sent, pacer.count(), sent, pacer.count() - sent,
                    recorder.warmup.outcomes(), recorder.measured.outcomes(), Math.max(0, recorder.pending.get()),
                    Duration.ofNanos(Math.max(0, windowEnd - measureStart)),
                    Instant.ofEpochMilli(startedMillis + (measureStart - started) / 1_000_000),
                    lastRelease[0] > measureStart ? measuredSent / ((lastRelease[0] - measureStart) / 1e9) : 0,
                    recorder.latency.summary(), sendLag.summary(), rssSpan, rowsBefore, rowsAfter,
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /** Classifies the outcome of a QoS 1 publish, whether the client reports an error code as a result or a failure. */
    static Outcome classify(Mqtt5PublishResult result, Throwable error) {
        Optional<Mqtt5PubAckReasonCode> code = reasonCode(result, error);
        if (code.isEmpty()) {
            return Outcome.OTHER;
        }
        return switch (code.get()) {
            case SUCCESS -> Outcome.SUCCESS;
            case QUOTA_EXCEEDED -> Outcome.QUOTA_EXCEEDED;
            case PAYLOAD_FORMAT_INVALID -> Outcome.PAYLOAD_REJECTED;
            default -> Outcome.OTHER;
        };
    }

    /** How an {@link Outcome#OTHER} is counted: by reason code, or by the failure's cause. */
    static String describeOther(Mqtt5PublishResult result, Throwable error) {
        Optional<Mqtt5PubAckReasonCode> code = reasonCode(result, error);
        if (code.isPresent()) {
            return "PUBACK " + code.get();
        }
        Throwable failure = error != null ? error : result.getError().orElse(null);
        return failure == null ? "no PUBACK (QoS 0 result)" : Failures.describe(failure);
    }

    private static Optional<Mqtt5PubAckReasonCode> reasonCode(Mqtt5PublishResult result, Throwable error) {
        if (error != null) {
            Throwable cause = error;
            while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                    && cause.getCause() != null) {
                cause = cause.getCause();
            }
            return cause instanceof Mqtt5PubAckException pubAck
                    ? Optional.of(pubAck.getMqttMessage().getReasonCode()) : Optional.empty();
        }
        return result instanceof Mqtt5PublishResult.Mqtt5Qos1Result acknowledged
                ? Optional.of(acknowledged.getPubAck().getReasonCode()) : Optional.empty();
    }

    private static OptionalLong count(TelemetryBenchmark.Settings settings) throws IOException {
        return settings.table().isPresent() ? OptionalLong.of(settings.table().get().count()) : OptionalLong.empty();
    }

    /** Counts outcomes as they arrive, on the client's event loops. */
    private static final class Recorder {

        private final long warmupCount;
        private final AtomicLong pending = new AtomicLong();
        private final Tally warmup = new Tally();
        private final Tally measured = new Tally();
        private final LatencyHistogram latency = new LatencyHistogram();
        private final AtomicLong lastMeasuredSuccess = new AtomicLong();
        /** Indexes of the first and last message answered 0x97. */
        private final AtomicLong firstRefused = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong lastRefused = new AtomicLong(-1);

        Recorder(long warmupCount) {
            this.warmupCount = warmupCount;
        }

        void record(long index, long dueNanos, long nowNanos, Mqtt5PublishResult result, Throwable error) {
            boolean isMeasured = index >= warmupCount;
            Tally tally = isMeasured ? measured : warmup;
            switch (classify(result, error)) {
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
                case OTHER -> tally.other.add(describeOther(result, error));
            }
            pending.decrementAndGet();
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
