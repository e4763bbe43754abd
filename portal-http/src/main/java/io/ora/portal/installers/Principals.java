package io.ora.portal.installers;

import io.ora.portal.api.Principal;
import io.ora.portal.auth.Caller;
import io.ora.portal.cache.RedisCache;
import io.ora.portal.installers.Directory.MemberRole;
import io.ora.portal.store.Db;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Who a verified caller is to the portal: their profile, created on first login from the token's claims, and their
 * organisation, with the answer cached in Redis and dropped whenever a membership changes.
 */
record Principals(Db db, RedisCache cache) {

    private static final String CACHE = "principal";

    /**
     * The portal's view of a verified caller, creating their profile on first login from the token's claims. The
     * answer ({@code userId|organisationId|role}, ids only) is cached under a hash of the subject.
     */
    CompletionStage<Principal> principal(Caller caller) {
        return cache.get(CACHE, subjectKey(caller.subject()), () -> db.tx(c -> Optional.of(loadOrCreate(c, caller))))
                .thenApply(cached -> decode(caller, cached.orElseThrow()));
    }

    private static String loadOrCreate(Connection c, Caller caller) throws SQLException {
        Optional<String> existing = lookUp(c, caller.subject());
        if (existing.isPresent()) {
            return existing.get();
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO portal_user (id, subject, display_name, "
                + "email) VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setString(2, caller.subject());
            insert.setString(3, caller.name().map(name -> truncate(name, 200)).orElse(null));
            insert.setString(4, caller.email().map(email -> truncate(email, 254)).orElse(null));
            insert.executeUpdate();
        }
        return lookUp(c, caller.subject()).orElseThrow();
    }

    private static Optional<String> lookUp(Connection c, String subject) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT u.id, m.organisation_id, m.member_role "
                + "FROM portal_user u LEFT JOIN organisation_member m ON m.user_id = u.id WHERE u.subject = ?")) {
            select.setString(1, subject);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                UUID org = row.getObject(2, UUID.class);
                return Optional.of(row.getObject(1, UUID.class) + "|" + (org == null ? "" : org) + "|"
                        + (org == null ? "" : row.getString(3)));
            }
        }
    }

    private static Principal decode(Caller caller, String cached) {
        String[] parts = cached.split("\\|", -1);
        Optional<Principal.Membership> membership = parts[1].isEmpty() ? Optional.empty()
                : Optional.of(new Principal.Membership(UUID.fromString(parts[1]),
                        MemberRole.valueOf(parts[2]) == MemberRole.OWNER));
        return new Principal(caller, UUID.fromString(parts[0]), membership);
    }

    /** Drops the cached principal of {@code userId} (after a membership change), once the change is committed. */
    CompletionStage<Void> forget(UUID userId) {
        return db.read(c -> subjectOf(c, userId)).thenCompose(subject -> subject
                .map(s -> cache.invalidate(CACHE, subjectKey(s)))
                .orElseGet(() -> CompletableFuture.completedFuture(null)));
    }

    static Optional<String> subjectOf(Connection c, UUID userId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT subject FROM portal_user WHERE id = ?")) {
            select.setObject(1, userId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    /** Cache keys never hold the subject itself: it identifies a person at the issuer. */
    private static String subjectKey(String subject) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("SHA-256 is required of every JVM", impossible);
        }
    }

    private static String truncate(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }
}
