package io.ora.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class PeerIdTest {

    @Property
    void hubUrnsRoundTrip(@ForAll long most, @ForAll long least) {
        PeerId hub = new PeerId.Hub(new UUID(most, least));
        assertThat(PeerId.fromUrn(hub.urn())).contains(hub);
    }

    @Property
    void appUrnsRoundTrip(@ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 64) String user,
                          @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 64) String install) {
        PeerId app = new PeerId.App(user + ":" + install);
        assertThat(PeerId.fromUrn(app.urn())).contains(app);
        assertThat(app.urn()).isEqualTo("urn:ora:app:" + user + ":" + install);
    }

    @Test
    void onlyTheCanonicalUuidNamesAHub() {
        String canonical = "6f1c2b9e-5a9d-4e59-9d2f-2d6c9a1d7e11";
        assertThat(PeerId.fromUrn("urn:ora:hub:" + canonical)).isPresent();
        assertThat(PeerId.fromUrn("urn:ora:hub:" + canonical.toUpperCase())).isEmpty();
        assertThat(PeerId.fromUrn("urn:ora:hub:6f1c2b9e-5a9d-4e59-9d2f-2d6c9a1d7e1")).isEmpty();
        assertThat(PeerId.fromUrn("urn:ora:hub:1-1-1-1-1")).isEmpty();
    }

    @Test
    void appIdsCannotCarryTopicSyntaxOrExtraSegments() {
        for (String bad : new String[] {"", "a/b", "a+b", "a#", "a:b:c", ":a", "a b", "x".repeat(65)}) {
            assertThatThrownBy(() -> new PeerId.App(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThat(PeerId.fromUrn("urn:ora:app:" + bad)).as(bad).isEmpty();
        }
    }

    @Test
    void foreignUrnsNameNobody() {
        assertThat(PeerId.fromUrn("urn:other:hub:6f1c2b9e-5a9d-4e59-9d2f-2d6c9a1d7e11")).isEmpty();
        assertThat(PeerId.fromUrn("urn:ora:user:alice")).isEmpty();
        assertThat(PeerId.fromUrn(null)).isEmpty();
    }
}
