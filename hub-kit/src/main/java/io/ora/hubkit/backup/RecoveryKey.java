package io.ora.hubkit.backup;

import io.ora.core.handover.AccessKeyCode;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The homeowner's Recovery Key: 140 random bits, generated on the hub, shown once in the emergency kit and never
 * sent anywhere (docs/backup.md, "The Recovery Key"). Everything that finds, authorises and opens the home's backup
 * is derived from it ({@link BackupKeys}).
 *
 * <p>Shown as seven groups of five Crockford base32 characters, {@code 7K3QF-9XW2D-…}: four characters of key and a
 * check character per group. The check is a weighted sum over GF(2<sup>5</sup>) of the group's characters and its
 * position, which by construction catches, within a group, every single wrong character, every swap of two
 * characters and a whole group typed in the wrong place; so a typo is named at entry ("group 3 looks wrong")
 * instead of surfacing as "no backup for this key" after a slow derivation. Typing is forgiving as for AccessKey
 * codes: case, spaces and dashes do not matter, and I/L read as 1, O as 0.
 *
 * @param canonical the 35 characters (checks included), upper case, no separators
 */
public record RecoveryKey(String canonical) {

    public static final int GROUPS = 7;
    public static final int GROUP_LENGTH = 5;
    public static final int LENGTH = GROUPS * GROUP_LENGTH;
    /** Key characters per group (the fifth is the check). */
    private static final int DATA_PER_GROUP = GROUP_LENGTH - 1;
    private static final String ALPHABET = AccessKeyCode.ALPHABET;
    /** Weights of the four key characters: alpha, alpha^2, alpha^3, alpha^4; the check's weight is 1. */
    private static final int[] WEIGHTS = {2, 4, 8, 16};
    /** Weight of the group's position (alpha^5): distinct positions give distinct terms. */
    private static final int POSITION_WEIGHT = 5;
    /** x^5 + x^2 + 1, a primitive polynomial of GF(32). */
    private static final int POLYNOMIAL = 0b100101;

    public RecoveryKey {
        if (canonical == null || canonical.length() != LENGTH
                || canonical.chars().anyMatch(c -> ALPHABET.indexOf(c) < 0)) {
            throw new IllegalArgumentException("not a canonical Recovery Key");
        }
        for (int g = 0; g < GROUPS; g++) {
            if (!checks(canonical.substring(g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH), g)) {
                throw new IllegalArgumentException("not a canonical Recovery Key");
            }
        }
    }

    /** A new key: 28 random characters (140 bits) and their checks. */
    public static RecoveryKey generate(SecureRandom random) {
        StringBuilder key = new StringBuilder(LENGTH);
        for (int g = 0; g < GROUPS; g++) {
            int[] values = new int[DATA_PER_GROUP];
            for (int i = 0; i < DATA_PER_GROUP; i++) {
                values[i] = random.nextInt(ALPHABET.length());
                key.append(ALPHABET.charAt(values[i]));
            }
            key.append(ALPHABET.charAt(checkValue(values, g)));
        }
        return new RecoveryKey(key.toString());
    }

    /** What was typed, read as a key or refused with the reason and the groups at fault. */
    public sealed interface Parsed {
        /** A key whose every group checks out. */
        record Valid(RecoveryKey key) implements Parsed {
        }

        /**
         * Not a key. {@code groups} are the 1-based groups that look wrong (empty when the length is wrong and
         * groups cannot be told apart); {@link #message()} is a sentence for the person typing.
         */
        record Invalid(Reason reason, List<Integer> groups) implements Parsed {
            public Invalid {
                groups = List.copyOf(groups);
            }

            public String message() {
                return switch (reason) {
                    case LENGTH -> "a Recovery Key has " + GROUPS + " groups of " + GROUP_LENGTH + " characters";
                    case GROUP_LENGTH -> "group " + join(groups) + " should have " + GROUP_LENGTH + " characters";
                    case CHARACTER -> "group " + join(groups) + " has a character Recovery Keys do not use";
                    case CHECK -> "group " + join(groups) + " looks wrong";
                };
            }

            private static String join(List<Integer> groups) {
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < groups.size(); i++) {
                    text.append(i == 0 ? "" : i == groups.size() - 1 ? " and " : ", ").append(groups.get(i));
                }
                return text.toString();
            }
        }
    }

    /** Why typed text is not a key. */
    public enum Reason {
        /** Too many or too few characters in all. */
        LENGTH,
        /** Typed in groups, and some group is not five characters long. */
        GROUP_LENGTH,
        /** A character outside the alphabet (after I, L and O are read as digits). */
        CHARACTER,
        /** A group's check character does not match: a typo in that group. */
        CHECK
    }

    /**
     * Reads a key as a person typed it. Typed in seven groups (separated by dashes or spaces), each group is judged
     * on its own; typed in one run, the run must be 35 characters long.
     */
    public static Parsed parse(String typed) {
        if (typed == null || typed.length() > 4 * LENGTH) {
            return new Parsed.Invalid(Reason.LENGTH, List.of());
        }
        List<String> groups = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (char typedChar : typed.strip().toCharArray()) {
            // Only ASCII is folded: Unicode case mapping would read a dotless ı as I (so 1) and a ligature as two
            // letters, accepting what nobody could have copied from a kit.
            char c = typedChar < 128 ? Character.toUpperCase(typedChar) : typedChar;
            if (c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (current.length() > 0) {
                    groups.add(current.toString());
                    current.setLength(0);
                }
                continue;
            }
            current.append(switch (c) {
                case 'I', 'L' -> '1';
                case 'O' -> '0';
                default -> c;
            });
        }
        if (current.length() > 0) {
            groups.add(current.toString());
        }
        String all = String.join("", groups);
        boolean groupsAsPrinted = groups.size() == GROUPS
                && groups.stream().allMatch(group -> group.length() == GROUP_LENGTH);
        if (!groupsAsPrinted && (groups.size() != GROUPS || all.length() == LENGTH)) {
            if (all.length() != LENGTH) {
                return new Parsed.Invalid(Reason.LENGTH, List.of());
            }
            // The right length, typed without separators or with them in odd places (separators do not matter,
            // docs/backup.md): cut it into groups where the kit has them.
            groups.clear();
            for (int g = 0; g < GROUPS; g++) {
                groups.add(all.substring(g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH));
            }
        }
        List<Integer> wrongLength = new ArrayList<>();
        List<Integer> wrongCharacter = new ArrayList<>();
        List<Integer> wrongCheck = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            String group = groups.get(g);
            if (group.chars().anyMatch(c -> ALPHABET.indexOf(c) < 0)) {
                wrongCharacter.add(g + 1);
            } else if (group.length() != GROUP_LENGTH) {
                wrongLength.add(g + 1);
            } else if (!checks(group, g)) {
                wrongCheck.add(g + 1);
            }
        }
        if (!wrongCharacter.isEmpty()) {
            return new Parsed.Invalid(Reason.CHARACTER, wrongCharacter);
        }
        if (!wrongLength.isEmpty()) {
            return new Parsed.Invalid(Reason.GROUP_LENGTH, wrongLength);
        }
        if (!wrongCheck.isEmpty()) {
            return new Parsed.Invalid(Reason.CHECK, wrongCheck);
        }
        return new Parsed.Valid(new RecoveryKey(String.join("", groups)));
    }

    /** As printed in the emergency kit: seven dash-separated groups. */
    public String display() {
        StringBuilder shown = new StringBuilder(LENGTH + GROUPS - 1);
        for (int g = 0; g < GROUPS; g++) {
            shown.append(g == 0 ? "" : "-").append(canonical, g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH);
        }
        return shown.toString();
    }

    /**
     * The key material every derivation starts from: the 28 key characters, check characters left out, as
     * US-ASCII. The caller should overwrite the array when done.
     */
    byte[] secret() {
        StringBuilder data = new StringBuilder(GROUPS * DATA_PER_GROUP);
        for (int g = 0; g < GROUPS; g++) {
            data.append(canonical, g * GROUP_LENGTH, g * GROUP_LENGTH + DATA_PER_GROUP);
        }
        return data.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Never the key: it would end up in a log or an exception by accident otherwise. */
    @Override
    public String toString() {
        return "RecoveryKey[…]";
    }

    private static boolean checks(String group, int position) {
        int[] values = new int[DATA_PER_GROUP];
        for (int i = 0; i < DATA_PER_GROUP; i++) {
            values[i] = ALPHABET.indexOf(group.charAt(i));
        }
        return checkValue(values, position) == ALPHABET.indexOf(group.charAt(DATA_PER_GROUP));
    }

    /** Sum of weight times value over GF(32), with the group's 1-based position as a fifth term. */
    static int checkValue(int[] values, int position) {
        int sum = multiply(POSITION_WEIGHT, position + 1);
        for (int i = 0; i < values.length; i++) {
            sum ^= multiply(WEIGHTS[i], values[i]);
        }
        return sum;
    }

    /** Multiplication in GF(2^5) modulo {@link #POLYNOMIAL}. */
    static int multiply(int a, int b) {
        int product = 0;
        for (int i = 0; i < 5; i++) {
            if ((b & (1 << i)) != 0) {
                product ^= a << i;
            }
        }
        for (int bit = 8; bit >= 5; bit--) {
            if ((product & (1 << bit)) != 0) {
                product ^= POLYNOMIAL << (bit - 5);
            }
        }
        return product;
    }
}
