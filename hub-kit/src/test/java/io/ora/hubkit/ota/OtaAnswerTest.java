package io.ora.hubkit.ota;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.firmware.SignedEnvelope;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The answers of docs/ota.md's "Check (MQTT)" table, read as a hub must: unknown words are a wait. */
class OtaAnswerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TestFirmware FIRMWARE = new TestFirmware();
    private static final SignedEnvelope ROOT = FIRMWARE.rootV1(Instant.parse("2030-01-01T00:00:00Z"));
    private static final SignedEnvelope RELEASE = TestFirmware.sign(TestFirmware.metadata("ora-hub-1", "1.4.0",
            "1.2.0", new byte[] {1, 2, 3}, Instant.parse("2030-01-01T00:00:00Z")), FIRMWARE.release);
    private static final UUID ROLLOUT = UUID.fromString("6f1c2b9e-5a9d-4e59-9d2f-2d6c9a1d7e11");
    private static final String URL = "https://ota.example.net:8443/ota/v1/releases/0b9f3c9e-1c1e-4c55-8d0a-"
            + "1f2e3d4c5b6a/artifact";

    @Test
    void noneAndItsReason() {
        assertThat(parse("{\"ota\":\"none\"}")).isEqualTo(new OtaAnswer.None(Optional.empty()));
        assertThat(parse("{\"ota\":\"none\",\"reason\":\"invalid_check\"}"))
                .isEqualTo(new OtaAnswer.None(Optional.of("invalid_check")));
    }

    @Test
    void eachWaitReasonOfTheContract() {
        for (String reason : List.of("pending_handover", "paused", "rate_limited", "unavailable")) {
            assertThat(parse("{\"ota\":\"wait\",\"reason\":\"" + reason + "\"}")).isEqualTo(new OtaAnswer.Wait(reason));
        }
        assertThat(parse("{\"ota\":\"wait\"}")).isEqualTo(new OtaAnswer.Wait("unspecified"));
    }

    @Test
    void anOtaValueOrAReasonItDoesNotKnowIsAWait() {
        assertThat(parse("{\"ota\":\"reboot\"}")).isEqualTo(new OtaAnswer.Wait("reboot"));
        assertThat(parse("{\"ota\":\"none\",\"reason\":\"maintenance\"}")).isEqualTo(new OtaAnswer.Wait("maintenance"));
        assertThat(parse("{\"ota\":\"wait\",\"reason\":\"storms\"}")).isEqualTo(new OtaAnswer.Wait("storms"));
        assertThat(parse("{\"ota\":\"NONE\"}")).isEqualTo(new OtaAnswer.Wait("unknown"));
        assertThat(parse("{\"ota\":\"none\",\"reason\":7}")).isEqualTo(new OtaAnswer.Wait(OtaAnswer.UNREADABLE));
    }

    @Test
    void fieldsItDoesNotKnowAreIgnored() {
        assertThat(parse("{\"ota\":\"none\",\"retryAfter\":3600,\"hint\":{\"x\":[1]}}"))
                .isEqualTo(new OtaAnswer.None(Optional.empty()));
    }

    @Test
    void whatIsNotAnAnswerIsAWait() {
        for (String bad : List.of("", "null", "[]", "\"none\"", "{\"ota\":1}", "{}", "{\"ota\":\"none\"",
                "{\"ota\":\"none\",\"ota\":\"offer\"}", "{\"ota\":\"none\"} x")) {
            assertThat(parse(bad)).as(bad).isEqualTo(new OtaAnswer.Wait(OtaAnswer.UNREADABLE));
        }
        assertThat(OtaAnswer.parse(new byte[OtaAnswer.MAX_BYTES + 1])).isEqualTo(new OtaAnswer.Wait(
                OtaAnswer.UNREADABLE));
    }

    @Test
    void anOfferCarriesTheSignedDocumentsAsTheyCame() {
        OtaAnswer answer = parse(offer(envelope(RELEASE), "[" + envelope(ROOT) + "]", download(URL)));

        assertThat(answer).isInstanceOf(OtaAnswer.Offer.class);
        OtaAnswer.Offer offer = (OtaAnswer.Offer) answer;
        assertThat(offer.kind()).isEqualTo("offer");
        assertThat(offer.rollout()).isEqualTo(ROLLOUT);
        assertThat(offer.release().orElseThrow().payload()).isEqualTo(RELEASE.payload());
        assertThat(offer.release().get().signedBy(FIRMWARE.release.getPublic())).isTrue();
        assertThat(offer.roots().orElseThrow()).singleElement().satisfies(root ->
                assertThat(root.payload()).isEqualTo(ROOT.payload()));
        assertThat(offer.download()).contains(new OtaAnswer.Download(URI.create(URL), 3, "ab".repeat(32)));
    }

    @Test
    void anOfferWithADocumentThatDoesNotParseKeepsTheRestForItsReport() {
        OtaAnswer.Offer badRelease = (OtaAnswer.Offer) parse(offer("{\"payload\":\"x\"}",
                "[" + envelope(ROOT) + "]", download(URL)));
        OtaAnswer.Offer badRoots = (OtaAnswer.Offer) parse(offer(envelope(RELEASE), "[" + envelope(ROOT) + ",1]",
                download(URL)));
        OtaAnswer.Offer httpDownload = (OtaAnswer.Offer) parse(offer(envelope(RELEASE), "[]",
                download(URL.replace("https:", "http:"))));
        OtaAnswer.Offer noDownload = (OtaAnswer.Offer) parse(offer(envelope(RELEASE), "[]", "{}"));

        assertThat(badRelease.release()).isEmpty();
        assertThat(badRelease.roots()).isPresent();
        assertThat(badRoots.roots()).isEmpty();
        assertThat(badRoots.release()).isPresent();
        assertThat(httpDownload.download()).isEmpty();
        assertThat(httpDownload.roots()).contains(List.of());
        assertThat(noDownload.download()).isEmpty();
    }

    @Test
    void anOfferWithoutItsRolloutCannotBeReportedOnAndIsAWait() {
        String noRollout = "{\"ota\":\"offer\",\"release\":" + envelope(RELEASE) + ",\"roots\":[]}";
        String badRollout = noRollout.replace("{\"ota\":\"offer\",", "{\"ota\":\"offer\",\"rollout\":\""
                + ROLLOUT.toString().toUpperCase() + "\",");

        assertThat(parse(noRollout)).isEqualTo(new OtaAnswer.Wait("invalid_offer"));
        assertThat(parse(badRollout)).isEqualTo(new OtaAnswer.Wait("invalid_offer"));
    }

    /** Whatever arrives on the answer topic, reading it answers something and throws nothing. */
    @Property(tries = 1000)
    void anyPayloadIsReadWithoutThrowing(@ForAll @Size(max = 300) byte[] payload) {
        assertThat(OtaAnswer.parse(payload).kind()).isIn("none", "wait", "offer");
    }

    @Property(tries = 500)
    void anyOtaWordIsNoneWaitOrOffer(@ForAll @StringLength(max = 50) String word) {
        String json = "{\"ota\":" + JSON.writeValueAsString(word) + "}";
        OtaAnswer answer = parse(json);
        if (word.equals("none")) {
            assertThat(answer).isEqualTo(new OtaAnswer.None(Optional.empty()));
        } else if (!word.equals("offer")) {
            assertThat(answer).isInstanceOf(OtaAnswer.Wait.class);
        }
    }

    private static OtaAnswer parse(String json) {
        return OtaAnswer.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String offer(String release, String roots, String download) {
        return "{\"ota\":\"offer\",\"rollout\":\"" + ROLLOUT + "\",\"release\":" + release + ",\"roots\":" + roots
                + ",\"download\":" + download + ",\"future\":true}";
    }

    private static String download(String url) {
        return "{\"url\":\"" + url + "\",\"size\":3,\"sha256\":\"" + "ab".repeat(32) + "\"}";
    }

    private static String envelope(SignedEnvelope envelope) {
        return new String(envelope.toJson(), StandardCharsets.UTF_8);
    }
}
