-- Firmware distribution (docs/ota.md). The portal keeps signed metadata, artifacts, rollouts and counts. No table
-- holds a hub UUID, a certificate or an address: which hubs are in a stage is computed from a keyed hash at check
-- time, offers are counted per stage, and a hub's outcome is keyed by its telemetry pseudonym (HMAC-SHA-256 under
-- the server's secret), which the failure thresholds need to count distinct hubs.

-- Root metadata, every version the portal has verified (the first against ora.ota.root-public-key, each next one
-- against the one before). Offers carry them all, so a hub can walk from the root it trusts.
CREATE TABLE ota_root (
    version      integer     PRIMARY KEY CHECK (version >= 1),
    envelope     bytea       NOT NULL,
    expires_at   timestamptz NOT NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    uploaded_by  uuid        NOT NULL
);

-- A release: its signed metadata as uploaded (the envelope's exact bytes, which are what hubs verify) and the fields
-- read from it. Versions are kept as three integers so they order numerically.
CREATE TABLE ota_release (
    id            uuid        PRIMARY KEY,
    model         text        NOT NULL CHECK (model ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    version       integer[]   NOT NULL CHECK (cardinality(version) = 3),
    min_version   integer[]   NOT NULL CHECK (cardinality(min_version) = 3),
    size          bigint      NOT NULL CHECK (size >= 1),
    sha256        bytea       NOT NULL CHECK (octet_length(sha256) = 32),
    notes         text        NOT NULL,
    expires_at    timestamptz NOT NULL,
    envelope      bytea       NOT NULL,
    state         text        NOT NULL CHECK (state IN ('awaiting_artifact', 'available')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    uuid        NOT NULL,
    UNIQUE (model, version)
);
CREATE INDEX ota_release_page ON ota_release (created_at, id);

-- An artifact's bytes in chunks of at most 1 MiB, in order from 0; written in the transaction that makes the release
-- available, so a failed or refused upload leaves nothing. Firmware images are compressed already.
CREATE TABLE ota_artifact_chunk (
    release_id  uuid    NOT NULL REFERENCES ota_release (id) ON DELETE CASCADE,
    seq         integer NOT NULL CHECK (seq >= 0),
    data        bytea   NOT NULL,
    PRIMARY KEY (release_id, seq)
);
ALTER TABLE ota_artifact_chunk ALTER COLUMN data SET STORAGE EXTERNAL;

-- A rollout of one release. stages is the list of {percent, soakMinutes}; stage is the current one (from 0), and
-- stage_started_at when its soak began (again on resume). row_version is the optimistic-concurrency counter.
CREATE TABLE ota_rollout (
    id                     uuid        PRIMARY KEY,
    release_id             uuid        NOT NULL REFERENCES ota_release (id),
    model                  text        NOT NULL,
    from_min               integer[]   CHECK (from_min IS NULL OR cardinality(from_min) = 3),
    from_below             integer[]   CHECK (from_below IS NULL OR cardinality(from_below) = 3),
    stages                 jsonb       NOT NULL,
    max_offers_per_minute  integer     NOT NULL CHECK (max_offers_per_minute >= 1),
    pause_failures         integer     CHECK (pause_failures IS NULL OR pause_failures >= 0),
    pause_failure_percent  numeric(5, 2) CHECK (pause_failure_percent IS NULL
                                                OR (pause_failure_percent >= 0 AND pause_failure_percent <= 100)),
    status                 text        NOT NULL CHECK (status IN ('active', 'paused', 'aborted')),
    pause_reason           text        CHECK (pause_reason IS NULL OR pause_reason IN ('operator', 'failures')),
    stage                  integer     NOT NULL CHECK (stage >= 0),
    stage_started_at       timestamptz NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    created_by             uuid        NOT NULL,
    ended_at               timestamptz,
    row_version            integer     NOT NULL DEFAULT 0,
    CHECK ((status = 'paused') = (pause_reason IS NOT NULL)),
    CHECK ((status = 'aborted') = (ended_at IS NOT NULL))
);
-- One open rollout per model: which release a hub is offered never depends on which of two rollouts answered.
CREATE UNIQUE INDEX ota_rollout_open_per_model ON ota_rollout (model) WHERE status <> 'aborted';
CREATE INDEX ota_rollout_page ON ota_rollout (created_at, id);

-- Offers made, per rollout and stage: counts, never who.
CREATE TABLE ota_offer_count (
    rollout_id  uuid    NOT NULL REFERENCES ota_rollout (id) ON DELETE CASCADE,
    stage       integer NOT NULL CHECK (stage >= 0),
    offers      bigint  NOT NULL CHECK (offers >= 0),
    PRIMARY KEY (rollout_id, stage)
);

-- The newest report of each hub, by pseudonym, per rollout.
CREATE TABLE ota_outcome (
    rollout_id     uuid        NOT NULL REFERENCES ota_rollout (id) ON DELETE CASCADE,
    hub_pseudonym  bytea       NOT NULL CHECK (octet_length(hub_pseudonym) = 32),
    stage          integer     NOT NULL CHECK (stage >= 0),
    status         text        NOT NULL CHECK (status IN ('downloading', 'verified', 'installed', 'failed')),
    reason         text,
    reported_at    timestamptz NOT NULL,
    PRIMARY KEY (rollout_id, hub_pseudonym),
    CHECK ((status = 'failed') = (reason IS NOT NULL))
);
CREATE INDEX ota_outcome_stage ON ota_outcome (rollout_id, stage, status);

-- Operators' OTA actions go to the one audit log, with no organisation (releases and rollouts belong to none).
CREATE INDEX audit_event_operator ON audit_event (at, id) WHERE organisation_id IS NULL;
