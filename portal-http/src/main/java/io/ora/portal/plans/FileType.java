package io.ora.portal.plans;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a floor plan upload really is, decided from its bytes, never from the client's {@code Content-Type}: PNG,
 * JPEG and PDF by their signatures, SVG by its root element. SVG is a document that can carry script, so one is
 * accepted only without scripts, event handlers, external references or a DOCTYPE (entity expansion); it is served
 * back as an attachment under a sandboxing CSP either way.
 */
public enum FileType {
    PNG("image/png", "png"),
    JPEG("image/jpeg", "jpg"),
    PDF("application/pdf", "pdf"),
    SVG("image/svg+xml", "svg");

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final Pattern SVG_ROOT = Pattern.compile(
            "^\\uFEFF?\\s*(<\\?xml[^>]{0,200}\\?>\\s*)?(<!--.{0,2000}?-->\\s*)*<svg[\\s>]", Pattern.DOTALL);
    private static final Pattern SVG_DANGER = Pattern.compile(
            "<script|<!doctype|<!entity|<foreignobject|javascript:|data:text/html|\\son[a-z]+\\s*=|href\\s*=\\s*"
                    + "(?![\"']?#)|<iframe|<embed|<object");

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
        String text = new String(content, StandardCharsets.UTF_8);
        if (SVG_ROOT.matcher(text).find()
                && !SVG_DANGER.matcher(text.toLowerCase(Locale.ROOT)).find()) {
            return Optional.of(SVG);
        }
        return Optional.empty();
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
