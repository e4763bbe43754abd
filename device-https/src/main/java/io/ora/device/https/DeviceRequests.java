package io.ora.device.https;

import io.ora.core.concurrent.Failures;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.PeerCertificates;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.SslSessionInfo;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.util.ByteString;

/**
 * What a route on the device listener reads of a request through the listener, so every role reads it the same way:
 * who sent it ({@link #peer}) and its body within a limit ({@link #body}). Both answer a refusal themselves, as a
 * {@link Problem}, and call the route's code only for a request that passed.
 */
public final class DeviceRequests {

    private final Predicate<String> revoked;
    private final Duration bodyTimeout;

    /**
     * @param revoked     whether a serial is on the newest deny-list: a connection opened before its certificate was
     *                    revoked may not make requests after
     * @param bodyTimeout how long a client may take to send a body ({@code ora.device-https.body-timeout})
     */
    DeviceRequests(Predicate<String> revoked, Duration bodyTimeout) {
        this.revoked = revoked;
        this.bodyTimeout = bodyTimeout;
    }

    /**
     * Runs {@code inner} as the route {@code template} (from code, e.g. {@code /backup/v1/{locator}}): the request's
     * span and latency are named after it, never after the path the client sent, which can hold a locator.
     */
    public Route route(String template, Supplier<Route> inner) {
        return Directives.extractRequest(request -> {
            request.getAttribute(Traced.SPAN).ifPresent(span -> span.route(template));
            return inner.get();
        });
    }

    /**
     * Runs {@code inner} with the request's verified peer. Refuses with 403 {@code certificate-revoked} when the
     * certificate was put on the deny-list after this connection's handshake (the handshake refuses it from then on),
     * and with 403 when the connection has no verified certificate naming one identity (which the handshake already
     * makes impossible). Costs no body read.
     */
    public Route peer(Function<DevicePeer, Route> inner) {
        return Directives.optionalAttribute(AttributeKeys.sslSession, session -> {
            Optional<X509Certificate> leaf = session.flatMap(DeviceRequests::peerCertificate);
            Optional<PeerId> id = leaf.flatMap(PeerCertificates::identity);
            if (id.isEmpty()) {
                return Directives.complete(Problem.of(StatusCodes.FORBIDDEN,
                        "no verified client certificate on this connection").toResponse());
            }
            String serial = PeerCertificates.serial(leaf.get());
            if (revoked.test(serial)) {
                return Directives.complete(Problem.typed("certificate-revoked", "Certificate revoked",
                        StatusCodes.FORBIDDEN, "this certificate has been revoked").toResponse());
            }
            return inner.apply(new DevicePeer(id.get(), serial));
        });
    }

    /**
     * Runs {@code inner} with the request's whole body, of at most {@code maxBytes} (at most the route's
     * {@link DeviceRoutes#maxBodyBytes}). A body that declares a larger length is refused with 413 unread; one sent
     * chunked is refused with 413 as soon as it passes the limit, never buffered whole; one that does not arrive
     * within {@code ora.device-https.body-timeout} is refused with 400.
     */
    public Route body(long maxBytes, Function<ByteString, Route> inner) {
        return Directives.extractRequestEntity(entity -> {
            if (entity.getContentLengthOption().orElse(0) > maxBytes) {
                // Refused on what it declares, unread: toStrict would fail such a body with an error that is not a
                // size error, a 400, not the 413 it is.
                return Directives.complete(tooLarge(maxBytes));
            }
            return Directives.extractMaterializer(materializer -> Directives.onComplete(
                    entity.withSizeLimit(maxBytes).toStrict(bodyTimeout.toMillis(), maxBytes, materializer),
                    body -> body.isSuccess()
                            ? inner.apply(body.get().getData())
                            : Directives.complete(unread(body.failed().get(), maxBytes))));
        });
    }

    private static HttpResponse unread(Throwable failure, long maxBytes) {
        if (Failures.cause(failure) instanceof EntityStreamSizeException) {
            return tooLarge(maxBytes);
        }
        return Problem.of(StatusCodes.BAD_REQUEST, "the request body could not be read in time").toResponse();
    }

    private static HttpResponse tooLarge(long maxBytes) {
        return Problem.of(StatusCodes.PAYLOAD_TOO_LARGE, "the body of this request holds at most " + maxBytes
                + " bytes").toResponse();
    }

    private static Optional<X509Certificate> peerCertificate(SslSessionInfo session) {
        try {
            Certificate[] chain = session.getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
        } catch (SSLPeerUnverifiedException unverified) {
            return Optional.empty();
        }
    }
}
