package io.ora.portal.api;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * Optimistic concurrency for versioned resources (projects, templates, plans): the client sends back the version it
 * read as {@code If-Match: "<version>"}; a write against any other version is refused with 412 rather than silently
 * overwriting someone else's change (the domain checks it: {@code Refusal.Stale}). Writes that would replace an
 * existing version must say which one (428).
 */
public final class Versions {

    private static final Pattern REQUESTED = Pattern.compile("[1-9][0-9]{0,8}");
    private static final Pattern STRONG_TAG = Pattern.compile("\"([1-9][0-9]{0,8})\"");

    private Versions() {
    }

    /**
     * The version an update expects: from {@code If-Match}, or empty for {@code If-Match: *} or when
     * {@code If-None-Match: *} asks to create only. Refuses a missing or malformed precondition.
     */
    public static OptionalInt expected(Call call) {
        if (call.header("If-None-Match").map(String::trim).filter("*"::equals).isPresent()) {
            return OptionalInt.of(0);
        }
        String ifMatch = call.header("If-Match").map(String::trim).orElseThrow(() -> ApiException.of(
                StatusCodes.PRECONDITION_REQUIRED, "send If-Match with the ETag you read (or If-None-Match: * "
                        + "to create)"));
        if (ifMatch.equals("*")) {
            return OptionalInt.empty();
        }
        Matcher tag = STRONG_TAG.matcher(ifMatch);
        if (!tag.matches()) {
            throw ApiException.badRequest("If-Match must be one strong ETag as this server sends it, e.g. \"3\"");
        }
        return OptionalInt.of(Integer.parseInt(tag.group(1)));
    }

    /** The {@code version} query parameter: a specific version to read, or empty for the newest. */
    public static OptionalInt requested(Call call) {
        return call.queryParam("version").map(text -> {
            if (!REQUESTED.matcher(text).matches()) {
                throw ApiException.badRequest("version must be a positive integer");
            }
            return OptionalInt.of(Integer.parseInt(text));
        }).orElse(OptionalInt.empty());
    }
}
