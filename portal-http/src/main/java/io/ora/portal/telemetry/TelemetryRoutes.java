package io.ora.portal.telemetry;

import static io.ora.portal.auth.Role.OPERATOR;

import com.typesafe.config.Config;
import io.ora.persistence.telemetry.TelemetryTable;
import io.ora.portal.api.ApiException;
import io.ora.portal.api.Call;
import io.ora.portal.api.Endpoint;
import io.ora.portal.api.Responses;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Operators' view of a hub's telemetry (docs/portal.md, "Operators: hub health and telemetry erasure"): its health
 * over a window and the erasure of everything stored about it. Any operator may name any hub: operators are Ora
 * staff, and the answer holds only machine metrics under no tenant.
 */
public final class TelemetryRoutes {

    private final HubTelemetry telemetry;
    private final Windows windows;
    private final Clock clock;

    public TelemetryRoutes(HubTelemetry telemetry, Windows windows, Clock clock) {
        this.telemetry = telemetry;
        this.windows = windows;
        this.clock = clock;
    }

    /**
     * The {@code ora.portal.telemetry} section: the health window a request gets when it names none, and the bounds
     * on one it names.
     */
    public record Windows(Duration standard, Duration min, Duration max) {

        public Windows {
            if (min.isNegative() || min.isZero() || standard.compareTo(min) < 0 || standard.compareTo(max) > 0) {
                throw new IllegalArgumentException("ora.portal.telemetry needs 0 < min-window <= default-window "
                        + "<= max-window");
            }
        }

        public static Windows from(Config section) {
            return new Windows(section.getDuration("default-window"), section.getDuration("min-window"),
                    section.getDuration("max-window"));
        }
    }

    /**
     * What {@code GET /v1/operator/hubs/{hubId}/health} answers. With no samples in the window, {@code samples} is 0
     * and everything after it is null: "nothing was heard" is an answer, not a missing resource.
     *
     * @param window the window, as an ISO-8601 duration
     * @param since  the window's start: samples received at or after it count
     * @param first  when the oldest counted sample was received
     * @param last   when the newest counted sample was received
     * @param cpu    count, min, avg and max over the samples that carried it; null when none did (ram, rssi alike)
     */
    public record HubHealth(UUID hubId, String window, Instant since, long samples, Instant first, Instant last,
                            String firmware, TelemetryTable.Stats cpu, TelemetryTable.Stats ram,
                            TelemetryTable.Stats rssi) {
    }

    /** What {@code DELETE /v1/operator/hubs/{hubId}/telemetry} answers: how many samples went. */
    public record Erased(UUID hubId, long erased) {
    }

    public List<Endpoint> endpoints() {
        return List.of(
                Endpoint.get("getHubHealth", "/v1/operator/hubs/{hubId}/health").roles(OPERATOR).rate("read")
                        .query("window").handle(this::health),
                // Irreversible and across every partition: `sensitive` caps what a stolen operator token can wipe,
                // and refuses rather than guesses while Redis is down. Erasure requests are handled by people, one
                // at a time, far below 10 a minute.
                Endpoint.delete("eraseHubTelemetry", "/v1/operator/hubs/{hubId}/telemetry").roles(OPERATOR)
                        .rate("sensitive").handle(this::erase));
    }

    private CompletionStage<HttpResponse> health(Call call) {
        UUID hub = call.uuid("hubId");
        Duration window = window(call.queryParam("window"));
        // Microseconds, as PostgreSQL stores them, so the `since` answered is exactly the bound the query used.
        Instant since = clock.instant().minus(window).truncatedTo(ChronoUnit.MICROS);
        return telemetry.health(hub, since).thenApply(health -> Responses.ok(health
                .map(h -> new HubHealth(hub, window.toString(), since, h.samples(), h.first(), h.last(),
                        h.firmware().orElse(null), h.cpu().orElse(null), h.ram().orElse(null),
                        h.rssi().orElse(null)))
                .orElseGet(() -> new HubHealth(hub, window.toString(), since, 0, null, null, null, null, null,
                        null))));
    }

    private Duration window(Optional<String> requested) {
        if (requested.isEmpty()) {
            return windows.standard();
        }
        Duration window;
        try {
            window = Duration.parse(requested.get());
        } catch (DateTimeParseException malformed) {
            throw ApiException.badRequest("window must be an ISO-8601 duration such as PT24H or P7D");
        }
        if (window.compareTo(windows.min()) < 0 || window.compareTo(windows.max()) > 0) {
            throw ApiException.badRequest("window must be at least " + windows.min() + " and at most "
                    + windows.max());
        }
        return window;
    }

    private CompletionStage<HttpResponse> erase(Call call) {
        UUID hub = call.uuid("hubId");
        return telemetry.erase(call.caller().userId(), hub)
                .thenApply(erased -> Responses.ok(new Erased(hub, erased)));
    }
}
