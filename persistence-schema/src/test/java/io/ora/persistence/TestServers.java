package io.ora.persistence;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** How the test harnesses decide between the machine's servers and embedded ones. */
final class TestServers {

    private TestServers() {
    }

    /** Whether something accepts connections on {@code host:port} within half a second. */
    static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException unreachable) {
            return false;
        }
    }

    /** The environment variable {@code name}, or {@code fallback} when it is unset or blank. */
    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
