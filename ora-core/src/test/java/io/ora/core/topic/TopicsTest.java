package io.ora.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.core.identity.PeerId;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class TopicsTest {

    private static final PeerId.Hub HUB = PeerId.Hub.parse("6f1c2b9e-5a9d-4e59-9d2f-2d6c9a1d7e11");
    private static final PeerId.App APP = new PeerId.App("alice:phone-1");

    @Test
    void inboxesFollowTheVersionedNamespace() {
        assertThat(Topics.inbox(HUB)).isEqualTo("ora/v1/hub/6f1c2b9e-5a9d-4e59-9d2f-2d6c9a1d7e11/in");
        assertThat(Topics.inbox(APP)).isEqualTo("ora/v1/app/alice:phone-1/in");
    }

    @Test
    void destinationsAreParsedFromPublishTopics() {
        assertThat(Topics.destination(Topics.inbox(HUB)))
                .contains(new Topics.Destination.Inbox(HUB, Topics.inbox(HUB)));
        assertThat(Topics.destination(Topics.inbox(APP) + "/status"))
                .contains(new Topics.Destination.Inbox(APP, Topics.inbox(APP) + "/status"));
        assertThat(Topics.destination("ora/v1/hub/" + HUB.uuid() + "/telemetry"))
                .contains(new Topics.Destination.Telemetry(HUB));
        assertThat(Topics.destination("ora/v1/hub/" + HUB.uuid() + "/ota")).contains(new Topics.Destination.Ota(HUB));
        assertThat(Topics.destination(Topics.otaReport(HUB))).contains(new Topics.Destination.OtaReport(HUB));
        assertThat(Topics.otaReport(HUB)).isEqualTo("ora/v1/hub/" + HUB.uuid() + "/ota/report");
        assertThat(Topics.destination("ora/v1/app/a/ota/report")).isEmpty();
    }

    @Test
    void malformedAndForeignTopicsGoNowhere() {
        for (String topic : List.of("", "ora/v1/hub", "ora/v2/hub/" + HUB.uuid() + "/in", "other/topic",
                "ora/v1/hub/not-a-uuid/in", "ora/v1/hub/" + HUB.uuid().toString().toUpperCase() + "/in",
                "ora/v1/hub/" + HUB.uuid() + "/in/+", "ora/v1/hub/" + HUB.uuid() + "/in/#",
                "ora/v1/hub/" + HUB.uuid() + "//in", "ora/v1/app/alice/telemetry", "ora/v1/hub/" + HUB.uuid() + "/cmd",
                "/ora/v1/hub/" + HUB.uuid() + "/in", "ora/v1/hub/" + HUB.uuid() + "/in/", "x".repeat(600))) {
            assertThat(Topics.destination(topic)).as(topic).isEmpty();
        }
    }

    @Test
    void peersMaySubscribeOnlyToTheirOwnInbox() {
        String inbox = Topics.inbox(HUB);
        assertThat(Topics.maySubscribe(HUB, inbox)).isTrue();
        assertThat(Topics.maySubscribe(HUB, inbox + "/#")).isTrue();
        assertThat(Topics.maySubscribe(HUB, inbox + "/+/x")).isTrue();
        assertThat(Topics.maySubscribe(HUB, "ora/v1/hub/+/in")).isFalse();
        assertThat(Topics.maySubscribe(HUB, "#")).isFalse();
        assertThat(Topics.maySubscribe(HUB, inbox + "x")).isFalse();
        assertThat(Topics.maySubscribe(HUB, Topics.inbox(new PeerId.Hub(UUID.randomUUID())) + "/#")).isFalse();
        assertThat(Topics.maySubscribe(APP, inbox + "/#")).isFalse();
    }

    @Test
    void filterMatchingFollowsMqtt() {
        assertThat(Topics.matches("a/#", "a")).isTrue();
        assertThat(Topics.matches("a/#", "a/b/c")).isTrue();
        assertThat(Topics.matches("a/+", "a/b")).isTrue();
        assertThat(Topics.matches("a/+", "a/b/c")).isFalse();
        assertThat(Topics.matches("a/+/c", "a/b/c")).isTrue();
        assertThat(Topics.matches("a/b", "a/b")).isTrue();
        assertThat(Topics.matches("a/b", "a/b/c")).isFalse();
        assertThat(Topics.matches("a/b/c", "a/b")).isFalse();
        assertThat(Topics.isValidFilter("a/#/b")).isFalse();
        assertThat(Topics.isValidFilter("a/b#")).isFalse();
        assertThat(Topics.isValidFilter("a/+b")).isFalse();
        assertThat(Topics.isValidFilter("a/+/#")).isTrue();
    }

    @Property
    void aTopicMatchesItselfAndTheMultiLevelWildcardOfEveryPrefix(@ForAll("topics") String topic) {
        assertThat(Topics.matches(topic, topic)).isTrue();
        String[] levels = topic.split("/");
        StringBuilder prefix = new StringBuilder();
        for (String level : levels) {
            assertThat(Topics.matches(prefix + "#", topic)).isTrue();
            prefix.append(level).append('/');
        }
    }

    @Property
    void anyStringIsEitherADestinationOrRefusedWithoutThrowing(@ForAll String topic) {
        assertThat(Topics.destination(topic)).satisfiesAnyOf(
                d -> assertThat(d).isEmpty(),
                d -> assertThat(topic).startsWith(Topics.ROOT));
    }

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(8)
                .list().ofMinSize(1).ofMaxSize(6).map(levels -> String.join("/", levels));
    }
}
