package io.ora.backup.store;

import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * The S3 API most S3 tests in this JVM use: s3proxy 2.6.0 in-process on 127.0.0.1 and a free port, over jclouds'
 * in-memory ("transient") provider, stopped when the JVM exits. It checks AWS V4 signatures, so a client that signs
 * wrongly fails here as it would on S3. The identity and credential are the fixed test values of this local server,
 * not secrets.
 *
 * <p>What s3proxy 2.6.0 does not do as S3 does: it ignores {@code If-None-Match} and {@code If-Match} on PutObject
 * ({@link S3ProxyConditionalWritesIT}), it does not encrypt (the SSE header is accepted and ignored), and it does
 * not read the SDK's default trailing checksums. {@link TestMoto} is the second S3 API, the one that decides races.
 */
final class TestS3 {

    static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("ora-test-identity", "ora-test-credential"));

    private static URI endpoint;

    private TestS3() {
    }

    /** Where the server listens, started on first use. */
    static synchronized URI endpoint() {
        if (endpoint == null) {
            endpoint = start();
        }
        return endpoint;
    }

    /**
     * A client on the server, as BackupStores builds one for it with {@code request-checksums = when-required}:
     * s3proxy 2.6.0 does not read the SDK's default trailing checksums (aws-chunked).
     */
    static S3Client client(ExecutionInterceptor... interceptors) {
        return client(endpoint(), RequestChecksumCalculation.WHEN_REQUIRED, interceptors);
    }

    /** A client on a local S3 API at {@code endpoint}, as BackupStores builds one (path-style, the JDK's client). */
    static S3Client client(URI endpoint, RequestChecksumCalculation checksums, ExecutionInterceptor... interceptors) {
        return S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(CREDENTIALS)
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .requestChecksumCalculation(checksums)
                .serviceConfiguration(S3Configuration.builder().expectContinueEnabled(false).build())
                .overrideConfiguration(o -> o.executionInterceptors(List.of(interceptors)))
                .build();
    }

    /** A new, empty bucket of its own for a test class. */
    static String newBucket(S3Client client) {
        String bucket = "ora-test-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        client.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    private static URI start() {
        // jclouds' in-memory provider. Its filesystem provider lists each backup's directory as an object
        // ("<prefix><hex>/", 4096 bytes) when a listing covers its parent, and deleting that through DeleteObjects
        // took 10 s, which the expiry sweep of a crashed create's folder did every run.
        BlobStoreContext context = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4,
                        CREDENTIALS.resolveCredentials().accessKeyId(),
                        CREDENTIALS.resolveCredentials().secretAccessKey())
                // s3proxy answers x-amz-server-side-encryption with 501 NotImplemented unless told to ignore
                // headers it does not implement; S3BackupStoreIT checks the store's requests carry it.
                .ignoreUnknownHeaders(true)
                .build();
        try {
            // Jetty's start returns once the connector is bound.
            proxy.start();
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not start", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(proxy, context), "s3proxy-stop"));
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    private static void stop(S3Proxy proxy, BlobStoreContext context) {
        try {
            proxy.stop();
        } catch (Exception e) {
            // The JVM is exiting.
        }
        context.close();
    }
}
