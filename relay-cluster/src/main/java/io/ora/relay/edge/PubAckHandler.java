package io.ora.relay.edge;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;

/** PUBACK from a receiver: completes one of its QoS 1 deliveries and reports the outcome to the sender. */
final class PubAckHandler {

    private PubAckHandler() {
    }

    static void handle(Session session, MqttMessage pubAck) {
        if (!(pubAck.variableHeader() instanceof MqttMessageIdVariableHeader header)) {
            return;
        }
        byte reasonCode = header instanceof MqttPubReplyMessageVariableHeader reply ? reply.reasonCode() : 0;
        session.onPubAck(header.messageId(), reasonCode);
    }
}
