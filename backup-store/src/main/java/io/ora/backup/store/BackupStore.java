package io.ora.backup.store;

import java.time.LocalDate;
import java.util.List;
import java.util.OptionalLong;

/**
 * Where sealed backups are kept (docs/backup.md, "The store"). Per {@link BackupId} a store holds the
 * {@link Verifier} of its write credential, a version number, and the envelopes of the newest {@link #KEPT_VERSIONS}
 * versions, each with the UTC date it was written — nothing else: no hub, certificate, project, address or owner.
 *
 * <p>Every operation but {@link #create} takes the request's {@link Credential}. A wrong credential is answered
 * exactly as an unknown id ({@link NotFound}), so a caller cannot tell the two apart. Operations are atomic: two
 * replaces of one version never both succeed, and a failed write leaves what was stored before.
 *
 * <p>Envelopes are opaque here: the edge has checked their structure and size before a store sees them. Calls block
 * (JDBC, the S3 client); callers run them on a blocking dispatcher. A store's own failures (database or object store
 * unreachable) are thrown as {@link StoreUnavailableException}.
 */
public interface BackupStore extends AutoCloseable {

    /** How many versions per backup are kept, newest first; older ones are deleted by the write that passes them. */
    int KEPT_VERSIONS = 3;

    /**
     * Stores version 1 of a backup under {@code id}, with {@code verifier} to check later writes. {@link Exists}
     * when anything is stored under {@code id} already, whatever its credential.
     */
    Created create(BackupId id, Verifier verifier, byte[] envelope);

    /**
     * Stores {@code envelope} as the next version, when {@code credential} matches and the current version is
     * {@code expected} (any version when empty). {@link Conflict} carries the current version.
     */
    Replaced replace(BackupId id, Credential credential, OptionalLong expected, byte[] envelope);

    /** The newest version, or the kept version {@code version} ({@link NotFound} once it is no longer kept). */
    Read read(BackupId id, Credential credential, OptionalLong version);

    /** The kept versions, newest first. */
    Listed versions(BackupId id, Credential credential);

    /** Deletes the backup and every kept version. */
    Deleted delete(BackupId id, Credential credential);

    /**
     * Deletes every backup whose newest version was written before {@code cutoff} (the retention sweep); answers how
     * many were deleted.
     */
    int expire(LocalDate cutoff);

    /** Releases the store's connections (not the data source or client it was given). */
    @Override
    void close();

    /** What {@link #create} answers. */
    sealed interface Created permits Written, Exists {
    }

    /** What {@link #replace} answers. */
    sealed interface Replaced permits Written, NotFound, Conflict {
    }

    /** What {@link #read} answers. */
    sealed interface Read permits Found, NotFound {
    }

    /** What {@link #versions} answers. */
    sealed interface Listed permits Versions, NotFound {
    }

    /** What {@link #delete} answers. */
    sealed interface Deleted permits Removed, NotFound {
    }

    /** The envelope was stored as {@code version}. */
    record Written(long version) implements Created, Replaced {
    }

    /** The backup and its kept versions were deleted. */
    record Removed() implements Deleted {
    }

    /** A backup is stored under this id already. */
    record Exists() implements Created {
    }

    /** Nothing is stored under this id, or the credential does not match (never told apart). */
    record NotFound() implements Replaced, Read, Listed, Deleted {
    }

    /** The current version is not the one the write expected. */
    record Conflict(long current) implements Replaced {
    }

    /** One stored envelope. */
    record Found(long version, LocalDate written, byte[] envelope) implements Read {
    }

    /** The kept versions of a backup, newest first. */
    record Versions(List<Version> versions) implements Listed {
        public Versions {
            versions = List.copyOf(versions);
        }
    }

    /** A kept version: its number, the UTC date it was written, and its size. */
    record Version(long version, LocalDate written, long bytes) {
    }

    /**
     * The store could not be reached or failed. What was stored before the call stays readable; whether the call's
     * own write took effect is unknown, as with any remote write, and the caller finds out by reading.
     */
    final class StoreUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public StoreUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
