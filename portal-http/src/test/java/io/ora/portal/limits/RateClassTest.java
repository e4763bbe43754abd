package io.ora.portal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.ora.portal.limits.RateClass.Limit;
import io.ora.portal.limits.RateClass.WhenRedisDown;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateClassTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void theShippedClassesAreTheDocumentedOnes() {
        Map<String, RateClass> classes = RateClass.fromConfig(
                ConfigFactory.defaultReference().getConfig("ora.portal.rate-limits.classes"));

        assertThat(classes).containsOnlyKeys("read", "write", "upload", "sensitive", "token");
        assertThat(classes.get("read")).isEqualTo(new RateClass("read", Optional.of(new Limit(600, MINUTE)),
                new Limit(1200, MINUTE), WhenRedisDown.LOCAL));
        assertThat(classes.get("write")).isEqualTo(new RateClass("write", Optional.of(new Limit(120, MINUTE)),
                new Limit(240, MINUTE), WhenRedisDown.LOCAL));
        assertThat(classes.get("upload")).isEqualTo(new RateClass("upload", Optional.of(new Limit(30, MINUTE)),
                new Limit(60, MINUTE), WhenRedisDown.FAIL_CLOSED));
        assertThat(classes.get("sensitive")).isEqualTo(new RateClass("sensitive",
                Optional.of(new Limit(10, MINUTE)), new Limit(30, MINUTE), WhenRedisDown.FAIL_CLOSED));
        assertThat(classes.get("token")).isEqualTo(new RateClass("token", Optional.empty(),
                new Limit(30, MINUTE), WhenRedisDown.FAIL_CLOSED));
    }

    @Test
    void aClassWithoutAPerIpLimitIsRefused() {
        assertThatThrownBy(() -> RateClass.fromConfig(ConfigFactory.parseString(
                "c { per-user { capacity = 1, period = 1s }, when-redis-down = local }")))
                .isInstanceOf(ConfigException.Missing.class);
    }

    @Test
    void anUnknownRedisDownBehaviourIsRefused() {
        assertThatThrownBy(() -> RateClass.fromConfig(ConfigFactory.parseString(
                "c { per-ip { capacity = 1, period = 1s }, when-redis-down = fail-open }")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fail-open");
    }

    @Test
    void emptyLimitsAreRefused() {
        assertThatThrownBy(() -> new Limit(0, MINUTE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Limit(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNameThatIsNotSafeInARedisKeyIsRefused() {
        assertThatThrownBy(() -> RateClass.fromConfig(ConfigFactory.parseString(
                "\"a:b\" { per-ip { capacity = 1, period = 1s }, when-redis-down = local }")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
