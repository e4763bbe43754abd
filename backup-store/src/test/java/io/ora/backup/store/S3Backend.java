package io.ora.backup.store;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3 through a local S3 API (s3proxy, {@link TestS3}, or moto, {@link TestMoto}): a bucket of its own, under the
 * prefix reference.conf ships.
 */
final class S3Backend implements Backend {

    static final String PREFIX = "backup/v1/";

    private final Server server;
    private final S3Client s3;
    private final String bucket;
    private final boolean decidesRaces;

    /** A backend on the server whose clients {@code server} builds. */
    S3Backend(Server server) {
        this.server = server;
        this.s3 = server.client();
        this.bucket = TestS3.newBucket(s3);
        this.decidesRaces = probeIfNoneMatch(s3, bucket) && probeIfMatch(s3, bucket);
    }

    /** How a test gets clients on one local S3 API ({@code TestS3::client}, {@code TestMoto::client}). */
    @FunctionalInterface
    interface Server {
        S3Client client(ExecutionInterceptor... interceptors);
    }

    S3Client client() {
        return s3;
    }

    /** Another client on the same server, e.g. one that records its requests; the caller closes it. */
    S3Client newClient(ExecutionInterceptor... interceptors) {
        return server.client(interceptors);
    }

    String bucket() {
        return bucket;
    }

    @Override
    public BackupStore open(Clock clock) {
        return new S3BackupStore(s3, bucket, PREFIX, clock);
    }

    @Override
    public BackupStore unreachable(Clock clock) {
        S3Client nobody = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(TestS3.CREDENTIALS)
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:" + PostgresBackend.closedPort()))
                .forcePathStyle(true)
                .build();
        return S3BackupStore.owning(nobody, bucket, PREFIX, clock);
    }

    @Override
    public int storedEnvelopes(BackupId id) {
        return (int) objects(id).filter(o -> !o.key().endsWith("/manifest")).count();
    }

    /** One listing of the whole prefix (the bucket is this backend's), rather than one per id. */
    @Override
    public List<Integer> storedEnvelopes(List<BackupId> ids) {
        Map<String, Long> byFolder = s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(PREFIX)).contents()
                .stream().filter(o -> !o.key().endsWith("/manifest"))
                .collect(Collectors.groupingBy(o -> o.key().substring(0, o.key().lastIndexOf('/') + 1),
                        Collectors.counting()));
        return ids.stream().map(id -> byFolder.getOrDefault(PREFIX + id.hex() + "/", 0L).intValue()).toList();
    }

    @Override
    public boolean holdsNothing(BackupId id) {
        return objects(id).findAny().isEmpty();
    }

    @Override
    public boolean decidesRaces() {
        return decidesRaces;
    }

    @Override
    public void wipe(BackupId id) {
        objects(id).forEach(o -> s3.deleteObject(b -> b.bucket(bucket).key(o.key())));
    }

    @Override
    public void close() {
        s3.close();
    }

    /** Every object in the backup's folder. */
    java.util.stream.Stream<S3Object> objects(BackupId id) {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(PREFIX + id.hex() + "/")).contents().stream();
    }

    /** Whether the server refuses {@code If-None-Match: *} over an existing key, as S3 does. */
    static boolean probeIfNoneMatch(S3Client s3, String bucket) {
        String key = "probe/" + Fixtures.newId().hex();
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("first"));
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*"), RequestBody.fromString("second"));
            return false;
        } catch (S3Exception refused) {
            return refused.statusCode() == 412;
        } finally {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        }
    }

    /** Whether the server refuses {@code If-Match} naming an ETag the key does not have, as S3 does. */
    static boolean probeIfMatch(S3Client s3, String bucket) {
        String key = "probe/" + Fixtures.newId().hex();
        String etag = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("first")).eTag();
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("second"));
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).ifMatch(etag), RequestBody.fromString("third"));
            return false;
        } catch (S3Exception refused) {
            return refused.statusCode() == 412;
        } finally {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        }
    }
}
