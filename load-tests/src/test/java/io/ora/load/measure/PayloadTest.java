package io.ora.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class PayloadTest {

    @Test
    void headerRoundTripsAtTheRequestedSize() {
        ByteBuf body = Unpooled.buffer();
        Payload.write(body, 256, -123_456_789L, 7, 42);

        assertThat(body.readableBytes()).isEqualTo(256);
        assertThat(Payload.decode(body)).contains(new Payload.Header(-123_456_789L, 7, 42));
        assertThat(body.slice(Payload.HEADER_BYTES, 256 - Payload.HEADER_BYTES).forEachByte(b -> b == 0)).isEqualTo(-1);
    }

    @Test
    void extremesOfRunAndIndexSurvive() {
        ByteBuf body = Unpooled.buffer();
        Payload.write(body, Payload.HEADER_BYTES, 1, Payload.MAX_RUN, Payload.MAX_INDEX);

        assertThat(Payload.decode(body)).contains(new Payload.Header(1, Payload.MAX_RUN, Payload.MAX_INDEX));
    }

    @Test
    void appendsAfterWhatIsThereAndDecodesFromTheReaderIndexWithoutConsumingIt() {
        ByteBuf frame = Unpooled.buffer().writeBytes(new byte[8]);
        Payload.write(frame, 16, 99, 1, 2);
        frame.readerIndex(8);

        assertThat(Payload.decode(frame)).contains(new Payload.Header(99, 1, 2));
        assertThat(frame.readerIndex()).isEqualTo(8);
        assertThat(frame.writerIndex()).isEqualTo(24);
    }

    @Test
    void shortOrForeignPayloadsAreNotOurs() {
        assertThat(Payload.decode(Unpooled.wrappedBuffer(new byte[15]))).isEmpty();
        assertThatThrownBy(() -> Payload.write(Unpooled.buffer(), 15, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Payload.write(Unpooled.buffer(), 16, 0, Payload.MAX_RUN + 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
