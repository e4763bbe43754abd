package io.ora.ingest.http;

import io.ora.core.concurrent.Failures;
import io.ora.core.identity.PeerId;
import io.ora.core.metrics.Metrics;
import io.ora.core.pki.PeerCertificates;
import io.ora.core.telemetry.TelemetryIntake;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.SslSessionInfo;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /ingest/v1/telemetry}: a hub, identified by the client certificate its connection was verified with,
 * hands one telemetry payload to the {@link TelemetryIntake} and is told what became of it. Checks run cheapest
 * first — identity, revocation, the per-hub rate, the content type — so a refused request costs no body read, and a
 * body is read only up to the limit. This class is the one place where an outcome becomes an HTTP status
 * ({@link #respond}, {@link #rejections()}, {@link #exceptions()}); what the server refuses before any route sees it
 * is {@link ParsingProblems}'s. Every response the route gives is counted by status.
 *
 * <p>Nothing from the request is logged: not the body, not the certificate, only failures by exception type.
 */
final class TelemetryRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryRoutes.class);
    private static final String REQUESTS = "ora_ingest_http_requests_total";
    private static final HttpResponse STORED = HttpResponse.create().withStatus(StatusCodes.OK)
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"result\":\"stored\"}"));
    /** Not {@code ingest-unavailable}: that one says nothing was kept, and a payload timed out may have been. */
    private static final HttpResponse TIMED_OUT = Problem.of(StatusCodes.SERVICE_UNAVAILABLE,
            "no answer in time; the payload may or may not have been kept, retry later").toResponse();

    private final TelemetryIntake intake;
    private final HubRateLimit rateLimit;
    private final Predicate<String> revoked;
    private final HttpsSettings settings;
    private final Metrics metrics;

    /**
     * @param revoked whether a serial is on the newest deny-list: a connection opened before its certificate was
     *                revoked may not post after
     */
    TelemetryRoutes(TelemetryIntake intake, HubRateLimit rateLimit, Predicate<String> revoked,
                    HttpsSettings settings, Metrics metrics) {
        this.intake = intake;
        this.rateLimit = rateLimit;
        this.revoked = revoked;
        this.settings = settings;
        this.metrics = metrics;
    }

    /**
     * Every route of the listener, with every refusal a problem and every response counted; a request the server
     * times out is answered with a problem too (it is the server's answer, so it is not counted).
     */
    Route route() {
        return Directives.withRequestTimeoutResponse(request -> TIMED_OUT, () ->
                Directives.mapResponse(this::count, () -> Directives.handleExceptions(exceptions(), () ->
                        Directives.handleRejections(rejections(), () ->
                                Directives.path(PathMatchers.segment("ingest").slash("v1").slash("telemetry"), () ->
                                        Directives.post(() -> fromHub(this::telemetry)))))));
    }

    private Route fromHub(Function<UUID, Route> inner) {
        return Directives.optionalAttribute(AttributeKeys.sslSession, session -> {
            Optional<X509Certificate> leaf = session.flatMap(TelemetryRoutes::peerCertificate);
            Optional<PeerId> peer = leaf.flatMap(PeerCertificates::identity);
            if (peer.isEmpty() || !(peer.get() instanceof PeerId.Hub hub)) {
                return Directives.complete(Problem.typed("hub-certificate-required", "Hub certificate required",
                        StatusCodes.FORBIDDEN, "only a hub's device certificate may post telemetry").toResponse());
            }
            if (revoked.test(PeerCertificates.serial(leaf.get()))) {
                return Directives.complete(Problem.typed("certificate-revoked", "Certificate revoked",
                        StatusCodes.FORBIDDEN, "this certificate has been revoked").toResponse());
            }
            return inner.apply(hub.uuid());
        });
    }

    private Route telemetry(UUID hub) {
        if (!rateLimit.tryTake(hub)) {
            return Directives.complete(Problem.typed("rate-limited", "Too many requests", StatusCodes.TOO_MANY_REQUESTS,
                    "this hub posts faster than allowed; retry later").toResponse()
                    .addHeader(retryAfter(rateLimit.retryAfter())));
        }
        return Directives.extractRequestEntity(entity -> {
            MediaType type = entity.getContentType().mediaType();
            if (!type.mainType().equals("application") || !type.subType().equals("json")) {
                return Directives.complete(Problem.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                        "telemetry is sent as " + MediaTypes.APPLICATION_JSON).toResponse());
            }
            if (entity.getContentLengthOption().orElse(0) > settings.maxBytes()) {
                // Refused on what it declares, unread: toStrict would refuse a length over its own bound
                // (max-to-strict-bytes) as an unreadable body, a 400, not as the 413 it is.
                return Directives.complete(tooLarge());
            }
            return Directives.extractMaterializer(materializer -> Directives.onComplete(
                    entity.withSizeLimit(settings.maxBytes()).toStrict(settings.bodyTimeout().toMillis(), materializer),
                    body -> body.isSuccess()
                            ? Directives.onSuccess(intake.submit(hub, body.get().getData().toArray()),
                                    receipt -> Directives.complete(respond(receipt)))
                            : Directives.complete(unread(body.failed().get()))));
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

    private HttpResponse unread(Throwable failure) {
        if (Failures.cause(failure) instanceof EntityStreamSizeException) {
            return tooLarge();
        }
        return Problem.of(StatusCodes.BAD_REQUEST, "the request body could not be read in time").toResponse();
    }

    private HttpResponse tooLarge() {
        return Problem.of(StatusCodes.PAYLOAD_TOO_LARGE, "a telemetry body holds at most " + settings.maxBytes()
                + " bytes").toResponse();
    }

    private static RejectionHandler rejections() {
        return RejectionHandler.newBuilder()
                .handleAll(MethodRejection.class, rejected -> Directives.complete(Problem.of(
                        StatusCodes.METHOD_NOT_ALLOWED, "this resource does not support that method").toResponse()
                        .addHeader(Allow.create(HttpMethods.POST))))
                .handleNotFound(Directives.complete(Problem.of(StatusCodes.NOT_FOUND, "no such resource")
                        .toResponse()))
                .build()
                .withFallback(RejectionHandler.defaultHandler())
                .mapRejectionResponse(response -> response.entity().getContentType().equals(Problem.CONTENT_TYPE)
                        ? response
                        : Problem.of(response.status(), response.status().reason()).toResponse());
    }

    private static ExceptionHandler exceptions() {
        return ExceptionHandler.newBuilder()
                .matchAny(unexpected -> {
                    LOG.error("telemetry request failed with {}", unexpected.getClass().getName());
                    return Directives.complete(Problem.of(StatusCodes.INTERNAL_SERVER_ERROR,
                            "the request could not be completed").toResponse());
                })
                .build();
    }

    private static Optional<X509Certificate> peerCertificate(SslSessionInfo session) {
        try {
            Certificate[] chain = session.getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
        } catch (SSLPeerUnverifiedException unverified) {
            return Optional.empty();
        }
    }

    private static RetryAfter retryAfter(Duration after) {
        return RetryAfter.create(Math.max(1, after.toSeconds()));
    }

    private HttpResponse count(HttpResponse response) {
        String status = label(response.status());
        metrics.counter(REQUESTS, "HTTPS telemetry requests, by response status", "status", status).increment();
        return response;
    }

    /** Metric labels are fixed words (Metrics refuses digits first), one per status this listener answers. */
    private static String label(StatusCode status) {
        return switch (status.intValue()) {
            case 200 -> "ok";
            case 400 -> "bad_request";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            case 422 -> "unprocessable";
            case 429 -> "too_many_requests";
            case 500 -> "internal_error";
            case 503 -> "unavailable";
            default -> "other";
        };
    }
}
