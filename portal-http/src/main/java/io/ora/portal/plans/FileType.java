package io.ora.portal.plans;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What a floor plan upload really is, decided from its bytes, never from the client's {@code Content-Type}: PNG,
 * JPEG and PDF by their signatures, SVG by parsing it. SVG is a document that can carry script and load other
 * resources, so one is accepted only if it is a static drawing by {@link SvgPolicy}'s allow-list; it is served back
 * as an attachment under a sandboxing CSP either way, as a second line of defence.
 */
public enum FileType {
    PNG("image/png", "png"),
    JPEG("image/jpeg", "jpg"),
    PDF("application/pdf", "pdf"),
    SVG("image/svg+xml", "svg");

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private final String mediaType;
    private final String extension;

    FileType(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String mediaType() {
        return mediaType;
    }

    public String extension() {
        return extension;
    }

    /** The type {@code content} is, or empty if it is none the portal accepts (or an SVG it will not serve). */
    public static Optional<FileType> sniff(byte[] content) {
        if (startsWith(content, PNG_SIGNATURE)) {
            return Optional.of(PNG);
        }
        if (content.length >= 3 && content[0] == (byte) 0xFF && content[1] == (byte) 0xD8
                && content[2] == (byte) 0xFF) {
            return Optional.of(JPEG);
        }
        if (startsWith(content, "%PDF-".getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of(PDF);
        }
        return SvgPolicy.refusal(content).isEmpty() ? Optional.of(SVG) : Optional.empty();
    }

    private static boolean startsWith(byte[] content, byte[] prefix) {
        if (content.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (content[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
