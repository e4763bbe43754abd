package io.ora.relay.api;

import io.ora.core.OraMessage;

/**
 * Everything a hub's sharded entity accepts: the type of {@link HubLocks#KEY}. Other roles send only the sealed
 * {@link HubLocks.Command}; the relay's own messages to its hub entities (the live session, OTA checks) implement
 * this interface in relay-cluster. It cannot be sealed: a sealed type may only list types of its own package, and
 * those live in a module other roles must not see.
 */
public interface HubMessage extends OraMessage {
}
