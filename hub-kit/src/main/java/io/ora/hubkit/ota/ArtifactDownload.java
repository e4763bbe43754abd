package io.ora.hubkit.ota;

import io.ora.core.firmware.ReleaseMetadata;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The artifact's download (docs/ota.md, "Download (HTTPS)") into {@code <model>-<version>.bin.part}, resumed from
 * what an earlier attempt (or an earlier run) left there: {@code Range: bytes=<have>-} with {@code If-Range:
 * "<signed sha256>"}, so a {@code 206} appends and a {@code 200} (another artifact, or a server that ignores ranges)
 * starts again from zero. At most the signed size is written whatever the server sends; whether the bytes are the
 * signed ones is {@link FirmwareVerification#afterDownload}'s to say. A body that makes no progress for the idle
 * timeout is abandoned (the HTTP client's own timeout covers only the wait for the headers).
 */
final class ArtifactDownload {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d{1,19})-(\\d{1,19})/(\\d{1,19})");
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    private final HttpClient http;
    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final int attempts;
    private final Duration retryDelay;
    private final Consumer<String> steps;

    ArtifactDownload(HttpClient http, Duration requestTimeout, Duration idleTimeout, int attempts,
                     Duration retryDelay, Consumer<String> steps) {
        if (attempts < 1) {
            throw new IllegalArgumentException("at least one attempt");
        }
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.idleTimeout = idleTimeout;
        this.attempts = attempts;
        this.retryDelay = retryDelay;
        this.steps = steps;
    }

    /** The part file a download of {@code release} goes to in {@code dir}. */
    static Path partFile(ReleaseMetadata release, Path dir) {
        return dir.resolve(release.model() + "-" + release.version() + ".bin.part");
    }

    /**
     * Downloads {@code release}'s image from {@code url} into its part file in {@code dir} and answers that file,
     * holding exactly the signed size (not yet checked against the hash). Throws when the attempts are used up or
     * the server refuses for good (a 4xx other than 416 and 429); what was received stays, for a later resume.
     */
    Path fetch(URI url, ReleaseMetadata release, Path dir) throws IOException {
        if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new OtaClient.DownloadFailedException("the download URL is not https://");
        }
        Path part = partFile(release, dir);
        Attempt result = Attempt.retry("no attempt", Optional.empty());
        for (int attempt = 1; attempt <= attempts; attempt++) {
            long have = have(part, release.size());
            if (have == release.size()) {
                return part;
            }
            steps.accept((have == 0 ? "downloading " + url : "resuming " + url + " at byte " + have)
                    + " (attempt " + attempt + " of " + attempts + ")");
            try {
                result = once(url, release, part, have);
            } catch (InterruptedIOException interrupted) {
                throw interrupted;
            } catch (IOException failed) {
                // No answer, or the body broke off: what was written stays, and the next attempt resumes from it.
                result = Attempt.retry(failed.getClass().getSimpleName()
                        + (failed.getMessage() == null ? "" : ": " + failed.getMessage()), Optional.empty());
            }
            if (result.complete()) {
                return part;
            }
            steps.accept("attempt " + attempt + " failed: " + result.failure());
            if (result.giveUp()) {
                throw new OtaClient.DownloadFailedException(result.failure());
            }
            if (attempt < attempts) {
                pause(result.retryAfter().orElse(retryDelay.multipliedBy(1L << Math.min(attempt - 1, 10))));
            }
        }
        throw new OtaClient.DownloadFailedException("gave up after " + attempts + " attempts: " + result.failure());
    }

    /** How one request went. */
    private record Attempt(boolean complete, boolean giveUp, String failure, Optional<Duration> retryAfter) {
        static Attempt done() {
            return new Attempt(true, false, "", Optional.empty());
        }

        static Attempt retry(String failure, Optional<Duration> after) {
            return new Attempt(false, false, failure, after);
        }

        static Attempt giveUp(String failure) {
            return new Attempt(false, true, failure, Optional.empty());
        }
    }

    private Attempt once(URI url, ReleaseMetadata release, Path part, long have) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(requestTimeout).GET();
        if (have > 0) {
            // Strong validator: the server sends the rest only of the artifact whose ETag is the signed hash.
            request.header("Range", "bytes=" + have + "-").header("If-Range", "\"" + release.sha256Hex() + "\"");
        }
        Sink sink = new Sink(part, have, release.size());
        CompletableFuture<HttpResponse<Void>> response = http.sendAsync(request.build(), sink);
        HttpResponse<Void> answered;
        try {
            answered = awaitWithProgress(response, sink);
        } finally {
            sink.close();
        }
        if (sink.openFailure != null) {
            throw sink.openFailure;
        }
        int status = answered.statusCode();
        if (status == 200 || status == 206) {
            if (sink.restart) {
                Files.deleteIfExists(part);
                return Attempt.retry("a 206 for another range than asked (" + sink.contentRange + ")",
                        Optional.of(Duration.ZERO));
            }
            long now = Files.size(part);
            return now == release.size() ? Attempt.done()
                    : Attempt.retry("the body ended at byte " + now + " of " + release.size(), Optional.empty());
        }
        if (status == 416) {
            // The server holds fewer bytes than the part file: it is not a prefix of this artifact.
            Files.deleteIfExists(part);
            return Attempt.retry("HTTP 416: starting again from zero", Optional.of(Duration.ZERO));
        }
        if (status == 429 || status >= 500) {
            return Attempt.retry("HTTP " + status, retryAfter(answered));
        }
        return Attempt.giveUp("HTTP " + status);
    }

    /** Waits for the response while its body keeps coming; abandons it after an idle timeout without a byte. */
    private HttpResponse<Void> awaitWithProgress(CompletableFuture<HttpResponse<Void>> response, Sink sink)
            throws IOException {
        long seen = -1;
        while (true) {
            try {
                return response.get(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException idle) {
                long written = sink.written.get();
                if (sink.started && written == seen) {
                    response.cancel(true);
                    throw new IOException("no byte for " + idleTimeout.toSeconds() + " s");
                }
                seen = written;
            } catch (ExecutionException failed) {
                Throwable cause = failed.getCause();
                throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
            } catch (InterruptedException interrupted) {
                response.cancel(true);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while downloading");
            }
        }
    }

    private static long have(Path part, long size) throws IOException {
        if (!Files.exists(part)) {
            return 0;
        }
        long have = Files.size(part);
        if (have > size) {
            // Longer than the signed size: not a prefix of this artifact.
            Files.delete(part);
            return 0;
        }
        return have;
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                long seconds = Long.parseLong(value.strip());
                return seconds < 0 ? Optional.empty()
                        : Optional.of(Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER.toSeconds())));
            } catch (NumberFormatException httpDate) {
                return Optional.empty();
            }
        });
    }

    private static void pause(Duration delay) throws InterruptedIOException {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        try {
            // Backoff between attempts, not synchronisation: the server asked for it (Retry-After) or is failing.
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }

    /**
     * Decides from the status what the body is (the rest of the part file, all of it, or nothing to keep) and writes
     * it as it comes, at most up to the signed size.
     */
    private static final class Sink implements HttpResponse.BodyHandler<Void> {
        private final Path part;
        private final long have;
        private final long size;
        final AtomicLong written = new AtomicLong();
        volatile boolean started;
        volatile boolean restart;
        volatile String contentRange = "";
        volatile IOException openFailure;
        private volatile FileChannel channel;

        Sink(Path part, long have, long size) {
            this.part = part;
            this.have = have;
            this.size = size;
        }

        @Override
        public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
            started = true;
            try {
                if (info.statusCode() == 206) {
                    contentRange = info.headers().firstValue("Content-Range").orElse("");
                    if (have == 0 || !continues(contentRange)) {
                        restart = true;
                        return HttpResponse.BodySubscribers.discarding();
                    }
                    channel = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                    return new Writer(size - have);
                }
                if (info.statusCode() == 200) {
                    channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
                    return new Writer(size);
                }
                return HttpResponse.BodySubscribers.discarding();
            } catch (IOException e) {
                openFailure = e;
                return HttpResponse.BodySubscribers.discarding();
            }
        }

        /** Whether a 206's Content-Range is the rest of the artifact from {@code have} on. */
        private boolean continues(String header) {
            Matcher range = CONTENT_RANGE.matcher(header);
            return range.matches() && Long.parseLong(range.group(1)) == have
                    && Long.parseLong(range.group(3)) == size && Long.parseLong(range.group(2)) < size;
        }

        void close() throws IOException {
            FileChannel open = channel;
            if (open != null) {
                open.close();
            }
        }

        /** Writes the body to the channel, then ignores whatever comes past {@code limit}. */
        private final class Writer implements HttpResponse.BodySubscriber<Void> {
            private final CompletableFuture<Void> body = new CompletableFuture<>();
            private long remaining;
            private Flow.Subscription subscription;

            Writer(long limit) {
                this.remaining = limit;
            }

            @Override
            public CompletionStage<Void> getBody() {
                return body;
            }

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                this.subscription = subscription;
                subscription.request(1);
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                try {
                    for (ByteBuffer buffer : buffers) {
                        if (remaining == 0) {
                            break;
                        }
                        if (buffer.remaining() > remaining) {
                            buffer.limit(buffer.position() + (int) remaining);
                        }
                        while (buffer.hasRemaining()) {
                            int n = channel.write(buffer);
                            remaining -= n;
                            written.addAndGet(n);
                        }
                    }
                } catch (IOException e) {
                    subscription.cancel();
                    body.completeExceptionally(e);
                    return;
                }
                if (remaining == 0) {
                    // The signed size is here: the rest, if any, is not the artifact.
                    subscription.cancel();
                    body.complete(null);
                } else {
                    subscription.request(1);
                }
            }

            @Override
            public void onError(Throwable failure) {
                body.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                body.complete(null);
            }
        }
    }
}
