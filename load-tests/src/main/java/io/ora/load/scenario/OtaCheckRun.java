package io.ora.load.scenario;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.ora.load.client.ClientLoops;
import io.ora.load.client.Frames;
import io.ora.load.client.MqttClient;
import io.ora.load.client.ReasonCodes;
import io.ora.load.measure.CpuUse;
import io.ora.load.measure.Latency;
import io.ora.load.measure.OpenLoopPacer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One open-loop OTA check run over a connected {@link Fleet} of hubs: check {@code k} is due at
 * {@code start + k / rate} and goes from hub {@code k mod N} to its own {@code ora/v1/hub/<uuid>/ota} at QoS 1,
 * released by timer tasks on the hubs' event loops; each answer on the hub's {@code in/ota} is matched with the
 * hub's oldest outstanding check (the relay answers a hub's checks in order, through its entity) and classified by
 * kind. The run ends by itself: after the schedule (or when the generator falls hopelessly behind it), then after
 * the drain at the latest.
 */
final class OtaCheckRun {

    /** Lead time so the first checks are not already late when the loops start. */
    private static final Duration START_LEAD = Duration.ofMillis(50);
    private static final long DRAIN_POLL_MILLIS = 10;
    private static final Duration PACER_SLACK = Duration.ofSeconds(30);
    /** Checks one hub may have outstanding and still be matched with their answers; more count as unmatched. */
    static final int RING = 16;
    /** Answers other than offers are a few dozen bytes; an offer is recognised by its first bytes. */
    private static final int HEAD_BYTES = 160;
    private static final String OFFER_HEAD = "{\"ota\":\"offer\"";
    private static final Pattern SHORT_ANSWER =
            Pattern.compile("\\{\"ota\":\"([a-z_]{1,32})\"(?:,\"reason\":\"([a-z_]{1,32})\")?}");

    private OtaCheckRun() {
    }

    /** Runs {@code load} over the hubs of {@code fleet} as run number {@code run}. */
    static OtaCheckResult execute(Fleet fleet, int run, OtaCheckBenchmark.Load load,
                                  OtaCheckBenchmark.Settings settings) throws InterruptedException {
        long started = System.nanoTime();
        long startedMillis = System.currentTimeMillis();
        OpenLoopPacer pacer = OpenLoopPacer.of(started + START_LEAD.toNanos(), load.rate(),
                load.warmup().plus(load.duration()));
        long warmupCount = Math.min(pacer.count(), Math.round(load.rate() * load.warmup().toNanos() / 1e9));
        List<MqttClient> hubs = fleet.hubClients();
        Recorder recorder = new Recorder(hubs.size(), warmupCount, pacer.startNanos());
        byte[] check = settings.check();
        int[] loopOfHub = new int[hubs.size()];
        for (int h = 0; h < hubs.size(); h++) {
            byte[] topic = Frames.topic(OtaCheckBenchmark.checkTopic(fleet.hubIds().get(h)));
            int hub = h;
            loopOfHub[h] = hubs.get(h).loopIndex();
            hubs.get(h).use(recorder, (alloc, index, due, qos, packetId) -> {
                // Written now, on the hub's loop: from here on an answer is awaited.
                recorder.awaiting(hub, index, due);
                return Frames.publish(alloc, topic, qos, packetId, check.length, true).writeBytes(check);
            });
        }
        ClientLoops loops = fleet.loops();
        List<CompletableFuture<Long>> pacing = new ArrayList<>();
        for (int l = 0; l < loops.count(); l++) {
            int loop = l;
            pacing.add(pacer.start(OpenLoopPacer.Timer.on(loops.loop(loop)), settings.limits().maxLag().toNanos(),
                    index -> loopOfHub[(int) (index % hubs.size())] == loop, recorder.sending.sender(hubs, 1)));
        }
        long measureStart = warmupCount < pacer.count() ? pacer.scheduledAt(warmupCount) : pacer.endNanos();
        CpuUse.Mark windowStart = RelayRun.markAt(measureStart, settings.serverPid());
        long sent = RelayRun.awaitPacers(pacing, pacer.endNanos() + settings.limits().maxLag().toNanos()
                + PACER_SLACK.toNanos());
        CpuUse cpu = windowStart.until(CpuUse.Mark.now(settings.serverPid()));

        // Wait for every PUBACK and every answer, but no longer than the drain.
        long drainDeadline = System.nanoTime() + settings.limits().drain().toNanos();
        while ((recorder.sending.pending() > 0 || recorder.outstanding.sum() > 0)
                && System.nanoTime() < drainDeadline) {
            Thread.sleep(DRAIN_POLL_MILLIS);
        }
        long windowEnd = Math.max(pacer.endNanos(), recorder.lastMeasuredAnswer.get());
        long measuredSent = Math.max(0, sent - warmupCount);
        long lastRelease = recorder.sending.lastRelease();
        return new OtaCheckResult(run, load.rate(), hubs.size(), pacer.count(), sent, pacer.count() - sent,
                recorder.warmup.answers(), recorder.measured.answers(), Math.max(0, recorder.outstanding.sum()),
                recorder.unexpected.sum(), Duration.ofNanos(Math.max(0, windowEnd - measureStart)),
                Instant.ofEpochMilli(startedMillis + (measureStart - started) / 1_000_000),
                lastRelease > measureStart ? measuredSent / ((lastRelease - measureStart) / 1e9) : 0,
                recorder.latency.summary(), recorder.offerLatency.summary(), recorder.otherLatency.summary(),
                recorder.sending.sendLag(), Duration.ofNanos(System.nanoTime() - started), cpu, measuredSent);
    }

    /**
     * The kind of an answer from its first bytes ({@code head}, at most {@link #HEAD_BYTES}) and its whole length:
     * {@code offer}, or {@code <ota>} or {@code <ota>/<reason>} for the short documents of docs/ota.md, or
     * {@code other} for anything else.
     */
    static String kind(String head, int length) {
        if (head.startsWith(OFFER_HEAD)) {
            return OtaCheckResult.OFFER;
        }
        Matcher matcher = SHORT_ANSWER.matcher(head);
        if (length > head.length() || !matcher.matches()) {
            return "other";
        }
        return matcher.group(2) == null ? matcher.group(1) : matcher.group(1) + "/" + matcher.group(2);
    }

    /** Matches answers with checks and counts them as they arrive, on the hubs' event loops. */
    private static final class Recorder implements MqttClient.Listener {

        private final long warmupCount;
        private final long startNanos;
        private final Sending sending;
        private final Tally warmup = new Tally();
        private final Tally measured = new Tally();
        private final Latency latency = Latency.threadSafe();
        private final Latency offerLatency = Latency.threadSafe();
        private final Latency otherLatency = Latency.threadSafe();
        private final AtomicLong lastMeasuredAnswer = new AtomicLong();
        /** Checks written whose answer has not come. */
        private final LongAdder outstanding = new LongAdder();
        private final LongAdder unexpected = new LongAdder();
        // Per hub, a ring of its outstanding checks (index and due time), touched only on the hub's loop.
        private final long[] ringIndex;
        private final long[] ringDue;
        private final int[] ringHead;
        private final int[] ringSize;

        Recorder(int hubs, long warmupCount, long startNanos) {
            this.warmupCount = warmupCount;
            this.startNanos = startNanos;
            this.sending = new Sending(warmupCount, startNanos);
            this.ringIndex = new long[hubs * RING];
            this.ringDue = new long[hubs * RING];
            this.ringHead = new int[hubs];
            this.ringSize = new int[hubs];
        }

        /** Hub {@code hub} writes check {@code index}, due at {@code due}. */
        void awaiting(int hub, long index, long due) {
            outstanding.increment();
            if (ringSize[hub] == RING) {
                // Never matched: it stays outstanding, and shows as an answer without check (unexpected) later.
                return;
            }
            int slot = hub * RING + (ringHead[hub] + ringSize[hub]) % RING;
            ringIndex[slot] = index;
            ringDue[slot] = due;
            ringSize[hub]++;
        }

        @Override
        public void published(MqttClient receiver, MqttPublishMessage message, long receivedNanos) {
            int hub = receiver.tag();
            if (ringSize[hub] == 0) {
                unexpected.increment();
                return;
            }
            int slot = hub * RING + ringHead[hub];
            ringHead[hub] = (ringHead[hub] + 1) % RING;
            ringSize[hub]--;
            outstanding.decrement();
            long index = ringIndex[slot];
            long due = ringDue[slot];
            if (due < startNanos) {
                return;
            }
            ByteBuf payload = message.payload();
            int length = payload.readableBytes();
            String kind = kind(payload.toString(payload.readerIndex(), Math.min(length, HEAD_BYTES),
                    StandardCharsets.UTF_8), length);
            boolean isMeasured = index >= warmupCount;
            Tally tally = isMeasured ? measured : warmup;
            tally.answered.increment();
            tally.bytes.add(length);
            tally.kinds.add(kind);
            if (!fromRelay(message)) {
                tally.notFromRelay.increment();
            }
            if (isMeasured) {
                long nanos = receivedNanos - due;
                latency.record(nanos);
                (OtaCheckResult.OFFER.equals(kind) ? offerLatency : otherLatency).record(nanos);
                lastMeasuredAnswer.accumulateAndGet(receivedNanos, Math::max);
            }
        }

        @Override
        public void acknowledged(MqttClient sender, long index, long dueNanos, int reasonCode, long nowNanos) {
            if (dueNanos < startNanos) {
                return;
            }
            if (reasonCode != ReasonCodes.SUCCESS) {
                (index >= warmupCount ? measured : warmup).refused.add("PUBACK " + ReasonCodes.name(reasonCode));
                forget(sender.tag(), index);
            }
            sending.settled();
        }

        @Override
        public void abandoned(MqttClient sender, long index, long dueNanos, String cause) {
            if (dueNanos < startNanos) {
                return;
            }
            (index >= warmupCount ? measured : warmup).refused.add(cause);
            forget(sender.tag(), index);
            sending.settled();
        }

        /** A refused or lost check of {@code hub} will get no answer: it leaves the hub's ring, if it is in it. */
        private void forget(int hub, long index) {
            int size = ringSize[hub];
            for (int i = 0; i < size; i++) {
                if (ringIndex[hub * RING + (ringHead[hub] + i) % RING] == index) {
                    for (int j = i; j < size - 1; j++) {
                        int to = hub * RING + (ringHead[hub] + j) % RING;
                        int from = hub * RING + (ringHead[hub] + j + 1) % RING;
                        ringIndex[to] = ringIndex[from];
                        ringDue[to] = ringDue[from];
                    }
                    ringSize[hub]--;
                    outstanding.decrement();
                    return;
                }
            }
        }

        private static boolean fromRelay(MqttPublishMessage message) {
            for (MqttProperties.MqttProperty<?> property
                    : message.variableHeader().properties().getProperties(MqttProperties.USER_PROPERTY)) {
                if (property.value() instanceof MqttProperties.StringPair pair
                        && RelayRun.ORA_SENDER.equals(pair.key)) {
                    return OtaCheckBenchmark.RELAY.equals(pair.value);
                }
            }
            return false;
        }
    }

    /** Answers to one part of the run, counted from any loop. */
    private static final class Tally {

        private final LongAdder answered = new LongAdder();
        private final LongAdder bytes = new LongAdder();
        private final LongAdder notFromRelay = new LongAdder();
        private final Failures kinds = new Failures();
        private final Failures refused = new Failures();

        OtaCheckResult.Answers answers() {
            return new OtaCheckResult.Answers(answered.sum(), kinds.snapshot(), bytes.sum(), notFromRelay.sum(),
                    refused.snapshot());
        }
    }
}
