package io.ora.load.identities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BindingsTest {

    private static final List<UUID> HUBS = IntStream.range(0, 7).mapToObj(i -> new UUID(0, i)).toList();
    private static final List<String> APPS = List.of("app-0001", "app-0002", "app-0003");

    @Test
    void hubIIsBoundToAppIModM() {
        Bindings bindings = Bindings.roundRobin(HUBS, APPS);

        assertThat(bindings.appOfHub().get(HUBS.get(0))).isEqualTo("app-0001");
        assertThat(bindings.appOfHub().get(HUBS.get(4))).isEqualTo("app-0002");
        assertThat(bindings.hubsByApp().get("app-0001")).containsExactly(HUBS.get(0), HUBS.get(3), HUBS.get(6));
        assertThat(bindings.hubsByApp().get("app-0003")).containsExactly(HUBS.get(2), HUBS.get(5));
    }

    @Test
    void textFormIsOneAppHubPairPerLineAndRoundTrips() {
        Bindings bindings = Bindings.roundRobin(HUBS, APPS);

        String text = bindings.toText();

        assertThat(text.lines().findFirst()).contains("app-0001 " + HUBS.get(0));
        assertThat(text.lines().count()).isEqualTo(HUBS.size());
        assertThat(Bindings.parse("# comment\n\n" + text, APPS)).isEqualTo(bindings);
    }

    @Test
    void appsWithoutHubsAreStillKnown() {
        Bindings bindings = Bindings.roundRobin(HUBS.subList(0, 1), APPS);

        assertThat(bindings.hubsByApp()).containsKeys("app-0002", "app-0003");
        assertThat(bindings.hubsByApp().get("app-0002")).isEmpty();
    }

    @Test
    void selectTakesTheFirstAppsAndTheFirstHubsBoundToThem() {
        Bindings selected = Bindings.roundRobin(HUBS, APPS).select(3, 2);

        assertThat(selected.apps()).containsExactly("app-0001", "app-0002");
        assertThat(selected.hubs()).containsExactly(HUBS.get(0), HUBS.get(1), HUBS.get(3));
        assertThatThrownBy(() -> Bindings.roundRobin(HUBS, APPS).select(6, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only 5");
    }

    @Test
    void refusesHubsBoundToUnknownAppsOrBoundTwice() {
        assertThatThrownBy(() -> Bindings.parse("app-9999 " + HUBS.get(0) + "\n", APPS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bindings.parse("app-0001 " + HUBS.get(0) + "\napp-0002 " + HUBS.get(0), APPS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bound twice");
        assertThatThrownBy(() -> Bindings.roundRobin(HUBS, List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
