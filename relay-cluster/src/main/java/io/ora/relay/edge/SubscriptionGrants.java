package io.ora.relay.edge;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.ora.core.topic.Topics;
import java.util.List;
import java.util.Map;

/**
 * SUBSCRIBE: a peer may subscribe only to its own inbox and levels below it. QoS is granted up to 1; anything else
 * gets a failure code in the SUBACK (MQTT 5: 0x8F invalid filter, 0x87 not authorised, 0x97 too many; MQTT 3.1.1:
 * 0x80). No retained messages exist, so nothing is sent on subscribe.
 *
 * <p>Not a pipeline handler: the {@link MqttPacketDispatcher} calls it, on the connection's event loop.
 */
final class SubscriptionGrants {

    private static final int LEGACY_FAILURE = 0x80;

    private SubscriptionGrants() {
    }

    static void handle(MqttConnection connection, MqttSubscribeMessage subscribe) {
        List<MqttTopicSubscription> requested = subscribe.payload().topicSubscriptions();
        int[] codes = new int[requested.size()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = subscribe(connection, requested.get(i));
        }
        MqttSubAckMessage subAck = new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(subscribe.idAndPropertiesVariableHeader().messageId(),
                        MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes));
        connection.channel().writeAndFlush(subAck);
    }

    private static int subscribe(MqttConnection connection, MqttTopicSubscription subscription) {
        String filter = subscription.topicFilter();
        if (!Topics.isValidFilter(filter) || filter.indexOf('\uFFFD') >= 0) {
            return refused(connection, "filter_invalid", MqttReasonCodes.SubAck.TOPIC_FILTER_INVALID);
        }
        if (!Topics.maySubscribe(connection.identity(), filter)) {
            return refused(connection, "not_authorized", MqttReasonCodes.SubAck.NOT_AUTHORIZED);
        }
        int max = connection.edge().settings().mqtt().maxSubscriptions();
        Map<String, MqttQoS> subscriptions = connection.session().subscriptions();
        if (subscriptions.size() >= max && !subscriptions.containsKey(filter)) {
            return refused(connection, "quota_exceeded", MqttReasonCodes.SubAck.QUOTA_EXCEEDED);
        }
        MqttQoS granted = subscription.qualityOfService() == MqttQoS.AT_MOST_ONCE
                ? MqttQoS.AT_MOST_ONCE : MqttQoS.AT_LEAST_ONCE;
        connection.session().subscribe(filter, granted);
        return granted.value();
    }

    private static int refused(MqttConnection connection, String reason, MqttReasonCodes.SubAck mqtt5Code) {
        connection.edge().metrics().counter("ora_relay_subscriptions_refused_total",
                "Subscriptions refused, by reason", "reason", reason).increment();
        return connection.isMqtt5() ? mqtt5Code.byteValue() & 0xFF : LEGACY_FAILURE;
    }
}
