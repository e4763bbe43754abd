-- Every change to a binding is announced on the 'relay_binding' channel as '<app_id> <hub_id>', so relay nodes
-- drop their cached answer at once instead of waiting for it to expire. A trigger, so that every writer (the CLI,
-- the portal, an operator's SQL) announces its changes without having to remember to.
CREATE FUNCTION relay_binding_notify() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        PERFORM pg_notify('relay_binding', OLD.app_id || ' ' || OLD.hub_id::text);
    END IF;
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        PERFORM pg_notify('relay_binding', NEW.app_id || ' ' || NEW.hub_id::text);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER relay_binding_changed
    AFTER INSERT OR UPDATE OR DELETE ON relay_binding
    FOR EACH ROW EXECUTE FUNCTION relay_binding_notify();
