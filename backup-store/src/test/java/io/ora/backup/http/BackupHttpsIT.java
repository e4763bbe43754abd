package io.ora.backup.http;

import static io.ora.backup.http.TestBackupHttps.envelope;
import static io.ora.backup.http.TestBackupHttps.newKeys;
import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.backup.BackupEnvelope;
import io.ora.device.https.TestDeviceHttps;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract of docs/backup.md, "HTTPS endpoints", over real mutual TLS and the real PostgreSQL store: every
 * success, every refusal, and that a refusal stores nothing. Each test uses locators of its own.
 */
class BackupHttpsIT {

    private static final int MAX_BYTES = 65_536;

    @RegisterExtension
    static final TestBackupHttps BACKUP = new TestBackupHttps(Map.of("ora.backup.max-bytes", MAX_BYTES));

    private HttpClient hub;

    @BeforeEach
    void aHub() {
        hub = BACKUP.client(BACKUP.hub());
    }

    @Test
    void theFirstWriteCreatesVersionOneAndReadsBackByteExact() throws IOException {
        TestBackupHttps.Keys keys = newKeys();
        byte[] sealed = envelope(4096);

        HttpResponse<byte[]> created = BACKUP.put(hub, keys, sealed);
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(text(created)).isEqualTo("{\"version\":1}");

        HttpResponse<byte[]> read = BACKUP.get(hub, keys, "");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(sealed);
        assertThat(read.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(read.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(read.headers().firstValue("Cache-Control")).hasValue("no-store");

        // A different hub's certificate reads it just as well: nothing ties a backup to the hub that wrote it.
        HttpResponse<byte[]> elsewhere = BACKUP.get(BACKUP.client(BACKUP.hub()), keys, "");
        assertThat(elsewhere.body()).isEqualTo(sealed);
    }

    @Test
    void createOnATakenLocatorIs412BackupExistsWhateverTheCredential() throws IOException {
        TestBackupHttps.Keys keys = newKeys();
        assertThat(BACKUP.put(hub, keys, envelope(64)).statusCode()).isEqualTo(201);

        HttpResponse<byte[]> again = BACKUP.put(hub, keys, envelope(64));
        HttpResponse<byte[]> explicit = BACKUP.put(hub, keys, envelope(64), "If-None-Match", "*");
        HttpResponse<byte[]> stranger = BACKUP.put(hub, new TestBackupHttps.Keys(keys.locator(),
                newKeys().credential()), envelope(64));
        for (HttpResponse<byte[]> refused : List.of(again, explicit, stranger)) {
            assertThat(refused.statusCode()).isEqualTo(412);
            assertThat(text(refused)).contains("https://ora.io/problems/backup-exists");
        }
        assertThat(BACKUP.get(hub, keys, "").headers().firstValue("ETag")).hasValue("\"1\"");
    }

    @Test
    void replacingNeedsTheNewestVersionAndAStaleOneIs412WithTheNewestETag() throws IOException {
        TestBackupHttps.Keys keys = newKeys();
        BACKUP.put(hub, keys, envelope(64));
        byte[] second = envelope(100);

        HttpResponse<byte[]> replaced = BACKUP.put(hub, keys, second, "If-Match", "\"1\"");
        assertThat(replaced.statusCode()).isEqualTo(200);
        assertThat(replaced.headers().firstValue("ETag")).hasValue("\"2\"");
        assertThat(text(replaced)).isEqualTo("{\"version\":2}");

        HttpResponse<byte[]> stale = BACKUP.put(hub, keys, envelope(64), "If-Match", "\"1\"");
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThat(stale.headers().firstValue("ETag")).hasValue("\"2\"");
        assertThat(text(stale)).contains("https://ora.io/problems/version-conflict");
        assertThat(BACKUP.get(hub, keys, "").body()).isEqualTo(second);

        assertThat(BACKUP.metric("ora_device_https_requests_total", "status", "precondition_failed"))
                .isGreaterThanOrEqualTo(1);
        HttpResponse<byte[]> any = BACKUP.put(hub, keys, envelope(64), "If-Match", "*");
        assertThat(any.statusCode()).isEqualTo(200);
        assertThat(any.headers().firstValue("ETag")).hasValue("\"3\"");
    }

    @Test
    void theNewestThreeVersionsAreKeptListedAndReadable() throws IOException {
        TestBackupHttps.Keys keys = newKeys();
        byte[][] versions = new byte[5][];
        for (int v = 1; v <= 4; v++) {
            versions[v] = envelope(50 + v);
            String[] precondition = v == 1 ? new String[0] : new String[] {"If-Match", "\"" + (v - 1) + "\""};
            BACKUP.put(hub, keys, versions[v], precondition);
        }

        HttpResponse<byte[]> listed = BACKUP.versions(hub, keys);
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(text(listed)).matches("\\{\"versions\":\\[\\{\"version\":4,\"written\":\"\\d{4}-\\d{2}-\\d{2}\","
                + "\"bytes\":" + versions[4].length + "},\\{\"version\":3,.*\\},\\{\"version\":2,.*\\}]}");
        for (int v = 2; v <= 4; v++) {
            HttpResponse<byte[]> kept = BACKUP.get(hub, keys, "?version=" + v);
            assertThat(kept.statusCode()).isEqualTo(200);
            assertThat(kept.body()).isEqualTo(versions[v]);
            assertThat(kept.headers().firstValue("ETag")).hasValue("\"" + v + "\"");
        }
        assertThat(BACKUP.get(hub, keys, "?version=1").statusCode()).isEqualTo(404);
        assertThat(BACKUP.get(hub, keys, "?version=5").statusCode()).isEqualTo(404);
    }

    @Test
    void aRollbackIsAReadOfAKeptVersionWrittenAsTheNewest() throws IOException {
        TestBackupHttps.Keys keys = newKeys();
        byte[] good = envelope(80);
        BACKUP.put(hub, keys, good);
        BACKUP.put(hub, keys, envelope(80), "If-Match", "\"1\"");

        byte[] kept = BACKUP.get(hub, keys, "?version=1").body();
        assertThat(BACKUP.put(hub, keys, kept, "If-Match", "\"2\"").statusCode()).isEqualTo(200);

        HttpResponse<byte[]> newest = BACKUP.get(hub, keys, "");
        assertThat(newest.body()).isEqualTo(good);
        assertThat(newest.headers().firstValue("ETag")).hasValue("\"3\"");
    }

    @Test
    void aWrongCredentialAndAnUnknownLocatorGetTheSameAnswerEverywhere() throws IOException {
        TestBackupHttps.Keys keys = newKeys();
        BACKUP.put(hub, keys, envelope(64));
        TestBackupHttps.Keys wrongCredential = new TestBackupHttps.Keys(keys.locator(), newKeys().credential());
        TestBackupHttps.Keys unknown = newKeys();

        for (TestBackupHttps.Keys asking : List.of(wrongCredential, unknown)) {
            List<HttpResponse<byte[]>> answers = List.of(BACKUP.get(hub, asking, ""),
                    BACKUP.get(hub, asking, "?version=1"), BACKUP.versions(hub, asking),
                    BACKUP.put(hub, asking, envelope(64), "If-Match", "\"1\""),
                    BACKUP.put(hub, asking, envelope(64), "If-Match", "*"), BACKUP.delete(hub, asking));
            for (HttpResponse<byte[]> answer : answers) {
                assertThat(answer.statusCode()).isEqualTo(404);
                assertThat(answer.headers().firstValue("ETag")).isEmpty();
                assertThat(text(answer)).isEqualTo("{\"type\":\"https://ora.io/problems/backup-not-found\",\"title\":"
                        + "\"Backup not found\",\"status\":404,\"detail\":\"no backup with this locator and"
                        + " credential\"}");
            }
        }
        assertThat(BACKUP.get(hub, keys, "").headers().firstValue("ETag")).hasValue("\"1\"");
    }

    @Test
    void deleteRemovesTheBackupAndEveryVersion() throws IOException {
        TestBackupHttps.Keys keys = newKeys();
        BACKUP.put(hub, keys, envelope(64));
        BACKUP.put(hub, keys, envelope(64), "If-Match", "\"1\"");

        HttpResponse<byte[]> deleted = BACKUP.delete(hub, keys);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(BACKUP.get(hub, keys, "").statusCode()).isEqualTo(404);
        assertThat(BACKUP.get(hub, keys, "?version=1").statusCode()).isEqualTo(404);
        assertThat(BACKUP.delete(hub, keys).statusCode()).isEqualTo(404);
        // The locator is free again: a new first write creates version 1.
        assertThat(BACKUP.put(hub, keys, envelope(64)).headers().firstValue("ETag")).hasValue("\"1\"");
    }

    @Test
    void twoWritersOfOneVersionOneWinsTheOther412() throws Exception {
        TestBackupHttps.Keys keys = newKeys();
        BACKUP.put(hub, keys, envelope(64));
        HttpClient other = BACKUP.client(BACKUP.hub());
        for (int round = 1; round <= 10; round++) {
            String tag = "\"" + round + "\"";
            HttpRequest first = write(keys, envelope(200), tag);
            HttpRequest second = write(keys, envelope(200), tag);
            CompletableFuture<HttpResponse<byte[]>> a = hub.sendAsync(first, HttpResponse.BodyHandlers.ofByteArray());
            CompletableFuture<HttpResponse<byte[]>> b = other.sendAsync(second,
                    HttpResponse.BodyHandlers.ofByteArray());
            List<Integer> statuses = List.of(a.get().statusCode(), b.get().statusCode());
            assertThat(statuses).containsExactlyInAnyOrder(200, 412);
        }
        assertThat(BACKUP.get(hub, keys, "").headers().firstValue("ETag")).hasValue("\"11\"");
    }

    @Test
    void malformedLocatorsCredentialsAndPreconditionsAre400AndStoreNothing() throws IOException {
        TestBackupHttps.Keys keys = newKeys();
        List<HttpResponse<byte[]>> refused = List.of(
                BACKUP.put(hub, new TestBackupHttps.Keys("short", keys.credential()), envelope(64)),
                BACKUP.put(hub, new TestBackupHttps.Keys(keys.locator().substring(1) + "=", keys.credential()),
                        envelope(64)),
                BACKUP.put(hub, new TestBackupHttps.Keys(keys.locator(), "not-a-credential"), envelope(64)),
                TestBackupHttps.bytes(hub, HttpRequest.newBuilder(BACKUP.uri(keys.path()))
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(envelope(64))).build()),
                BACKUP.put(hub, keys, envelope(64), "If-Match", "1"),
                BACKUP.put(hub, keys, envelope(64), "If-Match", "W/\"1\""),
                BACKUP.put(hub, keys, envelope(64), "If-Match", "\"0\""),
                BACKUP.put(hub, keys, envelope(64), "If-Match", "\"1\", \"2\""),
                BACKUP.put(hub, keys, envelope(64), "If-None-Match", "\"1\""),
                BACKUP.put(hub, keys, envelope(64), "If-Match", "*", "If-None-Match", "*"),
                BACKUP.get(hub, keys, "?version=abc"),
                BACKUP.get(hub, keys, "?version=0"));
        for (int i = 0; i < refused.size(); i++) {
            HttpResponse<byte[]> answer = refused.get(i);
            assertThat(answer.statusCode()).as("request %d", i).isEqualTo(400);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(text(answer)).contains("https://ora.io/problems/invalid-request")
                    .doesNotContain(keys.locator()).doesNotContain(keys.credential());
        }
        assertThat(BACKUP.get(hub, keys, "").statusCode()).isEqualTo(404);
    }

    @Test
    void everyEnvelopeDefectIs422NamingItAndStoresNothing() throws IOException {
        byte[] good = envelope(64);
        Map<BackupEnvelope.Defect, byte[]> bad = Map.of(
                BackupEnvelope.Defect.TRUNCATED, Arrays.copyOf(good, good.length - 1),
                BackupEnvelope.Defect.NOT_AN_ENVELOPE, changed(good, 0, 'X'),
                BackupEnvelope.Defect.UNKNOWN_VERSION, changed(good, 6, 2),
                BackupEnvelope.Defect.UNKNOWN_KDF, changed(good, 7, 9),
                BackupEnvelope.Defect.UNKNOWN_AEAD, changed(good, 31, 9),
                BackupEnvelope.Defect.LENGTH_MISMATCH, lengthSaid(good, 63));
        for (Map.Entry<BackupEnvelope.Defect, byte[]> defect : bad.entrySet()) {
            TestBackupHttps.Keys keys = newKeys();
            HttpResponse<byte[]> refused = BACKUP.put(hub, keys, defect.getValue());
            assertThat(refused.statusCode()).as(defect.getKey().name()).isEqualTo(422);
            assertThat(text(refused)).contains("https://ora.io/problems/invalid-envelope")
                    .contains(defect.getKey().message());
            assertThat(BACKUP.get(hub, keys, "").statusCode()).isEqualTo(404);
        }
        // An empty body is no envelope either.
        TestBackupHttps.Keys keys = newKeys();
        assertThat(BACKUP.put(hub, keys, new byte[0]).statusCode()).isEqualTo(422);
        // Nor does a refused replace change what is stored.
        BACKUP.put(hub, keys, good);
        assertThat(BACKUP.put(hub, keys, changed(good, 0, 'X'), "If-Match", "\"1\"").statusCode()).isEqualTo(422);
        assertThat(BACKUP.get(hub, keys, "").body()).isEqualTo(good);
    }

    @Test
    void aBodyOverTheCapIs413AndTheWrongContentType415() throws IOException {
        TestBackupHttps.Keys keys = newKeys();
        HttpResponse<byte[]> large = BACKUP.put(hub, keys,
                envelope(MAX_BYTES - BackupEnvelope.HEADER_BYTES + 1));
        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(BACKUP.put(hub, keys, envelope(MAX_BYTES - BackupEnvelope.HEADER_BYTES)).statusCode())
                .isEqualTo(201);

        HttpResponse<byte[]> text = TestBackupHttps.bytes(hub, BACKUP.request(newKeys().path(), keys)
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofByteArray(envelope(64)))
                .build());
        assertThat(text.statusCode()).isEqualTo(415);
    }

    @Test
    void onlyAHubsCertificateMayUseBackups() throws IOException {
        HttpClient app = BACKUP.client(BACKUP.app());
        TestBackupHttps.Keys keys = newKeys();
        HttpResponse<byte[]> refused = BACKUP.put(app, keys, envelope(64));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(text(refused)).contains("https://ora.io/problems/hub-certificate-required");
        assertThat(BACKUP.get(app, keys, "").statusCode()).isEqualTo(403);
        assertThat(BACKUP.get(hub, keys, "").statusCode()).isEqualTo(404);
    }

    @Test
    void otherMethodsAndPathsAreTheListenersAnswers() throws IOException {
        TestBackupHttps.Keys keys = newKeys();
        HttpResponse<byte[]> post = TestBackupHttps.bytes(hub, BACKUP.request(keys.path(), keys)
                .POST(HttpRequest.BodyPublishers.ofByteArray(envelope(64))).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().allValues("Allow").toString()).contains("PUT").contains("GET").contains("DELETE");
        HttpResponse<byte[]> deeper = BACKUP.get(hub, new TestBackupHttps.Keys(keys.locator() + "/other",
                keys.credential()), "");
        assertThat(deeper.statusCode()).isEqualTo(404);
    }

    /** How a hub's developer would try it by hand: curl, with the files the pki CLI writes, creates and reads back. */
    @Test
    void curlCreatesAndReadsBackWithTheHubsCertificateFiles() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        Assumptions.assumeTrue(Files.isExecutable(curl), "curl is not installed (apt-get install curl)");
        TestDeviceHttps.Peer peer = BACKUP.hub();
        TestBackupHttps.Keys keys = newKeys();
        byte[] sealed = envelope(1000);
        Path upload = Files.write(peer.dir().resolve("backup.bin"), sealed);
        Path download = peer.dir().resolve("restored.bin");

        String created = curl(curl, peer, keys, "--upload-file", upload.toString(), "--header",
                "Content-Type: application/octet-stream", "--header", "If-None-Match: *");
        String read = curl(curl, peer, keys, "--output", download.toString());

        assertThat(created).isEqualTo("{\"version\":1}\n201");
        assertThat(read).isEqualTo("\n200");
        assertThat(Files.readAllBytes(download)).isEqualTo(sealed);
    }

    private static String curl(Path curl, TestDeviceHttps.Peer peer, TestBackupHttps.Keys keys, String... more)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(curl.toString(), "--silent", "--show-error",
                "--max-time", "30", "--cert", peer.dir().resolve("client.crt").toString(),
                "--key", peer.dir().resolve("client.key").toString(),
                "--cacert", peer.dir().resolve("ca.crt").toString(),
                "--header", BackupRoutes.CREDENTIAL_HEADER + ": " + keys.credential(),
                "--write-out", "\n%{http_code}"));
        command.addAll(List.of(more));
        command.add(BACKUP.uri(keys.path()).toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private HttpRequest write(TestBackupHttps.Keys keys, byte[] body, String ifMatch) {
        return BACKUP.request(keys.path(), keys).header("Content-Type", "application/octet-stream")
                .header("If-Match", ifMatch).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static byte[] changed(byte[] bytes, int at, int value) {
        byte[] copy = bytes.clone();
        copy[at] = (byte) value;
        return copy;
    }

    private static byte[] lengthSaid(byte[] bytes, int length) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).putInt(56, length);
        return copy;
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
