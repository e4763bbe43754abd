package io.ora.portal.handover;

import io.ora.core.concurrent.Failures;
import io.ora.core.trace.Attribute;
import io.ora.core.trace.Operation;
import io.ora.core.trace.Trace;
import io.ora.core.trace.Traces;
import io.ora.portal.store.Db;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the hub entities' lock in line with each project's committed status: applied after a transition commits,
 * recorded in {@code project.hubs_locked}, and retried by the sweeper wherever the relay could not be reached.
 */
record HubLockSync(Db db, HubLock hubLock) {

    private static final Logger LOG = LoggerFactory.getLogger(HubLockSync.class);

    /** Applies the lock every project's status calls for where the hub entities have not confirmed it yet. */
    CompletionStage<Void> reconcile() {
        return db.read(c -> {
            List<UUID> gaps = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT id FROM project "
                    + "WHERE (status = 'PENDING_HANDOVER') <> hubs_locked LIMIT 100")) {
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        gaps.add(row.getObject(1, UUID.class));
                    }
                }
            }
            return gaps;
        }).thenCompose(gaps -> {
            CompletionStage<Void> all = CompletableFuture.completedFuture(null);
            for (UUID project : gaps) {
                all = all.thenCompose(previous -> apply(project, Optional.empty()).thenApply(applied -> null));
            }
            return all;
        });
    }

    /**
     * Brings the hub entities in line with the project's committed status and records that they are. Never fails:
     * if the relay cannot be reached the gap stays recorded and the sweeper tries again.
     */
    CompletionStage<Boolean> apply(UUID projectId, Optional<Trace> transition) {
        return db.read(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT p.status = 'PENDING_HANDOVER', "
                    + "array(SELECT hub_id FROM project_hub WHERE project_id = p.id) FROM project p WHERE p.id = ?")) {
                select.setObject(1, projectId);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    List<UUID> hubs = List.of((UUID[]) row.getArray(2).getArray());
                    return new LockTarget(row.getBoolean(1), hubs);
                }
            }
        }).thenCompose(target -> lockSpan(transition, target.locked()).endWith(target.locked()
                        ? hubLock.lock(projectId, target.hubs()) : hubLock.release(projectId, target.hubs()))
                .thenCompose(done -> db.tx(c -> {
                    try (PreparedStatement update = c.prepareStatement("UPDATE project SET hubs_locked = ? "
                            + "WHERE id = ? AND (status = 'PENDING_HANDOVER') = ?")) {
                        update.setBoolean(1, target.locked());
                        update.setObject(2, projectId);
                        update.setBoolean(3, target.locked());
                        return update.executeUpdate() == 1;
                    }
                })))
                .exceptionally(failure -> {
                    LOG.warn("hub lock for project {} not applied yet ({}); the sweeper will retry", projectId,
                            Failures.cause(failure).getClass().getSimpleName());
                    return false;
                });
    }

    private record LockTarget(boolean locked, List<UUID> hubs) {
    }

    /** The span of asking the relay to lock or release a project's hubs: the transition's child, if there is one. */
    private static Trace lockSpan(Optional<Trace> transition, boolean lock) {
        Trace span = transition.map(parent -> Traces.start(Operation.HUB_LOCK, parent))
                .orElseGet(() -> Traces.start(Operation.HUB_LOCK));
        return span.tag(Attribute.LOCK_ACTION, lock ? "lock" : "unlock");
    }
}
