package io.ora.core.handover;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * An AccessKey code: 25 Crockford base32 characters (125 random bits), shown as five groups of five
 * ({@code 7K3QF-9XW2D-…}). The first group is the key's public look-up handle; the other twenty characters (100
 * bits) are the secret. Typing is forgiving: case, spaces and dashes are ignored, and I/L read as 1, O as 0. The
 * portal and the apps both derive keys from the {@linkplain #canonical() canonical} form, so they must agree on it:
 * this class is that agreement.
 *
 * @param canonical the 25 characters, upper case, no separators
 */
public record AccessKeyCode(String canonical) {

    /** Characters of a code (Crockford's base32: no I, L, O, U). */
    public static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    public static final int LENGTH = 25;
    public static final int HANDLE_LENGTH = 5;

    public AccessKeyCode {
        if (canonical == null || canonical.length() != LENGTH
                || canonical.chars().anyMatch(c -> ALPHABET.indexOf(c) < 0)) {
            throw new IllegalArgumentException("not a canonical AccessKey code");
        }
    }

    /** A new random code. */
    public static AccessKeyCode generate(SecureRandom random) {
        StringBuilder code = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return new AccessKeyCode(code.toString());
    }

    /** The code someone typed, normalised; empty when it cannot be a code at all. */
    public static Optional<AccessKeyCode> parse(String typed) {
        if (typed == null || typed.length() > 64) {
            return Optional.empty();
        }
        StringBuilder code = new StringBuilder(LENGTH);
        for (char c : typed.toUpperCase(Locale.ROOT).toCharArray()) {
            if (c == '-' || c == ' ') {
                continue;
            }
            char read = switch (c) {
                case 'I', 'L' -> '1';
                case 'O' -> '0';
                default -> c;
            };
            if (ALPHABET.indexOf(read) < 0 || code.length() == LENGTH) {
                return Optional.empty();
            }
            code.append(read);
        }
        return code.length() == LENGTH ? Optional.of(new AccessKeyCode(code.toString())) : Optional.empty();
    }

    /** The public look-up handle: the first group. */
    public String handle() {
        return canonical.substring(0, HANDLE_LENGTH);
    }

    /** As shown to people: five groups of five, dash-separated. */
    public String display() {
        StringBuilder shown = new StringBuilder(LENGTH + 4);
        for (int i = 0; i < LENGTH; i += HANDLE_LENGTH) {
            if (i > 0) {
                shown.append('-');
            }
            shown.append(canonical, i, i + HANDLE_LENGTH);
        }
        return shown.toString();
    }

    /** Never the secret part: codes end up in exception messages and logs by accident otherwise. */
    @Override
    public String toString() {
        return "AccessKeyCode[" + handle() + "-…]";
    }
}
