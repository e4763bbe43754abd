package io.ora.relay;

import com.typesafe.config.Config;
import io.ora.core.pki.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code ora.relay} configuration section, read once. Defaults live in {@code reference.conf}, never here.
 */
public record RelaySettings(Mqtt mqtt, Tls tls, Limits limits, Sessions sessions, Access access) {

    /** The MQTT listener. */
    public record Mqtt(String host, int port, int ioThreads, int maxPacketSize, Duration connectTimeout,
                       Duration maxKeepAlive, double keepAliveFactor, int maxSubscriptions) {
    }

    /** TLS material and its reloading. */
    public record Tls(String provider, Path ca, Path certificate, Path key, Path revokedSerials,
                      Duration reloadInterval, Duration handshakeTimeout) {

        /** The four files, as every peer-facing listener reads them. */
        public TlsFiles files() {
            return new TlsFiles(ca, certificate, key, revokedSerials);
        }
    }

    /** DoS guards and flow control. */
    public record Limits(int maxConnections, int acceptRate, int acceptRatePerIp, int trackedIps, int publishRate,
                         int publishBurst, int inboundRate, int inboundBurst, int inflightWindow, int senderWindow,
                         Duration deliveryTimeout, Duration slowConsumerTimeout, int writeBufferLow,
                         int writeBufferHigh, double heapShedThreshold, Duration heapCheckInterval) {
    }

    /** Sharded session entities. */
    public record Sessions(Duration attachTimeout, Duration idlePassivation, Duration countInterval) {
    }

    /**
     * The app-hub access cache: answers kept on each node (at most {@code localSize} of them) for
     * {@code announcedTtl} while the node hears change announcements, which drop them at once, and for
     * {@code localTtl} while it does not; in front of entries in Redis shared by every node for {@code redisTtl}.
     */
    public record Access(Duration localTtl, Duration announcedTtl, long localSize, Duration redisTtl) {
        public Access {
            if (localTtl.isNegative() || localTtl.isZero() || redisTtl.toMillis() <= 0 || localSize <= 0) {
                throw new IllegalArgumentException(
                        "ora.relay.access: local-ttl, local-size and redis-ttl must be positive");
            }
            if (announcedTtl.compareTo(localTtl) < 0) {
                throw new IllegalArgumentException("ora.relay.access: announced-ttl (" + announcedTtl
                        + ") must be at least local-ttl (" + localTtl + ")");
            }
        }
    }

    /** Reads {@code ora.relay} from a resolved config. */
    public static RelaySettings from(Config root) {
        Config c = root.getConfig("ora.relay");
        Config m = c.getConfig("mqtt");
        Config t = c.getConfig("tls");
        Config l = c.getConfig("limits");
        Config s = c.getConfig("sessions");
        Config a = c.getConfig("access");
        return new RelaySettings(
                new Mqtt(m.getString("host"), m.getInt("port"), m.getInt("io-threads"),
                        (int) Math.min(Integer.MAX_VALUE, m.getMemorySize("max-packet-size").toBytes()),
                        m.getDuration("connect-timeout"), m.getDuration("max-keep-alive"),
                        m.getDouble("keep-alive-factor"), m.getInt("max-subscriptions")),
                new Tls(t.getString("provider"), Path.of(t.getString("ca")), Path.of(t.getString("certificate")),
                        Path.of(t.getString("key")), Path.of(t.getString("revoked-serials")),
                        t.getDuration("reload-interval"), t.getDuration("handshake-timeout")),
                new Limits(l.getInt("max-connections"), l.getInt("accept-rate"), l.getInt("accept-rate-per-ip"),
                        l.getInt("tracked-ips"), l.getInt("publish-rate"), l.getInt("publish-burst"),
                        l.getInt("inbound-rate"), l.getInt("inbound-burst"), l.getInt("inflight-window"),
                        l.getInt("sender-window"), l.getDuration("delivery-timeout"),
                        l.getDuration("slow-consumer-timeout"), (int) l.getMemorySize("write-buffer-low").toBytes(),
                        (int) l.getMemorySize("write-buffer-high").toBytes(), l.getDouble("heap-shed-threshold"),
                        l.getDuration("heap-check-interval")),
                new Sessions(s.getDuration("attach-timeout"), s.getDuration("idle-passivation"),
                        s.getDuration("count-interval")),
                new Access(a.getDuration("local-ttl"), a.getDuration("announced-ttl"),
                        a.getLong("local-size"), a.getDuration("redis-ttl")));
    }
}
