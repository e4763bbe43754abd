package io.ora.hubkit.ota;

import io.ora.core.firmware.SignedEnvelope;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The relay's answer to a hub's OTA check (docs/ota.md, "Check (MQTT)"), read the way the contract tells a hub to:
 * fields it does not know are ignored, and an {@code ota} value or a {@code reason} it does not know is a
 * {@link Wait} (check again later). Nothing in an answer is trusted because it arrived: an {@link Offer} carries the
 * signed documents as they came, for {@link FirmwareVerification} to judge, and its {@code download} values are
 * only where to fetch from (the signed size and SHA-256 are the ones that count).
 */
public sealed interface OtaAnswer {

    /** {@code none}, {@code wait} or {@code offer}: what the hub does next. */
    default String kind() {
        return this instanceof None ? "none" : this instanceof Wait ? "wait" : "offer";
    }

    /** The largest answer read; an offer is a release envelope and the root envelopes, each at most 64 KiB. */
    int MAX_BYTES = 1024 * 1024;

    /** Nothing is offered now; {@code reason} is {@code invalid_check} when the check was refused. */
    record None(Optional<String> reason) implements OtaAnswer {
    }

    /**
     * Nothing is offered now, for a reason: {@code pending_handover}, {@code paused}, {@code rate_limited},
     * {@code unavailable}; {@code unspecified} when the answer gives none; for an {@code ota} value or a reason this
     * hub does not know, that word ({@code unknown} unless it is short and plain); {@value #UNREADABLE} for an answer
     * that is not JSON, and {@code invalid_offer} for an offer naming no rollout. Either way: check again later.
     */
    record Wait(String reason) implements OtaAnswer {
    }

    /**
     * An offer of a release in rollout {@code rollout}. A document that did not parse is empty here: an offer whose
     * roots do not parse is refused as {@code root_invalid}, one whose release does not parse as
     * {@code signature_invalid}, one without a usable download as {@code download_failed}.
     */
    record Offer(UUID rollout, Optional<SignedEnvelope> release, Optional<List<SignedEnvelope>> roots,
                 Optional<Download> download) implements OtaAnswer {
        public Offer {
            roots = roots.map(List::copyOf);
        }
    }

    /** Where an offered release's image is fetched: an {@code https} URL, and the size and SHA-256 it repeats. */
    record Download(URI url, long size, String sha256) {
    }

    /** Why an answer could not be read, as the reason of the {@link Wait} it becomes. */
    String UNREADABLE = "unreadable_answer";

    /** Reads an answer's payload; never throws. */
    static OtaAnswer parse(byte[] payload) {
        return AnswerReader.parse(payload);
    }
}
