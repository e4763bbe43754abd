-- Health telemetry kept by the ingest role (docs/ingest.md): only what describes the machine. A hub appears only
-- as its keyed pseudonym (HMAC-SHA-256 of its UUID under the server's telemetry secret), never as its UUID, so
-- this table alone cannot be joined to a project, a person or an address.
--
-- Partitioned by day (UTC) on the server's receive time, so retention is dropping whole partitions and a hub's
-- clock cannot place a row outside the window retention manages. Partitions are made ahead of time and dropped
-- by the functions below (the only DDL the application runs, and it runs it only through them).
CREATE TABLE telemetry_sample (
    hub          bytea       NOT NULL CHECK (octet_length(hub) = 32),
    received_at  timestamptz NOT NULL,
    sampled_at   timestamptz,
    firmware     text        CHECK (firmware IS NULL OR length(firmware) <= 64),
    cpu          real        CHECK (cpu BETWEEN 0 AND 100),
    ram          real        CHECK (ram BETWEEN 0 AND 100),
    rssi         real        CHECK (rssi BETWEEN -130 AND 0),
    CHECK (cpu IS NOT NULL OR ram IS NOT NULL OR rssi IS NOT NULL)
) PARTITION BY RANGE (received_at);

-- Per-hub reads (health aggregates) and erasure.
CREATE INDEX telemetry_sample_hub ON telemetry_sample (hub, received_at);

-- Makes the daily partitions for [first_day, first_day + days) that do not exist yet; answers how many it made.
-- Nodes may call it concurrently: an advisory lock serialises them.
CREATE FUNCTION telemetry_ensure_partitions(first_day date, days integer) RETURNS integer AS $$
DECLARE
    day date;
    partition text;
    made integer := 0;
BEGIN
    IF days < 1 OR days > 366 THEN
        RAISE EXCEPTION 'days must be 1..366, not %', days;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('telemetry_sample partitions'));
    FOR i IN 0 .. days - 1 LOOP
        day := first_day + i;
        partition := 'telemetry_sample_' || to_char(day, 'YYYYMMDD');
        IF to_regclass(partition) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF telemetry_sample FOR VALUES FROM (%L) TO (%L)',
                           partition, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
            made := made + 1;
        END IF;
    END LOOP;
    RETURN made;
END
$$ LANGUAGE plpgsql;

-- Drops every daily partition all of whose rows were received before cutoff (its day ends at or before it);
-- answers the names it dropped. Only partitions named by telemetry_ensure_partitions are considered.
CREATE FUNCTION telemetry_drop_partitions(cutoff timestamptz) RETURNS SETOF text AS $$
DECLARE
    partition text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('telemetry_sample partitions'));
    FOR partition IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'telemetry_sample'::regclass AND c.relname ~ '^telemetry_sample_[0-9]{8}$'
        ORDER BY c.relname
    LOOP
        IF (to_date(substr(partition, 18), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= cutoff THEN
            EXECUTE format('DROP TABLE %I', partition);
            RETURN NEXT partition;
        END IF;
    END LOOP;
END
$$ LANGUAGE plpgsql;
