package io.ora.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.ora.backup.store.BackupStore.Written;
import java.time.Clock;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** Building the configured store from {@code ora.backup.store}, and refusing a configuration that cannot work. */
class BackupStoresIT {

    private static final Clock CLOCK = Clock.systemUTC();

    @Test
    void theDefaultIsPostgres() {
        try (BackupStore store = BackupStores.open(config(Map.of()), null, CLOCK)) {
            assertThat(store).isInstanceOf(PostgresBackupStore.class);
        }
    }

    @Test
    void s3WithoutABucketFailsAtStartNamingTheKey() {
        assertThatThrownBy(() -> BackupStores.open(config(Map.of("ora.backup.store.backend", "s3")), null, CLOCK))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ora.backup.store.s3.bucket").hasMessageContaining("ORA_BACKUP_S3_BUCKET");
        assertThatThrownBy(() -> BackupStores.open(config(Map.of("ora.backup.store.backend", "s3",
                "ora.backup.store.s3.bucket", "  ")), null, CLOCK))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ora.backup.store.s3.bucket");
    }

    @Test
    void anUnknownBackendFailsAtStartNamingTheChoices() {
        assertThatThrownBy(() -> BackupStores.open(config(Map.of("ora.backup.store.backend", "dynamo")), null,
                CLOCK)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ora.backup.store.backend").hasMessageContaining("\"postgres\" or \"s3\"")
                .hasMessageContaining("dynamo");
    }

    @Test
    void anUnknownChecksumSettingFailsAtStart() {
        assertThatThrownBy(() -> BackupStores.open(config(Map.of("ora.backup.store.backend", "s3",
                "ora.backup.store.s3.bucket", "b", "ora.backup.store.s3.request-checksums", "always")), null, CLOCK))
                .isInstanceOf(ConfigException.class).hasMessageContaining("request-checksums");
    }

    @Test
    void s3WithAnEndpointAndPathStyleReachesThatEndpoint() {
        String bucket;
        try (S3Client admin = TestS3.client()) {
            bucket = TestS3.newBucket(admin);
        }
        Config config = config(Map.of("ora.backup.store.backend", "s3", "ora.backup.store.s3.bucket", bucket,
                "ora.backup.store.s3.region", "us-east-1", "ora.backup.store.s3.endpoint",
                TestS3.endpoint().toString(), "ora.backup.store.s3.path-style", true,
                "ora.backup.store.s3.request-checksums", "when-required", "ora.backup.store.s3.prefix", "elsewhere/"));
        BackupId id = Fixtures.newId();
        Credential owner = Fixtures.newCredential();
        try (BackupStore store = BackupStores.open(config, null, CLOCK, TestS3.CREDENTIALS)) {
            assertThat(store).isInstanceOf(S3BackupStore.class);
            assertThat(store.create(id, owner.verifier(), Fixtures.bytes(3))).isEqualTo(new Written(1));
            assertThat(store.read(id, owner, OptionalLong.empty())).isInstanceOf(BackupStore.Found.class);
            try (S3Client admin = TestS3.client()) {
                assertThat(admin.listObjectsV2(b -> b.bucket(bucket).prefix("elsewhere/" + id.hex() + "/"))
                        .contents()).extracting(o -> o.key()).contains("elsewhere/" + id.hex() + "/manifest");
                store.delete(id, owner);
                assertThat(admin.listObjectsV2(b -> b.bucket(bucket).prefix("elsewhere/")).contents()).isEmpty();
            }
        }
    }

    private static Config config(Map<String, Object> overrides) {
        return ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
    }
}
