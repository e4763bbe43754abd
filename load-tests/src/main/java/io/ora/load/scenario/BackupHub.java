package io.ora.load.scenario;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.ora.core.backup.BackupEnvelope;
import io.ora.load.client.HttpsConnection;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One simulated hub of the backup benchmark: its connection, its own random locator and write credential (the
 * server cannot tell them from ones derived from a Recovery Key; deriving them would measure the KDF, which runs on
 * the hub and is measured on its own), and the envelope it last uploaded. Every upload is a new envelope: a fresh
 * salt and nonce in the 60-byte header, as a new seal would have, before a random ciphertext that all hubs share (the
 * server stores bytes; it cannot tell one random ciphertext from another). Confined to the connection's loop.
 */
final class BackupHub {

    static final String CREDENTIAL_HEADER = "Ora-Backup-Credential";
    private static final String PATH = "/backup/v1/";
    private static final int SECRET_BYTES = 32;

    private final HttpsConnection connection;
    private final String path;
    private final String credential;
    private final ByteBuf ciphertext;
    private final SecureRandom random;
    private byte[] lastHeader;
    private int version;

    /**
     * @param ciphertext the shared ciphertext (tag included), read-only; never released here
     */
    BackupHub(HttpsConnection connection, ByteBuf ciphertext, SecureRandom random) {
        this.connection = connection;
        this.ciphertext = ciphertext;
        this.random = random;
        this.path = PATH + base64url(random);
        this.credential = base64url(random);
    }

    HttpsConnection connection() {
        return connection;
    }

    /** The envelope bytes of one upload: a header with a fresh salt and nonce, then the shared ciphertext. */
    private ByteBuf nextEnvelope() {
        byte[] salt = new byte[BackupEnvelope.SALT_BYTES];
        random.nextBytes(salt);
        byte[] nonce = new byte[BackupEnvelope.NONCE_BYTES];
        random.nextBytes(nonce);
        // The 60 header bytes are exactly the envelope's associated data (docs/backup.md).
        lastHeader = BackupEnvelope.associatedData(salt, nonce, ciphertext.readableBytes());
        return Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(lastHeader), ciphertext.retainedDuplicate());
    }

    /**
     * Uploads a new envelope: the first creates ({@code If-None-Match: *}, 201), each later one replaces the version
     * this hub wrote last ({@code If-Match: "n"}, 200). Completes with a refusal's description, or empty when the
     * answer was the expected one with the expected {@code ETag}.
     */
    CompletableFuture<Optional<String>> upload() {
        ByteBuf body = nextEnvelope();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, path, body);
        request.headers().set(CREDENTIAL_HEADER, credential)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (version == 0) {
            request.headers().set(HttpHeaderNames.IF_NONE_MATCH, "*");
        } else {
            request.headers().set(HttpHeaderNames.IF_MATCH, "\"" + version + "\"");
        }
        int expected = version == 0 ? 201 : 200;
        return connection.send(request).thenApply(response -> {
            try {
                Optional<String> wrong = unexpected(response, expected, version + 1);
                if (wrong.isEmpty()) {
                    version++;
                }
                return wrong;
            } finally {
                response.body().release();
            }
        });
    }

    /** Restores the newest version: 200 with the last uploaded envelope, byte for byte, and its {@code ETag}. */
    CompletableFuture<Optional<String>> restore() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
                Unpooled.EMPTY_BUFFER);
        request.headers().set(CREDENTIAL_HEADER, credential);
        return connection.send(request).thenApply(response -> {
            try {
                Optional<String> wrong = unexpected(response, 200, version);
                if (wrong.isPresent()) {
                    return wrong;
                }
                ByteBuf body = response.body();
                boolean same = body.readableBytes() == lastHeader.length + ciphertext.readableBytes()
                        && ByteBufUtil.equals(body, body.readerIndex(), Unpooled.wrappedBuffer(lastHeader), 0,
                                lastHeader.length)
                        && ByteBufUtil.equals(body, body.readerIndex() + lastHeader.length, ciphertext,
                                ciphertext.readerIndex(), ciphertext.readableBytes());
                return same ? Optional.empty() : Optional.of("200 with another envelope than the one uploaded");
            } finally {
                response.body().release();
            }
        });
    }

    private static Optional<String> unexpected(HttpsConnection.Response response, int status, int etagVersion) {
        if (response.status() != status) {
            String body = response.body().toString(StandardCharsets.UTF_8);
            return Optional.of(response.status() + " " + body.substring(0, Math.min(160, body.length())));
        }
        String etag = "\"" + etagVersion + "\"";
        if (!response.etag().equals(Optional.of(etag))) {
            return Optional.of(status + " with ETag " + response.etag().orElse("none") + " instead of " + etag);
        }
        return Optional.empty();
    }

    private static String base64url(SecureRandom random) {
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }
}
