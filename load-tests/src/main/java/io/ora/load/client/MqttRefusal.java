package io.ora.load.client;

/**
 * The broker answered, and said no: a CONNACK or SUBACK with an error reason code, or a DISCONNECT. The message is
 * the cause as reports count it ({@code CONNACK NOT_AUTHORIZED}), without per-connection detail.
 */
public final class MqttRefusal extends Exception {

    private static final long serialVersionUID = 1L;

    /** A refusal described as {@code <packet> <reason>}. */
    public MqttRefusal(String cause) {
        super(cause, null, false, false);
    }
}
