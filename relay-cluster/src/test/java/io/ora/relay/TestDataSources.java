package io.ora.relay;

import com.zaxxer.hikari.HikariDataSource;
import io.ora.persistence.TestDatabase;

/** One small pool on the test database for every relay node in this JVM (closed with the JVM). */
final class TestDataSources {

    private static HikariDataSource shared;

    private TestDataSources() {
    }

    static synchronized HikariDataSource shared() {
        if (shared == null) {
            shared = TestDatabase.dataSource();
        }
        return shared;
    }
}
