package io.ora.portal.ota;

import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.InvalidDocumentException;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.portal.api.Json;
import io.ora.portal.api.Page;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.projects.Templates;
import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import io.ora.portal.store.Keyset;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Rollouts of releases (docs/ota.md, "Rollouts"): their creation, the moves of {@link RolloutStatus} (each in one
 * transaction that locks the rollout's row, so concurrent moves are serialised), the soak timer's advance, the
 * offers counted, and the hubs' reports with the failure thresholds they may trip. Reports are kept by the hub's
 * pseudonym, never its UUID.
 */
public final class Rollouts {

    /** What a hub reports. */
    public enum Report { DOWNLOADING, VERIFIED, INSTALLED, FAILED }

    /** A rollout with what it needs to answer checks. */
    public record Rollout(UUID id, UUID releaseId, RolloutPlan plan, RolloutStatus status, Optional<String> pauseReason,
                          int stage, Instant stageStartedAt, Instant createdAt, Optional<Instant> endedAt) {
    }

    /** Counts of one stage: offers made, and the hubs whose newest report is each status. */
    public record StageProgress(int stage, double percent, long offers, Map<String, Long> reports,
                                Map<String, Long> failureReasons) {
    }

    /** A rollout and its progress. */
    public record Progress(Rollout rollout, List<StageProgress> stages) {
    }

    /**
     * What an operator asks for: the release, the installed versions targeted, the stages, the rate, the thresholds.
     */
    public record Request(UUID releaseId, Optional<FirmwareVersion> fromMin, Optional<FirmwareVersion> fromBelow,
                          List<RolloutPlan.Stage> stages, int maxOffersPerMinute, OptionalInt pauseFailures,
                          OptionalDouble pauseFailurePercent) {
    }

    /** What an offer needs beyond the plan: the release's signed envelope and size. */
    public record Offerable(Rollout rollout, SignedEnvelope release, long size, String sha256, Instant expires) {
    }

    private final Db db;
    private final Clock clock;

    public Rollouts(Db db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public CompletionStage<Rollout> create(UUID actor, Request request) {
        UUID id = UUID.randomUUID();
        return db.tx(c -> {
            Releases.Release release = Releases.find(c, request.releaseId(), false)
                    .orElseThrow(() -> Refused.notFound("release"));
            if (release.state() != Releases.State.AVAILABLE) {
                throw new Refusal.Unacceptable("release-unavailable", "the release has no artifact yet").refused();
            }
            if (!clock.instant().isBefore(release.expires())) {
                throw new Refusal.Unacceptable("metadata-expired", "the release metadata has expired").refused();
            }
            // Validates the plan before anything is written.
            new RolloutPlan(id, release.model(), release.version(), release.minVersion(), request.fromMin(),
                    request.fromBelow(), request.stages(), request.maxOffersPerMinute(), request.pauseFailures(),
                    request.pauseFailurePercent());
            ArrayNode stages = Json.mapper().createArrayNode();
            for (RolloutPlan.Stage stage : request.stages()) {
                stages.addObject().put("percent", stage.percent()).put("soakMinutes", stage.soak().toMinutes());
            }
            Instant now = clock.instant();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO ota_rollout (id, release_id, model,"
                    + " from_min, from_below, stages, max_offers_per_minute, pause_failures, pause_failure_percent,"
                    + " status, stage, stage_started_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 0,"
                    + " ?, ?) ON CONFLICT (model) WHERE status <> 'aborted' DO NOTHING")) {
                insert.setObject(1, id);
                insert.setObject(2, release.id());
                insert.setString(3, release.model());
                insert.setArray(4, request.fromMin().isPresent()
                        ? Releases.versionArray(c, request.fromMin().get()) : null);
                insert.setArray(5, request.fromBelow().isPresent()
                        ? Releases.versionArray(c, request.fromBelow().get()) : null);
                insert.setObject(6, Templates.jsonb(stages));
                insert.setInt(7, request.maxOffersPerMinute());
                insert.setObject(8, request.pauseFailures().isPresent() ? request.pauseFailures().getAsInt() : null);
                insert.setObject(9, request.pauseFailurePercent().isPresent()
                        ? request.pauseFailurePercent().getAsDouble() : null);
                insert.setTimestamp(10, Timestamp.from(now));
                insert.setObject(11, actor);
                if (insert.executeUpdate() == 0) {
                    throw Refused.conflict("a rollout of " + release.model() + " is open: abort it first");
                }
            }
            OtaAudit.append(c, actor, AuditLog.Action.OTA_ROLLOUT_CREATED, id.toString());
            return find(c, id, false).orElseThrow();
        });
    }

    public CompletionStage<Optional<Progress>> progress(UUID id) {
        return db.read(c -> {
            Optional<Rollout> rollout = find(c, id, false);
            return rollout.isEmpty() ? Optional.empty() : Optional.of(progress(c, rollout.get()));
        });
    }

    public CompletionStage<Page<OtaViews.RolloutView>> list(Page.Request page) {
        return db.read(c -> {
            List<Rollout> rows = Keyset.rows(c, "SELECT " + COLUMNS + " FROM ota_rollout r JOIN ota_release e ON"
                    + " e.id = r.release_id WHERE true", "r.created_at", "r.id", Keyset.Parameters.of(), page,
                    Rollouts::rollout);
            return Page.of(rows, page.limit(), r -> new Page.Position(r.createdAt(), r.id()),
                    r -> OtaViews.RolloutView.of(r, Optional.empty()));
        });
    }

    /** Operators' OTA actions from the audit log, oldest first, one keyset page. */
    public CompletionStage<Page<AuditLog.Event>> audit(Page.Request page) {
        return db.read(c -> Page.of(AuditLog.otaPage(c, page), page.limit(), e -> new Page.Position(e.at(), e.id()),
                e -> e));
    }

    /** Applies an operator's move, or refuses one the rollout's state does not allow. */
    public CompletionStage<Rollout> move(UUID actor, UUID id, RolloutStatus.Move move) {
        return db.tx(c -> {
            Rollout rollout = find(c, id, true).orElseThrow(() -> Refused.notFound("rollout"));
            if (rollout.status().after(move).isEmpty()) {
                throw Refused.conflict("the rollout is " + rollout.status().wireName() + ": it cannot " + verb(move));
            }
            apply(c, rollout, move);
            OtaAudit.append(c, actor, action(move), id.toString());
            return find(c, id, false).orElseThrow();
        });
    }

    /**
     * Writes {@code move}: the state is the one {@link RolloutStatus} gives for it (the table decides; this only
     * records), with what the move also changes — why a rollout is paused, the stage and its soak's start, the end.
     */
    private void apply(Connection c, Rollout rollout, RolloutStatus.Move move) throws SQLException {
        RolloutStatus next = rollout.status().after(move).orElseThrow(() -> new IllegalStateException(
                "a rollout that is " + rollout.status().wireName() + " cannot " + verb(move)));
        String pauseReason = move == RolloutStatus.Move.PAUSE ? "operator"
                : move == RolloutStatus.Move.AUTO_PAUSE ? "failures" : null;
        // The soak starts again on resume (a stage is never widened straight after a pause) and on every advance.
        boolean soakStarts = move == RolloutStatus.Move.RESUME || move == RolloutStatus.Move.ADVANCE;
        try (PreparedStatement update = c.prepareStatement("UPDATE ota_rollout SET status = ?, pause_reason = ?,"
                + " stage = stage + ?, stage_started_at = CASE WHEN ? THEN ? ELSE stage_started_at END,"
                + " ended_at = ?, row_version = row_version + 1 WHERE id = ?")) {
            Timestamp now = Timestamp.from(clock.instant());
            update.setString(1, next.wireName());
            update.setString(2, pauseReason);
            update.setInt(3, move == RolloutStatus.Move.ADVANCE ? 1 : 0);
            update.setBoolean(4, soakStarts);
            update.setTimestamp(5, now);
            update.setTimestamp(6, next == RolloutStatus.ABORTED ? now : null);
            update.setObject(7, rollout.id());
            update.executeUpdate();
        }
    }

    /**
     * Moves every active rollout whose current stage has soaked into its next stage; answers how many moved. Also
     * deletes the outcome rows of rollouts aborted more than {@code retention} ago.
     */
    public CompletionStage<Integer> sweep(Duration retention) {
        return db.tx(c -> {
            Instant now = clock.instant();
            List<Rollout> due = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM ota_rollout r JOIN"
                    + " ota_release e ON e.id = r.release_id WHERE r.status = 'active' FOR UPDATE OF r SKIP LOCKED");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Rollout rollout = rollout(row);
                    List<RolloutPlan.Stage> stages = rollout.plan().stages();
                    if (rollout.stage() + 1 < stages.size() && !now.isBefore(
                            rollout.stageStartedAt().plus(stages.get(rollout.stage()).soak()))) {
                        due.add(rollout);
                    }
                }
            }
            for (Rollout rollout : due) {
                apply(c, rollout, RolloutStatus.Move.ADVANCE);
                OtaAudit.append(c, AuditLog.SYSTEM, AuditLog.Action.OTA_ROLLOUT_ADVANCED, rollout.id().toString());
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM ota_outcome o USING ota_rollout r"
                    + " WHERE o.rollout_id = r.id AND r.status = 'aborted' AND r.ended_at < ?")) {
                delete.setTimestamp(1, Timestamp.from(now.minus(retention)));
                delete.executeUpdate();
            }
            return due.size();
        });
    }

    /** Adds offers counted on this node: rollout and stage to count. */
    public CompletionStage<Void> addOffers(Map<UUID, Map<Integer, Long>> counted) {
        return db.tx(c -> {
            try (PreparedStatement upsert = c.prepareStatement("INSERT INTO ota_offer_count (rollout_id, stage,"
                    + " offers) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM ota_rollout WHERE id = ?)"
                    + " ON CONFLICT (rollout_id, stage) DO UPDATE"
                    + " SET offers = ota_offer_count.offers + excluded.offers")) {
                for (Map.Entry<UUID, Map<Integer, Long>> rollout : counted.entrySet()) {
                    for (Map.Entry<Integer, Long> stage : rollout.getValue().entrySet()) {
                        upsert.setObject(1, rollout.getKey());
                        upsert.setInt(2, stage.getKey());
                        upsert.setLong(3, stage.getValue());
                        upsert.setObject(4, rollout.getKey());
                        upsert.addBatch();
                    }
                }
                upsert.executeBatch();
            }
            return null;
        });
    }

    /**
     * Keeps a hub's newest report for a rollout, under its pseudonym, and pauses the rollout when a failure takes its
     * stage over a threshold. Empty (nothing kept) when there is no such rollout or the hub is in none of its stages:
     * it cannot have been offered this release.
     */
    public CompletionStage<Boolean> report(UUID rolloutId, byte[] pseudonym, Report report,
                                           Optional<String> reason) {
        return db.tx(c -> {
            // Locked, so two failures of one stage are counted one after the other against the threshold.
            Optional<Rollout> found = find(c, rolloutId, true);
            if (found.isEmpty()) {
                return false;
            }
            Rollout rollout = found.get();
            OptionalInt stage = rollout.plan().stageOf(rollout.plan().bucket(pseudonym));
            // Stages only widen: a hub of no stage, or of one not reached yet, has never been offered this release.
            if (stage.isEmpty() || stage.getAsInt() > rollout.stage()) {
                return false;
            }
            try (PreparedStatement upsert = c.prepareStatement("INSERT INTO ota_outcome (rollout_id, hub_pseudonym,"
                    + " stage, status, reason, reported_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (rollout_id,"
                    + " hub_pseudonym) DO UPDATE SET status = excluded.status, reason = excluded.reason,"
                    + " reported_at = excluded.reported_at")) {
                upsert.setObject(1, rolloutId);
                upsert.setBytes(2, pseudonym);
                upsert.setInt(3, stage.getAsInt());
                upsert.setString(4, report.name().toLowerCase(Locale.ROOT));
                upsert.setString(5, reason.orElse(null));
                upsert.setTimestamp(6, Timestamp.from(clock.instant()));
                upsert.executeUpdate();
            }
            if (report == Report.FAILED && rollout.status() == RolloutStatus.ACTIVE) {
                long failed = 0;
                long reported = 0;
                try (PreparedStatement count = c.prepareStatement("SELECT count(*) FILTER (WHERE status = 'failed'),"
                        + " count(*) FROM ota_outcome WHERE rollout_id = ? AND stage = ?")) {
                    count.setObject(1, rolloutId);
                    count.setInt(2, stage.getAsInt());
                    try (ResultSet row = count.executeQuery()) {
                        row.next();
                        failed = row.getLong(1);
                        reported = row.getLong(2);
                    }
                }
                if (rollout.plan().failuresExceeded(failed, reported)) {
                    apply(c, rollout, RolloutStatus.Move.AUTO_PAUSE);
                    OtaAudit.append(c, AuditLog.SYSTEM, AuditLog.Action.OTA_ROLLOUT_AUTO_PAUSED, rolloutId.toString());
                }
            }
            return true;
        });
    }

    /** The open rollouts with their releases' envelopes, and every root envelope: what a node answers checks from. */
    public CompletionStage<Snapshot> snapshot() {
        return db.read(c -> {
            List<Offerable> open = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + ", e.envelope, e.size,"
                    + " e.sha256, e.expires_at FROM ota_rollout r JOIN ota_release e ON e.id = r.release_id"
                    + " WHERE r.status <> 'aborted'");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    try {
                        open.add(new Offerable(rollout(row), SignedEnvelope.parse(row.getBytes(COLUMN_COUNT + 1)),
                                row.getLong(COLUMN_COUNT + 2),
                                java.util.HexFormat.of().formatHex(row.getBytes(COLUMN_COUNT + 3)),
                                row.getTimestamp(COLUMN_COUNT + 4).toInstant()));
                    } catch (InvalidDocumentException e) {
                        throw new IllegalStateException("a stored release envelope does not parse", e);
                    }
                }
            }
            return new Snapshot(open, Releases.rootEnvelopes(c));
        });
    }

    /** What {@link #snapshot} reads. */
    public record Snapshot(List<Offerable> open, List<SignedEnvelope> roots) {
    }

    private static Progress progress(Connection c, Rollout rollout) throws SQLException {
        Map<Integer, Long> offers = new LinkedHashMap<>();
        try (PreparedStatement select = c.prepareStatement(
                "SELECT stage, offers FROM ota_offer_count WHERE rollout_id = ?")) {
            select.setObject(1, rollout.id());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    offers.put(row.getInt(1), row.getLong(2));
                }
            }
        }
        List<Map<String, Long>> reports = new ArrayList<>();
        List<Map<String, Long>> reasons = new ArrayList<>();
        for (int i = 0; i < rollout.plan().stages().size(); i++) {
            Map<String, Long> byStatus = new LinkedHashMap<>();
            for (Report report : Report.values()) {
                byStatus.put(report.name().toLowerCase(Locale.ROOT), 0L);
            }
            reports.add(byStatus);
            reasons.add(new LinkedHashMap<>());
        }
        try (PreparedStatement select = c.prepareStatement("SELECT stage, status, reason, count(*) FROM ota_outcome"
                + " WHERE rollout_id = ? GROUP BY stage, status, reason ORDER BY stage, status, reason")) {
            select.setObject(1, rollout.id());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    int stage = row.getInt(1);
                    if (stage >= reports.size()) {
                        continue;
                    }
                    reports.get(stage).merge(row.getString(2), row.getLong(4), Long::sum);
                    if (row.getString(3) != null) {
                        reasons.get(stage).merge(row.getString(3), row.getLong(4), Long::sum);
                    }
                }
            }
        }
        List<StageProgress> stages = new ArrayList<>();
        for (int i = 0; i < rollout.plan().stages().size(); i++) {
            stages.add(new StageProgress(i, rollout.plan().stages().get(i).percent(), offers.getOrDefault(i, 0L),
                    reports.get(i), reasons.get(i)));
        }
        return new Progress(rollout, stages);
    }

    private static final String COLUMNS = "r.id, r.release_id, r.model, e.version, e.min_version, r.from_min,"
            + " r.from_below, r.stages::text, r.max_offers_per_minute, r.pause_failures, r.pause_failure_percent,"
            + " r.status, r.pause_reason, r.stage, r.stage_started_at, r.created_at, r.ended_at";
    private static final int COLUMN_COUNT = 17;

    private static Optional<Rollout> find(Connection c, UUID id, boolean forUpdate) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM ota_rollout r JOIN"
                + " ota_release e ON e.id = r.release_id WHERE r.id = ?" + (forUpdate ? " FOR UPDATE OF r" : ""))) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(rollout(row)) : Optional.empty();
            }
        }
    }

    private static Rollout rollout(ResultSet row) throws SQLException {
        UUID id = row.getObject(1, UUID.class);
        List<RolloutPlan.Stage> stages = new ArrayList<>();
        for (JsonNode stage : Json.mapper().readTree(row.getString(8))) {
            stages.add(new RolloutPlan.Stage(stage.get("percent").doubleValue(),
                    Duration.ofMinutes(stage.get("soakMinutes").longValue())));
        }
        Object failures = row.getObject(10);
        java.math.BigDecimal percent = row.getBigDecimal(11);
        RolloutPlan plan = new RolloutPlan(id, row.getString(3), Releases.version(row.getArray(4)),
                Releases.version(row.getArray(5)), optionalVersion(row.getArray(6)), optionalVersion(row.getArray(7)),
                stages, row.getInt(9), failures == null ? OptionalInt.empty() : OptionalInt.of(row.getInt(10)),
                percent == null ? OptionalDouble.empty() : OptionalDouble.of(percent.doubleValue()));
        Timestamp ended = row.getTimestamp(17);
        return new Rollout(id, row.getObject(2, UUID.class), plan, RolloutStatus.fromWire(row.getString(12)),
                Optional.ofNullable(row.getString(13)), row.getInt(14), row.getTimestamp(15).toInstant(),
                row.getTimestamp(16).toInstant(), Optional.ofNullable(ended).map(Timestamp::toInstant));
    }

    private static Optional<FirmwareVersion> optionalVersion(Array array) throws SQLException {
        return array == null ? Optional.empty() : Optional.of(Releases.version(array));
    }

    private static String verb(RolloutStatus.Move move) {
        return move.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static AuditLog.Action action(RolloutStatus.Move move) {
        switch (move) {
            case PAUSE:
                return AuditLog.Action.OTA_ROLLOUT_PAUSED;
            case RESUME:
                return AuditLog.Action.OTA_ROLLOUT_RESUMED;
            case ABORT:
                return AuditLog.Action.OTA_ROLLOUT_ABORTED;
            default:
                throw new IllegalArgumentException("operators do not " + verb(move));
        }
    }
}
