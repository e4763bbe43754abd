package io.ora.relay.edge;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.ora.relay.tls.TlsMaterial;

/**
 * The node's live connections: counted for the connection limit, re-checked when TLS material changes (a revoked
 * certificate is disconnected within one reload interval), and told to go at shutdown.
 */
final class ConnectionRegistry {

    private final ChannelGroup channels = new DefaultChannelGroup("mqtt", GlobalEventExecutor.INSTANCE);
    private final EdgeContext edge;

    ConnectionRegistry(EdgeContext edge) {
        this.edge = edge;
        edge.metrics().gauge("ora_relay_connections", "Open MQTT connections on this node", channels::size);
    }

    void accepted(Channel channel) {
        channels.add(channel);
    }

    int size() {
        return channels.size();
    }

    /** Disconnects every connection whose certificate the new material no longer accepts. */
    void revalidate(TlsMaterial material) {
        for (Channel channel : channels) {
            MqttConnection.of(channel).ifPresent(connection -> {
                if (material.trust().isRevoked(connection.serial())) {
                    channel.eventLoop().execute(() -> {
                        if (connection.state() != MqttConnection.State.CLOSED) {
                            connection.close(CloseReason.REVOKED);
                        }
                    });
                }
            });
        }
    }

    /** Tells every MQTT 5 peer the server is shutting down, and closes all connections. */
    ChannelGroupFuture shutdown() {
        for (Channel channel : channels) {
            MqttConnection.of(channel).ifPresent(connection -> channel.eventLoop().execute(
                    () -> connection.close(CloseReason.SHUTDOWN)));
        }
        return channels.newCloseFuture();
    }
}
