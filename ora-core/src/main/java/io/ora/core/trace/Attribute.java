package io.ora.core.trace;

import java.util.regex.Pattern;

/**
 * The span attributes the node may record: the allow-list. A span cannot carry anything else, because
 * {@link Trace#tag} takes only these, and each checks its value's shape, so an identity, a topic, a locator, a token
 * or a payload cannot pass even by mistake (a URN has a colon, a topic a slash after a UUID, a token dots and
 * length). docs/observability.md lists them; a test enumerates this type against that list.
 */
public enum Attribute {
    /** {@code GET}, {@code POST}, ... */
    HTTP_METHOD("http.request.method", Shape.WORD),
    /** The route template from code, e.g. {@code /v1/projects/{projectId}}; never the request's path. */
    HTTP_ROUTE("http.route", Shape.TEMPLATE),
    /** The response's status code. */
    HTTP_STATUS("http.response.status_code", Shape.NUMBER),
    /** 3 (3.1.1) or 5. */
    MQTT_VERSION("mqtt.protocol_version", Shape.NUMBER),
    /** 0 or 1. */
    MQTT_QOS("mqtt.qos", Shape.NUMBER),
    /** What kind of peer: {@code hub} or {@code app}; never which one. */
    PEER_KIND("ora.peer.kind", Shape.WORD),
    /** How it ended, as the metrics say it: {@code accepted}, {@code not_authorized}, {@code delivered}, ... */
    OUTCOME("ora.outcome", Shape.WORD),
    /** How many rows a batch commit wrote. */
    ROWS("ora.batch.rows", Shape.NUMBER),
    /** The handover state a transition entered. */
    HANDOVER_STATE("ora.handover.state", Shape.WORD),
    /** {@code lock} or {@code unlock}. */
    LOCK_ACTION("ora.hub.lock", Shape.WORD);

    private final String key;
    private final Shape shape;

    Attribute(String key, Shape shape) {
        this.key = key;
        this.shape = shape;
    }

    public String key() {
        return key;
    }

    /** Whether {@code value} has this attribute's shape; {@link Trace#tag} records nothing that does not. */
    public boolean admits(String value) {
        return shape.pattern.matcher(value).matches();
    }

    private enum Shape {
        WORD("[A-Za-z_][A-Za-z0-9_]{0,39}"),
        NUMBER("[0-9]{1,6}"),
        // Lower-case words, versions and {parameters}: a UUID, a locator or a token is no segment of a template.
        TEMPLATE("/|(/([a-z][a-z0-9-]{0,19}|\\{[A-Za-z]{1,30}}))+");

        private final Pattern pattern;

        Shape(String pattern) {
            this.pattern = Pattern.compile(pattern);
        }
    }
}
