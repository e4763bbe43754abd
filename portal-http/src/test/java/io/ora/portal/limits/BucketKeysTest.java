package io.ora.portal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.portal.limits.RateClass.Limit;
import io.ora.portal.limits.RateClass.WhenRedisDown;
import java.time.Duration;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class BucketKeysTest {

    private static final Limit LIMIT = new Limit(5, Duration.ofMinutes(1));
    private static final RateClass CLASS = new RateClass("sensitive", Optional.of(LIMIT), LIMIT, WhenRedisDown.LOCAL);
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final BucketKeys KEYS = new BucketKeys("ora:", SECRET);

    @Property
    void anySubjectBecomesAFixedShapeKeyWithoutATraceOfIt(@ForAll String subject) {
        String key = KEYS.user(CLASS, LIMIT, subject);

        assertThat(key).matches("ora:rl:sensitive:user:5-PT1M:[0-9a-f]{32}");
    }

    @Property
    void anyClientAddressStringBecomesAFixedShapeKey(@ForAll String clientIp) {
        assertThat(KEYS.ip(CLASS, LIMIT, clientIp)).matches("ora:rl:sensitive:ip:5-PT1M:[0-9a-f]{32}");
    }

    @Test
    void ipv6AddressesAreLimitedPerSlash64() {
        assertThat(BucketKeys.network("2001:db8:1:2:aaaa::1")).isEqualTo(BucketKeys.network("2001:db8:1:2::ffff"));
        assertThat(BucketKeys.network("2001:db8:1:2::1")).isNotEqualTo(BucketKeys.network("2001:db8:1:3::1"));
        assertThat(KEYS.ip(CLASS, LIMIT, "2001:db8:1:2::1")).isEqualTo(KEYS.ip(CLASS, LIMIT, "2001:0db8:1:2:9::9"));
    }

    @Test
    void ipv4AddressesAreLimitedOneByOneAndMappedOnesAsThemselves() {
        assertThat(BucketKeys.network("192.0.2.1")).isNotEqualTo(BucketKeys.network("192.0.2.2"));
        assertThat(BucketKeys.network("::ffff:192.0.2.1")).isEqualTo("192.0.2.1");
    }

    @Test
    void theSecretKeysTheHashAndAShortOneIsRefused() {
        BucketKeys unkeyed = new BucketKeys("ora:", "");

        assertThat(unkeyed.ip(CLASS, LIMIT, "192.0.2.1")).isNotEqualTo(KEYS.ip(CLASS, LIMIT, "192.0.2.1"));
        assertThatThrownBy(() -> new BucketKeys("ora:", "short")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void usersAndAddressesNeverShareABucket() {
        assertThat(KEYS.user(CLASS, LIMIT, "192.0.2.1")).isNotEqualTo(KEYS.ip(CLASS, LIMIT, "192.0.2.1"));
    }
}
