package io.ora.hubkit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.backup.BackupClient.Precondition;
import io.ora.hubkit.backup.TestBackupServer.Canned;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real HTTPS server of the wire contract ({@link TestBackupServer}: TLS 1.3, client certificate
 * required, PKI generated per test): each documented status onto its outcome, and bounded reads.
 */
class BackupClientIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static BackupKeys keys;
    private static BackupKeys otherKeys;
    private static byte[] envelope;

    @TempDir
    Path dir;
    private TestBackupServer server;
    private BackupClient client;

    @BeforeAll
    static void derive() {
        // Two Argon2id derivations for the class: the slow part. Each test has a server of its own instead.
        keys = BackupKeys.derive(RecoveryKey.generate(RANDOM));
        otherKeys = BackupKeys.derive(RecoveryKey.generate(RANDOM));
        envelope = BackupSeal.seal(keys, "{}".getBytes(StandardCharsets.UTF_8), RANDOM).bytes();
    }

    @BeforeEach
    void start() throws IOException {
        server = TestBackupServer.start(dir, 4096);
        client = client(BackupClient.DEFAULT_MAX_ENVELOPE_BYTES);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void createReplaceAndConflictFollowTheVersions() throws IOException {
        assertThat(client.upload(keys, envelope, new Precondition.Create())).isEqualTo(new BackupClient.Stored(1));
        assertThat(client.upload(keys, envelope, new Precondition.Create())).isEqualTo(new BackupClient.Exists());
        assertThat(client.upload(keys, envelope, new Precondition.Replace(1))).isEqualTo(new BackupClient.Stored(2));
        assertThat(client.upload(keys, envelope, new Precondition.Replace(1)))
                .isEqualTo(new BackupClient.Conflict(2));
        assertThat(client.upload(keys, envelope, new Precondition.ReplaceNewest()))
                .isEqualTo(new BackupClient.Stored(3));
        assertThat(client.upload(keys, envelope, new Precondition.ReplaceNewest()))
                .isEqualTo(new BackupClient.Stored(4));

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        long bytes = envelope.length;
        assertThat(client.versions(keys)).isEqualTo(new BackupClient.Versions(List.of(
                new BackupClient.Version(4, today, bytes), new BackupClient.Version(3, today, bytes),
                new BackupClient.Version(2, today, bytes))));
        assertThat(server.seen()).extracting(TestBackupServer.Seen::ifNoneMatch)
                .startsWith(Optional.of("*"), Optional.of("*"), Optional.empty());
        assertThat(server.seen().get(3).ifMatch()).contains("\"1\"");
    }

    @Test
    void downloadsTheNewestOrAKeptVersion() throws IOException {
        byte[] second = BackupSeal.seal(keys, "{\"v\":2}".getBytes(StandardCharsets.UTF_8), RANDOM).bytes();
        client.upload(keys, envelope, new Precondition.Create());
        client.upload(keys, second, new Precondition.Replace(1));

        BackupClient.Fetched newest = (BackupClient.Fetched) client.download(keys, OptionalLong.empty());
        assertThat(newest.version()).isEqualTo(2);
        assertThat(newest.envelope()).isEqualTo(second);
        BackupClient.Fetched first = (BackupClient.Fetched) client.download(keys, OptionalLong.of(1));
        assertThat(first.envelope()).isEqualTo(envelope);
        assertThat(client.download(keys, OptionalLong.of(3))).isEqualTo(new BackupClient.NotFound());
    }

    @Test
    void aWrongCredentialAndAnUnknownLocatorAreTheSameNotFound() throws IOException {
        client.upload(keys, envelope, new Precondition.Create());

        assertThat(client.download(otherKeys, OptionalLong.empty())).isEqualTo(new BackupClient.NotFound());
        assertThat(client.versions(otherKeys)).isEqualTo(new BackupClient.NotFound());
        assertThat(client.delete(otherKeys)).isEqualTo(new BackupClient.NotFound());
        assertThat(client.upload(otherKeys, envelope, new Precondition.ReplaceNewest()))
                .isEqualTo(new BackupClient.NotFound());
    }

    @Test
    void deleteRemovesEveryVersion() throws IOException {
        client.upload(keys, envelope, new Precondition.Create());
        client.upload(keys, envelope, new Precondition.ReplaceNewest());

        assertThat(client.delete(keys)).isEqualTo(new BackupClient.Deleted());
        assertThat(client.download(keys, OptionalLong.of(1))).isEqualTo(new BackupClient.NotFound());
        assertThat(client.delete(keys)).isEqualTo(new BackupClient.NotFound());
        assertThat(server.locators()).isEmpty();
    }

    @Test
    void refusalsOfTheBodyKeepTheirStatusTypeAndDetail() throws IOException {
        assertThat(client.upload(keys, new byte[5000], new Precondition.Create()))
                .isEqualTo(new BackupClient.Refused(413, "about:blank", Optional.of("the body is too large")));
        assertThat(client.upload(keys, new byte[100], new Precondition.Create())).isEqualTo(new BackupClient.Refused(
                422, "https://ora.io/problems/invalid-envelope", Optional.of("the bytes do not start with the"
                + " backup envelope's magic")));
        server.answerNext("PUT", Canned.problem(403, "https://ora.io/problems/hub-certificate-required",
                "an app", Map.of()));
        assertThat(client.upload(keys, envelope, new Precondition.Create())).isInstanceOfSatisfying(
                BackupClient.Refused.class, refused -> assertThat(refused.problemType())
                        .isEqualTo("https://ora.io/problems/hub-certificate-required"));
        assertThat(server.locators()).isEmpty();
    }

    @Test
    void rateLimitsAndOutagesAreUnavailableWithTheirRetryAfter() throws IOException {
        Instant now = Instant.parse("2026-12-03T10:00:00Z");
        BackupClient clocked = new BackupClient(credentials().sslContext(), server.uri(), Duration.ofSeconds(5),
                Duration.ofSeconds(10), BackupClient.DEFAULT_MAX_ENVELOPE_BYTES, Clock.fixed(now, ZoneOffset.UTC));
        server.answerNext("PUT", Canned.problem(429, "https://ora.io/problems/rate-limited", "slow down",
                Map.of("Retry-After", "7")));
        server.answerNext("GET", Canned.problem(503, "https://ora.io/problems/backup-unavailable", "later",
                Map.of("Retry-After", "Thu, 03 Dec 2026 10:01:30 GMT")));
        server.answerNext("DELETE", Canned.problem(503, "https://ora.io/problems/backup-unavailable", "later",
                Map.of()));

        assertThat(clocked.upload(keys, envelope, new Precondition.Create()))
                .isEqualTo(new BackupClient.Unavailable(429, Optional.of(Duration.ofSeconds(7))));
        assertThat(clocked.download(keys, OptionalLong.empty()))
                .isEqualTo(new BackupClient.Unavailable(503, Optional.of(Duration.ofSeconds(90))));
        assertThat(clocked.delete(keys)).isEqualTo(new BackupClient.Unavailable(503, Optional.empty()));
    }

    @Test
    void theListenersOwn404IsNotNoBackup() throws IOException {
        server.answerNext("GET", Canned.problem(404, "about:blank", "no endpoint has this path", Map.of()));
        server.answerNext("GET", new Canned(404, Map.of("Content-Type", "text/plain"), new byte[0], false));

        assertThat(client.download(keys, OptionalLong.empty()))
                .isEqualTo(new BackupClient.Refused(404, "about:blank", Optional.of("no endpoint has this path")));
        assertThat(client.download(keys, OptionalLong.empty()))
                .isEqualTo(new BackupClient.Refused(404, "about:blank", Optional.empty()));
    }

    @Test
    void aDownloadOverTheCapIsRefusedWhetherItsLengthIsDeclaredOrNot() throws IOException {
        BackupClient capped = client(4096);
        byte[] large = new byte[2 * 1024 * 1024];
        server.answerNext("GET", Canned.envelope(1, large, false));
        server.answerNext("GET", Canned.envelope(1, large, true));
        server.answerNext("GET", Canned.envelope(1, new byte[4096], true));

        assertThat(capped.download(keys, OptionalLong.empty())).isEqualTo(new BackupClient.TooLarge(4096));
        assertThat(capped.download(keys, OptionalLong.empty())).isEqualTo(new BackupClient.TooLarge(4096));
        assertThat(capped.download(keys, OptionalLong.empty())).isInstanceOf(BackupClient.Fetched.class);
    }

    @Test
    void anAnswerOutsideTheProtocolIsAnIoFailure() {
        server.answerNext("PUT", new Canned(201, Map.of(), new byte[0], false));
        server.answerNext("GET", new Canned(200, Map.of("Content-Type", "application/json"),
                "{\"versions\":[{\"version\":\"x\"}]}".getBytes(StandardCharsets.UTF_8), false));

        assertThatThrownBy(() -> client.upload(keys, envelope, new Precondition.Create()))
                .isInstanceOf(IOException.class).hasMessageContaining("names no version");
        assertThatThrownBy(() -> client.versions(keys)).isInstanceOf(IOException.class);
    }

    @Test
    void neitherTheLocatorNorTheCredentialAppearsInFailures() throws IOException {
        server.answerNext("GET", Canned.problem(400, "https://ora.io/problems/invalid-request",
                "bad locator " + keys.locatorText() + " with " + keys.writeCredentialText(), Map.of()));
        BackupClient.Refused refused = (BackupClient.Refused) client.download(keys, OptionalLong.empty());
        assertThat(refused.detail().orElseThrow()).doesNotContain(keys.locatorText())
                .doesNotContain(keys.writeCredentialText());

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        BackupClient nowhere = new BackupClient(credentials().sslContext(),
                URI.create("https://127.0.0.1:" + closedPort), Duration.ofSeconds(2), Duration.ofSeconds(2), 4096);
        assertThatThrownBy(() -> nowhere.download(keys, OptionalLong.empty())).isInstanceOf(IOException.class)
                .satisfies(failure -> assertThat(String.valueOf(failure.getMessage()))
                        .doesNotContain(keys.locatorText()).doesNotContain(keys.writeCredentialText()))
                .hasNoCause();
        assertThat(keys.toString()).doesNotContain(keys.locatorText());
    }

    @Test
    void onlyHttpsIsAccepted() {
        assertThatThrownBy(() -> new BackupClient(credentials().sslContext(), URI.create("http://127.0.0.1:8443"),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 4096)).isInstanceOf(IllegalArgumentException.class);
    }

    private BackupClient client(long cap) throws IOException {
        return new BackupClient(credentials().sslContext(), server.uri(), Duration.ofSeconds(5),
                Duration.ofSeconds(10), cap);
    }

    private PeerCredentials credentials() {
        try {
            return PeerCredentials.load(server.hubDir());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
