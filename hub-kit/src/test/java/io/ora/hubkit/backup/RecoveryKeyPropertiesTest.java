package io.ora.hubkit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * How {@link RecoveryKey#parse} reads what a person types (docs/backup.md, "Reading a typed key"): every documented
 * variation of a key reads back as that key, and every typo the check is built to catch is named in its own group,
 * before any slow derivation. The checks run exhaustively over each generated key; the keys come from
 * {@link RecoveryKey#generate}, seeded by jqwik so a failure can be replayed.
 */
class RecoveryKeyPropertiesTest {

    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    /** Typed for a key character: every alphabet character in both cases, the look-alikes, and two it never uses. */
    private static final String TYPED = ALPHABET + ALPHABET.toLowerCase(Locale.ROOT) + "ILOilo" + "Uu*";
    /** Between two groups: the documented separators and their combinations, or nothing at all. */
    private static final List<String> SEPARATORS = List.of("-", " ", "", "  ", " - ", "--");

    @Property(tries = 200)
    void everyDocumentedWayOfTypingAKeyReadsBack(@ForAll("keys") RecoveryKey key, @ForAll Random random) {
        StringBuilder typed = new StringBuilder(random.nextBoolean() ? "  " : "");
        for (int i = 0; i < RecoveryKey.LENGTH; i++) {
            if (i > 0 && i % RecoveryKey.GROUP_LENGTH == 0) {
                typed.append(SEPARATORS.get(random.nextInt(SEPARATORS.size())));
            }
            typed.append(lookAlike(key.canonical().charAt(i), random));
        }
        typed.append(random.nextBoolean() ? " " : "");

        assertThat(RecoveryKey.parse(typed.toString())).as("typed as %s", typed)
                .isEqualTo(new RecoveryKey.Parsed.Valid(key));
    }

    /**
     * Separators do not matter (docs/backup.md): dashes, spaces, tabs and line breaks anywhere, even where the kit has
     * none, still read the key, as long as all 35 characters are there.
     */
    @Property(tries = 200)
    void separatorsAnywhereStillReadTheKey(@ForAll("keys") RecoveryKey key, @ForAll Random random) {
        List<String> anywhere = List.of("-", " ", "\t", "\n", "\r\n", "- ");
        StringBuilder typed = new StringBuilder();
        for (int i = 0; i < RecoveryKey.LENGTH; i++) {
            if (i > 0 && random.nextInt(4) == 0) {
                typed.append(anywhere.get(random.nextInt(anywhere.size())));
            }
            typed.append(key.canonical().charAt(i));
        }
        assertThat(RecoveryKey.parse(typed.toString())).as("typed as %s", typed)
                .isEqualTo(new RecoveryKey.Parsed.Valid(key));
    }

    /** Letters outside ASCII are never folded onto the alphabet: a dotless ı is not I, a ligature not two letters. */
    @Property(tries = 50)
    void nonAsciiLookAlikesAreCharactersKeysDoNotUse(@ForAll("keys") RecoveryKey key, @ForAll Random random) {
        int at = random.nextInt(RecoveryKey.LENGTH);
        String replacement = List.of("\u0131", "\ufb01", "\u0130", "\u017f", "\u212a").get(random.nextInt(5));
        String typed = key.canonical().substring(0, at) + replacement + key.canonical().substring(at + 1);
        RecoveryKey.Parsed parsed = RecoveryKey.parse(typed);
        assertThat(parsed).as("typed as %s", typed).isInstanceOf(RecoveryKey.Parsed.Invalid.class);
    }

    /**
     * Every position, every character typed in its place that reads as another one: the group is named, as a check
     * failure (an alphabet character) or as a character keys do not use, typed in groups or in one run.
     */
    @Property(tries = 30)
    void everySingleCharacterTypoNamesItsGroup(@ForAll("keys") RecoveryKey key) {
        Misreadings misread = new Misreadings();
        for (String form : List.of(key.display(), key.canonical())) {
            for (int position = 0; position < RecoveryKey.LENGTH; position++) {
                char original = key.canonical().charAt(position);
                int at = form.length() == RecoveryKey.LENGTH ? position
                        : position + position / RecoveryKey.GROUP_LENGTH;
                for (char wrong : TYPED.toCharArray()) {
                    char read = read(wrong);
                    if (read == original) {
                        continue;
                    }
                    String typed = form.substring(0, at) + wrong + form.substring(at + 1);
                    RecoveryKey.Reason reason = ALPHABET.indexOf(read) < 0 ? RecoveryKey.Reason.CHARACTER
                            : RecoveryKey.Reason.CHECK;
                    misread.check(typed, invalid(reason, position / RecoveryKey.GROUP_LENGTH + 1));
                }
            }
        }
        misread.assertNone();
    }

    /** Adjacent swaps are the common slip; the weights are distinct, so every swap of two characters is caught. */
    @Property(tries = 100)
    void everySwapInsideAGroupNamesItsGroup(@ForAll("keys") RecoveryKey key) {
        Misreadings misread = new Misreadings();
        for (int g = 0; g < RecoveryKey.GROUPS; g++) {
            for (int i = 0; i < RecoveryKey.GROUP_LENGTH; i++) {
                for (int j = i + 1; j < RecoveryKey.GROUP_LENGTH; j++) {
                    char[] typed = key.canonical().toCharArray();
                    int a = g * RecoveryKey.GROUP_LENGTH + i;
                    int b = g * RecoveryKey.GROUP_LENGTH + j;
                    if (typed[a] == typed[b]) {
                        continue;
                    }
                    char swapped = typed[a];
                    typed[a] = typed[b];
                    typed[b] = swapped;
                    misread.check(new String(typed), invalid(RecoveryKey.Reason.CHECK, g + 1));
                }
            }
        }
        misread.assertNone();
    }

    /** A group typed in another group's place fails its check there: both places are named. */
    @Property(tries = 100)
    void everyTwoGroupsTypedInEachOthersPlaceAreNamed(@ForAll("keys") RecoveryKey key) {
        Misreadings misread = new Misreadings();
        String[] groups = key.display().split("-");
        for (int g = 0; g < RecoveryKey.GROUPS; g++) {
            for (int h = g + 1; h < RecoveryKey.GROUPS; h++) {
                String[] typed = groups.clone();
                typed[g] = groups[h];
                typed[h] = groups[g];
                misread.check(String.join("-", typed), invalid(RecoveryKey.Reason.CHECK, g + 1, h + 1));
            }
        }
        misread.assertNone();
    }

    /** Typed in groups, a character left out or typed twice is named by its group's length. */
    @Property(tries = 50)
    void aMissingOrExtraCharacterInAGroupNamesItsGroup(@ForAll("keys") RecoveryKey key) {
        Misreadings misread = new Misreadings();
        String shown = key.display();
        for (int at = 0; at < shown.length(); at++) {
            if (shown.charAt(at) == '-') {
                continue;
            }
            int group = at / (RecoveryKey.GROUP_LENGTH + 1) + 1;
            RecoveryKey.Parsed expected = invalid(RecoveryKey.Reason.GROUP_LENGTH, group);
            misread.check(shown.substring(0, at) + shown.substring(at + 1), expected);
            misread.check(shown.substring(0, at + 1) + shown.substring(at), expected);
        }
        misread.assertNone();
    }

    /** Whatever is typed, the answer is a key or a refusal, never an exception; a key shown again reads back. */
    @Property(tries = 1000)
    void anyTextIsAKeyOrARefusal(@ForAll @Size(max = 160) String typed) {
        RecoveryKey.Parsed parsed = RecoveryKey.parse(typed);
        if (parsed instanceof RecoveryKey.Parsed.Valid valid) {
            assertThat(RecoveryKey.parse(valid.key().display())).isEqualTo(parsed);
        } else {
            assertThat(((RecoveryKey.Parsed.Invalid) parsed).message()).isNotBlank();
        }
    }

    /**
     * Collects every typed text not read as expected, then fails once listing them all: thousands of checks per
     * key stay cheap, and a failure shows the whole pattern, not only the first case.
     */
    private static final class Misreadings {
        private final List<String> found = new ArrayList<>();

        void check(String typed, RecoveryKey.Parsed expected) {
            RecoveryKey.Parsed parsed = RecoveryKey.parse(typed);
            if (!parsed.equals(expected)) {
                found.add(typed + " read as " + parsed + ", expected " + expected);
            }
        }

        void assertNone() {
            assertThat(found).isEmpty();
        }
    }

    @Provide
    Arbitrary<RecoveryKey> keys() {
        return Arbitraries.longs().map(seed -> RecoveryKey.generate(seeded(seed)));
    }

    /** A deterministic SecureRandom: SHA1PRNG seeded before its first use produces only from that seed. */
    private static SecureRandom seeded(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The character as typed: either case, and for 1 and 0 any of their look-alikes. */
    private static String lookAlike(char c, Random random) {
        String options = switch (c) {
            case '1' -> "1IiLl";
            case '0' -> "0Oo";
            default -> String.valueOf(c) + Character.toLowerCase(c);
        };
        return String.valueOf(options.charAt(random.nextInt(options.length())));
    }

    /** What the parser reads a typed character as. */
    private static char read(char typed) {
        char upper = Character.toUpperCase(typed);
        return switch (upper) {
            case 'I', 'L' -> '1';
            case 'O' -> '0';
            default -> upper;
        };
    }

    private static RecoveryKey.Parsed invalid(RecoveryKey.Reason reason, Integer... groups) {
        return new RecoveryKey.Parsed.Invalid(reason, List.of(groups));
    }
}
