package io.ora.portal.telemetry;

import io.ora.persistence.telemetry.HubPseudonym;
import io.ora.persistence.telemetry.TelemetryTable;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.store.Db;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * One hub's health telemetry as operators see it: aggregates over a window, and erasure. The table knows a hub only
 * by its keyed pseudonym, so every call turns the hub's UUID into it here and no UUID ever reaches that table.
 */
public final class HubTelemetry {

    private final Db db;
    private final HubPseudonym pseudonym;

    public HubTelemetry(Db db, HubPseudonym pseudonym) {
        this.db = db;
        this.pseudonym = pseudonym;
    }

    /** The hub's health from samples received at or after {@code since}; empty when there are none. */
    public CompletionStage<Optional<TelemetryTable.Health>> health(UUID hub, Instant since) {
        return db.read(c -> TelemetryTable.health(c, pseudonym.of(hub), since));
    }

    /**
     * Deletes every sample of {@code hub} and records who asked, in one transaction; answers how many samples went.
     * Erasing a hub that has none is not an error: the request is fulfilled, and is audited all the same.
     */
    public CompletionStage<Long> erase(UUID operator, UUID hub) {
        return db.tx(c -> {
            long erased = TelemetryTable.erase(c, pseudonym.of(hub));
            // Neither an organisation nor a project: telemetry outlives both, and the hub may be in neither.
            AuditLog.append(c, null, null, operator, AuditLog.Action.TELEMETRY_ERASED, hub.toString());
            return erased;
        });
    }
}
