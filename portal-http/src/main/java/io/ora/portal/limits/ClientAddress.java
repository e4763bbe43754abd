package io.ora.portal.limits;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IP address literal as a client's address for rate limits: dotted-quad IPv4 or IPv6, parsed without any DNS
 * look-up (a header value must never make the portal resolve a name it chose). Anything else is not an address.
 */
public final class ClientAddress {

    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(?:\\." + OCTET + "){3}");
    // Only these characters, with at least one colon: InetAddress reads such a string as an IPv6 literal or fails,
    // and never asks DNS.
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private ClientAddress() {
    }

    /** The address {@code text} spells, or empty if it is not an address literal. */
    public static Optional<InetAddress> parse(String text) {
        String literal = text.strip();
        if (!IPV4.matcher(literal).matches() && !IPV6.matcher(literal).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(literal));
        } catch (UnknownHostException notAnAddress) {
            return Optional.empty();
        }
    }
}
