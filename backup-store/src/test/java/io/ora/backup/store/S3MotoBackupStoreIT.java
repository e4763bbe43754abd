package io.ora.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Everything {@link S3BackupStoreIT} runs, again on moto ({@link TestMoto}), which decides conditional writes as
 * S3 does: here the three race tests run. Also pins what moto does that the store relies on, so a moto upgrade that
 * stops honouring a condition fails here rather than quietly skipping the races.
 */
class S3MotoBackupStoreIT extends S3BackupStoreIT {

    @Override
    Backend newBackend() {
        Assumptions.assumeTrue(TestMoto.unavailable().isEmpty(),
                () -> "moto's S3 is not available: " + TestMoto.unavailable().orElseThrow());
        return new S3Backend(TestMoto::client);
    }

    @Test
    void motoRefusesConditionalPutsAndDeletesWith412AsS3Does() {
        assertThat(backend().decidesRaces()).as("If-None-Match: * and a stale If-Match on PutObject are 412")
                .isTrue();
        String key = "probe/" + Fixtures.newId().hex();
        String etag = s3().client().putObject(b -> b.bucket(s3().bucket()).key(key), RequestBody.fromString("first"))
                .eTag();
        s3().client().putObject(b -> b.bucket(s3().bucket()).key(key), RequestBody.fromString("second"));

        assertThatThrownBy(() -> s3().client().deleteObject(b -> b.bucket(s3().bucket()).key(key).ifMatch(etag)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
        // If-Match naming a key that is gone: 404, which the store reads as a lost race too.
        s3().client().deleteObject(b -> b.bucket(s3().bucket()).key(key));
        assertThatThrownBy(() -> s3().client().putObject(b -> b.bucket(s3().bucket()).key(key).ifMatch(etag),
                RequestBody.fromString("third")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    void everyObjectIsStoredWithSseS3AndTheSdksDefaultChecksum() {
        BackupId id = newId();
        Credential owner = created(id);
        store().replace(id, owner, OptionalLong.empty(), Fixtures.bytes(10));

        assertThat(s3().objects(id)).hasSize(3).allSatisfy(object -> {
            HeadObjectResponse head = s3().client().headObject(b -> b.bucket(s3().bucket()).key(object.key())
                    .checksumMode(ChecksumMode.ENABLED));
            assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
            // The client sends CRC32 as a trailing checksum (request-checksums = when-supported); moto read it.
            assertThat(head.checksumCRC32()).isNotBlank();
        });
    }
}
