package io.ora.portal.ota;

import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.InvalidDocumentException;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.RootMetadata;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.core.firmware.TrustedRoot;
import io.ora.portal.api.Page;
import io.ora.portal.audit.AuditLog;
import io.ora.portal.refusal.Refusal;
import io.ora.portal.refusal.Refused;
import io.ora.portal.store.Db;
import io.ora.portal.store.Keyset;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Firmware releases and the root metadata they are trusted through (docs/ota.md): what the portal verifies on upload,
 * exactly as a hub would, and keeps. It holds public keys only, so it can refuse firmware but never sign any.
 * An artifact is stored in the transaction that makes its release available, so a refused or broken upload leaves
 * nothing.
 */
public final class Releases {

    /** The size of one stored chunk of an artifact. */
    static final int CHUNK = 1024 * 1024;

    /** What a release is: waiting for its image, or offerable. */
    public enum State { AWAITING_ARTIFACT, AVAILABLE }

    /** A release as the API shows it. */
    public record Release(UUID id, String model, FirmwareVersion version, FirmwareVersion minVersion, long size,
                          String sha256, String notes, Instant expires, State state, Instant createdAt) {
    }

    /** A root metadata version held. */
    public record Root(int version, Instant expires, Instant uploadedAt) {
    }

    private final Db db;
    private final OtaSettings settings;
    private final Clock clock;

    public Releases(Db db, OtaSettings settings, Clock clock) {
        this.db = db;
        this.settings = settings;
        this.clock = clock;
    }

    private PublicKey pinned() {
        return settings.rootPublicKey().orElseThrow(() -> new Refusal.Conflict("OTA is not configured on this"
                + " deployment: ora.ota.root-public-key-file names no root key").refused());
    }

    /** Verifies {@code json} as the next root metadata and keeps it. */
    public CompletionStage<Root> addRoot(UUID actor, byte[] json) {
        PublicKey pinned = pinned();
        SignedEnvelope envelope = envelope(json, "root-invalid");
        return db.tx(c -> {
            // One root upload at a time: two of the same version cannot both pass the chain check.
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(7001)")) {
                lock.execute();
            }
            TrustedRoot trusted = walk(c, TrustedRoot.pinned(pinned));
            RootMetadata root;
            try {
                root = RootMetadata.parse(envelope.payload());
            } catch (InvalidDocumentException e) {
                throw new Refusal.Unacceptable("root-invalid", e.getMessage()).refused();
            }
            if (root.version() <= trusted.version()) {
                throw Refused.conflict("root metadata version " + root.version() + " is held already");
            }
            Optional<TrustedRoot> next = trusted.next(envelope);
            if (next.isEmpty() || next.get().version() != root.version()) {
                throw new Refusal.Unacceptable("root-invalid", "it is not version " + (trusted.version() + 1)
                        + " signed by a root key of version " + trusted.version() + " and one of its own").refused();
            }
            if (!clock.instant().isBefore(root.expires())) {
                throw new Refusal.Unacceptable("root-invalid", "it has expired").refused();
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO ota_root (version, envelope, expires_at,"
                    + " uploaded_by) VALUES (?, ?, ?, ?) RETURNING uploaded_at")) {
                insert.setInt(1, root.version());
                insert.setBytes(2, envelope.toJson());
                insert.setTimestamp(3, Timestamp.from(root.expires()));
                insert.setObject(4, actor);
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    OtaAudit.append(c, actor, AuditLog.Action.OTA_ROOT_UPLOADED, Integer.toString(root.version()));
                    return new Root(root.version(), root.expires(), row.getTimestamp(1).toInstant());
                }
            }
        });
    }

    /** The root metadata versions held, newest first. */
    public CompletionStage<List<Root>> roots() {
        return db.read(c -> {
            List<Root> roots = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT version, expires_at, uploaded_at FROM ota_root ORDER BY version DESC");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    roots.add(new Root(row.getInt(1), row.getTimestamp(2).toInstant(),
                            row.getTimestamp(3).toInstant()));
                }
            }
            return roots;
        });
    }

    /** Every stored root envelope, oldest first: what an offer carries. */
    static List<SignedEnvelope> rootEnvelopes(Connection c) throws SQLException {
        List<SignedEnvelope> envelopes = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT envelope FROM ota_root ORDER BY version");
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                try {
                    envelopes.add(SignedEnvelope.parse(row.getBytes(1)));
                } catch (InvalidDocumentException e) {
                    throw new IllegalStateException("a stored root envelope does not parse", e);
                }
            }
        }
        return envelopes;
    }

    /** The root reached from {@code start} through every stored root (each was verified when it was stored). */
    static TrustedRoot walk(Connection c, TrustedRoot start) throws SQLException {
        TrustedRoot trusted = start;
        for (SignedEnvelope envelope : rootEnvelopes(c)) {
            trusted = trusted.next(envelope).orElseThrow(() ->
                    new IllegalStateException("the stored root chain does not verify from the configured root key"));
        }
        return trusted;
    }

    /** Verifies {@code json} as a release's signed metadata and registers the release, awaiting its artifact. */
    public CompletionStage<Release> register(UUID actor, byte[] json) {
        PublicKey pinned = pinned();
        SignedEnvelope envelope = envelope(json, "invalid-metadata");
        return db.tx(c -> {
            TrustedRoot trusted = walk(c, TrustedRoot.pinned(pinned));
            Instant now = clock.instant();
            if (trusted.version() == 0) {
                throw new Refusal.Unacceptable("signature-invalid", "no root metadata is held yet to name the keys"
                        + " that sign releases: upload root.json first").refused();
            }
            if (!now.isBefore(trusted.expires())) {
                throw new Refusal.Unacceptable("root-invalid", "the newest root metadata has expired: upload the"
                        + " next").refused();
            }
            if (!trusted.signedRelease(envelope)) {
                throw new Refusal.Unacceptable("signature-invalid", "it is not signed by a release key of root"
                        + " version " + trusted.version()).refused();
            }
            ReleaseMetadata metadata;
            try {
                metadata = ReleaseMetadata.parse(envelope.payload());
            } catch (InvalidDocumentException e) {
                throw new Refusal.Unacceptable("invalid-metadata", e.getMessage()).refused();
            }
            if (!now.isBefore(metadata.expires())) {
                throw new Refusal.Unacceptable("metadata-expired", "the release metadata has expired").refused();
            }
            if (metadata.size() > settings.maxArtifactBytes()) {
                throw new Refusal.Unacceptable("artifact-too-large", "this deployment takes artifacts of at most "
                        + settings.maxArtifactBytes() + " bytes (ora.ota.max-artifact-bytes)").refused();
            }
            if (!metadata.minVersion().isBelow(metadata.version())) {
                throw new Refusal.Unacceptable("invalid-metadata", "minVersion is below version").refused();
            }
            UUID id = UUID.randomUUID();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO ota_release (id, model, version,"
                    + " min_version, size, sha256, notes, expires_at, envelope, state, created_by) VALUES"
                    + " (?, ?, ?, ?, ?, ?, ?, ?, ?, 'awaiting_artifact', ?) ON CONFLICT (model, version) DO NOTHING"
                    + " RETURNING created_at")) {
                insert.setObject(1, id);
                insert.setString(2, metadata.model());
                insert.setArray(3, versionArray(c, metadata.version()));
                insert.setArray(4, versionArray(c, metadata.minVersion()));
                insert.setLong(5, metadata.size());
                insert.setBytes(6, metadata.sha256());
                insert.setString(7, metadata.notes());
                insert.setTimestamp(8, Timestamp.from(metadata.expires()));
                insert.setBytes(9, envelope.toJson());
                insert.setObject(10, actor);
                try (ResultSet row = insert.executeQuery()) {
                    if (!row.next()) {
                        throw Refused.conflict("a release of " + metadata.model() + " " + metadata.version()
                                + " is registered already");
                    }
                    OtaAudit.append(c, actor, AuditLog.Action.OTA_RELEASE_REGISTERED, id.toString());
                    return new Release(id, metadata.model(), metadata.version(), metadata.minVersion(),
                            metadata.size(), metadata.sha256Hex(), metadata.notes(), metadata.expires(),
                            State.AWAITING_ARTIFACT, row.getTimestamp(1).toInstant());
                }
            }
        });
    }

    /**
     * Stores {@code length} bytes read from {@code image} as the artifact of {@code releaseId}, in one transaction:
     * it is kept only when the bytes are exactly the signed size and SHA-256, and the release becomes available with
     * it. Reads on the blocking executor; {@code image} is closed.
     */
    public CompletionStage<Release> uploadArtifact(UUID actor, UUID releaseId, long length, InputStream image) {
        return db.tx(c -> {
            try (InputStream in = image) {
                Release release = find(c, releaseId, true).orElseThrow(() -> Refused.notFound("release"));
                if (release.state() == State.AVAILABLE) {
                    throw Refused.conflict("this release has its artifact already");
                }
                if (length != release.size()) {
                    throw new Refusal.Unacceptable("artifact-mismatch", "the release was signed for "
                            + release.size() + " bytes; this upload declares " + length).refused();
                }
                MessageDigest sha = sha256();
                long total = 0;
                byte[] chunk = new byte[CHUNK];
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO ota_artifact_chunk (release_id, seq, data) VALUES (?, ?, ?)")) {
                    for (int seq = 0; ; seq++) {
                        int filled = in.readNBytes(chunk, 0, CHUNK);
                        if (filled == 0) {
                            break;
                        }
                        total += filled;
                        if (total > release.size()) {
                            throw new Refusal.Unacceptable("artifact-mismatch", "more bytes than were signed")
                                    .refused();
                        }
                        sha.update(chunk, 0, filled);
                        insert.setObject(1, releaseId);
                        insert.setInt(2, seq);
                        insert.setBytes(3, filled == CHUNK ? chunk : java.util.Arrays.copyOf(chunk, filled));
                        insert.executeUpdate();
                    }
                }
                if (total != release.size() || !MessageDigest.isEqual(sha.digest(),
                        java.util.HexFormat.of().parseHex(release.sha256()))) {
                    throw new Refusal.Unacceptable("artifact-mismatch", "the bytes are not the signed size and"
                            + " SHA-256; nothing was kept").refused();
                }
                try (PreparedStatement update = c.prepareStatement(
                        "UPDATE ota_release SET state = 'available' WHERE id = ?")) {
                    update.setObject(1, releaseId);
                    update.executeUpdate();
                }
                OtaAudit.append(c, actor, AuditLog.Action.OTA_ARTIFACT_UPLOADED, releaseId.toString());
                return find(c, releaseId, false).orElseThrow();
            } catch (IOException e) {
                throw new UncheckedIOException("the upload broke off; nothing was kept", e);
            }
        });
    }

    public CompletionStage<Optional<Release>> get(UUID releaseId) {
        return db.read(c -> find(c, releaseId, false));
    }

    public CompletionStage<Page<OtaViews.ReleaseView>> list(Page.Request page) {
        return db.read(c -> {
            List<Release> rows = Keyset.rows(c, "SELECT " + COLUMNS + " FROM ota_release WHERE true", "created_at",
                    "id", Keyset.Parameters.of(), page, Releases::release);
            return Page.of(rows, page.limit(), r -> new Page.Position(r.createdAt(), r.id()),
                    OtaViews.ReleaseView::of);
        });
    }

    /**
     * Writes the stored artifact of an available release to {@code out}, chunk by chunk, and answers the release,
     * or empty when there is none (blocking; for a node's artifact cache).
     */
    public Optional<Release> copyArtifact(Connection c, UUID releaseId, OutputStream out)
            throws SQLException, IOException {
        Optional<Release> release = find(c, releaseId, false);
        if (release.isEmpty() || release.get().state() != State.AVAILABLE) {
            return Optional.empty();
        }
        // One chunk per round trip, so a node never holds more than one in memory however large the artifact.
        try (PreparedStatement select = c.prepareStatement(
                "SELECT data FROM ota_artifact_chunk WHERE release_id = ? AND seq = ?")) {
            for (int seq = 0; ; seq++) {
                select.setObject(1, releaseId);
                select.setInt(2, seq);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        break;
                    }
                    out.write(row.getBytes(1));
                }
            }
        }
        return release;
    }

    static final String COLUMNS =
            "id, model, version, min_version, size, sha256, notes, expires_at, state, created_at";

    static Optional<Release> find(Connection c, UUID id, boolean forUpdate) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM ota_release WHERE id = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(release(row)) : Optional.empty();
            }
        }
    }

    static Release release(ResultSet row) throws SQLException {
        return new Release(row.getObject(1, UUID.class), row.getString(2), version(row.getArray(3)),
                version(row.getArray(4)), row.getLong(5), java.util.HexFormat.of().formatHex(row.getBytes(6)),
                row.getString(7), row.getTimestamp(8).toInstant(),
                State.valueOf(row.getString(9).toUpperCase(java.util.Locale.ROOT)), row.getTimestamp(10).toInstant());
    }

    static Array versionArray(Connection c, FirmwareVersion version) throws SQLException {
        return c.createArrayOf("integer", new Integer[] {version.major(), version.minor(), version.patch()});
    }

    static FirmwareVersion version(Array array) throws SQLException {
        Integer[] parts = (Integer[]) array.getArray();
        return new FirmwareVersion(parts[0], parts[1], parts[2]);
    }

    private static SignedEnvelope envelope(byte[] json, String kind) {
        try {
            return SignedEnvelope.parse(json);
        } catch (InvalidDocumentException e) {
            throw new Refusal.Unacceptable(kind, e.getMessage()).refused();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
