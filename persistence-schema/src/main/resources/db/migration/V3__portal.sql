-- The installer portal (docs/portal.md). PostgreSQL is the source of truth; Redis only caches ids from here.
-- Personal data lives in a few named columns only (portal_user.display_name/email and the project's customer and
-- site columns) so the handover can delete it column by column, and nothing else ever copies it: the audit log
-- and every cache hold ids.

-- Everyone who has called the portal, keyed by the issuer's subject. Created on first login from token claims.
CREATE TABLE portal_user (
    id           uuid PRIMARY KEY,
    subject      text NOT NULL UNIQUE,
    display_name text,
    email        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- An electrical contractor. Projects and templates belong to organisations, never to one person, so a member
-- leaving does not orphan a customer's project.
CREATE TABLE organisation (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- An electrician belongs to at most one organisation: tenancy checks then never have to choose between two.
CREATE TABLE organisation_member (
    organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL UNIQUE REFERENCES portal_user (id),
    member_role     text NOT NULL CHECK (member_role IN ('OWNER', 'MEMBER')),
    added_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, user_id)
);
-- Exactly one owner per organisation.
CREATE UNIQUE INDEX organisation_one_owner ON organisation_member (organisation_id) WHERE member_role = 'OWNER';

-- An electrician's licence credentials. One current licence per electrician; changing it sends it back to review.
CREATE TABLE licence (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL UNIQUE REFERENCES portal_user (id),
    licence_number  text NOT NULL,
    issuing_state   text NOT NULL CHECK (issuing_state IN ('NSW', 'VIC', 'QLD', 'WA', 'SA', 'TAS', 'ACT', 'NT')),
    licence_class   text NOT NULL,
    expires_on      date NOT NULL,
    status          text NOT NULL CHECK (status IN ('PENDING', 'VERIFIED', 'REJECTED')),
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    reviewed_by     uuid REFERENCES portal_user (id),
    reviewed_at     timestamptz,
    review_note     text
);
CREATE INDEX licence_pending ON licence (submitted_at, id) WHERE status = 'PENDING';

-- Templates are versioned by appending: a project keeps pointing at the exact version it was made from.
CREATE TABLE project_template (
    id              uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_template_org ON project_template (organisation_id, created_at, id);

CREATE TABLE project_template_version (
    template_id uuid NOT NULL REFERENCES project_template (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version > 0),
    name        text NOT NULL,
    content     jsonb NOT NULL,
    created_by  uuid NOT NULL REFERENCES portal_user (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (template_id, version)
);

-- A customer's installation. `version` is the optimistic-concurrency token every update compares and bumps; the
-- handover state machine moves `status` the same way.
CREATE TABLE project (
    id                uuid PRIMARY KEY,
    organisation_id   uuid NOT NULL REFERENCES organisation (id),
    template_id       uuid NOT NULL,
    template_version  integer NOT NULL,
    status            text NOT NULL CHECK (status IN
                          ('DRAFT', 'COMMISSIONING', 'PENDING_HANDOVER', 'HANDED_OVER', 'ARCHIVED')),
    homeowner_user_id uuid REFERENCES portal_user (id),
    version           integer NOT NULL DEFAULT 1,
    created_by        uuid NOT NULL REFERENCES portal_user (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- Personal data: deleted (set NULL) at handover.
    site_address      text,
    customer_name     text,
    customer_email    text,
    customer_phone    text,
    notes             text,
    FOREIGN KEY (template_id, template_version) REFERENCES project_template_version (template_id, version)
);
CREATE INDEX project_org ON project (organisation_id, created_at, id);
CREATE INDEX project_homeowner ON project (homeowner_user_id, created_at, id) WHERE homeowner_user_id IS NOT NULL;

-- A hub belongs to at most one project (the primary key says so).
CREATE TABLE project_hub (
    hub_id                  uuid PRIMARY KEY,
    project_id              uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    certificate_fingerprint text NOT NULL CHECK (certificate_fingerprint ~ '^[0-9a-f]{64}$'),
    registered_by           uuid NOT NULL REFERENCES portal_user (id),
    registered_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_hub_project ON project_hub (project_id, registered_at);

-- Floor plans: every upload is a new version; the bytes live in their own table so listing versions never reads
-- them. The content type is the one the server sniffed, never the one the client claimed.
CREATE TABLE floor_plan (
    project_id   uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    version      integer NOT NULL CHECK (version > 0),
    content_type text NOT NULL,
    size_bytes   integer NOT NULL,
    sha256       text NOT NULL,
    file_name    text,
    created_by   uuid NOT NULL REFERENCES portal_user (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, version)
);

CREATE TABLE floor_plan_content (
    project_id uuid NOT NULL,
    version    integer NOT NULL,
    content    bytea NOT NULL,
    PRIMARY KEY (project_id, version),
    FOREIGN KEY (project_id, version) REFERENCES floor_plan (project_id, version) ON DELETE CASCADE
);

-- Pairing plans: which device goes in which room, schema-checked before it gets here.
CREATE TABLE pairing_plan (
    project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    version    integer NOT NULL CHECK (version > 0),
    content    jsonb NOT NULL,
    created_by uuid NOT NULL REFERENCES portal_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, version)
);

-- Who did what to which project: ids and an action name only, never personal data, so it survives handover
-- untouched. Rows are only ever inserted.
CREATE TABLE audit_event (
    id              uuid PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    organisation_id uuid,
    project_id      uuid,
    actor_user_id   uuid NOT NULL,
    action          text NOT NULL,
    target_id       text
);
CREATE INDEX audit_event_org ON audit_event (organisation_id, at, id);
