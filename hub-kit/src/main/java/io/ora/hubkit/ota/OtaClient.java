package io.ora.hubkit.ota;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import io.ora.core.firmware.FirmwareRefusal;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.InvalidDocumentException;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.core.firmware.TrustedRoot;
import io.ora.core.identity.PeerId;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.RelayClients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.SSLParameters;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A hub's side of OTA (docs/ota.md, "The hub's side"), complete enough to be the firmware team's reference and the
 * simulator behind {@code hub ota}: check, verify, download, report.
 *
 * <ol>
 *   <li><b>Check.</b> Connects to the relay as the hub ({@link RelayClients#mqtt5}: TLS 1.3, the hub certificate),
 *       subscribes to {@code ora/v1/hub/<uuid>/in/ota} at QoS 1, publishes {@code {"model":..,"version":..}} to
 *       {@code ora/v1/hub/<uuid>/ota} at QoS 1 and waits, at most {@link Settings#answerTimeout}, for an answer
 *       whose {@code ora-sender} is {@code urn:ora:relay}. Anything else arriving there is ignored: an app with
 *       access to the hub's inbox can publish into {@code in/ota} too.</li>
 *   <li><b>Verify.</b> On an offer, {@link FirmwareVerification#beforeDownload} from the trusted root (at first the
 *       pinned root key): a refusal is reported as {@code failed} with its reason and nothing is downloaded.</li>
 *   <li><b>Download.</b> Reports {@code downloading}, fetches the image over HTTPS with the hub's certificate
 *       ({@link #download}: resumable, at most {@link Settings#downloadAttempts} attempts) into
 *       {@code <out>/<model>-<version>.bin.part}; a failure is reported as {@code failed}/{@code download_failed}
 *       and the part file is kept for a later resume.</li>
 *   <li><b>Install.</b> {@link FirmwareVerification#afterDownload}: bytes that are not the signed size and SHA-256
 *       are deleted and reported as {@code failed}/{@code hash_mismatch}. Otherwise reports {@code verified}, renames
 *       the file to {@code <model>-<version>.bin} (the simulator's "install": a real hub flashes it here) and reports
 *       {@code installed}. A release that expired during the download is not installed ({@code metadata_expired}).
 *   </li>
 * </ol>
 *
 * <p>Reports go to {@code ora/v1/hub/<uuid>/ota/report} at QoS 1: {@code {"rollout":..,"status":..[,"reason":..]}}.
 * Each step is told to {@link Settings#steps} as one line (the CLI prints them); no line holds a key, a payload or
 * the hub's private material. Instances hold no connection between calls and share nothing: a test makes one per
 * hub, with its own settings.
 */
public final class OtaClient {

    /** The relay's identity, the only sender an OTA answer is taken from. */
    public static final String RELAY = "urn:ora:relay";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final PeerCredentials credentials;
    private final PeerId.Hub hub;
    private final Settings settings;

    /**
     * What the client needs besides the hub's credentials.
     *
     * @param host             the relay's MQTT listener
     * @param port             its port (8883)
     * @param model            the hub's hardware model
     * @param installed        the firmware version the hub runs
     * @param trusted          the root the hub trusts ({@link TrustedRoot#pinned} of its root key at first)
     * @param out              where the image is downloaded and "installed"
     * @param answerTimeout    how long to wait for the connection, the subscription, the answer and each PUBACK
     * @param downloadAttempts how many requests a download may take, resumed from each other
     * @param retryDelay       the pause after the first failed attempt, doubled after each further one (a server's
     *                         Retry-After replaces it)
     * @param requestTimeout   how long a download request may wait for the response headers
     * @param idleTimeout      how long a download body may go without a byte
     * @param clock            the time expiry is judged at
     * @param steps            told each step, one line at a time
     */
    public record Settings(String host, int port, String model, FirmwareVersion installed, TrustedRoot trusted,
                           Path out, Duration answerTimeout, int downloadAttempts, Duration retryDelay,
                           Duration requestTimeout, Duration idleTimeout, Clock clock, Consumer<String> steps) {

        public Settings {
            if (!ReleaseMetadata.MODEL.matcher(model).matches()) {
                throw new IllegalArgumentException("model is " + ReleaseMetadata.MODEL.pattern());
            }
            if (downloadAttempts < 1) {
                throw new IllegalArgumentException("at least one download attempt");
            }
        }

        /**
         * A hub of {@code model} running {@code installed} with {@code rootKey} pinned, against the relay at
         * {@code 127.0.0.1:8883}: answers within 10 s, 5 download attempts 2 s apart at first, 30 s for response
         * headers and for each stretch of a body, the system clock, no step output.
         */
        public static Settings of(String model, FirmwareVersion installed, PublicKey rootKey, Path out) {
            return new Settings("127.0.0.1", 8883, model, installed, TrustedRoot.pinned(rootKey), out,
                    Duration.ofSeconds(10), 5, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(30),
                    Clock.systemUTC(), line -> { });
        }

        /** The same, against the relay at {@code host:port}. */
        public Settings relay(String host, int port) {
            return new Settings(host, port, model, installed, trusted, out, answerTimeout, downloadAttempts,
                    retryDelay, requestTimeout, idleTimeout, clock, steps);
        }

        /** The same, with these download attempts and first retry delay. */
        public Settings downloads(int attempts, Duration delay) {
            return new Settings(host, port, model, installed, trusted, out, answerTimeout, attempts, delay,
                    requestTimeout, idleTimeout, clock, steps);
        }

        /** The same, with these timeouts for MQTT answers, download headers and download bodies. */
        public Settings timeouts(Duration answer, Duration request, Duration idle) {
            return new Settings(host, port, model, installed, trusted, out, answer, downloadAttempts, retryDelay,
                    request, idle, clock, steps);
        }

        /** The same, judging expiry at {@code at}. */
        public Settings clock(Clock at) {
            return new Settings(host, port, model, installed, trusted, out, answerTimeout, downloadAttempts,
                    retryDelay, requestTimeout, idleTimeout, at, steps);
        }

        /** The same, telling each step to {@code to}. */
        public Settings steps(Consumer<String> to) {
            return new Settings(host, port, model, installed, trusted, out, answerTimeout, downloadAttempts,
                    retryDelay, requestTimeout, idleTimeout, clock, to);
        }
    }

    /** Where a report goes; {@link #run} publishes them, a test may record them. */
    @FunctionalInterface
    public interface Reports {
        /** Reports {@code status} for {@code rollout}, with {@code reason} when it is {@code failed}. */
        void report(UUID rollout, String status, Optional<String> reason) throws IOException;
    }

    /**
     * How a run ended.
     *
     * @param answer    what the relay answered
     * @param failure   the reason reported with {@code failed}: a refusal's wire name, {@code download_failed} or
     *                  {@code install_failed}; empty unless the offer failed
     * @param refusal   the verification refusal, when that is why it failed
     * @param installed the installed image, when it was installed
     */
    public record Result(OtaAnswer answer, Optional<String> failure, Optional<FirmwareRefusal> refusal,
                         Optional<Path> installed) {

        static Result of(OtaAnswer answer) {
            return new Result(answer, Optional.empty(), Optional.empty(), Optional.empty());
        }

        static Result refused(OtaAnswer answer, FirmwareRefusal refusal) {
            return new Result(answer, Optional.of(refusal.wireName()), Optional.of(refusal), Optional.empty());
        }

        static Result failed(OtaAnswer answer, String reason) {
            return new Result(answer, Optional.of(reason), Optional.empty(), Optional.empty());
        }

        /** {@code none}, {@code wait} or {@code offer}. */
        public String kind() {
            return answer.kind();
        }
    }

    /** A download that did not complete: its attempts are used up, or the server refused it for good. */
    public static final class DownloadFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        public DownloadFailedException(String message) {
            super(message);
        }
    }

    /** No answer the protocol defines: the relay could not be reached, refused the hub, or did not answer in time. */
    public static final class NoAnswerException extends IOException {
        private static final long serialVersionUID = 1L;

        public NoAnswerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The client for the hub whose certificate is in {@code credentials}. */
    public OtaClient(PeerCredentials credentials, Settings settings) {
        if (!(credentials.identity() instanceof PeerId.Hub identity)) {
            throw new IllegalArgumentException("OTA is for hubs: the certificate names " + credentials.identity());
        }
        this.credentials = credentials;
        this.hub = identity;
        this.settings = settings;
    }

    /** Where the hub publishes its check. */
    public String checkTopic() {
        return Topics.otaCheck(hub);
    }

    /** Where the hub publishes its reports. */
    public String reportTopic() {
        return Topics.otaReport(hub);
    }

    /**
     * Checks once and carries an offer through, reporting over the same connection; then disconnects. Throws only
     * when there is no answer to act on ({@link NoAnswerException}) or a local file cannot be written.
     */
    public Result run() throws IOException {
        Mqtt5AsyncClient client = RelayClients.mqtt5(credentials, settings.host(), settings.port()).buildAsync();
        await(client.connectWith().cleanStart(true).sessionExpiryInterval(0).send(), "connecting to the relay at "
                + settings.host() + ":" + settings.port());
        step("connected to " + settings.host() + ":" + settings.port() + " as " + hub.urn());
        try {
            OtaAnswer answer = check(client);
            if (!(answer instanceof OtaAnswer.Offer offer)) {
                return Result.of(answer);
            }
            return handle(offer, (rollout, status, reason) -> publishReport(client, rollout, status, reason));
        } finally {
            try {
                await(client.disconnect(), "disconnecting");
            } catch (NoAnswerException alreadyGone) {
                // Nothing is left to say to the relay: the run's outcome stands either way.
            }
        }
    }

    /** The check on a connected client: subscribe, publish, and the relay's answer. */
    OtaAnswer check(Mqtt5AsyncClient client) throws IOException {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        String answers = Topics.otaStatus(hub);
        Mqtt5SubAck subAck = await(client.subscribeWith().topicFilter(answers).qos(MqttQos.AT_LEAST_ONCE)
                .callback(publish -> {
                    if (fromRelay(publish)) {
                        answer.complete(publish.getPayloadAsBytes());
                    } else {
                        step("ignored a message on " + answers + " not sent by " + RELAY);
                    }
                }).send(), "subscribing to " + answers);
        if (subAck.getReasonCodes().stream().anyMatch(code -> code.isError())) {
            throw new NoAnswerException("the relay refused the subscription to " + answers + ": "
                    + subAck.getReasonCodes(), null);
        }
        ObjectNode check = JSON.createObjectNode().put("model", settings.model())
                .put("version", settings.installed().toString());
        step("check: " + settings.model() + " " + settings.installed());
        CompletableFuture<Mqtt5PublishResult> published = client.publishWith().topic(checkTopic())
                .qos(MqttQos.AT_LEAST_ONCE).payload(JSON.writeValueAsBytes(check)).send();
        OtaAnswer parsed = OtaAnswer.parse(await(answer, "waiting for the relay's answer"));
        // The relay acknowledges a check once its answer is delivered, so by now the PUBACK is due.
        Mqtt5PubAckReasonCode acknowledged = pubAck(published);
        if (acknowledged != Mqtt5PubAckReasonCode.SUCCESS) {
            step("the check was acknowledged with " + acknowledged);
        }
        step("answer: " + describe(parsed));
        return parsed;
    }

    /**
     * Carries {@code offer} through verification, download and install, reporting each step to {@code reports}.
     * This is {@link #run}'s second half, for a test (or a hub) that got the offer by other means.
     */
    public Result handle(OtaAnswer.Offer offer, Reports reports) throws IOException {
        FirmwareVerification verification = new FirmwareVerification(settings.trusted(), settings.model(),
                settings.installed());
        FirmwareVerification.Outcome outcome;
        if (offer.roots().isEmpty()) {
            outcome = new FirmwareVerification.Outcome(Optional.empty(), Optional.of(FirmwareRefusal.ROOT_INVALID));
        } else if (offer.release().isEmpty()) {
            outcome = new FirmwareVerification.Outcome(Optional.empty(),
                    Optional.of(FirmwareRefusal.SIGNATURE_INVALID));
        } else {
            outcome = verification.beforeDownload(offer.release().get(), offer.roots().get(),
                    settings.clock().instant());
        }
        if (outcome.refusal().isPresent()) {
            FirmwareRefusal refusal = outcome.refusal().get();
            step("refused before download: " + refusal.wireName());
            reports.report(offer.rollout(), "failed", Optional.of(refusal.wireName()));
            return Result.refused(offer, refusal);
        }
        FirmwareVerification.Accepted accepted = outcome.accepted().get();
        ReleaseMetadata release = accepted.release();
        step("verified metadata: " + release.model() + " " + release.version() + ", " + release.size()
                + " bytes, sha256 " + release.sha256Hex() + ", root version " + accepted.root().version());
        reports.report(offer.rollout(), "downloading", Optional.empty());
        if (offer.download().isEmpty()) {
            step("the offer names no https download");
            reports.report(offer.rollout(), "failed", Optional.of("download_failed"));
            return Result.failed(offer, "download_failed");
        }
        Files.createDirectories(settings.out());
        Path part;
        try {
            part = download(offer.download().get().url(), release, settings.out());
        } catch (DownloadFailedException failed) {
            step("download failed: " + failed.getMessage());
            reports.report(offer.rollout(), "failed", Optional.of("download_failed"));
            return Result.failed(offer, "download_failed");
        }
        Optional<FirmwareRefusal> refusal = FirmwareVerification.afterDownload(release, part);
        if (refusal.isEmpty() && !settings.clock().instant().isBefore(release.expires())) {
            refusal = Optional.of(FirmwareRefusal.METADATA_EXPIRED);
        }
        if (refusal.isPresent()) {
            Files.deleteIfExists(part);
            step("refused after download: " + refusal.get().wireName() + " (" + part.getFileName() + " deleted)");
            reports.report(offer.rollout(), "failed", Optional.of(refusal.get().wireName()));
            return Result.refused(offer, refusal.get());
        }
        step("verified image: the signed size and SHA-256");
        reports.report(offer.rollout(), "verified", Optional.empty());
        Path image = settings.out().resolve(release.model() + "-" + release.version() + ".bin");
        try {
            Files.move(part, image, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException notInstalled) {
            step("install failed: " + notInstalled.getMessage());
            reports.report(offer.rollout(), "failed", Optional.of("install_failed"));
            return Result.failed(offer, "install_failed");
        }
        step("installed " + image);
        reports.report(offer.rollout(), "installed", Optional.empty());
        return new Result(offer, Optional.empty(), Optional.empty(), Optional.of(image));
    }

    /**
     * Downloads {@code release}'s image from {@code url} into {@code <dir>/<model>-<version>.bin.part}, resuming
     * from what a part file there holds, and answers the part file with exactly the signed size (its hash not yet
     * checked). Throws {@link DownloadFailedException} when the attempts are used up or the server refuses for good;
     * what was received stays for a later call to resume.
     */
    public Path download(URI url, ReleaseMetadata release, Path dir) throws IOException {
        SSLParameters tls = new SSLParameters();
        tls.setProtocols(new String[] {"TLSv1.3"});
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(credentials.sslContext()).sslParameters(tls).connectTimeout(settings.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        return new ArtifactDownload(http, settings.requestTimeout(), settings.idleTimeout(),
                settings.downloadAttempts(), settings.retryDelay(), this::step).fetch(url, release, dir);
    }

    private void publishReport(Mqtt5AsyncClient client, UUID rollout, String status, Optional<String> reason)
            throws IOException {
        ObjectNode report = JSON.createObjectNode().put("rollout", rollout.toString()).put("status", status);
        reason.ifPresent(why -> report.put("reason", why));
        Mqtt5PubAckReasonCode acknowledged = pubAck(client.publishWith().topic(reportTopic())
                .qos(MqttQos.AT_LEAST_ONCE).payload(JSON.writeValueAsBytes(report)).send());
        step("reported " + status + reason.map(why -> " (" + why + ")").orElse("") + ": "
                + (acknowledged == Mqtt5PubAckReasonCode.SUCCESS ? "acknowledged" : "refused, " + acknowledged));
    }

    private Mqtt5PubAckReasonCode pubAck(CompletableFuture<Mqtt5PublishResult> published) throws IOException {
        try {
            Mqtt5PublishResult result = await(published, "waiting for the PUBACK");
            return result instanceof Mqtt5PublishResult.Mqtt5Qos1Result qos1 ? qos1.getPubAck().getReasonCode()
                    : Mqtt5PubAckReasonCode.SUCCESS;
        } catch (NoAnswerException e) {
            if (e.getCause() instanceof Mqtt5PubAckException refused) {
                return refused.getMqttMessage().getReasonCode();
            }
            throw e;
        }
    }

    private static boolean fromRelay(Mqtt5Publish publish) {
        List<? extends Mqtt5UserProperty> properties = publish.getUserProperties().asList();
        return properties.stream().anyMatch(property -> property.getName().toString().equals("ora-sender")
                && property.getValue().toString().equals(RELAY));
    }

    private static String describe(OtaAnswer answer) {
        if (answer instanceof OtaAnswer.None none) {
            return "none" + none.reason().map(reason -> " (" + reason + ")").orElse("");
        }
        if (answer instanceof OtaAnswer.Wait wait) {
            return "wait (" + wait.reason() + ")";
        }
        OtaAnswer.Offer offer = (OtaAnswer.Offer) answer;
        return "offer in rollout " + offer.rollout() + ", " + offer.roots().map(List::size).orElse(0)
                + " root(s)" + offer.release().map(OtaClient::summary).orElse(", a release that does not parse");
    }

    private static String summary(SignedEnvelope release) {
        try {
            ReleaseMetadata metadata = ReleaseMetadata.parse(release.payload());
            return ", release " + metadata.model() + " " + metadata.version() + " (not yet verified)";
        } catch (InvalidDocumentException notARelease) {
            return ", a release that does not parse";
        }
    }

    private <T> T await(CompletableFuture<T> future, String what) throws NoAnswerException {
        try {
            return future.get(settings.answerTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException late) {
            future.cancel(false);
            throw new NoAnswerException(what + ": nothing within " + settings.answerTimeout().toMillis() + " ms",
                    late);
        } catch (ExecutionException failed) {
            throw new NoAnswerException(what + ": " + failed.getCause().getMessage(), failed.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new NoAnswerException(what + ": interrupted", interrupted);
        }
    }

    private void step(String line) {
        settings.steps().accept(line);
    }
}
