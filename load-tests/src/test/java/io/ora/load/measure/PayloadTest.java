package io.ora.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class PayloadTest {

    @Test
    void headerRoundTripsAtTheRequestedSize() {
        byte[] body = Payload.encode(256, -123_456_789L, 7, 42);

        assertThat(body).hasSize(256);
        assertThat(Payload.decode(ByteBuffer.wrap(body)))
                .contains(new Payload.Header(-123_456_789L, 7, 42));
    }

    @Test
    void extremesOfRunAndIndexSurvive() {
        byte[] body = Payload.encode(Payload.HEADER_BYTES, 1, Payload.MAX_RUN, Payload.MAX_INDEX);

        assertThat(Payload.decode(ByteBuffer.wrap(body)))
                .contains(new Payload.Header(1, Payload.MAX_RUN, Payload.MAX_INDEX));
    }

    @Test
    void decodesFromTheBufferPositionWithoutConsumingIt() {
        ByteBuffer buffer = ByteBuffer.allocate(40);
        buffer.position(8);
        buffer.put(Payload.encode(16, 99, 1, 2)).position(8);

        assertThat(Payload.decode(buffer.asReadOnlyBuffer())).contains(new Payload.Header(99, 1, 2));
        assertThat(buffer.position()).isEqualTo(8);
    }

    @Test
    void shortOrForeignPayloadsAreNotOurs() {
        assertThat(Payload.decode(ByteBuffer.wrap(new byte[15]))).isEmpty();
        assertThatThrownBy(() -> Payload.encode(15, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Payload.encode(16, 0, Payload.MAX_RUN + 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
