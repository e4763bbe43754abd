package io.ora.persistence;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * How the test harnesses choose between an embedded server and one a variable names. Embedded is the default, so a
 * test run never depends on (nor writes to) whatever happens to listen on the machine; a run that is to use a real
 * server says so ({@code ORA_TEST_PG_HOST}, {@code ORA_TEST_REDIS_HOST}), and then that server must answer.
 */
final class TestServers {

    private TestServers() {
    }

    /**
     * The server the variable {@code hostVariable} names, on the port {@code portVariable} names or
     * {@code defaultPort}; empty when {@code hostVariable} is unset or blank.
     *
     * @throws IllegalStateException when a server is named but does not accept connections: a run that asked for a
     *         server must not quietly test against an embedded one instead
     */
    static Optional<InetSocketAddress> named(String hostVariable, String portVariable, int defaultPort) {
        return named(System::getenv, hostVariable, portVariable, defaultPort);
    }

    /** As {@link #named(String, String, int)}, reading the variables from {@code environment}. */
    static Optional<InetSocketAddress> named(UnaryOperator<String> environment, String hostVariable,
                                             String portVariable, int defaultPort) {
        Optional<String> host = env(environment, hostVariable);
        if (host.isEmpty()) {
            return Optional.empty();
        }
        int port = env(environment, portVariable).map(Integer::parseInt).orElse(defaultPort);
        InetSocketAddress server = InetSocketAddress.createUnresolved(host.get(), port);
        if (!reachable(host.get(), port)) {
            throw new IllegalStateException(hostVariable + " names " + host.get() + ":" + port
                    + ", which does not accept connections; unset " + hostVariable + " to use an embedded server");
        }
        return Optional.of(server);
    }

    /** The environment variable {@code name}, or {@code fallback} when it is unset or blank. */
    static String env(String name, String fallback) {
        return env(System::getenv, name).orElse(fallback);
    }

    private static Optional<String> env(UnaryOperator<String> environment, String name) {
        String value = environment.apply(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** Whether something accepts connections on {@code host:port} within half a second. */
    private static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException unreachable) {
            return false;
        }
    }
}
