package io.ora.relay.edge;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
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

    static void handle(ChannelHandlerContext ctx, Session session, MqttConnectMessage connect) {
        if (session.state() != Session.State.AWAITING_CONNECT) {
            session.edge().count("protocol_error");
            session.disconnect(MqttReasonCodes.Disconnect.PROTOCOL_ERROR.byteValue());
            return;
        }
        MqttVersion version = MqttVersion.fromProtocolNameAndLevel(connect.variableHeader().name(),
                (byte) connect.variableHeader().version());
        if (version != MqttVersion.MQTT_3_1_1 && version != MqttVersion.MQTT_5) {
            session.edge().count("protocol_version");
            session.endConnect("protocol_version");
            refuse(session, MqttVersion.MQTT_3_1_1,
                    MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                    MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
            return;
        }
        session.tagConnect(Attribute.MQTT_VERSION, version == MqttVersion.MQTT_5 ? 5 : 3);
        String clientId = connect.payload().clientIdentifier();
        String identity = session.identity().urn();
        if (!clientId.isEmpty() && !clientId.equals(identity)) {
            session.edge().count("client_id_mismatch");
            session.endConnect("client_id_mismatch");
            refuse(session, version, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                    MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5);
            return;
        }
        if (connect.variableHeader().isWillFlag()) {
            session.edge().count("will_refused");
            session.endConnect("will_refused");
            refuse(session, version, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                    MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5);
            return;
        }
        RelaySettings.Mqtt mqtt = session.edge().settings().mqtt();
        int keepAlive = keepAlive(connect.variableHeader().keepAliveTimeSeconds(), mqtt);
        long idleMillis = (long) Math.ceil(keepAlive * 1000L * mqtt.keepAliveFactor());
        ctx.pipeline().addBefore(HandlerNames.PACKETS, HandlerNames.KEEP_ALIVE,
                new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        MqttProperties.MqttProperty<?> receiveMaximum = connect.variableHeader().properties()
                .getProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value());
        session.keepAlive(keepAlive, clientId.isEmpty());
        session.attach(version, receiveMaximum instanceof MqttProperties.IntegerProperty max ? max.value() : 0xFFFF);
    }

    /** Sends the CONNACK of an attached session (called once the peer's entity has accepted it). */
    static void accept(Session session) {
        MqttProperties properties = MqttProperties.NO_PROPERTIES;
        if (session.isMqtt5()) {
            RelaySettings settings = session.edge().settings();
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
                    .serverKeepAlive(session.keepAliveSeconds());
            if (session.idAssigned()) {
                builder.assignedClientId(session.identity().urn());
            }
            properties = builder.build();
        }
        MqttConnAckMessage connAck = MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(false)
                .properties(properties)
                .build();
        session.channel().writeAndFlush(connAck);
    }

    /** A CONNACK refusing the connection, in the peer's protocol version. */
    static MqttConnAckMessage refusal(MqttVersion version, byte mqtt5ReasonCode) {
        MqttConnectReturnCode code = version == MqttVersion.MQTT_5
                ? MqttConnectReturnCode.valueOf(mqtt5ReasonCode)
                : legacy(mqtt5ReasonCode);
        return MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build();
    }

    private static void refuse(Session session, MqttVersion version, MqttConnectReturnCode legacy,
                               MqttConnectReturnCode mqtt5) {
        MqttConnectReturnCode code = version == MqttVersion.MQTT_5 ? mqtt5 : legacy;
        session.channel().writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                .addListener(ChannelFutureListener.CLOSE);
        session.markClosed();
    }

    private static MqttConnectReturnCode legacy(byte mqtt5ReasonCode) {
        if (mqtt5ReasonCode == MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5.byteValue()) {
            return MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
        }
        return MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
    }

    private static int keepAlive(int requested, RelaySettings.Mqtt mqtt) {
        int max = (int) mqtt.maxKeepAlive().toSeconds();
        return requested <= 0 || requested > max ? max : requested;
    }
}
