package io.ora.backup.store;

import java.util.Arrays;

/**
 * What a store keeps to check a write credential: SHA-256 of the credential's 32 random-looking bytes (derived from
 * the Recovery Key by Argon2id, so a plain hash is enough: there is nothing to guess). Compared only through
 * {@link Credential#matches}.
 */
public final class Verifier {

    private final byte[] hash;

    private Verifier(byte[] hash) {
        this.hash = hash;
    }

    /** A verifier as a store reads it back (32 bytes). */
    public static Verifier ofHash(byte[] hash) {
        if (hash.length != 32) {
            throw new IllegalArgumentException("a verifier is 32 bytes");
        }
        return new Verifier(hash.clone());
    }

    /** The 32 bytes stored. */
    public byte[] bytes() {
        return hash.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Verifier verifier && Arrays.equals(hash, verifier.hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "Verifier[…]";
    }
}
