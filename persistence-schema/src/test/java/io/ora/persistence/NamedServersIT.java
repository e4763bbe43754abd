package io.ora.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The harnesses' choice of server: embedded unless a variable names one, and a named server that does not answer
 * stops the run rather than letting it test against an embedded one unnoticed. Real sockets on loopback.
 */
class NamedServersIT {

    private static final String HOST = "ORA_TEST_X_HOST";
    private static final String PORT = "ORA_TEST_X_PORT";

    @Test
    void noHostOrABlankOneMeansEmbedded() {
        assertThat(TestServers.named(environment(Map.of()), HOST, PORT, 5432)).isEmpty();
        assertThat(TestServers.named(environment(Map.of(HOST, "  ", PORT, "1")), HOST, PORT, 5432)).isEmpty();
    }

    @Test
    void aNamedServerThatAnswersIsUsedOnItsPortOrTheDefault() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(server.getLocalPort());

            Optional<InetSocketAddress> named =
                    TestServers.named(environment(Map.of(HOST, "127.0.0.1", PORT, port)), HOST, PORT, 1);
            assertThat(named).hasValueSatisfying(address -> {
                assertThat(address.getHostString()).isEqualTo("127.0.0.1");
                assertThat(address.getPort()).isEqualTo(server.getLocalPort());
            });
            assertThat(TestServers.named(environment(Map.of(HOST, "127.0.0.1")), HOST, PORT, server.getLocalPort()))
                    .map(InetSocketAddress::getPort).hasValue(server.getLocalPort());
        }
    }

    @Test
    void aNamedServerThatDoesNotAnswerFailsInsteadOfFallingBack() throws IOException {
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = probe.getLocalPort();
        }
        UnaryOperator<String> nobodyListens = environment(Map.of(HOST, "127.0.0.1", PORT, String.valueOf(closed)));

        assertThatThrownBy(() -> TestServers.named(nobodyListens, HOST, PORT, 5432))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(HOST).hasMessageContaining("127.0.0.1:" + closed);
    }

    private static UnaryOperator<String> environment(Map<String, String> variables) {
        return variables::get;
    }
}
