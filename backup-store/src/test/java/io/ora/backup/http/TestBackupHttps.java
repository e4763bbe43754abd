package io.ora.backup.http;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariDataSource;
import io.ora.backup.BackupSettings;
import io.ora.backup.store.BackupStore;
import io.ora.backup.store.PostgresBackupStore;
import io.ora.core.backup.BackupEnvelope;
import io.ora.core.metrics.Metrics;
import io.ora.device.https.TestDeviceHttps;
import io.ora.persistence.TestDatabase;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The backup endpoints on a real device listener for a test class (device-https's {@link TestDeviceHttps}: its own
 * actor system, a generated PKI, peers and clients), over the real PostgreSQL store. Register with
 * {@code @RegisterExtension static TestBackupHttps backup = new TestBackupHttps();}. Rate limits are generous unless a
 * test class overrides them; every test uses locators of its own ({@link #newKeys()}), so tests share the
 * database without seeing each other.
 */
final class TestBackupHttps extends TestDeviceHttps {

    static final Base64.Encoder WIRE = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Metrics metrics = new Metrics();
    private final ExecutorService blocking = Executors.newFixedThreadPool(4);
    private HikariDataSource dataSource;

    TestBackupHttps() {
        this(Map.of());
    }

    TestBackupHttps(Map<String, Object> overrides) {
        this(withGenerousRates(overrides), new Holder(null));
    }

    /** The endpoints over a store of the test's own, made from the test's resolved config. */
    TestBackupHttps(Map<String, Object> overrides, Function<Config, BackupStore> store) {
        this(withGenerousRates(overrides), new Holder(store));
    }

    private TestBackupHttps(Map<String, Object> overrides, Holder holder) {
        super(overrides, config -> List.of(holder.routes(config)));
        holder.owner = this;
    }

    /** Builds the routes once the harness has resolved the test's config. */
    private static final class Holder {
        private final Function<Config, BackupStore> store;
        private TestBackupHttps owner;

        Holder(Function<Config, BackupStore> store) {
            this.store = store;
        }

        BackupRoutes routes(Config config) {
            BackupStore chosen;
            if (store == null) {
                owner.dataSource = TestDatabase.dataSource();
                chosen = new PostgresBackupStore(owner.dataSource, Clock.systemUTC());
            } else {
                chosen = store.apply(config);
            }
            return BackupRoutes.create(BackupSettings.from(config), chosen, owner.blocking, owner.metrics);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        super.afterAll(context);
        blocking.shutdown();
        if (dataSource != null) {
            dataSource.close();
        }
    }

    /** The value of a counter series of the backup endpoints. */
    long backupMetric(String name, String label, String value) {
        return metrics.value(name, label, value);
    }

    /** A fresh locator and credential, as a hub derives them (random here: the server cannot tell). */
    static Keys newKeys() {
        return new Keys(WIRE.encodeToString(random(32)), WIRE.encodeToString(random(32)));
    }

    /** A well-formed envelope of {@code ciphertextBytes} random ciphertext. */
    static byte[] envelope(int ciphertextBytes) {
        return BackupEnvelope.of(random(BackupEnvelope.SALT_BYTES), random(BackupEnvelope.NONCE_BYTES),
                random(ciphertextBytes)).bytes();
    }

    static byte[] random(int bytes) {
        byte[] out = new byte[bytes];
        RANDOM.nextBytes(out);
        return out;
    }

    /** A locator and its credential. */
    record Keys(String locator, String credential) {
        String path() {
            return "/backup/v1/" + locator;
        }
    }

    /** A request to {@code path} with {@code keys}' credential. */
    HttpRequest.Builder request(String path, Keys keys) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .header(BackupRoutes.CREDENTIAL_HEADER, keys.credential());
    }

    /** PUTs {@code body} as an envelope, with {@code headers} (name, value, name, value, ...). */
    HttpResponse<byte[]> put(HttpClient client, Keys keys, byte[] body, String... headers) throws IOException {
        HttpRequest.Builder request = request(keys.path(), keys).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return bytes(client, request.build());
    }

    HttpResponse<byte[]> get(HttpClient client, Keys keys, String query) throws IOException {
        return bytes(client, request(keys.path() + query, keys).GET().build());
    }

    HttpResponse<byte[]> versions(HttpClient client, Keys keys) throws IOException {
        return bytes(client, request(keys.path() + "/versions", keys).GET().build());
    }

    HttpResponse<byte[]> delete(HttpClient client, Keys keys) throws IOException {
        return bytes(client, request(keys.path(), keys).DELETE().build());
    }

    static HttpResponse<byte[]> bytes(HttpClient client, HttpRequest request) throws IOException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static Map<String, Object> withGenerousRates(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put("ora.backup.rate-limit.per-second", 1000);
        config.put("ora.backup.rate-limit.burst", 1000);
        config.putAll(overrides);
        return config;
    }
}
