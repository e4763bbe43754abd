package io.ora.load.scenario;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.load.identities.Bindings;
import io.ora.load.identities.CertificateSet;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connected population of a benchmark. For relay traffic ({@link #connect}): every hub connected and subscribed
 * to {@code <inbox>/#}, every app connected and knowing the inbox topics of its bound hubs; deliveries go to
 * whichever {@link Delivery} the current run installed, so a rate sweep reuses one set of connections for all its
 * steps. For telemetry ({@link #connectHubs}): hubs only, connected and subscribed to nothing, since they only
 * publish.
 *
 * <p>Set-up is all or nothing: a population with a hub missing would report its messages as lost.
 */
final class Fleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);
    private static final Duration SUBSCRIBE_LIMIT = Duration.ofSeconds(60);
    private static final Duration DISCONNECT_LIMIT = Duration.ofSeconds(60);
    private static final Delivery IGNORE = (inbox, publish, receivedNanos) -> { };

    private final List<UUID> hubIds;
    private final List<Mqtt5AsyncClient> hubs;
    private final List<App> apps;
    private final AtomicReference<Delivery> delivery = new AtomicReference<>(IGNORE);

    private Fleet(List<UUID> hubIds, List<Mqtt5AsyncClient> hubs, List<App> apps) {
        this.hubIds = hubIds;
        this.hubs = hubs;
        this.apps = apps;
    }

    /** Receives every message a hub gets; runs on the client's event loop, so it must be quick. */
    @FunctionalInterface
    interface Delivery {
        /** {@code inbox} is the receiving hub's inbox topic; {@code receivedNanos} was read on arrival. */
        void deliver(String inbox, Mqtt5Publish publish, long receivedNanos);
    }

    /** An app and the inbox topics of the hubs it may publish to. */
    record App(String id, Mqtt5AsyncClient client, List<MqttTopic> hubInboxes) {
    }

    /** Connects and subscribes the hubs, then connects the apps; throws unless every one of them succeeded. */
    static Fleet connect(CertificateSet set, Bindings population, Target target, Target appTarget, MqttQos qos,
                         int concurrency,
                         Duration connectLimit) throws IOException, InterruptedException {
        List<UUID> hubIds = population.hubs();
        List<String> appIds = population.apps();
        List<Mqtt5AsyncClient> hubClients = target.prepare(hubIds.stream().map(set::hubDir).toList());
        List<Mqtt5AsyncClient> appClients = appTarget.prepare(appIds.stream().map(set::appDir).toList());
        Map<String, List<UUID>> hubsByApp = population.hubsByApp();
        List<App> apps = new ArrayList<>();
        for (int i = 0; i < appIds.size(); i++) {
            List<MqttTopic> inboxes = hubsByApp.get(appIds.get(i)).stream()
                    .map(hub -> MqttTopic.of(Topics.inbox(new PeerId.Hub(hub)))).toList();
            apps.add(new App(appIds.get(i), appClients.get(i), inboxes));
        }
        return setUp(new Fleet(hubIds, hubClients, apps), fleet -> {
            fleet.connectHubs(target, concurrency, connectLimit);
            fleet.subscribe(hubIds, qos);
            LOG.info("connecting {} apps", appClients.size());
            requireAll("apps", Connector.connectAll(appClients, concurrency, connectLimit, target.connectTimeout()),
                    appClients.size());
        });
    }

    /** Connects the given hubs, and no apps; throws unless every one of them succeeded. */
    static Fleet connectHubs(CertificateSet set, List<UUID> hubIds, Target target, int concurrency,
                             Duration connectLimit) throws IOException, InterruptedException {
        return setUp(new Fleet(List.copyOf(hubIds), target.prepare(hubIds.stream().map(set::hubDir).toList()),
                List.of()), fleet -> fleet.connectHubs(target, concurrency, connectLimit));
    }

    /** A step of the set-up. */
    @FunctionalInterface
    private interface SetUp {
        void run(Fleet fleet) throws IOException, InterruptedException;
    }

    /** Runs the set-up; a fleet that is not complete is closed again. */
    private static Fleet setUp(Fleet fleet, SetUp steps) throws IOException, InterruptedException {
        boolean complete = false;
        try {
            steps.run(fleet);
            complete = true;
            return fleet;
        } finally {
            if (!complete) {
                fleet.close();
            }
        }
    }

    /** Sends every later delivery to {@code next}. */
    void deliverTo(Delivery next) {
        delivery.set(next);
    }

    List<App> apps() {
        return apps;
    }

    int hubCount() {
        return hubs.size();
    }

    /** The hubs' clients, in the order of {@link #hubIds()}. */
    List<Mqtt5AsyncClient> hubClients() {
        return hubs;
    }

    List<UUID> hubIds() {
        return hubIds;
    }

    /** Disconnects everyone who is connected, within a bound. */
    @Override
    public void close() throws InterruptedException {
        deliverTo(IGNORE);
        List<Mqtt5AsyncClient> all = new ArrayList<>(hubs);
        apps.forEach(app -> all.add(app.client()));
        List<Mqtt5AsyncClient> connected = all.stream().filter(client -> client.getState().isConnected()).toList();
        long failures = Connector.disconnectAll(connected, DISCONNECT_LIMIT);
        if (failures > 0) {
            LOG.warn("{} of {} clients did not disconnect cleanly", failures, connected.size());
        }
    }

    private void connectHubs(Target target, int concurrency, Duration connectLimit) throws IOException,
            InterruptedException {
        LOG.info("connecting {} hubs", hubs.size());
        requireAll("hubs", Connector.connectAll(hubs, concurrency, connectLimit, target.connectTimeout()),
                hubs.size());
    }

    private void subscribe(List<UUID> hubIds, MqttQos qos) throws IOException, InterruptedException {
        Failures failures = new Failures();
        CountDownLatch done = new CountDownLatch(hubs.size());
        for (int i = 0; i < hubs.size(); i++) {
            String inbox = Topics.inbox(new PeerId.Hub(hubIds.get(i)));
            hubs.get(i).subscribeWith().topicFilter(inbox + "/#").qos(qos)
                    .callback(publish -> delivery.get().deliver(inbox, publish, System.nanoTime()))
                    .send()
                    .whenComplete((subAck, error) -> {
                        if (error != null) {
                            failures.add(error);
                        } else {
                            subAck.getReasonCodes().stream().filter(Mqtt5SubAckReasonCode::isError)
                                    .forEach(code -> failures.add("SUBACK " + code));
                        }
                        done.countDown();
                    });
        }
        if (!done.await(SUBSCRIBE_LIMIT.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IOException(done.getCount() + " hubs got no SUBACK within " + SUBSCRIBE_LIMIT);
        }
        if (failures.total() > 0) {
            throw new IOException("hubs could not subscribe to their inboxes: " + failures.snapshot());
        }
    }

    private static void requireAll(String what, Connector.Outcome outcome, int expected) throws IOException {
        if (outcome.connected().size() < expected) {
            throw new IOException("only " + outcome.connected().size() + " of " + expected + " " + what
                    + " connected: " + outcome.failures().snapshot()
                    + (outcome.unsettled() > 0 ? ", no outcome: " + outcome.unsettled() : ""));
        }
        LOG.info("{} {} connected in {} ms", expected, what, outcome.elapsed().toMillis());
    }
}
