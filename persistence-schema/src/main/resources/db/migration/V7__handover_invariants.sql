-- The handover's invariants as the schema can hold them (docs/handover.md, "The handover's invariants").
--
-- A project has at most one *current* AccessKey: ACTIVE (claimable) or CLAIMED (a homeowner typed it and may finish
-- the handover). Every claim belongs to the current key, so ending the key (cancel, expiry, a new key, revocation,
-- lock-out) ends the claim and everything it gave in the same UPDATE: the claimant's reach into the project is read
-- from the key, never stored beside it. `project.homeowner_user_id` is written by the completed handover only.
--
-- New key state USED: the key whose handover completed. A key ends exactly once; ended_at says when.
-- New column released_at: when the wrapped Project Key was first released to the claimant of this key. Completing
-- the handover needs it on the current key; the audit log is never consulted for it.

ALTER TABLE access_key DROP CONSTRAINT access_key_state_check;

-- Bring rows written under the old rules in line before the new constraints hold them.
-- Keys of projects that are past the handover, or never reached it, are no longer current.
UPDATE access_key k SET state = 'USED', ended_at = coalesce(k.ended_at, p.handed_over_at, now())
    FROM project p
    WHERE p.id = k.project_id AND k.state = 'CLAIMED' AND p.status IN ('HANDED_OVER', 'ARCHIVED')
      AND p.homeowner_user_id = k.claimed_by;
UPDATE access_key k SET state = 'REVOKED', ended_at = coalesce(k.ended_at, now())
    FROM project p
    WHERE p.id = k.project_id AND k.state IN ('ACTIVE', 'CLAIMED')
      AND (p.status NOT IN ('COMMISSIONING', 'PENDING_HANDOVER')
           OR (k.state = 'CLAIMED' AND p.status <> 'PENDING_HANDOVER'));
-- A project that had a claimed key and then a new one: only the newest stays current.
UPDATE access_key k SET state = 'REVOKED', ended_at = coalesce(k.ended_at, now())
    WHERE k.state IN ('ACTIVE', 'CLAIMED')
      AND EXISTS (SELECT 1 FROM access_key newer WHERE newer.project_id = k.project_id
                  AND newer.state IN ('ACTIVE', 'CLAIMED') AND newer.created_at > k.created_at);
-- An envelope is held only for the current key.
DELETE FROM project_key_envelope e
    WHERE NOT EXISTS (SELECT 1 FROM access_key k WHERE k.id = e.access_key_id AND k.state IN ('ACTIVE', 'CLAIMED'));
-- Before handover the homeowner is whoever holds the claim, read from the key.
UPDATE project SET homeowner_user_id = NULL WHERE homeowner_user_id IS NOT NULL AND handed_over_at IS NULL;

ALTER TABLE access_key
    ADD COLUMN released_at timestamptz,
    ADD CONSTRAINT access_key_state_check
        CHECK (state IN ('ACTIVE', 'CLAIMED', 'USED', 'EXPIRED', 'REVOKED')),
    ADD CONSTRAINT access_key_claim_names_claimant
        CHECK (state NOT IN ('CLAIMED', 'USED') OR (claimed_by IS NOT NULL AND claimed_at IS NOT NULL)),
    ADD CONSTRAINT access_key_release_follows_claim
        CHECK (released_at IS NULL OR claimed_by IS NOT NULL),
    ADD CONSTRAINT access_key_ended_once
        CHECK ((state IN ('ACTIVE', 'CLAIMED')) = (ended_at IS NULL));

-- One current key per project (replaces "one ACTIVE key"): a claim and a newer key cannot both stand.
DROP INDEX access_key_one_active;
CREATE UNIQUE INDEX access_key_one_current ON access_key (project_id) WHERE state IN ('ACTIVE', 'CLAIMED');
-- A homeowner's list of projects reads their live claims through this.
CREATE INDEX access_key_claimant ON access_key (claimed_by) WHERE state = 'CLAIMED';
