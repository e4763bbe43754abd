package io.ora.core;

/**
 * Marker for every message that may cross a cluster node boundary.
 *
 * <p>It is bound once, to Jackson CBOR, in this module's {@code reference.conf}; implementing it is how a message
 * type opts in to remote delivery. Records implementing it must have only serializable components.
 */
public interface OraMessage {
}
