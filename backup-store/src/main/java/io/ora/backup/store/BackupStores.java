package io.ora.backup.store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.time.Clock;
import javax.sql.DataSource;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Builds the {@link BackupStore} that {@code ora.backup.store} configures (backup-store's reference.conf):
 * {@code backend = postgres} on the node's database, or {@code backend = s3} on the bucket of
 * {@code ora.backup.store.s3}. A configuration that cannot work (an unknown backend, S3 without a bucket) fails
 * here, at start, with a message that names the key to set.
 */
public final class BackupStores {

    private BackupStores() {
    }

    /**
     * The configured store. {@code dataSource} is used by the PostgreSQL backend only and stays the caller's; an S3
     * store owns the client it builds (credentials from the AWS SDK's default chain) and closes it with itself.
     */
    public static BackupStore open(Config config, DataSource dataSource, Clock clock) {
        return open(config, dataSource, clock, DefaultCredentialsProvider.builder().build());
    }

    /** As {@link #open(Config, DataSource, Clock)}, with the S3 credentials given (tests use a local S3 API). */
    static BackupStore open(Config config, DataSource dataSource, Clock clock, AwsCredentialsProvider credentials) {
        Config store = config.getConfig("ora.backup.store");
        String backend = store.getString("backend");
        return switch (backend) {
            case "postgres" -> new PostgresBackupStore(dataSource, clock);
            case "s3" -> s3(store.getConfig("s3"), clock, credentials);
            default -> throw new ConfigException.BadValue(store.origin(), "ora.backup.store.backend",
                    "the backup store is \"postgres\" or \"s3\", not \"" + backend + "\" (ORA_BACKUP_STORE)");
        };
    }

    private static BackupStore s3(Config s3, Clock clock, AwsCredentialsProvider credentials) {
        String bucket = s3.getString("bucket");
        if (bucket.isBlank()) {
            throw new ConfigException.BadValue(s3.origin(), "ora.backup.store.s3.bucket",
                    "ora.backup.store.backend = s3 needs a bucket: set ora.backup.store.s3.bucket "
                            + "(ORA_BACKUP_S3_BUCKET)");
        }
        S3ClientBuilder client = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(credentials)
                .region(Region.of(s3.getString("region")))
                .forcePathStyle(s3.getBoolean("path-style"))
                .requestChecksumCalculation(checksums(s3))
                // HttpURLConnection answers an early refusal of "Expect: 100-continue" with an exception rather than
                // the response, which would hide a 412 from the conditional manifest write. Envelopes are small
                // enough (ora.backup.max-bytes) that sending the body before the answer costs little.
                .serviceConfiguration(S3Configuration.builder().expectContinueEnabled(false).build());
        String endpoint = s3.getString("endpoint");
        if (!endpoint.isBlank()) {
            client.endpointOverride(URI.create(endpoint));
        }
        return S3BackupStore.owning(client.build(), bucket, s3.getString("prefix"), clock);
    }

    private static RequestChecksumCalculation checksums(Config s3) {
        String checksums = s3.getString("request-checksums");
        return switch (checksums) {
            case "when-supported" -> RequestChecksumCalculation.WHEN_SUPPORTED;
            case "when-required" -> RequestChecksumCalculation.WHEN_REQUIRED;
            default -> throw new ConfigException.BadValue(s3.origin(), "ora.backup.store.s3.request-checksums",
                    "\"when-supported\" or \"when-required\", not \"" + checksums + "\"");
        };
    }
}
