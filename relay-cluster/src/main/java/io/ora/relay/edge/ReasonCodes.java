package io.ora.relay.edge;

import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.ora.relay.delivery.DeliveryResult;

/**
 * The one place where delivery outcomes become MQTT 5 PUBACK reason codes (MQTT 3.1.1 has none: see
 * {@link Session}); why a connection closes, and the code it is closed with, is its {@link CloseReason}.
 */
final class ReasonCodes {

    private ReasonCodes() {
    }

    /** The PUBACK reason code an MQTT 5 sender receives for a QoS 1 message. */
    static byte pubAck(DeliveryResult result) {
        return switch (result) {
            case DELIVERED -> MqttReasonCodes.PubAck.SUCCESS.byteValue();
            case NOT_AUTHORIZED -> MqttReasonCodes.PubAck.NOT_AUTHORIZED.byteValue();
            case TOPIC_INVALID -> MqttReasonCodes.PubAck.TOPIC_NAME_INVALID.byteValue();
            case NO_SUBSCRIBERS -> MqttReasonCodes.PubAck.NO_MATCHING_SUBSCRIBERS.byteValue();
            case QUOTA_EXCEEDED -> MqttReasonCodes.PubAck.QUOTA_EXCEEDED.byteValue();
            // 0x96 "message rate too high" is not a PUBACK code in MQTT 5; quota exceeded is the closest one.
            case RATE_LIMITED, SENDER_RATE_LIMITED -> MqttReasonCodes.PubAck.QUOTA_EXCEEDED.byteValue();
            case RECEIVER_FAILED, TIMED_OUT -> MqttReasonCodes.PubAck.UNSPECIFIED_ERROR.byteValue();
            case PAYLOAD_REJECTED -> MqttReasonCodes.PubAck.PAYLOAD_FORMAT_INVALID.byteValue();
        };
    }

    /** Whether an MQTT 5 reason code reports success (below 0x80). */
    static boolean isSuccess(byte reasonCode) {
        return (reasonCode & 0xFF) < 0x80;
    }
}
