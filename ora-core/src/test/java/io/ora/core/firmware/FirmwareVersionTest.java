package io.ora.core.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The version rules of docs/ota.md's release metadata table, which the hub's rollback check stands on. */
class FirmwareVersionTest {

    @Property
    void whatIsPrintedParsesBackToTheSameVersion(@ForAll("versions") FirmwareVersion version) {
        assertThat(FirmwareVersion.parse(version.toString())).contains(version);
    }

    @Property
    void whatParsesPrintsAsTheSameText(@ForAll("versionTexts") String text) {
        assertThat(FirmwareVersion.parse(text)).hasValueSatisfying(version ->
                assertThat(version.toString()).isEqualTo(text));
    }

    /** The order is the numeric tuple order: compared here as one number of three nine-digit places. */
    @Property
    void theOrderIsTheNumericTupleOrder(@ForAll("versions") FirmwareVersion a, @ForAll("versions") FirmwareVersion b) {
        int expected = Integer.signum(asNumber(a).compareTo(asNumber(b)));

        assertThat(Integer.signum(a.compareTo(b))).isEqualTo(expected);
        assertThat(a.isBelow(b)).isEqualTo(expected < 0);
        assertThat(a.equals(b)).isEqualTo(expected == 0);
    }

    @Property
    void aLeadingZeroIsRefused(@ForAll("versions") FirmwareVersion version, @ForAll @IntRange(max = 2) int part,
                               @ForAll @IntRange(min = 1, max = 3) int zeros) {
        String[] parts = version.toString().split("\\.");
        parts[part] = "0".repeat(zeros) + parts[part];

        assertThat(FirmwareVersion.parse(String.join(".", parts))).isEmpty();
    }

    @Property
    void aTenDigitPartIsRefused(@ForAll("versions") FirmwareVersion version, @ForAll @IntRange(max = 2) int part,
                                @ForAll @LongRange(min = 1_000_000_000L, max = 9_999_999_999L) long tooLong) {
        String[] parts = version.toString().split("\\.");
        parts[part] = Long.toString(tooLong);

        assertThat(FirmwareVersion.parse(String.join(".", parts))).isEmpty();
    }

    @Property
    void aSuffixIsRefused(@ForAll("versions") FirmwareVersion version, @ForAll("suffixes") String suffix) {
        assertThat(FirmwareVersion.parse(version + suffix)).isEmpty();
        assertThat(FirmwareVersion.parse(suffix + version)).isEmpty();
    }

    @Test
    void otherShapesAreRefused() {
        for (String bad : new String[] {"", "1", "1.2", "1.2.3.4", "1..3", ".1.2", "1.2.", "-1.2.3", "1.-2.3",
                "+1.2.3", "1.2.3 ", " 1.2.3", "1,2,3", "1.2.x", "v1.2.3", "١.٢.٣", "1.2.3\n"}) {
            assertThat(FirmwareVersion.parse(bad)).as("'%s'", bad).isEmpty();
        }
        assertThat(FirmwareVersion.parse(null)).isEmpty();
    }

    @Test
    void theBoundsAreNineDigitsAndZero() {
        assertThat(FirmwareVersion.parse("999999999.999999999.999999999"))
                .contains(new FirmwareVersion(FirmwareVersion.MAX_PART, FirmwareVersion.MAX_PART,
                        FirmwareVersion.MAX_PART));
        assertThat(FirmwareVersion.parse("0.0.0")).contains(FirmwareVersion.ZERO);
        assertThatThrownBy(() -> new FirmwareVersion(FirmwareVersion.MAX_PART + 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FirmwareVersion(0, -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<FirmwareVersion> versions() {
        // Small parts often, so that equal majors and minors (the interesting comparisons) come up.
        Arbitrary<Integer> part = Arbitraries.oneOf(Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, FirmwareVersion.MAX_PART));
        return Combinators.combine(part, part, part).as(FirmwareVersion::new);
    }

    @Provide
    Arbitrary<String> versionTexts() {
        Arbitrary<String> part = Arbitraries.oneOf(Arbitraries.just("0"),
                Arbitraries.strings().withCharRange('1', '9').ofLength(1).flatMap(first ->
                        Arbitraries.strings().numeric().ofMaxLength(8).map(rest -> first + rest)));
        return Combinators.combine(part, part, part).as((a, b, c) -> a + "." + b + "." + c);
    }

    @Provide
    Arbitrary<String> suffixes() {
        // Anything but bare ASCII digits, which would only lengthen a part (that is a different version, not a suffix).
        return Arbitraries.oneOf(Arbitraries.of("-rc.1", "-beta", "+build.7", "+20261207", ".0", "-1", "a", " "),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(6).filter(text -> !text.matches("[0-9]+")));
    }

    private static BigInteger asNumber(FirmwareVersion version) {
        BigInteger place = BigInteger.valueOf(1_000_000_000L);
        return BigInteger.valueOf(version.major()).multiply(place).add(BigInteger.valueOf(version.minor()))
                .multiply(place).add(BigInteger.valueOf(version.patch()));
    }
}
