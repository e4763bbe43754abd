package io.ora.portal.ota;

import io.ora.core.metrics.Metrics;
import io.ora.core.ota.OtaDesk;
import io.ora.device.https.DeviceRoutes;
import io.ora.persistence.Redis;
import io.ora.persistence.telemetry.HubPseudonym;
import io.ora.portal.api.Endpoint;
import io.ora.portal.store.Db;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Firmware distribution, the portal's part of it (docs/ota.md): the operators' endpoints, the desk the relay hands
 * hubs' checks and reports to, the artifact downloads on the device listener, and the timers (the snapshot's refresh,
 * the stages' advance with the offers' write). Its SQL and uploads run on {@code ora.ota.blocking-dispatcher}.
 */
public final class Ota implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Ota.class);

    private final Offers offers;
    private final OtaRoutes routes;
    private final ArtifactRoutes artifacts;
    private final OfferRate rate;
    private final List<Cancellable> timers;

    private Ota(ActorSystem<?> system, OtaSettings settings, DataSource dataSource, Redis redis,
                HubPseudonym pseudonym, Metrics metrics, Clock clock) {
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("ora.ota.blocking-dispatcher"));
        Db db = new Db(dataSource, blocking);
        Releases releases = new Releases(db, settings, clock);
        Rollouts rollouts = new Rollouts(db, clock);
        this.rate = new OfferRate(redis);
        this.offers = new Offers(rollouts, pseudonym, rate, settings.maxCheckBytes(), clock, metrics);
        if (settings.rootPublicKey().isEmpty()) {
            // Not configured: no release can have been verified here, so nothing stored is offered.
            offers.disable();
        }
        this.routes = new OtaRoutes(releases, rollouts, settings.maxArtifactBytes(),
                Materializer.createMaterializer(system), () -> offers.refresh(settings));
        this.artifacts = new ArtifactRoutes(new ArtifactCache(db, releases, settings.cacheDir()),
                settings.maxDownloads());
        offers.refresh(settings);
        this.timers = List.of(
                system.scheduler().scheduleWithFixedDelay(settings.refreshInterval(), settings.refreshInterval(),
                        () -> offers.refresh(settings), system.executionContext()),
                system.scheduler().scheduleWithFixedDelay(settings.sweepInterval(), settings.sweepInterval(),
                        () -> sweep(rollouts, settings.outcomeRetention()), system.executionContext()));
    }

    /** Starts OTA with settings from {@code ora.ota}. */
    public static Ota start(ActorSystem<?> system, DataSource dataSource, Redis redis, HubPseudonym pseudonym,
                            Metrics metrics) {
        return new Ota(system, OtaSettings.from(system.settings().config()), dataSource, redis, pseudonym, metrics,
                Clock.systemUTC());
    }

    private void sweep(Rollouts rollouts, Duration retention) {
        Map<UUID, Map<Integer, Long>> counted = offers.drainOffers();
        if (!counted.isEmpty()) {
            rollouts.addOffers(counted).exceptionally(failure -> {
                offers.restoreOffers(counted);
                return null;
            });
        }
        rollouts.sweep(retention).exceptionally(failure -> {
            LOG.warn("OTA sweep failed ({}); next try in one interval", failure.getClass().getSimpleName());
            return 0;
        });
    }

    /** The desk the relay hands hubs' checks and reports to. */
    public OtaDesk desk() {
        return offers;
    }

    /** The operators' endpoints, for the portal's router. */
    public List<Endpoint> endpoints() {
        return routes.endpoints();
    }

    /** The artifact downloads, for the device listener. */
    public DeviceRoutes deviceRoutes() {
        return artifacts;
    }

    /** Stops the timers: offers counted since the last sweep are not written (a count of one interval at most). */
    @Override
    public void close() {
        timers.forEach(Cancellable::cancel);
        rate.close();
    }
}
