package io.ora.relay.edge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.ora.core.trace.Attribute;
import io.ora.relay.RelaySettings;
import java.util.concurrent.TimeUnit;

/**
 * CONNECT: the peer's identity is already fixed by its certificate; CONNECT may only confirm it. The client id must
 * be the identity URN or empty (then the URN is assigned). Wills are refused (they would make the cloud hold a
 * payload), sessions are always clean, and the peer's entity must accept the connection before CONNACK is sent.
 *
 * <p>Not a pipeline handler: the {@link MqttPacketDispatcher} calls it, on the connection's event loop.
 */
final class ConnectAdmission {

    private ConnectAdmission() {
    }

    static void handle(ChannelHandlerContext ctx, MqttConnection connection, MqttConnectMessage connect) {
        if (connection.state() != MqttConnection.State.AWAITING_CONNECT) {
            connection.close(CloseReason.PROTOCOL_ERROR);
            return;
        }
        MqttVersion version = MqttVersion.fromProtocolNameAndLevel(connect.variableHeader().name(),
                (byte) connect.variableHeader().version());
        if (version != MqttVersion.MQTT_3_1_1 && version != MqttVersion.MQTT_5) {
            // Neither version's CONNACK fits an unknown protocol: 3.1.1's is the one older clients read.
            refuse(connection, CloseReason.PROTOCOL_VERSION, MqttVersion.MQTT_3_1_1);
            return;
        }
        connection.tagConnect(Attribute.MQTT_VERSION, version == MqttVersion.MQTT_5 ? 5 : 3);
        String clientId = connect.payload().clientIdentifier();
        String identity = connection.identity().urn();
        if (!clientId.isEmpty() && !clientId.equals(identity)) {
            refuse(connection, CloseReason.CLIENT_ID_MISMATCH, version);
            return;
        }
        if (connect.variableHeader().isWillFlag()) {
            refuse(connection, CloseReason.WILL_REFUSED, version);
            return;
        }
        RelaySettings.Mqtt mqtt = connection.edge().settings().mqtt();
        int keepAlive = keepAlive(connect.variableHeader().keepAliveTimeSeconds(), mqtt);
        long idleMillis = (long) Math.ceil(keepAlive * 1000L * mqtt.keepAliveFactor());
        ctx.pipeline().addBefore(HandlerNames.PACKETS, HandlerNames.KEEP_ALIVE,
                new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        MqttProperties.MqttProperty<?> receiveMaximum = connect.variableHeader().properties()
                .getProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value());
        connection.keepAlive(keepAlive, clientId.isEmpty());
        connection.attach(version, receiveMaximum instanceof MqttProperties.IntegerProperty max ? max.value() : 0xFFFF);
    }

    /** Sends the CONNACK of an attached session (called once the peer's entity has accepted it). */
    static void accept(MqttConnection connection) {
        MqttProperties properties = MqttProperties.NO_PROPERTIES;
        if (connection.isMqtt5()) {
            RelaySettings settings = connection.edge().settings();
            MqttMessageBuilders.ConnAckPropertiesBuilder builder = new MqttMessageBuilders.ConnAckPropertiesBuilder()
                    .sessionExpiryInterval(0)
                    .receiveMaximum(settings.limits().senderWindow())
                    .maximumQos((byte) 1)
                    .retainAvailable(false)
                    .maximumPacketSize(settings.mqtt().maxPacketSize())
                    .topicAliasMaximum(0)
                    .wildcardSubscriptionAvailable(true)
                    .subscriptionIdentifiersAvailable(false)
                    .sharedSubscriptionAvailable(false)
                    .serverKeepAlive(connection.keepAliveSeconds());
            if (connection.idAssigned()) {
                builder.assignedClientId(connection.identity().urn());
            }
            properties = builder.build();
        }
        MqttConnAckMessage connAck = MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(false)
                .properties(properties)
                .build();
        connection.channel().writeAndFlush(connAck);
    }

    /** Refuses the CONNECT; its span names why (the label the metrics count), as a refused CONNECT's always has. */
    private static void refuse(MqttConnection connection, CloseReason reason, MqttVersion version) {
        connection.endConnect(reason.label().orElseThrow());
        connection.close(reason, version);
    }

    private static int keepAlive(int requested, RelaySettings.Mqtt mqtt) {
        int max = (int) mqtt.maxKeepAlive().toSeconds();
        return requested <= 0 || requested > max ? max : requested;
    }
}
