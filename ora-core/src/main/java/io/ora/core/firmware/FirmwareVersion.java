package io.ora.core.firmware;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A firmware version, {@code MAJOR.MINOR.PATCH} (docs/ota.md, "Release metadata"): each part a decimal of at most
 * nine digits without a leading zero, compared numerically. No pre-release or build suffix: a hub's rollback check
 * must never depend on how a suffix sorts.
 */
public record FirmwareVersion(int major, int minor, int patch) implements Comparable<FirmwareVersion> {

    private static final String PART = "(0|[1-9][0-9]{0,8})";
    private static final Pattern FORM = Pattern.compile(PART + "\\." + PART + "\\." + PART);

    /** The largest part: nine digits. */
    public static final int MAX_PART = 999_999_999;
    /** The lowest version: what {@code minVersion} is when a release does not name one. */
    public static final FirmwareVersion ZERO = new FirmwareVersion(0, 0, 0);

    /** Refuses a part outside 0 to {@link #MAX_PART}, so every version prints as one {@link #parse} takes. */
    public FirmwareVersion {
        if (outside(major) || outside(minor) || outside(patch)) {
            throw new IllegalArgumentException("version parts are 0 to " + MAX_PART);
        }
    }

    private static boolean outside(int part) {
        return part < 0 || part > MAX_PART;
    }

    /** The version {@code text} spells, or empty when it is not exactly {@code MAJOR.MINOR.PATCH}. */
    public static Optional<FirmwareVersion> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher parts = FORM.matcher(text);
        if (!parts.matches()) {
            return Optional.empty();
        }
        return Optional.of(new FirmwareVersion(Integer.parseInt(parts.group(1)), Integer.parseInt(parts.group(2)),
                Integer.parseInt(parts.group(3))));
    }

    @Override
    public int compareTo(FirmwareVersion other) {
        int byMajor = Integer.compare(major, other.major);
        if (byMajor != 0) {
            return byMajor;
        }
        int byMinor = Integer.compare(minor, other.minor);
        return byMinor != 0 ? byMinor : Integer.compare(patch, other.patch);
    }

    /** Whether this version is lower than {@code other}. */
    public boolean isBelow(FirmwareVersion other) {
        return compareTo(other) < 0;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
