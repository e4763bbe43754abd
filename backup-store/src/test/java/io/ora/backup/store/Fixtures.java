package io.ora.backup.store;

import java.security.SecureRandom;
import java.util.Base64;

/** Fresh random ids, credentials and envelopes, so tests never meet each other's backups. */
final class Fixtures {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Fixtures() {
    }

    static BackupId newId() {
        return BackupId.ofHash(bytes(32));
    }

    static Credential newCredential() {
        return Credential.parse(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32))).orElseThrow();
    }

    /** Random bytes: the stores see envelopes as opaque, and random bytes do not compress either. */
    static byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
