-- The remote handover (docs/handover.md): AccessKeys, the wrapped Project Key the cloud holds but cannot open,
-- claim lockouts, and the de-identified summary a project keeps after handover.

-- An AccessKey's code is never stored: only `key_id` (its first five characters, a public look-up handle) and a
-- keyed hash of the whole code. At most one ACTIVE key per project (the partial unique index says so).
CREATE TABLE access_key (
    id              uuid PRIMARY KEY,
    project_id      uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    key_id          text NOT NULL CHECK (key_id ~ '^[0-9A-HJKMNP-TV-Z]{5}$'),
    verifier        bytea NOT NULL,
    state           text NOT NULL CHECK (state IN ('ACTIVE', 'CLAIMED', 'EXPIRED', 'REVOKED')),
    failed_attempts integer NOT NULL DEFAULT 0,
    created_by      uuid NOT NULL REFERENCES portal_user (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    claimed_by      uuid REFERENCES portal_user (id),
    claimed_at      timestamptz,
    ended_at        timestamptz
);
CREATE UNIQUE INDEX access_key_one_active ON access_key (project_id) WHERE state = 'ACTIVE';
CREATE UNIQUE INDEX access_key_active_handle ON access_key (key_id) WHERE state = 'ACTIVE';

-- The Project Key, wrapped on the installer's device under a key derived from the AccessKey code. Opaque here:
-- the portal checks its structure and size, never its content. Replaced when the AccessKey is regenerated.
CREATE TABLE project_key_envelope (
    project_id    uuid PRIMARY KEY REFERENCES project (id) ON DELETE CASCADE,
    access_key_id uuid NOT NULL REFERENCES access_key (id) ON DELETE CASCADE,
    envelope      jsonb NOT NULL,
    uploaded_by   uuid NOT NULL REFERENCES portal_user (id),
    uploaded_at   timestamptz NOT NULL DEFAULT now()
);

-- Failed claims per account, for the lockout (rows older than the lockout window are ignored and pruned).
CREATE TABLE access_key_claim_failure (
    user_id   uuid NOT NULL REFERENCES portal_user (id),
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_key_claim_failure_user ON access_key_claim_failure (user_id, failed_at);

-- What a project keeps once its personal data is gone (counts, never content), and whether its hubs' handover
-- lock has been applied on the relay: the status says what should be, this says what the hub entities confirmed,
-- and the portal's sweeper closes any gap (a relay that was unreachable at the transition).
ALTER TABLE project
    ADD COLUMN handed_over_at timestamptz,
    ADD COLUMN device_count   integer,
    ADD COLUMN hubs_locked    boolean NOT NULL DEFAULT false;
CREATE INDEX project_lock_gap ON project (id)
    WHERE (status = 'PENDING_HANDOVER') <> hubs_locked;
