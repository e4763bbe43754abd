package io.ora.core.firmware;

import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Release metadata (docs/ota.md): one firmware image of one hardware model. The payload of a
 * {@link SignedEnvelope#RELEASE_TYPE} envelope.
 *
 * @param model      the hardware model
 * @param version    the firmware's version
 * @param minVersion the lowest installed version it upgrades from
 * @param size       the image's exact size in bytes
 * @param sha256     the image's SHA-256 (32 bytes)
 * @param notes      release notes (may be empty)
 * @param expires    after this no hub installs it and the cloud stops offering it
 */
public record ReleaseMetadata(String model, FirmwareVersion version, FirmwareVersion minVersion, long size,
                              byte[] sha256, String notes, Instant expires) {

    /** A hardware model's name. */
    public static final Pattern MODEL = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** The longest release notes. */
    public static final int MAX_NOTES = 4096;
    /** The largest image any release can describe; a node takes at most {@code ora.ota.max-artifact-bytes}. */
    public static final long MAX_SIZE = 4L * 1024 * 1024 * 1024;

    private static final Set<String> FIELDS = Set.of("spec", "model", "version", "minVersion", "artifact", "notes",
            "expires");
    private static final Set<String> ARTIFACT_FIELDS = Set.of("size", "sha256");

    public ReleaseMetadata {
        if (!MODEL.matcher(model).matches()) {
            throw new IllegalArgumentException("model is " + MODEL.pattern());
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size is 1 to " + MAX_SIZE);
        }
        if (sha256.length != 32) {
            throw new IllegalArgumentException("sha256 is 32 bytes");
        }
        if (notes.length() > MAX_NOTES) {
            throw new IllegalArgumentException("notes are at most " + MAX_NOTES + " characters");
        }
        sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    /** The SHA-256 as 64 lower-case hex digits. */
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256);
    }

    /** Parses the payload, strictly. */
    public static ReleaseMetadata parse(byte[] payload) throws InvalidDocumentException {
        JsonNode node = Documents.read(payload, "release metadata");
        Documents.onlyFields(node, FIELDS, "release metadata");
        Documents.integer(node, "spec", RootMetadata.SPEC, RootMetadata.SPEC);
        String model = Documents.string(node, "model", 63);
        if (!MODEL.matcher(model).matches()) {
            throw new InvalidDocumentException("model is " + MODEL.pattern());
        }
        FirmwareVersion version = Documents.version(node, "version");
        FirmwareVersion minVersion = node.has("minVersion") ? Documents.version(node, "minVersion")
                : FirmwareVersion.ZERO;
        JsonNode artifact = node.get("artifact");
        Documents.onlyFields(artifact, ARTIFACT_FIELDS, "artifact");
        long size = Documents.integer(artifact, "size", 1, MAX_SIZE);
        String hash = Documents.string(artifact, "sha256", 64);
        if (!hash.matches("[0-9a-f]{64}")) {
            throw new InvalidDocumentException("artifact.sha256 is 64 lower-case hex digits");
        }
        String notes = node.has("notes") ? Documents.string(node, "notes", MAX_NOTES) : "";
        Instant expires = Documents.instant(node, "expires");
        return new ReleaseMetadata(model, version, minVersion, size, HexFormat.of().parseHex(hash), notes, expires);
    }

    /** The payload's JSON bytes. */
    public byte[] toJson() {
        ObjectNode node = Documents.MAPPER.createObjectNode();
        node.put("spec", RootMetadata.SPEC).put("model", model).put("version", version.toString())
                .put("minVersion", minVersion.toString());
        node.putObject("artifact").put("size", size).put("sha256", sha256Hex());
        node.put("notes", notes).put("expires", expires.toString());
        return Documents.MAPPER.writeValueAsBytes(node);
    }
}
