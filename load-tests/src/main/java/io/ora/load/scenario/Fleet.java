package io.ora.load.scenario;

import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.load.client.ClientLoops;
import io.ora.load.client.ClientTls;
import io.ora.load.client.MqttClient;
import io.ora.load.identities.Bindings;
import io.ora.load.identities.CertificateSet;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connected population of a benchmark, on its event loops. For relay traffic ({@link #connect}): every hub
 * connected and subscribed to {@code <inbox>/#}, every app connected and knowing which hubs it may publish to; each
 * run installs its own listener and framer on the clients ({@link MqttClient#use}), so a rate sweep reuses one set
 * of connections for all its steps. For a round trip the apps subscribe to their own inboxes as well. For
 * telemetry ({@link #connectHubs}): hubs only, connected and subscribed to nothing, since they only publish; for
 * OTA checks hubs only, each subscribed to the one topic its answers come on.
 *
 * <p>Set-up is all or nothing: a population with a hub missing would report its messages as lost.
 */
final class Fleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);
    private static final Duration SUBSCRIBE_LIMIT = Duration.ofSeconds(60);
    private static final Duration DISCONNECT_LIMIT = Duration.ofSeconds(60);

    private final ClientLoops loops;
    private final List<UUID> hubIds;
    private final List<String> inboxes;
    private final List<MqttClient> hubs;
    private final List<App> apps;
    private final List<String> appInboxes;
    /** For each hub (by position), the position of the one app it is bound to, or -1 when none was selected. */
    private final int[] appOfHub;

    private Fleet(ClientLoops loops, List<UUID> hubIds, List<MqttClient> hubs, List<App> apps) {
        this.loops = loops;
        this.hubIds = hubIds;
        this.inboxes = hubIds.stream().map(hub -> Topics.inbox(new PeerId.Hub(hub))).toList();
        this.hubs = hubs;
        this.apps = apps;
        this.appInboxes = apps.stream().map(app -> Topics.inbox(new PeerId.App(app.id()))).toList();
        this.appOfHub = new int[hubs.size()];
        Arrays.fill(appOfHub, -1);
        for (int a = 0; a < apps.size(); a++) {
            for (int hub : apps.get(a).hubs()) {
                appOfHub[hub] = a;
            }
        }
    }

    /**
     * An app and the hubs it may publish to.
     *
     * @param hubs positions of its bound hubs in {@link #hubClients()}
     */
    record App(String id, MqttClient client, List<Integer> hubs) {
    }

    /** Connects and subscribes the hubs, then connects the apps; throws unless every one of them succeeded. */
    static Fleet connect(ClientLoops loops, CertificateSet set, Bindings population, Target target,
                         Target appTarget, int qos, boolean roundTrip, int concurrency, Duration connectLimit)
            throws IOException, InterruptedException {
        List<UUID> hubIds = population.hubs();
        List<String> appIds = population.apps();
        ClientTls tls = new ClientTls();
        List<MqttClient> hubClients = target.prepare(loops, tls, hubIds.stream().map(set::hubDir).toList());
        List<MqttClient> appClients = appTarget.prepare(loops, tls, appIds.stream().map(set::appDir).toList());
        Map<UUID, Integer> position = new HashMap<>();
        for (int i = 0; i < hubIds.size(); i++) {
            position.put(hubIds.get(i), i);
        }
        Map<String, List<UUID>> hubsByApp = population.hubsByApp();
        List<App> apps = new ArrayList<>();
        for (int i = 0; i < appIds.size(); i++) {
            apps.add(new App(appIds.get(i), appClients.get(i),
                    hubsByApp.get(appIds.get(i)).stream().map(position::get).toList()));
        }
        return setUp(new Fleet(loops, hubIds, hubClients, apps), fleet -> {
            fleet.connectHubs(target, concurrency, connectLimit);
            fleet.subscribe(fleet.hubs, fleet.inboxes, qos, "hubs");
            LOG.info("connecting {} apps", appClients.size());
            requireAll("apps", Connector.connectAll(appClients, concurrency, connectLimit, target.connectTimeout()),
                    appClients.size());
            if (roundTrip) {
                fleet.subscribe(fleet.apps.stream().map(App::client).toList(), fleet.appInboxes, qos, "apps");
            }
        });
    }

    /** Connects the given hubs, and no apps; throws unless every one of them succeeded. */
    static Fleet connectHubs(ClientLoops loops, CertificateSet set, List<UUID> hubIds, Target target,
                             int concurrency, Duration connectLimit) throws IOException, InterruptedException {
        List<MqttClient> clients = target.prepare(loops, new ClientTls(),
                hubIds.stream().map(set::hubDir).toList());
        return setUp(new Fleet(loops, List.copyOf(hubIds), clients, List.of()),
                fleet -> fleet.connectHubs(target, concurrency, connectLimit));
    }

    /**
     * Connects the given hubs, and no apps, and subscribes each to {@code filter} (its OTA answers, say) at
     * {@code qos}; throws unless every one of them succeeded.
     */
    static Fleet connectHubs(ClientLoops loops, CertificateSet set, List<UUID> hubIds, Target target,
                             Function<UUID, String> filter, int qos, int concurrency, Duration connectLimit)
            throws IOException, InterruptedException {
        List<MqttClient> clients = target.prepare(loops, new ClientTls(),
                hubIds.stream().map(set::hubDir).toList());
        List<String> filters = hubIds.stream().map(filter).toList();
        return setUp(new Fleet(loops, List.copyOf(hubIds), clients, List.of()), fleet -> {
            fleet.connectHubs(target, concurrency, connectLimit);
            subscribeTo(fleet.hubs, filters, qos, "hubs");
        });
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

    ClientLoops loops() {
        return loops;
    }

    List<App> apps() {
        return apps;
    }

    int hubCount() {
        return hubs.size();
    }

    /** The hubs' clients, in the order of {@link #hubIds()}; a client's tag is its position. */
    List<MqttClient> hubClients() {
        return hubs;
    }

    List<UUID> hubIds() {
        return hubIds;
    }

    /** The inbox topic of the hub at {@code position}. */
    String inbox(int position) {
        return inboxes.get(position);
    }

    /** The inbox topic of the app at {@code position} in {@link #apps()}; a client's tag is its position. */
    String appInbox(int position) {
        return appInboxes.get(position);
    }

    /** The position in {@link #apps()} of the app the hub at {@code hub} is bound to, or -1 for none. */
    int appOfHub(int hub) {
        return appOfHub[hub];
    }

    /** Every client, hubs first. */
    List<MqttClient> clients() {
        List<MqttClient> all = new ArrayList<>(hubs);
        apps.forEach(app -> all.add(app.client()));
        return all;
    }

    /** Disconnects everyone who is connected, within a bound. */
    @Override
    public void close() throws InterruptedException {
        List<MqttClient> all = clients();
        all.forEach(client -> client.use(null, null));
        List<MqttClient> connected = all.stream().filter(MqttClient::isConnected).toList();
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

    /** Subscribes each of {@code clients} to {@code <its inbox>/#}, the inboxes in the same order. */
    private static void subscribe(List<MqttClient> clients, List<String> inboxes, int qos, String what)
            throws IOException, InterruptedException {
        subscribeTo(clients, inboxes.stream().map(inbox -> inbox + "/#").toList(), qos, what);
    }

    /** Subscribes each of {@code clients} to its filter, in the same order. */
    private static void subscribeTo(List<MqttClient> clients, List<String> filters, int qos, String what)
            throws IOException, InterruptedException {
        Failures failures = new Failures();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            pending.add(clients.get(i).subscribe(filters.get(i), qos)
                    .handle((ok, error) -> {
                        if (error != null) {
                            failures.add(error);
                        }
                        return null;
                    }));
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .get(SUBSCRIBE_LIMIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException slow) {
            throw new IOException(pending.stream().filter(f -> !f.isDone()).count() + " " + what
                    + " got no SUBACK within "
                    + SUBSCRIBE_LIMIT, slow);
        } catch (ExecutionException impossible) {
            throw new IllegalStateException("failures are counted, not thrown", impossible);
        }
        if (failures.total() > 0) {
            throw new IOException(what + " could not subscribe to their inboxes: " + failures.snapshot());
        }
    }

    private static void requireAll(String what, Connector.Outcome<?> outcome, int expected) throws IOException {
        if (outcome.connected().size() < expected) {
            throw new IOException("only " + outcome.connected().size() + " of " + expected + " " + what
                    + " connected: " + outcome.failures().snapshot()
                    + (outcome.unsettled() > 0 ? ", no outcome: " + outcome.unsettled() : ""));
        }
        LOG.info("{} {} connected in {} ms", expected, what, outcome.elapsed().toMillis());
    }
}
