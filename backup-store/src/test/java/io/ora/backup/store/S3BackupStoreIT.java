package io.ora.backup.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import io.ora.backup.store.BackupStore.NotFound;
import io.ora.backup.store.BackupStore.Removed;
import io.ora.backup.store.BackupStore.Version;
import io.ora.backup.store.BackupStore.Versions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The contract on S3 through s3proxy, and the S3 layout: the folder, the manifest, the requests' headers.
 * {@link S3MotoBackupStoreIT} runs all of it again on moto, which decides races.
 */
class S3BackupStoreIT extends BackupStoreContract {

    @Override
    Backend newBackend() {
        return new S3Backend(TestS3::client);
    }

    S3Backend s3() {
        return (S3Backend) backend();
    }

    @Test
    void aBackupIsAManifestAndOneUniquelyNamedObjectPerKeptVersion() {
        BackupId id = newId();
        Credential owner = created(id);
        for (int i = 0; i < 3; i++) {
            store().replace(id, owner, OptionalLong.empty(), Fixtures.bytes(10));
        }

        List<String> names = s3().objects(id).map(o -> o.key().substring((S3Backend.PREFIX + id.hex() + "/")
                .length())).sorted().toList();
        assertThat(names).hasSize(4).contains("manifest");
        assertThat(names.stream().filter(n -> !n.equals("manifest")))
                .allMatch(n -> n.matches("v[234]-[0-9a-f]{32}"))
                .extracting(n -> n.substring(0, 2)).containsExactlyInAnyOrder("v2", "v3", "v4");

        Config manifest = ConfigFactory.parseString(new String(s3().client().getObjectAsBytes(b -> b
                .bucket(s3().bucket()).key(S3Backend.PREFIX + id.hex() + "/manifest")).asByteArray(),
                StandardCharsets.UTF_8), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
        assertThat(manifest.root().keySet()).containsExactlyInAnyOrder("verifier", "version", "kept");
        assertThat(manifest.getLong("version")).isEqualTo(4);
        assertThat(manifest.getConfigList("kept")).hasSize(3).allSatisfy(kept -> assertThat(kept.root().keySet())
                .containsExactlyInAnyOrder("version", "written", "object", "bytes"));
        assertThat(manifest.toString()).doesNotContain(id.hex());
    }

    @Test
    void everyWriteIsEncryptedUntaggedWithoutMetadataAndTheManifestWriteIsConditional() {
        RecordedRequests recorded = new RecordedRequests();
        BackupId id = newId();
        Credential owner = Fixtures.newCredential();
        try (S3Client client = s3().newClient(recorded);
             BackupStore store = new S3BackupStore(client, s3().bucket(), S3Backend.PREFIX, Clock.systemUTC())) {
            store.create(id, owner.verifier(), Fixtures.bytes(10));
            store.replace(id, owner, OptionalLong.of(1), Fixtures.bytes(10));
            store.delete(id, owner);
        }

        List<SdkHttpRequest> puts = recorded.requests("PUT");
        assertThat(puts).hasSize(4).allSatisfy(put -> {
            assertThat(put.firstMatchingHeader("x-amz-server-side-encryption")).contains("AES256");
            assertThat(put.headers().keySet()).noneMatch(h -> h.toLowerCase().startsWith("x-amz-meta-"))
                    .noneMatch(h -> h.equalsIgnoreCase("x-amz-tagging"));
        });
        List<SdkHttpRequest> envelopes = puts.stream().filter(p -> !p.encodedPath().endsWith("/manifest")).toList();
        List<SdkHttpRequest> manifests = puts.stream().filter(p -> p.encodedPath().endsWith("/manifest")).toList();
        assertThat(envelopes).hasSize(2).allSatisfy(put -> {
            assertThat(put.firstMatchingHeader("Content-Type")).contains("application/octet-stream");
            assertThat(put.firstMatchingHeader("If-Match")).isEmpty();
            assertThat(put.firstMatchingHeader("If-None-Match")).isEmpty();
        });
        assertThat(manifests.get(0).firstMatchingHeader("If-None-Match")).contains("*");
        assertThat(manifests.get(1).firstMatchingHeader("If-Match")).hasValueSatisfying(etag -> assertThat(etag)
                .isNotBlank());
        List<SdkHttpRequest> manifestDeletes = recorded.requests("DELETE").stream()
                .filter(d -> d.encodedPath().endsWith("/manifest")).toList();
        assertThat(manifestDeletes).singleElement()
                .satisfies(d -> assertThat(d.firstMatchingHeader("If-Match")).isPresent());
    }

    @Test
    void aDeleteInterruptedAfterTheEnvelopesIsFinishedByTheNextDelete() {
        BackupId id = newId();
        Credential owner = created(id);
        s3().objects(id).filter(o -> !o.key().endsWith("/manifest"))
                .forEach(o -> s3().client().deleteObject(b -> b.bucket(s3().bucket()).key(o.key())));

        assertThat(store().read(id, owner, OptionalLong.empty())).isEqualTo(new NotFound());
        assertThat(store().versions(id, owner)).isEqualTo(new Versions(List.of(new Version(1,
                LocalDate.of(2026, 12, 3), 100))));
        assertThat(store().delete(id, owner)).isEqualTo(new Removed());
        assertThat(backend().holdsNothing(id)).isTrue();
    }

    @Test
    void expiryRemovesWhatACrashedCreateLeftOnceS3sOwnDateIsPastTheCutoff() {
        BackupId id = newId();
        String orphan = S3Backend.PREFIX + id.hex() + "/v1-" + "0".repeat(32);
        s3().client().putObject(b -> b.bucket(s3().bucket()).key(orphan), RequestBody.fromBytes(Fixtures.bytes(5)));
        LocalDate today = LocalDate.now(Clock.systemUTC());

        assertThat(store().expire(today)).isZero();
        assertThat(backend().holdsNothing(id)).isFalse();

        assertThat(store().expire(today.plusDays(1))).isZero();
        assertThat(backend().holdsNothing(id)).isTrue();
    }

    /** The HTTP requests a client sent, as they went on the wire. */
    private static final class RecordedRequests implements ExecutionInterceptor {

        private final List<SdkHttpRequest> requests = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            requests.add(context.httpRequest());
        }

        List<SdkHttpRequest> requests(String method) {
            synchronized (requests) {
                return requests.stream().filter(r -> r.method().name().equals(method)).toList();
            }
        }
    }
}
