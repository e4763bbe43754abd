package io.ora.backup.store;

import java.time.Clock;
import java.util.List;

/**
 * A real backend the store tests run against (PostgreSQL, or S3 through s3proxy), with the look behind the store's
 * back that a test needs to check what is physically stored.
 */
interface Backend extends AutoCloseable {

    /** A store on this backend. */
    BackupStore open(Clock clock);

    /** A store of this kind whose server does not answer. */
    BackupStore unreachable(Clock clock);

    /** How many envelopes are physically stored under {@code id} (rows, or version objects). */
    int storedEnvelopes(BackupId id);

    /** {@link #storedEnvelopes} of each of {@code ids}, in order; a backend may answer all in one look. */
    default List<Integer> storedEnvelopes(List<BackupId> ids) {
        return ids.stream().map(this::storedEnvelopes).toList();
    }

    /** Whether nothing at all is stored under {@code id}: no row or object of any kind. */
    boolean holdsNothing(BackupId id);

    /** Whether the server itself decides two racing writes (row locks; S3's conditional writes). */
    boolean decidesRaces();

    /** Removes whatever is stored under {@code id}, whatever state a failed test left it in. */
    void wipe(BackupId id);

    @Override
    void close();
}
