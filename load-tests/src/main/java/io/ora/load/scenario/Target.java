package io.ora.load.scenario;

import io.netty.handler.ssl.SslContext;
import io.ora.hubkit.PeerCredentials;
import io.ora.load.client.ClientLoops;
import io.ora.load.client.ClientTls;
import io.ora.load.client.MqttClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The broker under test and how to reach it. Every client the generator makes connects to this one host and port
 * and nowhere else.
 *
 * @param host            the broker's address (the benchmarks use 127.0.0.1)
 * @param port            its MQTT-over-TLS port
 * @param sourceAddresses local addresses to spread connections over, round-robin; empty for the system's choice.
 *                        On loopback, 127.0.0.2, 127.0.0.3… let one machine look like several clients to a per-IP
 *                        accept limit
 * @param connectTimeout  bound on the TCP connect, on the TLS handshake and on the CONNECT/CONNACK, each
 * @param ports           ports to spread clients over, round-robin (several nodes of one cluster on one host);
 *                        empty for {@code port} alone
 * @param eventLoops      client event loops (threads); one unless the generator itself is shown to be the limit
 */
public record Target(String host, int port, List<String> sourceAddresses, Duration connectTimeout,
                     List<Integer> ports, int eventLoops) {

    /** Loading credentials is CPU-bound (PEM parsing, TLS contexts): bounded generously per thousand clients. */
    private static final Duration PREPARE_LIMIT_PER_THOUSAND = Duration.ofMinutes(1);

    /** One port, one event loop. */
    public Target(String host, int port, List<String> sourceAddresses, Duration connectTimeout) {
        this(host, port, sourceAddresses, connectTimeout, List.of(), 1);
    }

    public Target {
        sourceAddresses = List.copyOf(sourceAddresses);
        ports = List.copyOf(ports);
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be within 1..65535: " + port);
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("need at least one event loop: " + eventLoops);
        }
    }

    /** The same broker on other ports. */
    public Target onPorts(List<Integer> otherPorts) {
        return new Target(host, port, sourceAddresses, connectTimeout, otherPorts, eventLoops);
    }

    /** The same broker on another single port. */
    public Target onPort(int otherPort) {
        return new Target(host, otherPort, sourceAddresses, connectTimeout, List.of(), eventLoops);
    }

    /**
     * Unconnected clients for the credentials directories, built on all cores, client {@code i} on loop
     * {@code i mod loops} with tag {@code i}. Building one loads its key and certificate and builds its TLS context,
     * which is kept out of every measured phase.
     */
    public List<MqttClient> prepare(ClientLoops loops, ClientTls tls, List<Path> credentialDirs)
            throws IOException, InterruptedException {
        return onAllCores(credentialDirs, (credentials, index) -> client(loops, tls, credentials, index));
    }

    /** The TLS contexts of the credentials directories, in order, built on all cores (see {@link #prepare}). */
    public static List<SslContext> contexts(ClientTls tls, List<Path> credentialDirs)
            throws IOException, InterruptedException {
        return onAllCores(credentialDirs, (credentials, index) -> tls.context(credentials));
    }

    /** What is built from one identity's credentials, the {@code index}-th of a population. */
    @FunctionalInterface
    private interface Build<T> {
        T from(PeerCredentials credentials, int index) throws IOException;
    }

    private static <T> List<T> onAllCores(List<Path> credentialDirs, Build<T> build)
            throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try {
            List<Future<T>> pending = new ArrayList<>();
            for (int i = 0; i < credentialDirs.size(); i++) {
                Path dir = credentialDirs.get(i);
                int index = i;
                pending.add(pool.submit(() -> build.from(load(dir), index)));
            }
            long deadline = System.nanoTime()
                    + PREPARE_LIMIT_PER_THOUSAND.toNanos() * (1 + credentialDirs.size() / 1000);
            List<T> built = new ArrayList<>();
            for (Future<T> future : pending) {
                built.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return built;
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException("cannot prepare a client: " + failed.getCause(), failed.getCause());
        } catch (TimeoutException slow) {
            throw new IOException("loading credentials took too long", slow);
        } finally {
            pool.shutdownNow();
        }
    }

    private MqttClient client(ClientLoops loops, ClientTls tls, PeerCredentials credentials, int index)
            throws IOException {
        int chosen = ports.isEmpty() ? port : ports.get(index % ports.size());
        Optional<InetSocketAddress> local = sourceAddresses.isEmpty() ? Optional.empty()
                : Optional.of(new InetSocketAddress(sourceAddresses.get(index % sourceAddresses.size()), 0));
        return new MqttClient(credentials.identity().urn(), tls.context(credentials),
                new InetSocketAddress(host, chosen),
                local, connectTimeout, loops, index % loops.count(), index);
    }

    private static PeerCredentials load(Path dir) {
        try {
            return PeerCredentials.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
