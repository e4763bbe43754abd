package io.ora.backup.http;

import io.micrometer.core.instrument.Counter;
import io.ora.backup.BackupSettings;
import io.ora.backup.store.BackupId;
import io.ora.backup.store.BackupStore;
import io.ora.backup.store.Credential;
import io.ora.core.backup.BackupEnvelope;
import io.ora.core.concurrent.Failures;
import io.ora.core.identity.PeerId;
import io.ora.core.metrics.Metrics;
import io.ora.device.https.DeviceRequests;
import io.ora.device.https.DeviceRoutes;
import io.ora.device.https.HubRateLimit;
import io.ora.device.https.Problem;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The backup role's endpoints on the device listener (device-https): {@code PUT}, {@code GET} and {@code DELETE
 * /backup/v1/{locator}} and {@code GET /backup/v1/{locator}/versions}, the contract in docs/backup.md, "HTTPS
 * endpoints". Checks run cheapest first — the method and path, the hub certificate and its revocation (the
 * listener's), the per-hub rate, the locator and credential, the preconditions, the content type — so a refused
 * request costs no body read; a body is read only up to {@code ora.backup.max-bytes} and must then be a well-formed
 * envelope ({@link BackupEnvelope#defect}) before the store sees it.
 *
 * <p>This class is the one place where a {@link BackupStore} outcome becomes an HTTP answer ({@link #answer}). A
 * wrong credential and an unknown locator are one outcome there, so they are one answer here.
 *
 * <p>Nothing of a request is logged, counted by value or put into an answer: not the locator, the credential, the
 * body or the certificate.
 */
public final class BackupRoutes implements DeviceRoutes {

    /** The header every request proves the write credential in. */
    public static final String CREDENTIAL_HEADER = "Ora-Backup-Credential";

    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");
    private static final Pattern STRONG_TAG = Pattern.compile("\"([1-9][0-9]{0,17})\"");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpResponse NOT_FOUND = Problem.typed("backup-not-found", "Backup not found",
            StatusCodes.NOT_FOUND, "no backup with this locator and credential").toResponse();

    private final BackupStore store;
    private final Executor blocking;
    private final BackupSettings settings;
    private final HubRateLimit rateLimit;
    private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
    private final Semaphore inFlight;

    /** What became of a request, as counted by {@code ora_backup_requests_total}. */
    private enum Outcome {
        CREATED, REPLACED, READ, LISTED, DELETED, NOT_FOUND, EXISTS, CONFLICT, INVALID_ENVELOPE, UNAVAILABLE, BUSY
    }

    private BackupRoutes(BackupStore store, Executor blocking, BackupSettings settings, Metrics metrics) {
        this.store = store;
        this.blocking = blocking;
        this.settings = settings;
        this.rateLimit = new HubRateLimit(settings.rateLimit());
        this.inFlight = new Semaphore(settings.maxInFlight());
        metrics.gauge("ora_backup_in_flight", "Backup requests holding a permit (reading a body or in the store)",
                () -> settings.maxInFlight() - inFlight.availablePermits());
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, metrics.counter("ora_backup_requests_total",
                    "Backup requests that reached the store's checks, by outcome", "outcome",
                    outcome.name().toLowerCase(Locale.ROOT)));
        }
    }

    /**
     * The endpoints over {@code store}, whose blocking calls run on {@code blocking} (the role's dispatcher).
     */
    public static BackupRoutes create(BackupSettings settings, BackupStore store, Executor blocking, Metrics metrics) {
        return new BackupRoutes(store, blocking, settings, metrics);
    }

    @Override
    public long maxBodyBytes() {
        return settings.maxBytes();
    }

    @Override
    public Route route(DeviceRequests requests) {
        return Directives.pathPrefix(PathMatchers.segment("backup").slash("v1").slash(PathMatchers.segment()),
                locator -> Directives.concat(
                        Directives.pathEnd(() -> requests.route("/backup/v1/{locator}", () -> Directives.concat(
                                Directives.put(() -> checked(requests, locator, (id, credential) ->
                                        write(requests, id, credential))),
                                Directives.get(() -> checked(requests, locator, this::read)),
                                Directives.delete(() -> checked(requests, locator, (id, credential) ->
                                        stored(() -> store.delete(id, credential), this::answer)))))),
                        Directives.path("versions", () -> requests.route("/backup/v1/{locator}/versions", () ->
                                Directives.get(() -> checked(requests, locator, (id, credential) ->
                                        stored(() -> store.versions(id, credential), this::answer)))))));
    }

    /** The checks every endpoint shares, in order: a hub's certificate, its rate, the locator, the credential. */
    private Route checked(DeviceRequests requests, String locator, BiFunction<BackupId, Credential, Route> inner) {
        return requests.peer(peer -> {
            if (!(peer.id() instanceof PeerId.Hub hub)) {
                return Directives.complete(Problem.typed("hub-certificate-required", "Hub certificate required",
                        StatusCodes.FORBIDDEN, "only a hub's device certificate may use backups").toResponse());
            }
            if (!rateLimit.tryTake(hub.uuid())) {
                return Directives.complete(rateLimit.refusal());
            }
            Optional<BackupId> id = BackupId.ofLocator(locator);
            if (id.isEmpty()) {
                return invalid("the locator is not 43 base64url characters naming 32 bytes");
            }
            return Directives.optionalHeaderValueByName(CREDENTIAL_HEADER, header -> {
                Optional<Credential> credential = header.flatMap(Credential::parse);
                if (credential.isEmpty()) {
                    return invalid(CREDENTIAL_HEADER + " must hold the write credential, 43 base64url characters");
                }
                return bounded(() -> inner.apply(id.get(), credential.get()));
            });
        });
    }

    /**
     * Runs {@code inner} while holding one of {@code ora.backup.max-in-flight} permits, from before its body is read
     * until its answer is made (or it failed): at most that many bodies of up to {@code max-bytes} are held and that
     * many store calls queued, whatever arrives. Without a permit the answer is 503 at once, nothing read.
     */
    private Route bounded(Supplier<Route> inner) {
        if (!inFlight.tryAcquire()) {
            outcomes.get(Outcome.BUSY).increment();
            return Directives.complete(Problem.typed("backup-unavailable", "Backup store unavailable",
                    StatusCodes.SERVICE_UNAVAILABLE, "this node is serving as many backup requests as it takes;"
                            + " nothing was read or stored, retry later").toResponse().addHeader(retryAfter()));
        }
        AtomicBoolean released = new AtomicBoolean();
        return Directives.mapRouteResultFuture(result -> result.whenComplete((done, failed) -> {
            if (released.compareAndSet(false, true)) {
                inFlight.release();
            }
        }), inner);
    }

    private Route write(DeviceRequests requests, BackupId id, Credential credential) {
        return Directives.extractRequest(request -> {
            Precondition precondition = Precondition.of(request);
            if (precondition instanceof Precondition.Invalid bad) {
                return invalid(bad.detail());
            }
            return Directives.extractRequestEntity(entity -> {
                if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_OCTET_STREAM)) {
                    return Directives.complete(Problem.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                            "a backup envelope is sent as " + MediaTypes.APPLICATION_OCTET_STREAM).toResponse());
                }
                return requests.body(settings.maxBytes(), body -> {
                    byte[] envelope = body.toArray();
                    Optional<BackupEnvelope.Defect> defect = BackupEnvelope.defect(envelope, settings.maxBytes());
                    if (defect.isPresent()) {
                        outcomes.get(Outcome.INVALID_ENVELOPE).increment();
                        return Directives.complete(Problem.typed("invalid-envelope", "Not a backup envelope",
                                StatusCodes.UNPROCESSABLE_CONTENT, defect.get().message()).toResponse());
                    }
                    if (precondition instanceof Precondition.Replace replace) {
                        return stored(() -> store.replace(id, credential, replace.expected(), envelope),
                                this::answer);
                    }
                    return stored(() -> store.create(id, credential.verifier(), envelope), this::answer);
                });
            });
        });
    }

    /** What a write's preconditions ask for (docs/backup.md, "PUT"), or why they are not well formed. */
    private sealed interface Precondition {

        /** No precondition, or {@code If-None-Match: *}: the first write under a locator. */
        record Create() implements Precondition {
        }

        /** {@code If-Match}: replace version {@code expected}, or the newest when empty ({@code *}). */
        record Replace(OptionalLong expected) implements Precondition {
        }

        /** Not a precondition this endpoint takes. */
        record Invalid(String detail) implements Precondition {
        }

        static Precondition of(HttpRequest request) {
            List<String> ifMatch = values(request, "if-match");
            List<String> ifNoneMatch = values(request, "if-none-match");
            if (ifMatch.size() + ifNoneMatch.size() > 1) {
                return new Invalid("a write carries one If-Match (replace) or one If-None-Match (create), at most");
            }
            if (!ifNoneMatch.isEmpty()) {
                return ifNoneMatch.get(0).trim().equals("*") ? new Create()
                        : new Invalid("If-None-Match on a write can only be *: create, if nothing is stored");
            }
            if (ifMatch.isEmpty()) {
                return new Create();
            }
            String value = ifMatch.get(0).trim();
            if (value.equals("*")) {
                return new Replace(OptionalLong.empty());
            }
            Matcher tag = STRONG_TAG.matcher(value);
            return tag.matches() ? new Replace(OptionalLong.of(Long.parseLong(tag.group(1))))
                    : new Invalid("If-Match must be * or one version as a strong entity tag, such as \"3\"");
        }

        /** Every value of a header, by name, whether Pekko modelled it or kept it raw (when it did not parse). */
        private static List<String> values(HttpRequest request, String lowerCaseName) {
            List<String> values = new ArrayList<>();
            for (HttpHeader header : request.getHeaders()) {
                if (header.is(lowerCaseName)) {
                    values.add(header.value());
                }
            }
            return values;
        }
    }

    private Route read(BackupId id, Credential credential) {
        return Directives.parameterOptional("version", version -> {
            if (version.isPresent() && !VERSION.matcher(version.get()).matches()) {
                return invalid("version is a positive whole number");
            }
            OptionalLong wanted = version.map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
            return stored(() -> store.read(id, credential, wanted), this::answer);
        });
    }

    /** Runs a store call on the blocking dispatcher and answers what it returns; the store away is 503. */
    private <T> Route stored(Supplier<T> call, Function<T, HttpResponse> respond) {
        CompletableFuture<T> outcome = CompletableFuture.supplyAsync(call, blocking);
        return Directives.onComplete(outcome, result -> {
            if (result.isSuccess()) {
                return Directives.complete(respond.apply(result.get()));
            }
            Throwable failure = Failures.cause(result.failed().get());
            if (failure instanceof BackupStore.StoreUnavailableException) {
                outcomes.get(Outcome.UNAVAILABLE).increment();
                return Directives.complete(Problem.typed("backup-unavailable", "Backup store unavailable",
                        StatusCodes.SERVICE_UNAVAILABLE, "the backup store cannot be reached now; nothing new was"
                                + " stored, retry later").toResponse().addHeader(retryAfter()));
            }
            return Directives.failWith(failure);
        });
    }

    // One place where the store's outcomes become answers. (Java 17 has no pattern switch; each sealed outcome is
    // tested in turn, the last case by elimination.)

    private HttpResponse answer(BackupStore.Created created) {
        if (created instanceof BackupStore.Written written) {
            return written(StatusCodes.CREATED, Outcome.CREATED, written.version());
        }
        outcomes.get(Outcome.EXISTS).increment();
        return Problem.typed("backup-exists", "Backup exists", StatusCodes.PRECONDITION_FAILED,
                "a backup is stored under this locator; replace it with If-Match").toResponse();
    }

    private HttpResponse answer(BackupStore.Replaced replaced) {
        if (replaced instanceof BackupStore.Written written) {
            return written(StatusCodes.OK, Outcome.REPLACED, written.version());
        }
        if (replaced instanceof BackupStore.Conflict conflict) {
            outcomes.get(Outcome.CONFLICT).increment();
            return Problem.typed("version-conflict", "Version conflict", StatusCodes.PRECONDITION_FAILED,
                    "the newest version is not the one this write replaces; its ETag is the newest")
                    .toResponse().addHeader(etag(conflict.current()));
        }
        return notFound();
    }

    private HttpResponse answer(BackupStore.Read read) {
        if (read instanceof BackupStore.Found found) {
            outcomes.get(Outcome.READ).increment();
            return HttpResponse.create().withStatus(StatusCodes.OK)
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, found.envelope()))
                    .addHeader(etag(found.version()))
                    .addHeader(CacheControl.create(CacheDirectives.NO_STORE));
        }
        return notFound();
    }

    private HttpResponse answer(BackupStore.Listed listed) {
        if (listed instanceof BackupStore.Versions versions) {
            outcomes.get(Outcome.LISTED).increment();
            ObjectNode body = JSON.createObjectNode();
            ArrayNode list = body.putArray("versions");
            for (BackupStore.Version version : versions.versions()) {
                list.addObject().put("version", version.version()).put("written", version.written().toString())
                        .put("bytes", version.bytes());
            }
            return HttpResponse.create().withStatus(StatusCodes.OK)
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body)))
                    .addHeader(CacheControl.create(CacheDirectives.NO_STORE));
        }
        return notFound();
    }

    private HttpResponse answer(BackupStore.Deleted deleted) {
        if (deleted instanceof BackupStore.Removed) {
            outcomes.get(Outcome.DELETED).increment();
            return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        }
        return notFound();
    }

    private HttpResponse written(StatusCode status, Outcome outcome, long version) {
        outcomes.get(outcome).increment();
        return HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"version\":" + version + "}"))
                .addHeader(etag(version));
    }

    private HttpResponse notFound() {
        outcomes.get(Outcome.NOT_FOUND).increment();
        return NOT_FOUND;
    }

    private RetryAfter retryAfter() {
        return RetryAfter.create(Math.max(1L, settings.unavailableRetryAfter().toSeconds()));
    }

    private static ETag etag(long version) {
        return ETag.create(EntityTag.create(Long.toString(version), false));
    }

    private static Route invalid(String detail) {
        return Directives.complete(Problem.typed("invalid-request", "Invalid request", StatusCodes.BAD_REQUEST, detail)
                .toResponse());
    }
}
