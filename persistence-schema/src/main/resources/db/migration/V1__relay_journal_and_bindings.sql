-- pekko-persistence-jdbc 1.1.1 tables (its shipped Postgres schema, minus CREATE INDEX CONCURRENTLY, which cannot
-- run inside Flyway's transaction). The relay keeps only the durable part of a Hub entity here: its handover lock.
CREATE TABLE event_journal (
    ordering           BIGSERIAL,
    persistence_id     VARCHAR(255) NOT NULL,
    sequence_number    BIGINT       NOT NULL,
    deleted            BOOLEAN      NOT NULL DEFAULT FALSE,
    writer             VARCHAR(255) NOT NULL,
    write_timestamp    BIGINT,
    adapter_manifest   VARCHAR(255),
    event_ser_id       INTEGER      NOT NULL,
    event_ser_manifest VARCHAR(255) NOT NULL,
    event_payload      BYTEA        NOT NULL,
    meta_ser_id        INTEGER,
    meta_ser_manifest  VARCHAR(255),
    meta_payload       BYTEA,
    PRIMARY KEY (persistence_id, sequence_number)
);
CREATE UNIQUE INDEX event_journal_ordering_idx ON event_journal (ordering);

CREATE TABLE event_tag (
    event_id BIGINT,
    tag      VARCHAR(256),
    PRIMARY KEY (event_id, tag),
    CONSTRAINT fk_event_journal FOREIGN KEY (event_id) REFERENCES event_journal (ordering) ON DELETE CASCADE
);

CREATE TABLE snapshot (
    persistence_id        VARCHAR(255) NOT NULL,
    sequence_number       BIGINT       NOT NULL,
    created               BIGINT       NOT NULL,
    snapshot_ser_id       INTEGER      NOT NULL,
    snapshot_ser_manifest VARCHAR(255) NOT NULL,
    snapshot_payload      BYTEA        NOT NULL,
    meta_ser_id           INTEGER,
    meta_ser_manifest     VARCHAR(255),
    meta_payload          BYTEA,
    PRIMARY KEY (persistence_id, sequence_number)
);

CREATE TABLE durable_state (
    global_offset         BIGSERIAL,
    persistence_id        VARCHAR(255) NOT NULL,
    revision              BIGINT       NOT NULL,
    state_payload         BYTEA        NOT NULL,
    state_serial_id       INTEGER      NOT NULL,
    state_serial_manifest VARCHAR(255),
    tag                   VARCHAR,
    state_timestamp       BIGINT       NOT NULL,
    PRIMARY KEY (persistence_id)
);
CREATE INDEX state_tag_idx ON durable_state (tag);
CREATE INDEX state_global_offset_idx ON durable_state (global_offset);

-- Which app may reach which hub over the relay (and so which hub may answer that app). Phase 1 fills it from the
-- dev CLI; the portal takes ownership with the handover work. Ids are the identity segments of the peers' URNs.
CREATE TABLE relay_binding (
    app_id     VARCHAR(129) NOT NULL,
    hub_id     UUID         NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, hub_id)
);
CREATE INDEX relay_binding_hub_idx ON relay_binding (hub_id);
