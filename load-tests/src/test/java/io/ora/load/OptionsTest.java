package io.ora.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static final Set<String> VALUES = Set.of("rate", "hold", "host");
    private static final Set<String> FLAGS = Set.of("find-max");

    @Test
    void readsValuesFlagsAndDefaults() {
        Options options = Options.parse(List.of("--rate", "2500", "--hold=1.5", "--find-max"), VALUES, FLAGS);

        assertThat(options.number("rate", null, 0, 1e7)).isEqualTo(2500);
        assertThat(options.seconds("hold", 5, 60)).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.flag("find-max")).isTrue();
        assertThat(options.text("host", "127.0.0.1")).isEqualTo("127.0.0.1");
    }

    @Test
    void refusesTyposRepeatsMissingValuesAndOutOfRange() {
        assertThatThrownBy(() -> Options.parse(List.of("--rates", "1"), VALUES, FLAGS))
                .hasMessageContaining("unknown option --rates");
        assertThatThrownBy(() -> Options.parse(List.of("--rate", "1", "--rate", "2"), VALUES, FLAGS))
                .hasMessageContaining("given twice");
        assertThatThrownBy(() -> Options.parse(List.of("--rate"), VALUES, FLAGS)).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Options.parse(List.of("stray"), VALUES, FLAGS)).hasMessageContaining("unexpected");
        Options options = Options.parse(List.of("--rate", "-1"), VALUES, FLAGS);
        assertThatThrownBy(() -> options.number("rate", null, 0, 10)).hasMessageContaining("within");
        assertThatThrownBy(() -> options.text("host")).hasMessageContaining("--host is required");
    }
}
