package io.ora.hubkit.ota;

import io.ora.core.firmware.InvalidDocumentException;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.hubkit.ota.OtaAnswer.Download;
import io.ora.hubkit.ota.OtaAnswer.None;
import io.ora.hubkit.ota.OtaAnswer.Offer;
import io.ora.hubkit.ota.OtaAnswer.Wait;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@link OtaAnswer#parse}: lenient where the contract tells a hub to be, and never throwing. */
final class AnswerReader {

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16)
                            .maxStringLength(OtaAnswer.MAX_BYTES).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .build();
    /** The reasons each {@code ota} value may carry; an answer without a reason is always known. */
    private static final Map<String, Set<String>> REASONS = Map.of(
            "none", Set.of("invalid_check"),
            "wait", Set.of("pending_handover", "paused", "rate_limited", "unavailable"),
            "offer", Set.of());

    private AnswerReader() {
    }

    private static OtaAnswer offer(JsonNode answer) {
        Optional<UUID> rollout = uuid(answer.path("rollout"));
        if (rollout.isEmpty()) {
            // Without its rollout an offer cannot even be reported on.
            return new Wait("invalid_offer");
        }
        return new Offer(rollout.get(), envelope(answer.get("release")), roots(answer.get("roots")),
                download(answer.get("download")));
    }

    private static Optional<UUID> uuid(JsonNode node) {
        if (!node.isString()) {
            return Optional.empty();
        }
        try {
            UUID uuid = UUID.fromString(node.stringValue());
            return uuid.toString().equals(node.stringValue()) ? Optional.of(uuid) : Optional.empty();
        } catch (IllegalArgumentException notAUuid) {
            return Optional.empty();
        }
    }

    private static Optional<SignedEnvelope> envelope(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        try {
            return Optional.of(SignedEnvelope.of(node));
        } catch (InvalidDocumentException malformed) {
            return Optional.empty();
        }
    }

    private static Optional<List<SignedEnvelope>> roots(JsonNode node) {
        if (node == null || !node.isArray()) {
            return Optional.empty();
        }
        List<SignedEnvelope> roots = new ArrayList<>();
        for (JsonNode entry : node) {
            Optional<SignedEnvelope> root = envelope(entry);
            if (root.isEmpty()) {
                return Optional.empty();
            }
            roots.add(root.get());
        }
        return Optional.of(roots);
    }

    private static Optional<Download> download(JsonNode node) {
        if (node == null || !node.path("url").isString() || !node.path("size").canConvertToLong()
                || !node.path("size").isIntegralNumber() || !node.path("sha256").isString()) {
            return Optional.empty();
        }
        try {
            URI url = new URI(node.get("url").stringValue());
            if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                return Optional.empty();
            }
            return Optional.of(new Download(url, node.get("size").longValue(), node.get("sha256").stringValue()));
        } catch (URISyntaxException notAUrl) {
            return Optional.empty();
        }
    }

    /** A value from the wire, as a reason this hub shows: only if it is short and plain. */
    private static String shown(String value) {
        return value.matches("[a-z0-9_]{1,40}") ? value : "unknown";
    }

    /** Reads an answer's payload; never throws. */
    static OtaAnswer parse(byte[] payload) {
        if (payload.length > OtaAnswer.MAX_BYTES) {
            return new Wait(OtaAnswer.UNREADABLE);
        }
        JsonNode answer;
        try {
            answer = MAPPER.readTree(payload);
        } catch (JacksonException notJson) {
            return new Wait(OtaAnswer.UNREADABLE);
        }
        if (answer == null || !answer.isObject() || !answer.path("ota").isString()) {
            return new Wait(OtaAnswer.UNREADABLE);
        }
        String ota = answer.get("ota").stringValue();
        Optional<String> reason = answer.has("reason") ? Optional.of(answer.get("reason").isString()
                ? answer.get("reason").stringValue() : OtaAnswer.UNREADABLE) : Optional.empty();
        Set<String> known = REASONS.get(ota);
        if (known == null) {
            return new Wait(shown(ota));
        }
        if (reason.isPresent() && !known.contains(reason.get())) {
            return new Wait(shown(reason.get()));
        }
        return switch (ota) {
            case "none" -> new None(reason);
            case "wait" -> new Wait(reason.orElse("unspecified"));
            default -> offer(answer);
        };
    }
}
