package io.ora.node;

import io.ora.core.metrics.Metrics;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /metrics} on the management port: the node's counters in Prometheus text format. Registered by name in
 * {@code management.conf}; pekko-management constructs it.
 */
public final class MetricsRoutes implements ManagementRouteProvider {

    private final Metrics metrics;

    public MetricsRoutes(ExtendedActorSystem system) {
        this.metrics = NodeMetrics.get(Adapter.toTyped(system));
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return Directives.path("metrics", () -> Directives.get(() -> Directives.complete(
                HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.prometheusText()))));
    }
}
