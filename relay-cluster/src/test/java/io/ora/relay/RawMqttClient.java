package io.ora.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A deliberately dumb MQTT client over a real TLS socket, for the cases well-behaved client libraries refuse to
 * produce: oversized packets, silence, never reading. Packets are encoded and decoded with Netty's codec in a
 * private {@link EmbeddedChannel}; the socket is a plain JDK {@link SSLSocket}.
 */
final class RawMqttClient implements AutoCloseable {

    private static final AttributeKey<MqttVersion> VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private final Socket socket;
    private final EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
    private final EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder(16 * 1024 * 1024));

    private RawMqttClient(Socket socket) {
        this.socket = socket;
    }

    /** Opens a TLS socket and completes the handshake (TLS 1.3 servers may still reject the certificate later). */
    static RawMqttClient tls(SSLContext context, int port, String... protocols) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        if (protocols.length > 0) {
            socket.setEnabledProtocols(protocols);
        }
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return new RawMqttClient(socket);
    }

    /** A plain TCP connection that never starts TLS. */
    static RawMqttClient plain(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return new RawMqttClient(socket);
    }

    /**
     * Sends CONNECT with the given version, client id and keep-alive, and returns the server's answer, or empty when
     * the server closed the connection instead.
     */
    Optional<MqttMessage> connect(MqttVersion version, String clientId, int keepAliveSeconds) throws IOException {
        // Netty's codec keeps the negotiated version in a channel attribute; a client sets it when it connects.
        encoder.attr(VERSION).set(version);
        decoder.attr(VERSION).set(version);
        try {
            send(MqttMessageBuilders.connect().protocolVersion(version).clientId(clientId).cleanSession(true)
                    .keepAlive(keepAliveSeconds).build());
        } catch (IOException closed) {
            // TLS 1.3: the server may refuse the certificate after the client's handshake finished; then the
            // CONNECT meets a closed socket.
            return Optional.empty();
        }
        return read(Duration.ofSeconds(10));
    }

    /** The certificate the server presented. */
    X509Certificate serverCertificate() throws IOException {
        return (X509Certificate) ((SSLSocket) socket).getSession().getPeerCertificates()[0];
    }

    void send(MqttMessage message) throws IOException {
        encoder.writeOutbound(message);
        ByteBuf encoded;
        while ((encoded = encoder.readOutbound()) != null) {
            try {
                socket.getOutputStream().write(ByteBufUtil.getBytes(encoded));
            } finally {
                encoded.release();
            }
        }
        socket.getOutputStream().flush();
    }

    void sendBytes(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /**
     * The next packet, or empty when the server closed the connection (or reset it) first. A PUBLISH holds a buffer
     * the caller releases.
     */
    Optional<MqttMessage> read(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[16 * 1024];
        while (true) {
            Object decoded = decoder.readInbound();
            if (decoded != null) {
                return Optional.of((MqttMessage) decoded);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no packet within " + timeout);
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException timedOut) {
                throw timedOut;
            } catch (IOException closed) {
                return Optional.empty();
            }
            if (n < 0) {
                return Optional.empty();
            }
            decoder.writeInbound(Unpooled.copiedBuffer(buffer, 0, n));
        }
    }

    /** Reads until the server closes the connection; returns the packets it sent first. */
    List<MqttMessage> readUntilClosed(Duration timeout) throws IOException {
        List<MqttMessage> packets = new ArrayList<>();
        Optional<MqttMessage> next;
        while ((next = read(timeout)).isPresent()) {
            packets.add(next.get());
        }
        return packets;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }
}
