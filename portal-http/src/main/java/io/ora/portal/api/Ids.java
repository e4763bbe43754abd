package io.ora.portal.api;

import java.util.UUID;
import java.util.regex.Pattern;

/** Ids in paths and bodies are canonical lower- or upper-case UUIDs; anything else is refused before SQL. */
public final class Ids {

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Ids() {
    }

    /** Parses {@code value} as the UUID named {@code name}, or refuses with a 400 naming the parameter. */
    public static UUID parse(String name, String value) {
        if (value == null || !UUID_TEXT.matcher(value).matches()) {
            throw ApiException.badRequest(name + " must be a UUID");
        }
        return UUID.fromString(value);
    }
}
