package io.ora.load.scenario;

import com.hivemq.client.mqtt.MqttClientTransportConfigBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.RelayClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * @param connectTimeout  bound on the TCP connect and on the TLS handshake plus CONNECT/CONNACK, each
 * @param ports           ports to spread clients over, round-robin (several nodes of one cluster on one host);
 *                        empty for {@code port} alone
 */
public record Target(String host, int port, List<String> sourceAddresses, Duration connectTimeout,
                     List<Integer> ports) {

    /** Loading credentials is CPU-bound (PEM parsing, key stores): bounded generously per thousand clients. */
    private static final Duration PREPARE_LIMIT_PER_THOUSAND = Duration.ofMinutes(1);

    /** One port. */
    public Target(String host, int port, List<String> sourceAddresses, Duration connectTimeout) {
        this(host, port, sourceAddresses, connectTimeout, List.of());
    }

    public Target {
        sourceAddresses = List.copyOf(sourceAddresses);
        ports = List.copyOf(ports);
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be within 1..65535: " + port);
        }
    }

    /**
     * Unconnected MQTT 5 clients for the credentials directories, built on all cores. Building one means loading its
     * key and certificate, which is kept out of the measured connect phase.
     */
    public List<Mqtt5AsyncClient> prepare(List<Path> credentialDirs) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try {
            List<Future<Mqtt5AsyncClient>> pending = new ArrayList<>();
            for (int i = 0; i < credentialDirs.size(); i++) {
                Path dir = credentialDirs.get(i);
                int index = i;
                pending.add(pool.submit(() -> client(load(dir), index)));
            }
            long deadline = System.nanoTime()
                    + PREPARE_LIMIT_PER_THOUSAND.toNanos() * (1 + credentialDirs.size() / 1000);
            List<Mqtt5AsyncClient> clients = new ArrayList<>();
            for (Future<Mqtt5AsyncClient> future : pending) {
                clients.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return clients;
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IllegalStateException("cannot prepare a client", failed.getCause());
        } catch (TimeoutException slow) {
            throw new IOException("loading credentials took too long", slow);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Which TLS implementation the clients run on, for reports: the client's cost is part of every figure. */
    public static String tlsImplementation() {
        return OpenSsl.isAvailable() ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    private Mqtt5AsyncClient client(PeerCredentials credentials, int index) {
        int chosen = ports.isEmpty() ? port : ports.get(index % ports.size());
        Mqtt5ClientBuilder builder = RelayClients.mqtt5(credentials, host, chosen);
        MqttClientTransportConfigBuilder.Nested<? extends Mqtt5ClientBuilder> transport = builder.transportConfig()
                .socketConnectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .mqttConnectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!sourceAddresses.isEmpty()) {
            transport = transport.localAddress(sourceAddresses.get(index % sourceAddresses.size()));
        }
        return transport.applyTransportConfig().buildAsync();
    }

    private static PeerCredentials load(Path dir) {
        try {
            return PeerCredentials.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
