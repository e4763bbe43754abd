package io.ora.backup.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock a test moves by hand: the stores' only notion of "today". */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;

    public MutableClock(LocalDate today) {
        this.now = new AtomicReference<>(noonOf(today));
    }

    public void set(LocalDate today) {
        now.set(noonOf(today));
    }

    public void advanceDays(long days) {
        now.updateAndGet(instant -> instant.plus(Duration.ofDays(days)));
    }

    public LocalDate today() {
        return LocalDate.ofInstant(now.get(), ZoneOffset.UTC);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the stores read instants only");
    }

    private static Instant noonOf(LocalDate day) {
        return day.atTime(12, 0).toInstant(ZoneOffset.UTC);
    }
}
