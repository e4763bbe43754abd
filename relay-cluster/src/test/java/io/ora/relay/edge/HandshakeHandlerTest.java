package io.ora.relay.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import ch.qos.logback.classic.Level;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.ora.persistence.CapturedLogs;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The end of a TLS handshake the handler never saw begin. The accept guard refuses a connection (over the accept
 * rate, the connection limit, shedding load) by closing it in {@code channelActive}, before this handler hears of
 * it; the TLS handler then reports the handshake failed as the socket closes. That refusal is the accept guard's to
 * count: it is not a failed handshake, nor a fault of the relay's own (which would count it a second time and log
 * a line for every refused connection of a flood).
 */
class HandshakeHandlerTest {

    @RegisterExtension
    final TestEdge edge = TestEdge.start();

    @Test
    void aRefusedConnectionsHandshakeEndIsNeitherAFailureNorAFault() {
        try (CapturedLogs logs = new CapturedLogs()) {
            EmbeddedChannel channel = new EmbeddedChannel();
            // Added after the channel became active: as for a connection the accept guard closed in channelActive.
            channel.pipeline().addLast(new HandshakeHandler(edge.context()), new MqttPacketDispatcher());

            channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(new SSLException("closed")));

            assertThatCode(channel::checkException).doesNotThrowAnyException();
            assertThat(edge.metrics().value("ora_relay_handshakes_total", "result", "failed")).isZero();
            assertThat(edge.closed("internal_error")).isZero();
            assertThat(logs.texts(Level.WARN)).isEmpty();
            channel.finishAndReleaseAll();
        }
    }
}
