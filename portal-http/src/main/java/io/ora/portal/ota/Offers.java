package io.ora.portal.ota;

import io.ora.core.firmware.FirmwareRefusal;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.ReleaseMetadata;
import io.micrometer.core.instrument.Counter;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.core.metrics.Metrics;
import io.ora.core.ota.OtaDesk;
import io.ora.persistence.telemetry.HubPseudonym;
import io.ora.portal.api.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The portal's OTA desk (docs/ota.md, "The hub's side"): answers hubs' checks from a snapshot of the open rollouts it
 * refreshes every {@code ora.ota.refresh-interval}, so a check costs no database round trip, and takes their reports.
 * Which hubs a stage holds is computed from the hub's keyed pseudonym; offers are counted per rollout and stage in
 * memory and written every sweep. Nothing of a hub — UUID, model, version — is logged or kept.
 */
public final class Offers implements OtaDesk {

    private static final Logger LOG = LoggerFactory.getLogger(Offers.class);

    static final byte[] NONE = ascii("{\"ota\":\"none\"}");
    static final byte[] INVALID_CHECK = ascii("{\"ota\":\"none\",\"reason\":\"invalid_check\"}");
    static final byte[] PAUSED = ascii("{\"ota\":\"wait\",\"reason\":\"paused\"}");
    static final byte[] RATE_LIMITED = ascii("{\"ota\":\"wait\",\"reason\":\"rate_limited\"}");

    private static final Set<String> CHECK_FIELDS = Set.of("model", "version");
    private static final Set<String> REPORT_FIELDS = Set.of("rollout", "status", "reason");
    private static final Set<String> FAILURE_REASONS = failureReasons();

    private final Rollouts rollouts;
    private final HubPseudonym pseudonym;
    private final OfferRate rate;
    private final int maxPayload;
    private final Clock clock;
    private volatile Map<String, Open> byModel = Map.of();
    private volatile boolean loaded;
    private volatile boolean disabled;
    private final Map<UUID, Map<Integer, LongAdder>> offered = new ConcurrentHashMap<>();

    /** An open rollout as a node answers from it: the plan and the offer's exact bytes, the same for every hub. */
    private record Open(Rollouts.Rollout rollout, byte[] offer, Instant expires) {
    }

    /** What a check was answered, as counted by {@code ora_ota_checks_total}. */
    private enum Answer { OFFER, NONE, INVALID_CHECK, PAUSED, RATE_LIMITED, UNAVAILABLE }

    private final Map<Answer, Counter> answered = new EnumMap<>(Answer.class);

    Offers(Rollouts rollouts, HubPseudonym pseudonym, OfferRate rate, int maxPayload, Clock clock, Metrics metrics) {
        for (Answer answer : Answer.values()) {
            answered.put(answer, metrics.counter("ora_ota_checks_total", "Hubs' firmware checks the OTA desk"
                    + " answered, by answer", "answer", answer.name().toLowerCase(java.util.Locale.ROOT)));
        }
        this.rollouts = rollouts;
        this.pseudonym = pseudonym;
        this.rate = rate;
        this.maxPayload = maxPayload;
        this.clock = clock;
    }

    /** Reloads the open rollouts; on failure keeps answering from the last snapshot (logged). */
    CompletionStage<Void> refresh(OtaSettings settings) {
        return rollouts.snapshot().handle((snapshot, failure) -> {
            if (failure != null) {
                LOG.warn("OTA rollouts could not be reloaded ({}); checks are answered from the last snapshot",
                        failure.getClass().getSimpleName());
                return null;
            }
            Map<String, Open> next = new HashMap<>();
            for (Rollouts.Offerable offerable : snapshot.open()) {
                next.put(offerable.rollout().plan().model(), new Open(offerable.rollout(),
                        offer(offerable, snapshot.roots(), settings), offerable.expires()));
            }
            byModel = Map.copyOf(next);
            loaded = true;
            return null;
        });
    }

    private static byte[] offer(Rollouts.Offerable offerable, List<SignedEnvelope> roots, OtaSettings settings) {
        ObjectNode offer = Json.mapper().createObjectNode();
        offer.put("ota", "offer").put("rollout", offerable.rollout().id().toString());
        offer.set("release", offerable.release().toTree());
        ArrayNode chain = offer.putArray("roots");
        for (SignedEnvelope root : roots) {
            chain.add(root.toTree());
        }
        offer.putObject("download").put("url", settings.downloadUrl(offerable.rollout().releaseId()))
                .put("size", offerable.size()).put("sha256", offerable.sha256());
        return Json.mapper().writeValueAsBytes(offer);
    }

    /** Answers every check {@code none}: for a deployment where OTA is not configured (no root key). */
    void disable() {
        disabled = true;
    }

    @Override
    public CompletionStage<byte[]> check(UUID hub, byte[] payload) {
        if (payload.length == 0 || disabled) {
            return done(Answer.NONE, NONE);
        }
        if (!loaded) {
            return done(Answer.UNAVAILABLE, WAIT_UNAVAILABLE);
        }
        Optional<Check> check = parseCheck(payload);
        if (check.isEmpty()) {
            return done(Answer.INVALID_CHECK, INVALID_CHECK);
        }
        Open open = byModel.get(check.get().model());
        if (open == null || !clock.instant().isBefore(open.expires())) {
            return done(Answer.NONE, NONE);
        }
        Rollouts.Rollout rollout = open.rollout();
        RolloutPlan plan = rollout.plan();
        if (!plan.targets(check.get().model(), check.get().version())) {
            return done(Answer.NONE, NONE);
        }
        OptionalInt stage = plan.stageOf(plan.bucket(pseudonym.of(hub)));
        if (stage.isEmpty() || stage.getAsInt() > rollout.stage()) {
            return done(Answer.NONE, NONE);
        }
        if (rollout.status() != RolloutStatus.ACTIVE) {
            return done(Answer.PAUSED, PAUSED);
        }
        long minute = clock.instant().getEpochSecond() / 60;
        return rate.tryOffer(rollout.id(), minute, plan.maxOffersPerMinute()).thenApply(allowed -> {
            if (!allowed) {
                answered.get(Answer.RATE_LIMITED).increment();
                return RATE_LIMITED;
            }
            offered.computeIfAbsent(rollout.id(), id -> new ConcurrentHashMap<>())
                    .computeIfAbsent(stage.getAsInt(), s -> new LongAdder()).increment();
            answered.get(Answer.OFFER).increment();
            return open.offer();
        });
    }

    @Override
    public CompletionStage<Receipt> report(UUID hub, byte[] payload) {
        Optional<ParsedReport> report = parseReport(payload);
        if (report.isEmpty()) {
            return CompletableFuture.completedFuture(Receipt.REJECTED);
        }
        ParsedReport parsed = report.get();
        return rollouts.report(parsed.rollout(), pseudonym.of(hub), parsed.status(), parsed.reason())
                .handle((kept, failure) -> failure != null ? Receipt.UNAVAILABLE
                        : kept ? Receipt.STORED : Receipt.REJECTED);
    }

    /** Takes the offers counted since the last call (to be written), leaving zero behind. */
    Map<UUID, Map<Integer, Long>> drainOffers() {
        Map<UUID, Map<Integer, Long>> drained = new HashMap<>();
        offered.forEach((rollout, stages) -> stages.forEach((stage, count) -> {
            long taken = count.sumThenReset();
            if (taken > 0) {
                drained.computeIfAbsent(rollout, r -> new HashMap<>()).put(stage, taken);
            }
        }));
        return drained;
    }

    /** Offers counted back after a write failed, so they are written with the next. */
    void restoreOffers(Map<UUID, Map<Integer, Long>> counted) {
        counted.forEach((rollout, stages) -> stages.forEach((stage, count) -> offered
                .computeIfAbsent(rollout, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(stage, s -> new LongAdder()).add(count)));
    }

    private record Check(String model, FirmwareVersion version) {
    }

    private record ParsedReport(UUID rollout, Rollouts.Report status, Optional<String> reason) {
    }

    private Optional<Check> parseCheck(byte[] payload) {
        Optional<JsonNode> node = object(payload, CHECK_FIELDS);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        JsonNode model = node.get().get("model");
        JsonNode version = node.get().get("version");
        if (model == null || !model.isString() || !ReleaseMetadata.MODEL.matcher(model.stringValue()).matches()
                || version == null || !version.isString()) {
            return Optional.empty();
        }
        return FirmwareVersion.parse(version.stringValue()).map(v -> new Check(model.stringValue(), v));
    }

    private Optional<ParsedReport> parseReport(byte[] payload) {
        Optional<JsonNode> node = object(payload, REPORT_FIELDS);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        JsonNode rollout = node.get().get("rollout");
        JsonNode status = node.get().get("status");
        JsonNode reason = node.get().get("reason");
        if (rollout == null || !rollout.isString() || status == null || !status.isString()
                || (reason != null && !reason.isString())) {
            return Optional.empty();
        }
        UUID id;
        Rollouts.Report report;
        try {
            id = UUID.fromString(rollout.stringValue());
            if (!id.toString().equals(rollout.stringValue())) {
                return Optional.empty();
            }
            report = Rollouts.Report.valueOf(status.stringValue().toUpperCase(java.util.Locale.ROOT));
            if (!report.name().toLowerCase(java.util.Locale.ROOT).equals(status.stringValue())) {
                return Optional.empty();
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        boolean failed = report == Rollouts.Report.FAILED;
        if (failed != (reason != null) || (reason != null && !FAILURE_REASONS.contains(reason.stringValue()))) {
            return Optional.empty();
        }
        return Optional.of(new ParsedReport(id, report, Optional.ofNullable(reason).map(JsonNode::stringValue)));
    }

    /** The payload as a JSON object of allowed fields only, or empty. */
    private Optional<JsonNode> object(byte[] payload, Set<String> allowed) {
        if (payload.length > maxPayload) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(payload);
        } catch (JacksonException e) {
            return Optional.empty();
        }
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        for (Iterator<String> names = node.propertyNames().iterator(); names.hasNext(); ) {
            if (!allowed.contains(names.next())) {
                return Optional.empty();
            }
        }
        return Optional.of(node);
    }

    private static Set<String> failureReasons() {
        Set<String> reasons = new java.util.HashSet<>(Set.of("download_failed", "install_failed"));
        for (FirmwareRefusal refusal : FirmwareRefusal.values()) {
            reasons.add(refusal.wireName());
        }
        return Set.copyOf(reasons);
    }

    private CompletionStage<byte[]> done(Answer kind, byte[] answer) {
        answered.get(kind).increment();
        return CompletableFuture.completedFuture(answer);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
