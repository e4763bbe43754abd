package io.ora.relay.edge;

import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;

/**
 * UNSUBSCRIBE: forgets the filters; MQTT 5 peers learn which ones existed. Not a pipeline handler: the
 * {@link MqttPacketDispatcher} calls it, on the connection's event loop.
 */
final class SubscriptionRemovals {

    private SubscriptionRemovals() {
    }

    static void handle(MqttConnection connection, MqttUnsubscribeMessage unsubscribe) {
        MqttMessageBuilders.UnsubAckBuilder unsubAck = MqttMessageBuilders.unsubAck()
                .packetId(unsubscribe.idAndPropertiesVariableHeader().messageId());
        for (String filter : unsubscribe.payload().topics()) {
            boolean existed = connection.session().unsubscribe(filter);
            unsubAck.addReasonCode(existed ? MqttReasonCodes.UnsubAck.SUCCESS.byteValue()
                    : MqttReasonCodes.UnsubAck.NO_SUBSCRIPTION_EXISTED.byteValue());
        }
        connection.channel().writeAndFlush(unsubAck.build());
    }
}
