package io.ora.ingest.http;

import com.typesafe.config.Config;
import io.ora.core.identity.PeerId;
import io.ora.core.telemetry.TelemetryIntake;
import io.ora.device.https.DeviceRequests;
import io.ora.device.https.DeviceRoutes;
import io.ora.device.https.HubRateLimit;
import io.ora.device.https.Problem;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The ingest role's HTTPS source, mounted on the device listener (device-https): {@code POST /ingest/v1/telemetry},
 * where a hub, identified by the client certificate its connection was verified with, hands one telemetry payload to
 * the {@link TelemetryIntake} and is told what became of it (docs/ingest.md, "HTTPS source"). Checks run cheapest
 * first — identity and revocation (the listener's), the per-hub rate, the content type — so a refused request costs
 * no body read, and a body is read only up to {@code ora.ingest.filter.max-bytes}. This class is the one place where
 * an intake's outcome becomes an HTTP status ({@link #respond}); what the listener refuses on its own (TLS, paths
 * and methods no route takes, server errors) is device-https's.
 *
 * <p>Nothing from the request is logged: not the body, not the certificate.
 */
public final class TelemetryRoutes implements DeviceRoutes {

    private static final HttpResponse STORED = HttpResponse.create().withStatus(StatusCodes.OK)
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"result\":\"stored\"}"));

    private final TelemetryIntake intake;
    private final HubRateLimit rateLimit;
    private final HttpsSettings settings;

    private TelemetryRoutes(TelemetryIntake intake, HttpsSettings settings) {
        this.intake = intake;
        this.rateLimit = new HubRateLimit(settings.rateLimit());
        this.settings = settings;
    }

    /**
     * The telemetry endpoint, handing what hubs post to {@code intake}.
     *
     * @param config the node's resolved config ({@code ora.ingest.https} and {@code ora.ingest.filter.max-bytes})
     */
    public static TelemetryRoutes create(Config config, TelemetryIntake intake) {
        return new TelemetryRoutes(intake, HttpsSettings.from(config));
    }

    @Override
    public Route route(DeviceRequests requests) {
        return Directives.path(PathMatchers.segment("ingest").slash("v1").slash("telemetry"), () ->
                requests.route("/ingest/v1/telemetry", () -> Directives.post(() -> requests.peer(peer ->
                        peer.id() instanceof PeerId.Hub hub
                                ? telemetry(requests, hub.uuid())
                                : Directives.complete(Problem.typed("hub-certificate-required",
                                        "Hub certificate required", StatusCodes.FORBIDDEN,
                                        "only a hub's device certificate may post telemetry").toResponse())))));
    }

    @Override
    public long maxBodyBytes() {
        return settings.maxBytes();
    }

    private Route telemetry(DeviceRequests requests, UUID hub) {
        if (!rateLimit.tryTake(hub)) {
            return Directives.complete(rateLimit.refusal());
        }
        return Directives.extractRequestEntity(entity -> {
            MediaType type = entity.getContentType().mediaType();
            if (!type.mainType().equals("application") || !type.subType().equals("json")) {
                return Directives.complete(Problem.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                        "telemetry is sent as " + MediaTypes.APPLICATION_JSON).toResponse());
            }
            return requests.body(settings.maxBytes(), body -> Directives.onSuccess(
                    intake.submit(hub, body.toArray()), receipt -> Directives.complete(respond(receipt))));
        });
    }

    /** What the hub is told about its payload. */
    private HttpResponse respond(TelemetryIntake.Receipt receipt) {
        return switch (receipt) {
            case STORED -> STORED;
            case REJECTED -> Problem.typed("telemetry-rejected", "Telemetry rejected",
                    StatusCodes.UNPROCESSABLE_ENTITY, "the payload was refused by the telemetry filter (malformed,"
                            + " too large, a denied key, or no metric); sending it again changes nothing")
                    .toResponse();
            case UNAVAILABLE -> Problem.typed("ingest-unavailable", "Ingest unavailable",
                    StatusCodes.SERVICE_UNAVAILABLE, "the payload was not taken now; nothing was kept, retry later")
                    .toResponse().addHeader(retryAfter(settings.unavailableRetryAfter()));
        };
    }

    private static RetryAfter retryAfter(Duration after) {
        return RetryAfter.create(Math.max(1, after.toSeconds()));
    }
}
