-- Which portal user's apps may reach which hub over the relay, derived from the portal's own tables, so the portal
-- never has to remember to grant or revoke anything (docs/handover.md, "Relay access during and after handover").
-- An app identity urn:ora:app:<portal_user.id>:<install-id> is looked up here by its user id; the dev CLI's rows in
-- relay_binding stay a second source (always FULL), and the relay takes the widest scope either gives.
--
--   FULL      everything in the hub's and the app's inboxes
--   HANDOVER  only the handover flow: ora/v1/hub/<hub>/in/handover[/...] and ora/v1/app/<app>/in/handover[/...]
--
-- Installers (every member of the project's organisation): FULL while the project is DRAFT or COMMISSIONING,
-- HANDOVER while it is PENDING_HANDOVER, nothing once it is HANDED_OVER or ARCHIVED.
-- The homeowner: FULL once the project was handed over (handed_over_at set, which only the HANDED_OVER transition
-- does), and still when the installer later archives it; nothing before (claiming the AccessKey alone gives none).
CREATE VIEW relay_access (app_user_id, hub_id, scope) AS
    SELECT m.user_id, h.hub_id,
           CASE WHEN p.status = 'PENDING_HANDOVER' THEN 'HANDOVER' ELSE 'FULL' END
    FROM project_hub h
    JOIN project p ON p.id = h.project_id
    JOIN organisation_member m ON m.organisation_id = p.organisation_id
    WHERE p.status IN ('DRAFT', 'COMMISSIONING', 'PENDING_HANDOVER')
    UNION ALL
    SELECT p.homeowner_user_id, h.hub_id, 'FULL'
    FROM project_hub h
    JOIN project p ON p.id = h.project_id
    WHERE p.homeowner_user_id IS NOT NULL
      AND p.handed_over_at IS NOT NULL
      AND p.status IN ('HANDED_OVER', 'ARCHIVED');

-- Every change that may change an answer of relay_access is announced on the 'relay_access' channel, from inside
-- the changing transaction (so it is delivered at commit, and never for a rollback), as one of:
--   hub:<uuid>   the access to this hub may have changed, for anyone
--   user:<uuid>  the access of this portal user may have changed, to any hub
--   all          anything may have changed (a TRUNCATE)
-- PostgreSQL folds identical payloads within one transaction into one notification.

CREATE FUNCTION relay_access_notify_project() RETURNS trigger AS $$
DECLARE
    hub uuid;
BEGIN
    FOR hub IN SELECT hub_id FROM project_hub WHERE project_id = NEW.id LOOP
        PERFORM pg_notify('relay_access', 'hub:' || hub::text);
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Only the columns relay_access reads; the portal's other updates (version, notes, hubs_locked, ...) stay silent.
-- Deleting a project deletes its project_hub rows (ON DELETE CASCADE), whose own trigger announces each hub.
CREATE TRIGGER relay_access_project_changed
    AFTER UPDATE ON project
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id
          OR OLD.homeowner_user_id IS DISTINCT FROM NEW.homeowner_user_id
          OR OLD.handed_over_at IS DISTINCT FROM NEW.handed_over_at)
    EXECUTE FUNCTION relay_access_notify_project();

CREATE FUNCTION relay_access_notify_hub() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        PERFORM pg_notify('relay_access', 'hub:' || OLD.hub_id::text);
    END IF;
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        PERFORM pg_notify('relay_access', 'hub:' || NEW.hub_id::text);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER relay_access_hub_changed
    AFTER INSERT OR UPDATE OR DELETE ON project_hub
    FOR EACH ROW EXECUTE FUNCTION relay_access_notify_hub();

CREATE FUNCTION relay_access_notify_member() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        PERFORM pg_notify('relay_access', 'user:' || OLD.user_id::text);
    END IF;
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        PERFORM pg_notify('relay_access', 'user:' || NEW.user_id::text);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Deleting an organisation deletes its members (ON DELETE CASCADE), each announced here.
CREATE TRIGGER relay_access_member_changed
    AFTER INSERT OR UPDATE OR DELETE ON organisation_member
    FOR EACH ROW EXECUTE FUNCTION relay_access_notify_member();

CREATE FUNCTION relay_access_notify_all() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('relay_access', 'all');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Row triggers do not fire for TRUNCATE; an operator's TRUNCATE still reaches every relay node.
CREATE TRIGGER relay_access_project_truncated AFTER TRUNCATE ON project
    FOR EACH STATEMENT EXECUTE FUNCTION relay_access_notify_all();
CREATE TRIGGER relay_access_hub_truncated AFTER TRUNCATE ON project_hub
    FOR EACH STATEMENT EXECUTE FUNCTION relay_access_notify_all();
CREATE TRIGGER relay_access_member_truncated AFTER TRUNCATE ON organisation_member
    FOR EACH STATEMENT EXECUTE FUNCTION relay_access_notify_all();
CREATE TRIGGER relay_binding_truncated AFTER TRUNCATE ON relay_binding
    FOR EACH STATEMENT EXECUTE FUNCTION relay_access_notify_all();
