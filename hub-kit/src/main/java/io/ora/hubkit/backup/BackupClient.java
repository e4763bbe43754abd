package io.ora.hubkit.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ora.core.backup.BackupEnvelope;
import io.ora.hubkit.PeerCredentials;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The hub's client of the backup store's HTTPS endpoints, {@code /backup/v1/{locator}} on the device listener
 * (docs/backup.md, "HTTPS endpoints"): TLS 1.3 with the hub's device certificate, HTTP/1.1, the locator in the path
 * and the write credential in {@code Ora-Backup-Credential}, both from {@link BackupKeys}.
 *
 * <p>Every answer the protocol defines comes back as a value of a sealed outcome ({@link Upload}, {@link Download},
 * {@link Listing}, {@link Deletion}); only a failure to get an answer at all (no connection, TLS refused, a timeout,
 * a response outside the protocol) is an {@link IOException}. A {@code 404} is {@link NotFound} only when it is the
 * store's {@code backup-not-found}: the listener's own {@code 404} (no backup role on that node) is {@link Refused}.
 *
 * <p>What it reads is bounded: an envelope larger than {@code maxEnvelopeBytes} is {@link TooLarge}, decided on the
 * declared length before any byte is read, or as soon as a body of unstated length passes the cap; other bodies are
 * read up to {@value #MAX_ANSWER_BYTES} bytes. Nothing here logs, and no exception message or outcome holds the
 * locator, the credential or a key: exceptions from the HTTP stack are re-thrown with those scrubbed out.
 */
public final class BackupClient {

    /** The store's cap on an envelope ({@code ora.backup.max-bytes}, 8 MiB) plus the envelope's header. */
    public static final long DEFAULT_MAX_ENVELOPE_BYTES = 8L * 1024 * 1024 + BackupEnvelope.HEADER_BYTES;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Generous: an upload of 8 MiB over a slow home uplink. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(120);
    /** The largest body other than an envelope that is read: a problem, a version list. */
    public static final int MAX_ANSWER_BYTES = 64 * 1024;
    /** The header carrying the write credential. */
    public static final String CREDENTIAL_HEADER = "Ora-Backup-Credential";

    static final String PROBLEMS = "https://ora.io/problems/";
    private static final String NOT_FOUND = PROBLEMS + "backup-not-found";
    private static final String EXISTS = PROBLEMS + "backup-exists";
    private static final String VERSION_CONFLICT = PROBLEMS + "version-conflict";
    private static final Pattern ETAG = Pattern.compile("\"([1-9][0-9]{0,17})\"");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final URI base;
    private final Duration requestTimeout;
    private final long maxEnvelopeBytes;
    private final Clock clock;

    /**
     * @param tls              a TLS 1.3 context presenting the hub's certificate ({@link PeerCredentials#sslContext()})
     * @param base             the device listener, e.g. {@code https://127.0.0.1:8443}
     * @param maxEnvelopeBytes the largest envelope a download may bring
     */
    public BackupClient(SSLContext tls, URI base, Duration connectTimeout, Duration requestTimeout,
                        long maxEnvelopeBytes) {
        this(tls, base, connectTimeout, requestTimeout, maxEnvelopeBytes, Clock.systemUTC());
    }

    BackupClient(SSLContext tls, URI base, Duration connectTimeout, Duration requestTimeout, long maxEnvelopeBytes,
                 Clock clock) {
        if (!"https".equalsIgnoreCase(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("the backup store is reached over https://host[:port]");
        }
        if (maxEnvelopeBytes < BackupEnvelope.HEADER_BYTES) {
            throw new IllegalArgumentException("the envelope cap must leave room for the header");
        }
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3"});
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .sslParameters(parameters).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
        this.base = base.resolve(path.endsWith("/") ? path : path + "/");
        this.requestTimeout = requestTimeout;
        this.maxEnvelopeBytes = maxEnvelopeBytes;
        this.clock = clock;
    }

    /** A client with the hub's credentials and the default timeouts and cap. */
    public static BackupClient of(PeerCredentials credentials, URI base) {
        return new BackupClient(credentials.sslContext(), base, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_ENVELOPE_BYTES);
    }

    /** Which write a {@code PUT} is, as the conditional header that says so. */
    public sealed interface Precondition {
        /** The header's name. */
        String header();

        /** The header's value. */
        String value();

        /** The first write under this locator: {@code If-None-Match: *}. */
        record Create() implements Precondition {
            @Override
            public String header() {
                return "If-None-Match";
            }

            @Override
            public String value() {
                return "*";
            }
        }

        /** Replace version n, and only while it is the newest: {@code If-Match: "n"}. */
        record Replace(long version) implements Precondition {
            public Replace {
                if (version < 1) {
                    throw new IllegalArgumentException("versions are numbered from 1");
                }
            }

            @Override
            public String header() {
                return "If-Match";
            }

            @Override
            public String value() {
                return "\"" + version + "\"";
            }
        }

        /** Replace whatever version is the newest: {@code If-Match: *}. */
        record ReplaceNewest() implements Precondition {
            @Override
            public String header() {
                return "If-Match";
            }

            @Override
            public String value() {
                return "*";
            }
        }
    }

    /** The answer to {@link #upload}. */
    public sealed interface Upload permits Stored, NotFound, Exists, Conflict, Failure {
    }

    /** The answer to {@link #download}. */
    public sealed interface Download permits Fetched, NotFound, TooLarge, Failure {
    }

    /** The answer to {@link #versions}. */
    public sealed interface Listing permits Versions, NotFound, Failure {
    }

    /** The answer to {@link #delete}. */
    public sealed interface Deletion permits Deleted, NotFound, Failure {
    }

    /** An answer any operation may get that is neither its success nor one of its own refusals. */
    public sealed interface Failure extends Upload, Download, Listing, Deletion permits Refused, Unavailable {
    }

    /** Written: version 1 when created (201), the new version when replaced (200). */
    public record Stored(long version) implements Upload {
    }

    /** The envelope's bytes as stored, and their version. */
    public record Fetched(long version, byte[] envelope) implements Download {
        @Override
        public String toString() {
            return "Fetched[version " + version + ", " + envelope.length + " bytes]";
        }
    }

    /** The kept versions, newest first. */
    public record Versions(List<Version> versions) implements Listing {
        public Versions {
            versions = List.copyOf(versions);
        }
    }

    /** One kept version: its number, the UTC date it was written and its size. */
    public record Version(long version, LocalDate written, long bytes) {
    }

    /** The backup and every kept version are gone (204). */
    public record Deleted() implements Deletion {
    }

    /**
     * {@code 404 backup-not-found}: no backup under this locator and credential, or (for a version asked for) that
     * version is no longer kept. Whether the locator exists under another credential is not said, by design.
     */
    public record NotFound() implements Upload, Download, Listing, Deletion {
    }

    /** {@code 412 backup-exists}: a create found the locator taken. */
    public record Exists() implements Upload {
    }

    /** {@code 412 version-conflict}: the version replaced is not the newest; {@code current} is. */
    public record Conflict(long current) implements Upload {
    }

    /** The download is larger than this client's cap; it was not read. */
    public record TooLarge(long limit) implements Download {
    }

    /**
     * Any other refusal: the status, the problem's {@code type} ({@code about:blank} when there is none) and its
     * {@code detail}, if it had one.
     */
    public record Refused(int status, String problemType, Optional<String> detail) implements Failure {
    }

    /** {@code 429} (rate-limited) or {@code 503} (store unavailable): try again, after {@code retryAfter} if given. */
    public record Unavailable(int status, Optional<Duration> retryAfter) implements Failure {
    }

    /** {@code PUT /backup/v1/{locator}}: stores {@code envelope} under {@code keys}' locator. */
    public Upload upload(BackupKeys keys, byte[] envelope, Precondition precondition) throws IOException {
        HttpRequest.Builder request = request(keys, "")
                .header("Content-Type", "application/octet-stream")
                .header(precondition.header(), precondition.value())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(envelope));
        Answer answer = send(keys, request, MAX_ANSWER_BYTES);
        return switch (answer.status()) {
            case 200, 201 -> new Stored(answer.version());
            case 404 -> answer.isProblem(NOT_FOUND) ? new NotFound() : failure(answer, keys);
            case 412 -> answer.isProblem(EXISTS) ? new Exists()
                    : answer.isProblem(VERSION_CONFLICT) ? new Conflict(answer.version())
                    : failure(answer, keys);
            default -> failure(answer, keys);
        };
    }

    /** {@code GET /backup/v1/{locator}}: the newest version, or {@code version} if it is still kept. */
    public Download download(BackupKeys keys, OptionalLong version) throws IOException {
        String query = version.isPresent() ? "?version=" + version.getAsLong() : "";
        Answer answer = send(keys, request(keys, query).GET(), maxEnvelopeBytes);
        return switch (answer.status()) {
            case 200 -> answer.body().isEmpty() ? new TooLarge(maxEnvelopeBytes)
                    : new Fetched(answer.version(), answer.body().get());
            case 404 -> answer.isProblem(NOT_FOUND) ? new NotFound() : failure(answer, keys);
            default -> failure(answer, keys);
        };
    }

    /** {@code GET /backup/v1/{locator}/versions}: the kept versions, newest first. */
    public Listing versions(BackupKeys keys) throws IOException {
        Answer answer = send(keys, request(keys, "/versions").GET(), MAX_ANSWER_BYTES);
        return switch (answer.status()) {
            case 200 -> new Versions(answer.versionList());
            case 404 -> answer.isProblem(NOT_FOUND) ? new NotFound() : failure(answer, keys);
            default -> failure(answer, keys);
        };
    }

    /** {@code DELETE /backup/v1/{locator}}: the backup and every kept version. */
    public Deletion delete(BackupKeys keys) throws IOException {
        Answer answer = send(keys, request(keys, "").DELETE(), MAX_ANSWER_BYTES);
        return switch (answer.status()) {
            case 204 -> new Deleted();
            case 404 -> answer.isProblem(NOT_FOUND) ? new NotFound() : failure(answer, keys);
            default -> failure(answer, keys);
        };
    }

    /** The largest envelope a download may bring. */
    public long maxEnvelopeBytes() {
        return maxEnvelopeBytes;
    }

    private HttpRequest.Builder request(BackupKeys keys, String suffix) {
        return HttpRequest.newBuilder(base.resolve("backup/v1/" + keys.locatorText() + suffix))
                .timeout(requestTimeout)
                .header(CREDENTIAL_HEADER, keys.writeCredentialText());
    }

    private Answer send(BackupKeys keys, HttpRequest.Builder request, long successCap) throws IOException {
        try {
            HttpResponse<Optional<byte[]>> response = http.send(request.build(), info -> new BoundedBody(
                    info.statusCode() / 100 == 2 ? successCap : MAX_ANSWER_BYTES,
                    info.headers().firstValueAsLong("Content-Length")));
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the backup store");
        } catch (IOException failed) {
            // The HTTP stack may quote the request URI, which holds the locator: rebuild the message without it.
            throw new IOException(scrub("no answer from the backup store (" + failed.getClass().getSimpleName()
                    + (failed.getMessage() == null ? "" : ": " + failed.getMessage()) + ")", keys));
        }
    }

    /** {@link Unavailable} for 429 and 503, otherwise the refusal as it came. */
    private Failure failure(Answer answer, BackupKeys keys) {
        return answer.status() == 429 || answer.status() == 503
                ? new Unavailable(answer.status(), answer.retryAfter(clock))
                : new Refused(answer.status(), answer.problemType(),
                        answer.problemDetail().map(detail -> scrub(detail, keys)));
    }

    private static String scrub(String text, BackupKeys keys) {
        return text.replace(keys.locatorText(), "…").replace(keys.writeCredentialText(), "…");
    }

    /** A response, its body read up to a cap (empty when it was larger). */
    private record Answer(int status, HttpHeaders headers, Optional<byte[]> body) {

        /** The version in the {@code ETag}, or, failing that, in a {@code {"version":n}} body. */
        long version() throws ProtocolException {
            Optional<String> tag = headers.firstValue("ETag");
            if (tag.isPresent()) {
                Matcher matcher = ETAG.matcher(tag.get().strip());
                if (matcher.matches()) {
                    return Long.parseLong(matcher.group(1));
                }
            }
            JsonNode version = json().path("version");
            if (version.canConvertToLong() && version.isIntegralNumber() && version.longValue() > 0) {
                return version.longValue();
            }
            throw new ProtocolException("the backup store's answer " + status + " names no version");
        }

        List<Version> versionList() throws ProtocolException {
            JsonNode versions = json().path("versions");
            if (!versions.isArray()) {
                throw new ProtocolException("the backup store's version list is not one");
            }
            List<Version> list = new ArrayList<>();
            for (JsonNode entry : versions) {
                JsonNode version = entry.path("version");
                JsonNode bytes = entry.path("bytes");
                if (!version.isIntegralNumber() || version.longValue() < 1 || !bytes.isIntegralNumber()) {
                    throw new ProtocolException("the backup store's version list has an entry out of the format");
                }
                try {
                    list.add(new Version(version.longValue(), LocalDate.parse(entry.path("written").asText()),
                            bytes.longValue()));
                } catch (DateTimeParseException notADate) {
                    throw new ProtocolException("the backup store's version list has an entry without a date");
                }
            }
            return list;
        }

        boolean isProblem(String type) {
            return type.equals(problemType());
        }

        String problemType() {
            JsonNode type = problem().path("type");
            return type.isTextual() ? type.textValue() : "about:blank";
        }

        Optional<String> problemDetail() {
            JsonNode detail = problem().path("detail");
            return detail.isTextual() ? Optional.of(detail.textValue()) : Optional.empty();
        }

        /** RFC 9110: delay-seconds or an HTTP date. */
        Optional<Duration> retryAfter(Clock clock) {
            Optional<String> value = headers.firstValue("Retry-After").map(String::strip);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            if (value.get().matches("[0-9]{1,9}")) {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value.get())));
            }
            try {
                Duration until = Duration.between(clock.instant(),
                        ZonedDateTime.parse(value.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return Optional.of(until.isNegative() ? Duration.ZERO : until);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }

        private JsonNode problem() {
            boolean problem = headers.firstValue("Content-Type")
                    .filter(type -> type.toLowerCase(Locale.ROOT).startsWith("application/problem+json"))
                    .isPresent();
            return problem ? json() : JSON.missingNode();
        }

        private JsonNode json() {
            if (body.isEmpty()) {
                return JSON.missingNode();
            }
            try {
                JsonNode node = JSON.readTree(body.get());
                return node == null ? JSON.missingNode() : node;
            } catch (IOException notJson) {
                return JSON.missingNode();
            }
        }
    }

    /**
     * Collects a body up to {@code cap} bytes. A declared length over the cap is refused before any byte is read; a
     * body of unstated length is cut off as soon as it passes the cap. Either way the subscription is cancelled, which
     * closes the connection, and the result is empty.
     */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<Optional<byte[]>> {
        private final long cap;
        private final OptionalLong declared;
        private final CompletableFuture<Optional<byte[]>> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        BoundedBody(long cap, OptionalLong declared) {
            this.cap = cap;
            this.declared = declared;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = Objects.requireNonNull(subscription);
            if (declared.isPresent() && declared.getAsLong() > cap) {
                tooLarge();
                return;
            }
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (buffer.size() + (long) item.remaining() > cap) {
                    tooLarge();
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            result.complete(Optional.of(buffer.toByteArray()));
        }

        @Override
        public CompletionStage<Optional<byte[]>> getBody() {
            return result;
        }

        private void tooLarge() {
            result.complete(Optional.empty());
            subscription.cancel();
        }
    }
}
