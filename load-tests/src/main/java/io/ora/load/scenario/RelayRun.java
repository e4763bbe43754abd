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
import io.ora.load.measure.Payload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One open-loop run over a connected {@link Fleet}: messages are released on an {@link OpenLoopPacer} schedule by
 * timer tasks on the event loops the apps live on, round-robin over the apps, each app round-robin over its bound
 * hubs; every arrival is checked off against its sequence number. The run ends by itself: after the schedule (or
 * when the generator falls hopelessly behind it), then after the drain period at the latest.
 *
 * <p>Every message is accounted for: received by its hub (once, with a matching header), a duplicate, lost (sent
 * and never received), refused (a PUBACK other than success at QoS 1) or failed (not sent, or its connection lost).
 */
final class RelayRun {

    /** The MQTT 5 user property the Ora relay adds on delivery; counted, never required. */
    static final String ORA_SENDER = "ora-sender";
    /** Lead time so the first messages are not already late when the loops start. */
    private static final Duration START_LEAD = Duration.ofMillis(50);
    private static final long DRAIN_POLL_MILLIS = 10;
    /** Beyond the schedule and the lag limit, how long the pacers may take to report that they are done. */
    private static final Duration PACER_SLACK = Duration.ofSeconds(30);

    private RelayRun() {
    }

    /**
     * Runs {@code load} over {@code fleet} as run number {@code run}, with the QoS, limits, direction and server
     * processes (whose CPU is read too) of {@code settings}.
     */
    static RelayResult execute(Fleet fleet, int run, RelayBenchmark.Load load, RelayBenchmark.Settings settings)
            throws InterruptedException {
        int qos = settings.qos();
        RelayBenchmark.Limits limits = settings.limits();
        List<Long> serverPids = settings.serverPids();
        long started = System.nanoTime();
        OpenLoopPacer pacer = OpenLoopPacer.of(started + START_LEAD.toNanos(), load.rate(),
                load.warmup().plus(load.duration()));
        long warmupCount = Math.min(pacer.count(), Math.round(load.rate() * load.warmup().toNanos() / 1e9));
        Recorder recorder = new Recorder(fleet, run, qos, settings.roundTrip(), pacer, warmupCount);

        List<Fleet.App> apps = fleet.apps();
        int appCount = apps.size();
        byte[][] topics = new byte[fleet.hubCount()][];
        for (int hub = 0; hub < topics.length; hub++) {
            topics[hub] = Frames.topic(fleet.inbox(hub));
        }
        int[] loopOfApp = new int[appCount];
        for (int a = 0; a < appCount; a++) {
            Fleet.App app = apps.get(a);
            loopOfApp[a] = app.client().loopIndex();
            int[] hubs = app.hubs().stream().mapToInt(Integer::intValue).toArray();
            app.client().use(recorder, (alloc, index, due, q, packetId) -> {
                ByteBuf frame = Frames.publish(alloc, topics[hubs[(int) ((index / appCount) % hubs.length)]], q,
                        packetId, load.payloadBytes(), true);
                Payload.write(frame, load.payloadBytes(), due, run, index);
                return frame;
            });
        }
        if (settings.roundTrip()) {
            // Each hub sends what it receives back to the one app it is bound to, which is the app that sent it.
            byte[][] appTopics = new byte[appCount][];
            for (int a = 0; a < appCount; a++) {
                appTopics[a] = Frames.topic(fleet.appInbox(a));
            }
            MqttClient.Listener echo = recorder.echo();
            for (MqttClient hub : fleet.hubClients()) {
                int app = fleet.appOfHub(hub.tag());
                byte[] topic = app >= 0 ? appTopics[app] : null;
                hub.use(echo, topic == null ? null : (alloc, index, due, q, packetId) -> {
                    ByteBuf frame = Frames.publish(alloc, topic, q, packetId, load.payloadBytes(), true);
                    Payload.write(frame, load.payloadBytes(), due, run, index);
                    return frame;
                });
            }
        } else {
            fleet.hubClients().forEach(hub -> hub.use(recorder, null));
        }

        List<MqttClient> appClients = apps.stream().map(Fleet.App::client).toList();
        ClientLoops loops = fleet.loops();
        List<CompletableFuture<Long>> pacing = new ArrayList<>();
        for (int l = 0; l < loops.count(); l++) {
            int loop = l;
            pacing.add(pacer.start(OpenLoopPacer.Timer.on(loops.loop(loop)), limits.maxLag().toNanos(),
                    index -> loopOfApp[(int) (index % appCount)] == loop,
                    recorder.sending.sender(appClients, qos)));
        }

        long measureStart = warmupCount < pacer.count() ? pacer.scheduledAt(warmupCount) : pacer.endNanos();
        CpuUse.Mark windowStart = markAt(measureStart, serverPids);
        long sent = awaitPacers(pacing, pacer.endNanos() + limits.maxLag().toNanos() + PACER_SLACK.toNanos());
        CpuUse cpu = windowStart.until(CpuUse.Mark.now(serverPids));

        // Wait for everything sent to arrive (and, at QoS 1, to be acknowledged), but no longer than the drain.
        long drainDeadline = System.nanoTime() + limits.drain().toNanos();
        while (System.nanoTime() < drainDeadline
                && (recorder.unique.sum() < sent - recorder.errors.total() || recorder.sending.pending() > 0)) {
            Thread.sleep(DRAIN_POLL_MILLIS);
        }

        long measuredSent = Math.max(0, sent - warmupCount);
        double sendRate = rate(measuredSent, recorder.sending.lastRelease() - measureStart);
        double receiveRate = rate(recorder.measured.sum(), recorder.lastArrival.get() - measureStart);
        return new RelayResult(run, load.rate(), fleet.hubCount(), appCount, qos, settings.roundTrip(),
                load.payloadBytes(),
                pacer.count(), sent, pacer.count() - sent, recorder.unique.sum(), recorder.duplicates.sum(),
                recorder.stale.sum(), recorder.malformed.sum(), recorder.misrouted.sum(), recorder.oraSender.sum(),
                recorder.errors.snapshot(), sendRate, receiveRate, recorder.latency.summary(),
                recorder.sending.sendLag(), Duration.ofNanos(System.nanoTime() - started), cpu, measuredSent);
    }

    /** Waits until {@code nanos} (the start of the measured window) and reads the CPU then. */
    static CpuUse.Mark markAt(long nanos, OptionalLong serverPid) throws InterruptedException {
        return markAt(nanos, serverPid.isPresent() ? List.of(serverPid.getAsLong()) : List.of());
    }

    /** Waits until {@code nanos} and reads the CPU of this process and of {@code serverPids} together then. */
    static CpuUse.Mark markAt(long nanos, List<Long> serverPids) throws InterruptedException {
        for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
        return CpuUse.Mark.now(serverPids);
    }

    /** Waits for every pacer to finish, until {@code deadlineNanos}; returns how many messages they released. */
    static long awaitPacers(List<CompletableFuture<Long>> pacing, long deadlineNanos) throws InterruptedException {
        long released = 0;
        for (CompletableFuture<Long> pacer : pacing) {
            try {
                released += pacer.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException failed) {
                throw new IllegalStateException("a pacer failed", failed.getCause());
            } catch (TimeoutException stuck) {
                throw new IllegalStateException("a pacer did not finish its schedule in time", stuck);
            }
        }
        return released;
    }

    private static double rate(long count, long nanos) {
        return nanos > 0 ? count / (nanos / 1e9) : 0;
    }

    /**
     * Checks arrivals off against the schedule and counts acknowledgements, on the clients' event loops. Thread-safe
     * (counters, a shared arrival bitmap, synchronized histograms): with one loop nothing is ever contended, and the
     * few nanoseconds of an uncontended atomic are nothing beside a TLS record.
     */
    private static final class Recorder implements MqttClient.Listener {

        private final Fleet fleet;
        private final int run;
        private final int qos;
        /** Whether arrivals are counted at the apps (a round trip) rather than at the hubs. */
        private final boolean roundTrip;
        private final long planned;
        private final long warmupCount;
        private final long startNanos;
        /** One bit per planned message: set once it has arrived. */
        private final AtomicLongArray arrived;
        private final Latency latency = Latency.threadSafe();
        private final Sending sending;
        private final Failures errors = new Failures();
        private final LongAdder unique = new LongAdder();
        private final LongAdder measured = new LongAdder();
        private final LongAdder duplicates = new LongAdder();
        private final LongAdder stale = new LongAdder();
        private final LongAdder malformed = new LongAdder();
        private final LongAdder misrouted = new LongAdder();
        private final LongAdder oraSender = new LongAdder();
        private final AtomicLong lastArrival = new AtomicLong();

        Recorder(Fleet fleet, int run, int qos, boolean roundTrip, OpenLoopPacer pacer, long warmupCount) {
            this.fleet = fleet;
            this.run = run;
            this.qos = qos;
            this.roundTrip = roundTrip;
            this.planned = pacer.count();
            this.warmupCount = warmupCount;
            this.startNanos = pacer.startNanos();
            this.arrived = new AtomicLongArray((int) ((planned + Long.SIZE - 1) / Long.SIZE));
            this.sending = new Sending(warmupCount, startNanos);
        }

        @Override
        public void acknowledged(MqttClient sender, long index, long dueNanos, int reasonCode, long nowNanos) {
            if (dueNanos < startNanos) {
                // Left over from an earlier step of a sweep, which has stopped waiting for it.
                return;
            }
            sending.settled();
            if (reasonCode != ReasonCodes.SUCCESS) {
                // NO_MATCHING_SUBSCRIBERS is a success code to MQTT, but here it means a hub missed the message.
                errors.add("PUBACK " + ReasonCodes.name(reasonCode));
            }
        }

        @Override
        public void abandoned(MqttClient sender, long index, long dueNanos, String cause) {
            if (dueNanos < startNanos) {
                return;
            }
            if (qos > 0) {
                sending.settled();
            }
            errors.add(cause);
        }

        /**
         * The hubs' side of a round trip: every message of this run a hub receives goes back, with the same header,
         * to the app the hub is bound to; the hub's own QoS 1 outcomes are waited for and checked like the apps'.
         * What is not of this run, or not ours, is counted by the apps' side when it comes back, or here.
         */
        MqttClient.Listener echo() {
            return new MqttClient.Listener() {
                @Override
                public void published(MqttClient hub, MqttPublishMessage publish, long receivedNanos) {
                    Optional<Payload.Header> decoded = Payload.decode(publish.payload());
                    if (decoded.isEmpty() || decoded.get().index() >= planned) {
                        malformed.increment();
                        return;
                    }
                    if (decoded.get().run() != run) {
                        stale.increment();
                        return;
                    }
                    if (!publish.variableHeader().topicName().startsWith(fleet.inbox(hub.tag()))) {
                        misrouted.increment();
                    }
                    if (qos > 0) {
                        sending.sent();
                    }
                    hub.publish(decoded.get().index(), decoded.get().dueNanos(), qos);
                }

                @Override
                public void acknowledged(MqttClient hub, long index, long dueNanos, int reasonCode, long nowNanos) {
                    Recorder.this.acknowledged(hub, index, dueNanos, reasonCode, nowNanos);
                }

                @Override
                public void abandoned(MqttClient hub, long index, long dueNanos, String cause) {
                    Recorder.this.abandoned(hub, index, dueNanos, cause);
                }
            };
        }

        @Override
        public void published(MqttClient receiver, MqttPublishMessage publish, long receivedNanos) {
            for (MqttProperties.MqttProperty<?> property
                    : publish.variableHeader().properties().getProperties(MqttProperties.USER_PROPERTY)) {
                if (property.value() instanceof MqttProperties.StringPair pair && ORA_SENDER.equals(pair.key)) {
                    oraSender.increment();
                    break;
                }
            }
            String inbox = roundTrip ? fleet.appInbox(receiver.tag()) : fleet.inbox(receiver.tag());
            if (!publish.variableHeader().topicName().startsWith(inbox)) {
                misrouted.increment();
            }
            Optional<Payload.Header> decoded = Payload.decode(publish.payload());
            if (decoded.isEmpty()) {
                malformed.increment();
                return;
            }
            Payload.Header header = decoded.get();
            if (header.run() != run) {
                stale.increment();
                return;
            }
            if (header.index() >= planned) {
                malformed.increment();
                return;
            }
            long bit = 1L << (header.index() & (Long.SIZE - 1));
            long before = arrived.getAndAccumulate((int) (header.index() / Long.SIZE), bit, (a, b) -> a | b);
            if ((before & bit) != 0) {
                duplicates.increment();
                return;
            }
            unique.increment();
            lastArrival.accumulateAndGet(receivedNanos, Math::max);
            if (header.index() >= warmupCount) {
                measured.increment();
                latency.record(receivedNanos - header.dueNanos());
            }
        }
    }
}
