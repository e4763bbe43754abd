package io.ora.hubkit.backup;

import io.ora.core.backup.BackupEnvelope;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The flows a hub runs against the backup store (docs/backup.md, "Flows"): back up, restore and rotate the Recovery
 * Key, each from what a person or the hub has in hand (the configuration document, the key) to one outcome that
 * says what happened and what to do next. Every step is one of {@link HubConfigProjection}, {@link BackupKeys},
 * {@link BackupSeal}, {@link HubBackup} and {@link BackupClient}; this class decides only their order and how their
 * answers combine.
 *
 * <p>Each flow derives the keys it needs (one Argon2id of 256 MiB, about 1.5 s, per key) and destroys them when it
 * returns: run it off any event loop. An {@link IOException} means no answer was had from the store, so the step
 * it stopped may or may not have taken effect; every flow is safe to repeat (a repeated first backup may answer
 * {@link Taken}), and a rotation never deletes the old backup before the new one is stored.
 */
public final class BackupFlows {

    private final BackupClient client;
    private final SecureRandom random;
    private final Function<RecoveryKey, BackupKeys> derive;

    public BackupFlows(BackupClient client, SecureRandom random) {
        this(client, random, BackupKeys::derive);
    }

    /** With another derivation: tests derive each key once and hand out {@link BackupKeys#copy() copies}. */
    BackupFlows(BackupClient client, SecureRandom random, Function<RecoveryKey, BackupKeys> derive) {
        this.client = client;
        this.random = random;
        this.derive = derive;
    }

    /** What the hub knows of the backup it last wrote under the key. */
    public sealed interface Previous {
        /** None: this is the first backup under the key, so it is created. */
        record First() implements Previous {
        }

        /**
         * It wrote version n. The backup replaces n; if another write came in between, it replaces the newest it is
         * told of, once. If the backup has gone (expired with the retention), it is created again.
         */
        record Written(long version) implements Previous {
        }

        /**
         * The hub keeps no record (a command line): replace whatever version is the newest ({@code If-Match: *}),
         * or create the backup if there is none under the key yet.
         */
        record Unknown() implements Previous {
        }
    }

    /** The outcome of {@link #backUp}. */
    public sealed interface BackUp permits BackedUp, ConfigRefused, Taken, Contended, Failed {
    }

    /** The outcome of {@link #restore}. */
    public sealed interface Restore permits Restored, MistypedKey, NoBackup, NotAnEnvelope, UnknownVersion,
            NotAuthentic, NotABackup, Failed {
    }

    /** The outcome of {@link #rotate}. */
    public sealed interface Rotate permits Rotated, OldKept, ConfigRefused, Taken, Contended, Failed {
    }

    /** Stored as {@code version}. */
    public record BackedUp(long version) implements BackUp {
    }

    /** The configuration document did not project; nothing was sealed or sent. */
    public record ConfigRefused(String path, String reason) implements BackUp, Rotate {
    }

    /** Creating found a backup under this key's locator already ({@code 412 backup-exists}). */
    public record Taken() implements BackUp, Rotate {
    }

    /** Another writer replaced the backup twice while this one tried; {@code current} is the newest version. */
    public record Contended(long current) implements BackUp, Rotate {
    }

    /** The store answered with a refusal or was unavailable; nothing was changed by this step. */
    public record Failed(BackupClient.Failure failure) implements BackUp, Restore, Rotate {
    }

    /** The backup, as sealed, and its version. */
    public record Restored(HubBackup backup, long version) implements Restore {
    }

    /** The typed key is not a Recovery Key; {@code why} names the reason and the groups. Nothing was sent. */
    public record MistypedKey(RecoveryKey.Parsed.Invalid why) implements Restore {
    }

    /** No backup under this key ({@code 404}), or the version asked for is no longer kept. */
    public record NoBackup() implements Restore {
    }

    /** The download is not a whole envelope (truncated, too large, not an envelope, a length or field wrong). */
    public record NotAnEnvelope(BackupEnvelope.Defect defect) implements Restore {
    }

    /** An envelope of a version this hub does not know (written by newer software). */
    public record UnknownVersion() implements Restore {
    }

    /** A well-formed envelope that fails authentication: altered, or sealed under another key. */
    public record NotAuthentic() implements Restore {
    }

    /** Authentic, but the plaintext is not a backup of {@value HubBackup#FORMAT} in its canonical form. */
    public record NotABackup() implements Restore {
    }

    /** The new backup is stored as {@code version} and the old one is deleted (or was gone already). */
    public record Rotated(long version) implements Rotate {
    }

    /**
     * The new backup is stored as {@code version}, but deleting the old one failed: it stays readable with the old
     * key until a delete succeeds or the retention removes it.
     */
    public record OldKept(long version, BackupClient.Failure failure) implements Rotate {
    }

    /** Projects {@code config}, seals it under {@code key} and stores it. */
    public BackUp backUp(byte[] config, RecoveryKey key, Previous previous) throws IOException {
        BackupClient.Precondition precondition = previous instanceof Previous.Written written
                ? new BackupClient.Precondition.Replace(written.version())
                : previous instanceof Previous.Unknown ? new BackupClient.Precondition.ReplaceNewest()
                : new BackupClient.Precondition.Create();
        return sealAndStore(config, key, precondition, false);
    }

    private BackUp sealAndStore(byte[] config, RecoveryKey key, BackupClient.Precondition precondition,
                                boolean replaceIfTaken) throws IOException {
        HubBackup backup;
        try {
            backup = HubConfigProjection.project(config);
        } catch (HubConfigProjection.RefusedDocumentException refused) {
            return new ConfigRefused(refused.path(), refused.getMessage());
        }
        BackupKeys keys = derive.apply(key);
        try {
            return store(keys, BackupSeal.seal(keys, backup.toJson(), random).bytes(), precondition, replaceIfTaken);
        } finally {
            keys.destroy();
        }
    }

    /**
     * Reads {@code typed} as a Recovery Key (refusing a typo before any derivation), fetches the newest version or
     * {@code version}, and opens it.
     */
    public Restore restore(String typed, OptionalLong version) throws IOException {
        RecoveryKey.Parsed parsed = RecoveryKey.parse(typed);
        if (parsed instanceof RecoveryKey.Parsed.Invalid invalid) {
            return new MistypedKey(invalid);
        }
        return restore(((RecoveryKey.Parsed.Valid) parsed).key(), version);
    }

    /** Fetches the newest version under {@code key}, or {@code version}, and opens it. */
    public Restore restore(RecoveryKey key, OptionalLong version) throws IOException {
        BackupKeys keys = derive.apply(key);
        try {
            BackupClient.Download answer = client.download(keys, version);
            if (answer instanceof BackupClient.Fetched fetched) {
                return open(keys, fetched);
            }
            if (answer instanceof BackupClient.NotFound) {
                return new NoBackup();
            }
            if (answer instanceof BackupClient.TooLarge) {
                return new NotAnEnvelope(BackupEnvelope.Defect.TOO_LARGE);
            }
            return new Failed((BackupClient.Failure) answer);
        } finally {
            keys.destroy();
        }
    }

    /**
     * Moves the backup from {@code oldKey} to {@code newKey} (docs/backup.md, "Rotate"): seals {@code config} under
     * the new key and creates it under the new locator; only once that is stored, deletes the old locator. The
     * caller must have shown the new emergency kit before calling. Repeating a rotation that stopped half-way is
     * safe: a new locator already taken by the earlier attempt is replaced, then the old one deleted.
     */
    public Rotate rotate(byte[] config, RecoveryKey oldKey, RecoveryKey newKey) throws IOException {
        BackUp created = sealAndStore(config, newKey, new BackupClient.Precondition.Create(), true);
        if (!(created instanceof BackedUp backedUp)) {
            return (Rotate) created;
        }
        BackupKeys old = derive.apply(oldKey);
        try {
            BackupClient.Deletion deletion = client.delete(old);
            // Gone already is as good as deleted: an earlier attempt got that far.
            return deletion instanceof BackupClient.Failure failure ? new OldKept(backedUp.version(), failure)
                    : new Rotated(backedUp.version());
        } finally {
            old.destroy();
        }
    }

    /**
     * One write and at most one more: after a version conflict, replace the newest (the key's holder is the only
     * writer, docs/backup.md); after a replace found nothing, create; after a create found the locator taken, replace
     * it if {@code replaceIfTaken}.
     */
    private BackUp store(BackupKeys keys, byte[] envelope, BackupClient.Precondition precondition,
                         boolean replaceIfTaken) throws IOException {
        BackupClient.Upload answer = client.upload(keys, envelope, precondition);
        boolean creating = precondition instanceof BackupClient.Precondition.Create;
        if (answer instanceof BackupClient.Conflict conflict) {
            answer = client.upload(keys, envelope, new BackupClient.Precondition.Replace(conflict.current()));
        } else if (answer instanceof BackupClient.NotFound && !creating) {
            answer = client.upload(keys, envelope, new BackupClient.Precondition.Create());
        } else if (answer instanceof BackupClient.Exists && creating && replaceIfTaken) {
            answer = client.upload(keys, envelope, new BackupClient.Precondition.ReplaceNewest());
        }
        if (answer instanceof BackupClient.Stored stored) {
            return new BackedUp(stored.version());
        }
        if (answer instanceof BackupClient.Exists) {
            return new Taken();
        }
        if (answer instanceof BackupClient.Conflict conflict) {
            return new Contended(conflict.current());
        }
        if (answer instanceof BackupClient.NotFound) {
            // Deleted between our two writes; the protocol has no other way to get here.
            return new Failed(new BackupClient.Refused(404, BackupClient.PROBLEMS + "backup-not-found",
                    Optional.empty()));
        }
        return new Failed((BackupClient.Failure) answer);
    }

    private Restore open(BackupKeys keys, BackupClient.Fetched fetched) {
        BackupSeal.Opened opened = BackupSeal.open(keys, fetched.envelope(), client.maxEnvelopeBytes());
        if (opened instanceof BackupSeal.Opened.Malformed malformed) {
            return malformed.defect() == BackupEnvelope.Defect.UNKNOWN_VERSION ? new UnknownVersion()
                    : new NotAnEnvelope(malformed.defect());
        }
        if (opened instanceof BackupSeal.Opened.NotAuthentic) {
            return new NotAuthentic();
        }
        try {
            return new Restored(HubBackup.fromJson(((BackupSeal.Opened.Plaintext) opened).bytes()),
                    fetched.version());
        } catch (IllegalArgumentException notCanonical) {
            return new NotABackup();
        }
    }
}
