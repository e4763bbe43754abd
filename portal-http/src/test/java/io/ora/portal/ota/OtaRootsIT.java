package io.ora.portal.ota;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.RootMetadata;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.persistence.TestDatabase;
import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the portal lets in, over real PostgreSQL: root metadata only as the next link of the chain from the configured
 * root key, a release key rotated by signed root metadata (releases signed by the old key refused from then on, by
 * the new one taken), a root key rotated only with both signatures, and releases refused when expired, when their
 * minimum version is not below their version, or when their image is larger than this deployment takes.
 */
class OtaRootsIT {

    private static final UUID OPERATOR = UUID.randomUUID();
    private static final KeyPair ROOT = FirmwareKeys.generate();

    @TempDir
    static Path dir;
    static HikariDataSource dataSource;
    static ExecutorService blocking;
    static Releases releases;

    @BeforeAll
    static void start() throws Exception {
        dataSource = TestDatabase.dataSource();
        blocking = Executors.newFixedThreadPool(2);
        OtaTables.reset(dataSource);
        releases = new Releases(new Db(dataSource, blocking), new OtaSettings(Optional.of(ROOT.getPublic()),
                URI.create("https://ota.test"), 1024 * 1024, 1024, 8, dir, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofDays(1)), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        blocking.shutdownNow();
    }

    @Test
    void theChainGrowsOneSignedVersionAtATimeAndRotatesTheReleaseKeyAndTheRootKey() {
        KeyPair firstRelease = FirmwareKeys.generate();
        assertThat(kind(() -> register(release("ora-hub-1", "1.0.1", firstRelease.getPrivate()))))
                .as("no root yet").isEqualTo("signature-invalid");
        assertThat(kind(() -> addRoot(root(2, ROOT, firstRelease), ROOT.getPrivate())))
                .as("not version 1").isEqualTo("root-invalid");
        KeyPair stranger = FirmwareKeys.generate();
        assertThat(kind(() -> addRoot(root(1, stranger, firstRelease), stranger.getPrivate())))
                .as("not signed by the configured root key").isEqualTo("root-invalid");

        addRoot(root(1, ROOT, firstRelease), ROOT.getPrivate());
        assertThat(kind(() -> addRoot(root(1, ROOT, firstRelease), ROOT.getPrivate()))).isEqualTo("conflict");
        register(release("ora-hub-1", "1.0.1", firstRelease.getPrivate()));

        // The release key rotates: version 2 names a new one; the old key's releases are refused from then on.
        KeyPair secondRelease = FirmwareKeys.generate();
        addRoot(root(2, ROOT, secondRelease), ROOT.getPrivate());
        assertThat(kind(() -> register(release("ora-hub-1", "1.0.2", firstRelease.getPrivate()))))
                .isEqualTo("signature-invalid");
        register(release("ora-hub-1", "1.0.2", secondRelease.getPrivate()));

        // The root key rotates: only with the old root key's signature and the new one's.
        KeyPair newRoot = FirmwareKeys.generate();
        assertThat(kind(() -> addRoot(root(3, newRoot, secondRelease), newRoot.getPrivate())))
                .as("the new root key alone").isEqualTo("root-invalid");
        assertThat(kind(() -> addRoot(root(3, newRoot, secondRelease), ROOT.getPrivate())))
                .as("the old root key alone").isEqualTo("root-invalid");
        addRoot(root(3, newRoot, secondRelease), ROOT.getPrivate(), newRoot.getPrivate());
        assertThat(kind(() -> addRoot(root(4, ROOT, secondRelease), ROOT.getPrivate())))
                .as("the old root key no longer signs the chain").isEqualTo("root-invalid");
        assertThat(releases.roots().toCompletableFuture().join()).extracting(Releases.Root::version)
                .containsExactly(3, 2, 1);
        register(release("ora-hub-1", "1.0.3", secondRelease.getPrivate()));

        assertThat(kind(() -> register(expired("ora-hub-1", "1.0.4", secondRelease.getPrivate()))))
                .isEqualTo("metadata-expired");
        assertThat(kind(() -> register(envelope(new ReleaseMetadata("ora-hub-1", v("1.0.5"), v("1.0.5"), 10,
                new byte[32], "", Instant.now().plus(Duration.ofDays(1))), secondRelease.getPrivate()))))
                .as("minVersion not below version").isEqualTo("invalid-metadata");
        assertThat(kind(() -> register(envelope(new ReleaseMetadata("ora-hub-1", v("1.0.6"), v("0.0.0"),
                1024 * 1024 + 1, new byte[32], "", Instant.now().plus(Duration.ofDays(1))),
                secondRelease.getPrivate())))).isEqualTo("artifact-too-large");
        assertThat(kind(() -> register(release("ora-hub-1", "1.0.3", secondRelease.getPrivate()))))
                .as("the same model and version again").isEqualTo("conflict");
        assertThat(kind(() -> register("{\"payloadType\":1}".getBytes()))).isEqualTo("invalid-metadata");
    }

    private static void addRoot(byte[] metadata, PrivateKey... keys) {
        releases.addRoot(OPERATOR, SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE, metadata, List.of(keys)).toJson())
                .toCompletableFuture().join();
    }

    private static void register(byte[] envelope) {
        releases.register(OPERATOR, envelope).toCompletableFuture().join();
    }

    private static byte[] root(int version, KeyPair root, KeyPair release) {
        return new RootMetadata(version, Instant.now().plus(Duration.ofDays(365)), List.of(root.getPublic()),
                List.of(release.getPublic())).toJson();
    }

    private static byte[] release(String model, String version, PrivateKey key) {
        return envelope(new ReleaseMetadata(model, v(version), v("0.0.0"), 10, new byte[32], "",
                Instant.now().plus(Duration.ofDays(30))), key);
    }

    private static byte[] expired(String model, String version, PrivateKey key) {
        return envelope(new ReleaseMetadata(model, v(version), v("0.0.0"), 10, new byte[32], "",
                Instant.now().minusSeconds(1)), key);
    }

    private static byte[] envelope(ReleaseMetadata metadata, PrivateKey key) {
        return SignedEnvelope.sign(SignedEnvelope.RELEASE_TYPE, metadata.toJson(), List.of(key)).toJson();
    }

    private static FirmwareVersion v(String text) {
        return FirmwareVersion.parse(text).orElseThrow();
    }

    /** The kind of the refusal {@code call} ends in: an unacceptable input's kind, or "conflict". */
    private static String kind(Runnable call) {
        try {
            call.run();
        } catch (Refused refused) {
            return name(refused.refusal());
        } catch (CompletionException e) {
            if (e.getCause() instanceof Refused refused) {
                return name(refused.refusal());
            }
            throw e;
        }
        throw new AssertionError("not refused");
    }

    private static String name(Refusal refusal) {
        if (refusal instanceof Refusal.Unacceptable unacceptable) {
            return unacceptable.kind();
        }
        return refusal instanceof Refusal.Conflict ? "conflict" : refusal.toString();
    }

}
