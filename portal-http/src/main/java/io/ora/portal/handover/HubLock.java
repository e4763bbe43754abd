package io.ora.portal.handover;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Puts a project's hubs into handover lockdown and out of it, through each hub's sharded entity on the relay (the
 * durable lock). Both are idempotent; the project id is the lock's holder, so a project releases only its own lock.
 */
public interface HubLock {

    /** Locks {@code hubs} for {@code project}; completes once every hub entity has persisted its lock. */
    CompletionStage<Void> lock(UUID project, List<UUID> hubs);

    /** Releases {@code project}'s lock on {@code hubs}; completes once every hub entity has persisted it. */
    CompletionStage<Void> release(UUID project, List<UUID> hubs);
}
