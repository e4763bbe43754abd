package io.ora.backup.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A second S3 API for this JVM's tests: Python moto's S3 (moto 5.2.1 on the build image), which honours
 * {@code If-None-Match: *} and {@code If-Match} on PutObject and {@code If-Match} on DeleteObject, so the store's
 * race tests run against it where s3proxy cannot decide them. It runs as a child process ({@code moto_s3.py} beside
 * this class in the test resources), started on first use on 127.0.0.1 and a port it picks itself, and stopped when
 * the JVM exits; the script also exits when its standard input closes, so a killed JVM leaves no server behind.
 *
 * <p>The script serves one request at a time. {@code moto_server} serves each on its own thread, and moto's
 * conditional write is a check then a write, which two threads can interleave; Amazon S3 decides each atomically.
 * One request at a time makes each conditional write atomic, as on S3, while two racing clients' requests still
 * interleave. Moto checks no signatures; the credentials are {@link TestS3}'s. Where python3, moto or werkzeug is
 * missing, {@link #unavailable()} says why and the classes that use moto are skipped.
 */
final class TestMoto {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private static Optional<URI> endpoint;
    private static String unavailable;

    private TestMoto() {
    }

    /** Why moto cannot be started here, or empty when it runs (started on first use). */
    static synchronized Optional<String> unavailable() {
        if (endpoint == null) {
            endpoint = start();
        }
        return endpoint.isPresent() ? Optional.empty() : Optional.of(unavailable);
    }

    /** Where the server listens; only after {@link #unavailable()} answered empty. */
    static URI endpoint() {
        unavailable().ifPresent(why -> {
            throw new IllegalStateException("moto is not available: " + why);
        });
        return endpoint.orElseThrow();
    }

    /**
     * A client on the server as BackupStores builds one by default: the SDK's request checksums (moto reads its
     * trailing CRC32), path-style.
     */
    static S3Client client(ExecutionInterceptor... interceptors) {
        return TestS3.client(endpoint(), RequestChecksumCalculation.WHEN_SUPPORTED, interceptors);
    }

    private static Optional<URI> start() {
        Path script;
        Path log;
        try {
            script = Path.of(TestMoto.class.getResource("moto_s3.py").toURI());
            log = Files.createTempFile("moto-", ".log");
        } catch (URISyntaxException e) {
            throw new IllegalStateException("moto_s3.py is not a file on the test class path", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process moto;
        try {
            moto = new ProcessBuilder("python3", script.toString())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            unavailable = "python3 cannot be run (" + e.getMessage() + ")";
            return Optional.empty();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(moto::destroy, "moto-stop"));
        String first;
        try {
            first = new BufferedReader(new InputStreamReader(moto.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read moto's first line", e);
        }
        if (first == null || !first.startsWith("port ")) {
            moto.destroy();
            unavailable = first != null && first.startsWith("unavailable: ") ? "python3 has no moto here ("
                    + first.substring("unavailable: ".length()) + ")"
                    : "moto_s3.py did not start (see " + log + ")";
            return Optional.empty();
        }
        URI uri = URI.create("http://127.0.0.1:" + Integer.parseInt(first.substring("port ".length()).trim()));
        awaitAnswer(uri, moto, log);
        return Optional.of(uri);
    }

    /**
     * Waits for the server's first HTTP answer. It prints its port once the socket listens, so the connection is
     * accepted at once; the answer comes when moto has loaded, however slowly the machine imports it.
     */
    private static void awaitAnswer(URI uri, Process moto, Path log) {
        try {
            HttpURLConnection probe = (HttpURLConnection) uri.resolve("/moto-api/").toURL().openConnection();
            probe.setConnectTimeout((int) STARTUP.toMillis());
            probe.setReadTimeout((int) STARTUP.toMillis());
            probe.getResponseCode();
            probe.disconnect();
        } catch (IOException e) {
            moto.destroy();
            throw new IllegalStateException("moto did not answer (see " + log + ")", e);
        }
    }
}
