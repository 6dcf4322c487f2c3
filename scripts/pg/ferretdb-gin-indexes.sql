-- FerretDB 1.24's PostgreSQL backend builds every index as a btree on `_jsonb -> 'field'`, but its
-- pushed-down filters test `_jsonb -> 'field' @> '<value>'`, which a btree cannot serve: every
-- find or update by a field (a call by callId, a number's remembered language) scans the whole
-- table (FerretDB issue #4646), and the hotline's write rate falls as its collections grow. A GIN
-- index on the same expression serves `@>`. This event trigger gives each index FerretDB builds
-- a GIN companion on its first field, and drops the companion with it; the backfill below covers
-- indexes built before the trigger existed. FerretDB does not see these indexes (it lists its own
-- from its metadata), and production runs on MongoDB, where none of this applies.
-- Run by scripts/services.sh at every PostgreSQL start, as the cluster's superuser; idempotent.
SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION hotline_gin_companion_name(btree_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT left(btree_name, 59) || '_gin' $$;

-- The GIN companion of one btree index when its first column is a top-level field of the document.
CREATE OR REPLACE FUNCTION hotline_gin_companion(btree oid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  idx record;
BEGIN
  SELECT ic.relname AS name, n.nspname AS schema, tc.relname AS tbl, am.amname AS method,
         pg_get_indexdef(i.indexrelid, 1, true) AS first_col
    INTO idx
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_class tc ON tc.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = tc.relnamespace
    JOIN pg_am am ON am.oid = ic.relam
   WHERE i.indexrelid = btree;
  IF NOT FOUND OR idx.method <> 'btree' OR idx.first_col !~ '^\(_jsonb -> ''[^'']+''::text\)$' THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin (%s jsonb_path_ops)',
                 hotline_gin_companion_name(idx.name), idx.schema, idx.tbl, idx.first_col);
END $$;

CREATE OR REPLACE FUNCTION hotline_gin_on_create() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    PERFORM hotline_gin_companion(c.objid);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION hotline_gin_on_drop() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  d record;
BEGIN
  -- A dropped table takes its companions with it; a dropped index leaves its companion behind.
  FOR d IN SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects()
            WHERE object_type = 'index' AND NOT object_name LIKE '%\_gin' LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', d.schema_name, hotline_gin_companion_name(d.object_name));
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS hotline_gin_on_create;
CREATE EVENT TRIGGER hotline_gin_on_create ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION hotline_gin_on_create();
DROP EVENT TRIGGER IF EXISTS hotline_gin_on_drop;
CREATE EVENT TRIGGER hotline_gin_on_drop ON sql_drop WHEN TAG IN ('DROP INDEX')
  EXECUTE FUNCTION hotline_gin_on_drop();

-- Indexes FerretDB built before this trigger.
DO $$
DECLARE
  b oid;
BEGIN
  FOR b IN SELECT i.indexrelid
             FROM pg_index i
             JOIN pg_class tc ON tc.oid = i.indrelid
             JOIN pg_namespace n ON n.oid = tc.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%' LOOP
    PERFORM hotline_gin_companion(b);
  END LOOP;
END $$;
