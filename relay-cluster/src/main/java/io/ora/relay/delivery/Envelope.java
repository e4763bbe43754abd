package io.ora.relay.delivery;

import io.ora.core.OraMessage;
import io.ora.core.identity.PeerId;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One relayed message on its way from a sender's connection to a receiver's. The payload is opaque: the relay
 * copies it, never reads it, and never puts it in a log, a metric or a trace ({@link #toString()} leaves it out).
 *
 * @param topic          the topic as the sender published it (the receiver's inbox or a level below it)
 * @param payload        the bytes, exactly as published
 * @param qos            0 or 1
 * @param sender         the sender's verified identity URN, stamped by the relay
 * @param userProperties MQTT 5 user properties from the sender, minus the relay's reserved {@code ora-} names
 * @param packetId       the sender's packet id (QoS 1), echoed in the outcome
 * @param replyTo        where the outcome goes: the sender's connection (QoS 1 only)
 * @param traceParent    the W3C {@code traceparent} of the sender edge's span when its trace is sampled, so the
 *                       delivery continues that trace on whichever node the receiver is; empty otherwise
 */
public record Envelope(String topic, byte[] payload, int qos, String sender, List<UserProperty> userProperties,
                       int packetId, Optional<ActorRef<Connection.Command>> replyTo, String traceParent)
        implements OraMessage {

    /**
     * The sender stamped on messages the relay writes itself (the OTA status). No certificate can carry it: peer
     * identities are only {@code urn:ora:hub:} and {@code urn:ora:app:}.
     */
    public static final String RELAY_SENDER = PeerId.URN_PREFIX + "relay";

    public Envelope {
        userProperties = List.copyOf(userProperties);
    }

    /** A message outside any trace. */
    public Envelope(String topic, byte[] payload, int qos, String sender, List<UserProperty> userProperties,
                    int packetId, Optional<ActorRef<Connection.Command>> replyTo) {
        this(topic, payload, qos, sender, userProperties, packetId, replyTo, "");
    }

    /** Reports the outcome to the sender, if it asked for one. */
    public void reply(DeliveryResult result) {
        replyTo.ifPresent(sender -> sender.tell(new Connection.Outcome(packetId, result)));
    }

    @Override
    public String toString() {
        return "Envelope[topic=" + topic + ", bytes=" + payload.length + ", qos=" + qos + ", sender=" + sender + "]";
    }

    /** An MQTT 5 user property, relayed as is. */
    public record UserProperty(String name, String value) {
    }
}
