-- promo 0.1: promotion definitions and cart evaluation.
\echo Use "CREATE EXTENSION promo" to load this file. \quit

-- ---------------------------------------------------------------------------------------------
-- Definitions
-- ---------------------------------------------------------------------------------------------

CREATE TABLE promo.promotions (
  id          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  name        text PRIMARY KEY
              CONSTRAINT promotions_name_format
              CHECK (name <> '' AND name = pg_catalog.btrim(name)
                     AND pg_catalog.length(name) <= 200),
  currency    text NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  starts_at   timestamptz,
  ends_at     timestamptz,
  priority    integer NOT NULL DEFAULT 0,
  exclusive   boolean NOT NULL DEFAULT false,
  description text,
  created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CONSTRAINT promotions_window CHECK (ends_at > starts_at)
);

COMMENT ON TABLE promo.promotions IS
  'Cart promotions. Every active promotion is evaluated by promo.evaluate_cart() in priority '
  'order (higher first, then creation order); its tiers are in promo.tiers.';
COMMENT ON COLUMN promo.promotions.id IS
  'Creation order; breaks ties between promotions of equal priority (lower first).';
COMMENT ON COLUMN promo.promotions.name IS
  'Unique handle of the promotion, shown in results: non-empty, no surrounding spaces, '
  'at most 200 characters.';
COMMENT ON COLUMN promo.promotions.currency IS
  'ISO 4217 code. Only carts in this currency qualify; money literals in the tiers'' rules are '
  'major units of it (50.00 = 5000 minor units in USD). Changing it re-validates the tiers.';
COMMENT ON COLUMN promo.promotions.active IS
  'Inactive promotions are ignored entirely (not evaluated, not explained).';
COMMENT ON COLUMN promo.promotions.starts_at IS
  'First instant the promotion applies (inclusive); NULL = no start.';
COMMENT ON COLUMN promo.promotions.ends_at IS
  'Instant the promotion stops applying (exclusive); NULL = no end.';
COMMENT ON COLUMN promo.promotions.priority IS
  'Evaluation order: higher first. Stacked discounts apply in this order, each on what the '
  'earlier ones left.';
COMMENT ON COLUMN promo.promotions.exclusive IS
  'An exclusive promotion applies only if nothing applied before it, and once it applies no '
  'later promotion does.';
COMMENT ON COLUMN promo.promotions.description IS 'Free text for people; not evaluated.';
COMMENT ON COLUMN promo.promotions.created_at IS 'When the promotion was created.';

CREATE TABLE promo.tiers (
  id          bigint GENERATED ALWAYS AS IDENTITY,
  promotion   text NOT NULL
              REFERENCES promo.promotions (name) ON UPDATE CASCADE ON DELETE CASCADE,
  name        text NOT NULL
              CONSTRAINT tiers_name_format
              CHECK (name <> '' AND name = pg_catalog.btrim(name)
                     AND pg_catalog.length(name) <= 200),
  condition   text NOT NULL DEFAULT 'true',
  discount    jsonb NOT NULL,
  PRIMARY KEY (promotion, name)
);

COMMENT ON TABLE promo.tiers IS
  'Tiers of a promotion: a condition on the cart and the discount it gives. Among the '
  'qualifying tiers of one promotion the one with the largest discount applies (ties: the '
  'first inserted). Rules are validated on INSERT/UPDATE.';
COMMENT ON COLUMN promo.tiers.id IS 'Insertion order; breaks ties between equal tiers.';
COMMENT ON COLUMN promo.tiers.promotion IS 'The promotion this tier belongs to.';
COMMENT ON COLUMN promo.tiers.name IS 'Name of the tier, unique within its promotion.';
COMMENT ON COLUMN promo.tiers.condition IS
  'Cart condition in the rule language, e.g. subtotal >= 50.00 or has(sku = ''X''); money '
  'literals are major units of the promotion''s currency. See promo.format_condition().';
COMMENT ON COLUMN promo.tiers.discount IS
  'Exactly one of percent_off (0 < p <= 100), amount_off (minor units), fixed_price (minor '
  'units per unit); optional target (item condition), max_units (integer or count '
  'expression), max_amount (minor units).';

CREATE INDEX tiers_promotion_order ON promo.tiers (promotion, id);

-- ---------------------------------------------------------------------------------------------
-- Validation and cache invalidation
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION promo.validate_promotion() RETURNS trigger
  LANGUAGE C
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_validate_promotion';
COMMENT ON FUNCTION promo.validate_promotion() IS
  'Trigger: rejects an unknown currency, and a currency change that a tier''s money literals '
  'do not fit (naming the tier).';

CREATE FUNCTION promo.validate_tier() RETURNS trigger
  LANGUAGE C
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_validate_tier';
COMMENT ON FUNCTION promo.validate_tier() IS
  'Trigger: compiles the tier''s condition and discount in the promotion''s currency and '
  'rejects the row with the rule''s error and position if they do not parse or type-check.';

CREATE FUNCTION promo.invalidate_definitions() RETURNS trigger
  LANGUAGE C
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_invalidate_definitions';
COMMENT ON FUNCTION promo.invalidate_definitions() IS
  'Trigger: after a change to the definitions, tells every session that its compiled '
  'promotions are stale (relcache invalidation on the table).';

CREATE TRIGGER validate_promotion
  BEFORE INSERT OR UPDATE ON promo.promotions
  FOR EACH ROW EXECUTE FUNCTION promo.validate_promotion();

CREATE TRIGGER validate_tier
  BEFORE INSERT OR UPDATE ON promo.tiers
  FOR EACH ROW EXECUTE FUNCTION promo.validate_tier();

CREATE TRIGGER invalidate_definitions
  AFTER INSERT OR UPDATE OR DELETE ON promo.promotions
  FOR EACH STATEMENT EXECUTE FUNCTION promo.invalidate_definitions();
CREATE TRIGGER invalidate_definitions_truncate
  AFTER TRUNCATE ON promo.promotions
  FOR EACH STATEMENT EXECUTE FUNCTION promo.invalidate_definitions();

CREATE TRIGGER invalidate_definitions
  AFTER INSERT OR UPDATE OR DELETE ON promo.tiers
  FOR EACH STATEMENT EXECUTE FUNCTION promo.invalidate_definitions();
CREATE TRIGGER invalidate_definitions_truncate
  AFTER TRUNCATE ON promo.tiers
  FOR EACH STATEMENT EXECUTE FUNCTION promo.invalidate_definitions();

-- ---------------------------------------------------------------------------------------------
-- Evaluation
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION promo.evaluate_cart(customer_id text, cart jsonb,
                                    at timestamptz DEFAULT pg_catalog.now(),
                                    explain boolean DEFAULT true)
  RETURNS jsonb
  LANGUAGE C STABLE CALLED ON NULL INPUT
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_evaluate_cart';
COMMENT ON FUNCTION promo.evaluate_cart(text, jsonb, timestamptz, boolean) IS
  'Evaluates a cart against every active promotion at instant `at` and returns {currency, '
  'subtotal, discount, total, applied, items, not_applied, hints} (money in minor units). '
  'customer_id may be NULL for a guest; cart must not be NULL; at must be finite. '
  'explain => false skips not_applied and hints.';

CREATE FUNCTION promo.format_condition(condition text, currency text DEFAULT 'USD')
  RETURNS text
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_format_condition';
COMMENT ON FUNCTION promo.format_condition(text, text) IS
  'The canonical text of a tier condition as promo understands it (money literals in the '
  'given currency), or the error a tier with this condition would be rejected with.';

-- ---------------------------------------------------------------------------------------------
-- Customers and events
-- ---------------------------------------------------------------------------------------------
-- Every per-customer table has customer_id first in its primary key (distributable by customer).
-- Supported instants are 1900-01-01 .. 2200-01-01 UTC: far enough for any real history, and
-- every rule's arithmetic on them (interval offsets, calendar boundaries) stays exact.

CREATE TABLE promo.customers (
  customer_id  text PRIMARY KEY
               CONSTRAINT "customers.customer_id must not be empty" CHECK (customer_id <> ''),
  signed_up_at timestamptz
               CONSTRAINT "customers.signed_up_at must be in 1900..2200"
               CHECK (signed_up_at >= '1900-01-01 00:00:00+00'
                      AND signed_up_at < '2200-01-01 00:00:00+00'),
  attributes   jsonb NOT NULL DEFAULT '{}'
               CONSTRAINT "customers.attributes must be a JSON object"
               CHECK (pg_catalog.jsonb_typeof(attributes) = 'object'),
  created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
  updated_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE promo.customers IS
  'Customers as rules see them: signed_up_at and attributes (customer.<key>). A customer '
  'may have events without a row here (then signed_up_at is unknown and attributes empty). '
  'Changes re-evaluate the segments that read customer fields, for the changed customers.';
COMMENT ON COLUMN promo.customers.customer_id IS 'The application''s customer id (non-empty).';
COMMENT ON COLUMN promo.customers.signed_up_at IS
  'When the customer signed up (signed_up_at in rules); NULL = unknown. Before this instant '
  'rules read signed_up_at as NULL. Must lie in 1900..2200.';
COMMENT ON COLUMN promo.customers.attributes IS
  'A JSON object; its top-level keys are customer.<key> in rules (strings, numbers, booleans; '
  'nested values read as NULL).';
COMMENT ON COLUMN promo.customers.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN promo.customers.updated_at IS 'When the row was last updated.';

CREATE TABLE promo.events (
  customer_id text NOT NULL
              CONSTRAINT "events.customer_id must not be empty" CHECK (customer_id <> ''),
  event_id    bigint GENERATED ALWAYS AS IDENTITY,
  type        text NOT NULL CONSTRAINT "events.type must not be empty" CHECK (type <> ''),
  occurred_at timestamptz NOT NULL DEFAULT pg_catalog.now()
              CONSTRAINT "events.occurred_at must be in 1900..2200"
              CHECK (occurred_at >= '1900-01-01 00:00:00+00'
                     AND occurred_at < '2200-01-01 00:00:00+00'),
  properties  jsonb NOT NULL DEFAULT '{}'
              CONSTRAINT "events.properties must be a JSON object"
              CHECK (pg_catalog.jsonb_typeof(properties) = 'object'),
  source      text,
  source_key  text,
  PRIMARY KEY (customer_id, event_id)
);

CREATE INDEX events_history ON promo.events (customer_id, type, occurred_at);
CREATE INDEX events_source ON promo.events (customer_id, source, source_key)
  WHERE source IS NOT NULL;

COMMENT ON TABLE promo.events IS
  'Customer history read by count(), last(), since =>, within =>. Any type is accepted (it is '
  'just data). Inserts, updates and deletes re-evaluate, in the same statement, only the '
  'segments that read the touched types, for only the touched customers.';
COMMENT ON COLUMN promo.events.customer_id IS 'Whose event (non-empty; need not be in promo.customers).';
COMMENT ON COLUMN promo.events.event_id IS 'Generated; unique with customer_id.';
COMMENT ON COLUMN promo.events.type IS 'Event type named in rules, e.g. cart_abandoned, order_placed.';
COMMENT ON COLUMN promo.events.occurred_at IS
  'When it happened (default now()); must lie in 1900..2200. Rules read only events with '
  'occurred_at <= now(), so a future event counts from its instant on.';
COMMENT ON COLUMN promo.events.properties IS 'A JSON object with the event''s details.';
COMMENT ON COLUMN promo.events.source IS
  'The tracked table this event mirrors (see promo.track_events), NULL for direct inserts.';
COMMENT ON COLUMN promo.events.source_key IS
  'The mirrored row''s primary key as text (NULL when the source table has none).';

CREATE FUNCTION promo.touch_updated_at() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$ BEGIN NEW.updated_at := pg_catalog.now(); RETURN NEW; END $$;
COMMENT ON FUNCTION promo.touch_updated_at() IS
  'Trigger: sets updated_at to now() on every UPDATE.';

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON promo.customers
  FOR EACH ROW EXECUTE FUNCTION promo.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Segments and their membership
-- ---------------------------------------------------------------------------------------------

CREATE TABLE promo.segments (
  name        text PRIMARY KEY
              CONSTRAINT "segments.name must be non-empty, trimmed, <= 200 chars"
              CHECK (name <> '' AND name = pg_catalog.btrim(name)
                     AND pg_catalog.length(name) <= 200),
  definition  text NOT NULL,
  description text,
  id          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
  updated_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE promo.segments IS
  'Named customer-level rules. A definition is validated on write (position of the error, '
  'unknown segment, cycle); a new or changed definition rebuilds its membership (and that of '
  'the segments reading it) for every customer, in batches of 1000 with a NOTICE per batch. '
  'A segment used by a promotion tier or by another segment cannot be deleted or renamed.';
COMMENT ON COLUMN promo.segments.name IS 'Handle used in in_segment(''name'').';
COMMENT ON COLUMN promo.segments.definition IS
  'Rule (segment context: no cart, no money), e.g. last(''cart_abandoned'') > last(''order_placed'').';
COMMENT ON COLUMN promo.segments.description IS 'Free text for people; not evaluated.';
COMMENT ON COLUMN promo.segments.id IS 'Creation order.';
COMMENT ON COLUMN promo.segments.created_at IS 'When the segment was created.';
COMMENT ON COLUMN promo.segments.updated_at IS 'When the segment was last updated.';

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON promo.segments
  FOR EACH ROW EXECUTE FUNCTION promo.touch_updated_at();

CREATE TABLE promo.segment_membership (
  customer_id text NOT NULL,
  segment     text NOT NULL,
  valid_from  timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  PRIMARY KEY (customer_id, segment, valid_from),
  CONSTRAINT "segment_membership interval must not be empty" CHECK (valid_from < valid_until)
);

COMMENT ON TABLE promo.segment_membership IS
  'Materialized membership: the customer is in the segment on [valid_from, valid_until), '
  'exactly, at any instant, with no job running. Written only by promo''s triggers; '
  'promo.verify_segments() recomputes it from scratch.';
COMMENT ON COLUMN promo.segment_membership.customer_id IS 'The member.';
COMMENT ON COLUMN promo.segment_membership.segment IS 'promo.segments.name.';
COMMENT ON COLUMN promo.segment_membership.valid_from IS
  'First instant of membership (inclusive); -infinity = since always.';
COMMENT ON COLUMN promo.segment_membership.valid_until IS
  'End of membership (exclusive); infinity = until the history changes.';

-- ---------------------------------------------------------------------------------------------
-- Maintenance triggers (C++; statement level, transition tables, set-based)
-- ---------------------------------------------------------------------------------------------
-- Concurrency: every maintenance statement first takes promo.segments in SHARE mode (so it
-- serializes with definition changes), then a transaction-level advisory lock per customer
-- bucket (pg_advisory_xact_lock(1886547821, hash of customer_id mod 1024), in ascending order)
-- before reading history. Under READ COMMITTED the reads after the locks see every committed
-- event; under REPEATABLE READ / SERIALIZABLE a change that the transaction's snapshot does not
-- see is detected and raises 40001 (serialization_failure: retry the transaction).
-- The maintenance functions are SECURITY DEFINER so that whoever may write events or customers
-- keeps promo.segment_membership right without holding privileges on it.

CREATE FUNCTION promo.maintain_from_events() RETURNS trigger
  LANGUAGE C SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_maintain_from_events';
COMMENT ON FUNCTION promo.maintain_from_events() IS
  'Trigger (AFTER ... FOR EACH STATEMENT on promo.events): re-evaluates the segments that read '
  'the touched event types for the touched customers and stores only what changed.';

CREATE FUNCTION promo.maintain_from_customers() RETURNS trigger
  LANGUAGE C SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_maintain_from_customers';
COMMENT ON FUNCTION promo.maintain_from_customers() IS
  'Trigger (AFTER ... FOR EACH STATEMENT on promo.customers): re-evaluates the segments that '
  'read signed_up_at or customer attributes for customers whose row changed.';

CREATE FUNCTION promo.maintain_after_truncate() RETURNS trigger
  LANGUAGE C SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_maintain_after_truncate';
COMMENT ON FUNCTION promo.maintain_after_truncate() IS
  'Trigger (AFTER TRUNCATE on promo.events / promo.customers): rebuilds every segment.';

CREATE TRIGGER maintain_after_insert AFTER INSERT ON promo.events
  REFERENCING NEW TABLE AS promo_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION promo.maintain_from_events();
CREATE TRIGGER maintain_after_update AFTER UPDATE ON promo.events
  REFERENCING OLD TABLE AS promo_old_rows NEW TABLE AS promo_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION promo.maintain_from_events();
CREATE TRIGGER maintain_after_delete AFTER DELETE ON promo.events
  REFERENCING OLD TABLE AS promo_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION promo.maintain_from_events();
CREATE TRIGGER maintain_after_truncate AFTER TRUNCATE ON promo.events
  FOR EACH STATEMENT EXECUTE FUNCTION promo.maintain_after_truncate();

CREATE TRIGGER maintain_after_insert AFTER INSERT ON promo.customers
  REFERENCING NEW TABLE AS promo_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION promo.maintain_from_customers();
CREATE TRIGGER maintain_after_update AFTER UPDATE ON promo.customers
  REFERENCING OLD TABLE AS promo_old_rows NEW TABLE AS promo_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION promo.maintain_from_customers();
CREATE TRIGGER maintain_after_delete AFTER DELETE ON promo.customers
  REFERENCING OLD TABLE AS promo_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION promo.maintain_from_customers();
CREATE TRIGGER maintain_after_truncate AFTER TRUNCATE ON promo.customers
  FOR EACH STATEMENT EXECUTE FUNCTION promo.maintain_after_truncate();

CREATE FUNCTION promo.validate_segment() RETURNS trigger
  LANGUAGE C
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_validate_segment';
COMMENT ON FUNCTION promo.validate_segment() IS
  'Trigger (BEFORE ... FOR EACH ROW on promo.segments): rejects a definition that does not '
  'parse or type-check (with its position), names an unknown segment or makes a cycle; refuses '
  'to delete or rename a segment used by a promotion tier or by another segment.';

CREATE FUNCTION promo.rebuild_changed_segments() RETURNS trigger
  LANGUAGE C SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_rebuild_changed_segments';
COMMENT ON FUNCTION promo.rebuild_changed_segments() IS
  'Trigger (AFTER ... FOR EACH STATEMENT on promo.segments): tells every session its compiled '
  'segments and promotions are stale, drops the membership of deleted segments and rebuilds '
  'that of new and changed ones (and the segments reading them) for every customer.';

CREATE TRIGGER validate_segment BEFORE INSERT OR UPDATE OR DELETE ON promo.segments
  FOR EACH ROW EXECUTE FUNCTION promo.validate_segment();
CREATE TRIGGER rebuild_after_insert AFTER INSERT ON promo.segments
  REFERENCING NEW TABLE AS promo_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION promo.rebuild_changed_segments();
CREATE TRIGGER rebuild_after_update AFTER UPDATE ON promo.segments
  REFERENCING OLD TABLE AS promo_old_rows NEW TABLE AS promo_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION promo.rebuild_changed_segments();
CREATE TRIGGER rebuild_after_delete AFTER DELETE ON promo.segments
  REFERENCING OLD TABLE AS promo_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION promo.rebuild_changed_segments();
CREATE TRIGGER rebuild_after_truncate AFTER TRUNCATE ON promo.segments
  FOR EACH STATEMENT EXECUTE FUNCTION promo.maintain_after_truncate();

CREATE FUNCTION promo.verify_segments()
  RETURNS TABLE (segment text, customer_id text, problem text, expected text, stored text)
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_verify_segments';
COMMENT ON FUNCTION promo.verify_segments() IS
  'Recomputes the membership of every segment for every customer from scratch and returns '
  'each difference from promo.segment_membership (problem: missing, unexpected, different; '
  'expected and stored list the intervals). Empty when all is right.';

-- ---------------------------------------------------------------------------------------------
-- Tracking an application's own table
-- ---------------------------------------------------------------------------------------------

CREATE TABLE promo.tracked_tables (
  relation           regclass PRIMARY KEY,
  source             text NOT NULL UNIQUE,
  customer_column    name NOT NULL,
  type               text,
  type_column        name,
  time_column        name,
  properties_columns name[] NOT NULL DEFAULT '{}',
  key_columns        name[] NOT NULL DEFAULT '{}',
  tracked_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CONSTRAINT "tracked_tables: exactly one of type, type_column"
    CHECK ((type IS NULL) <> (type_column IS NULL))
);

COMMENT ON TABLE promo.tracked_tables IS
  'Application tables mirrored into promo.events (see promo.track_events).';
COMMENT ON COLUMN promo.tracked_tables.relation IS 'The tracked table.';
COMMENT ON COLUMN promo.tracked_tables.source IS
  'Its name when tracking started; promo.events.source of the mirrored events.';
COMMENT ON COLUMN promo.tracked_tables.customer_column IS 'Column holding the customer id.';
COMMENT ON COLUMN promo.tracked_tables.type IS 'Constant event type (or NULL, see type_column).';
COMMENT ON COLUMN promo.tracked_tables.type_column IS 'Column holding the event type (or NULL).';
COMMENT ON COLUMN promo.tracked_tables.time_column IS
  'Column holding occurred_at (NULL: the time of the insert).';
COMMENT ON COLUMN promo.tracked_tables.properties_columns IS
  'Columns copied into events.properties, keyed by column name.';
COMMENT ON COLUMN promo.tracked_tables.key_columns IS
  'The primary key columns; events.source_key is their text. Empty: updates and deletes of '
  'the table are not mirrored (nothing identifies the event of a row).';
COMMENT ON COLUMN promo.tracked_tables.tracked_at IS 'When tracking started.';

CREATE FUNCTION promo.mirror_events() RETURNS trigger
  LANGUAGE C
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_mirror_events';
COMMENT ON FUNCTION promo.mirror_events() IS
  'Trigger installed by promo.track_events on a tracked table (AFTER ... FOR EACH STATEMENT, '
  'configuration in its arguments): inserts the inserted rows into promo.events in one '
  'statement, deletes the events of deleted rows and replaces those of updated rows.';

CREATE FUNCTION promo.track_events(tracked_table regclass, customer_column name,
                                   type text DEFAULT NULL, type_column name DEFAULT NULL,
                                   time_column name DEFAULT NULL,
                                   properties_columns name[] DEFAULT NULL)
  RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $function$
DECLARE
  source_name text := tracked_table::text;
  kind "char";
  key_columns name[];
  column_type regtype;
  customer_expr text;
  type_expr text;
  time_expr text := 'pg_catalog.now()';
  properties_expr text := '''{}''::pg_catalog.jsonb';
  key_expr text := 'NULL::pg_catalog.text';
  property name;
  arguments text;
  backfilled bigint;
BEGIN
  IF tracked_table IS NULL OR customer_column IS NULL THEN
    RAISE EXCEPTION 'track_events: table and customer_column must not be null'
      USING ERRCODE = '22004';
  END IF;
  IF (type IS NULL) = (type_column IS NULL) THEN
    RAISE EXCEPTION 'track_events: give exactly one of type and type_column'
      USING ERRCODE = '22023';
  END IF;
  IF type = '' THEN
    RAISE EXCEPTION 'track_events: type must not be empty' USING ERRCODE = '22023';
  END IF;
  SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = tracked_table;
  IF kind NOT IN ('r', 'p') THEN
    RAISE EXCEPTION 'track_events: % is not a table', source_name USING ERRCODE = '42809';
  END IF;
  IF EXISTS (SELECT 1 FROM promo.tracked_tables t WHERE t.relation = tracked_table) THEN
    RAISE EXCEPTION 'track_events: % is already tracked', source_name
      USING ERRCODE = '42710', HINT = 'Call promo.untrack_events first.';
  END IF;

  -- customer column: text-like, integer or uuid.
  column_type := promo.tracked_column_type(tracked_table, customer_column, 'customer_column');
  IF NOT (column_type IN ('text', 'varchar', 'bpchar', 'name', 'smallint', 'integer', 'bigint',
                          'uuid')) THEN
    RAISE EXCEPTION 'track_events: customer_column % is of type %; expected text, an integer or uuid',
      quote_ident(customer_column), column_type USING ERRCODE = '42804';
  END IF;
  customer_expr := format('%I::pg_catalog.text', customer_column);

  IF type_column IS NOT NULL THEN
    column_type := promo.tracked_column_type(tracked_table, type_column, 'type_column');
    IF NOT (column_type IN ('text', 'varchar', 'bpchar', 'name')) THEN
      RAISE EXCEPTION 'track_events: type_column % is of type %; expected text',
        quote_ident(type_column), column_type USING ERRCODE = '42804';
    END IF;
    type_expr := format('%I::pg_catalog.text', type_column);
  ELSE
    type_expr := quote_literal(type);
  END IF;

  IF time_column IS NOT NULL THEN
    column_type := promo.tracked_column_type(tracked_table, time_column, 'time_column');
    IF NOT (column_type IN ('timestamptz', 'timestamp', 'date')) THEN
      RAISE EXCEPTION 'track_events: time_column % is of type %; expected timestamptz, timestamp or date',
        quote_ident(time_column), column_type USING ERRCODE = '42804';
    END IF;
    time_expr := format('%I::pg_catalog.timestamptz', time_column);
  END IF;

  IF properties_columns IS NOT NULL AND cardinality(properties_columns) > 0 THEN
    FOREACH property IN ARRAY properties_columns LOOP
      PERFORM promo.tracked_column_type(tracked_table, property, 'properties_columns');
    END LOOP;
    SELECT format('pg_catalog.jsonb_build_object(%s)',
                  string_agg(format('%L::pg_catalog.text, %I', p, p), ', ' ORDER BY o))
      INTO properties_expr
      FROM unnest(properties_columns) WITH ORDINALITY AS u(p, o);
  ELSE
    properties_columns := '{}';
  END IF;

  SELECT coalesce(array_agg(a.attname ORDER BY k.o), '{}') INTO key_columns
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, o)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
   WHERE i.indrelid = tracked_table AND i.indisprimary;
  IF cardinality(key_columns) = 1 THEN
    key_expr := format('%I::pg_catalog.text', key_columns[1]);
  ELSIF cardinality(key_columns) > 1 THEN
    SELECT format('ROW(%s)::pg_catalog.text', string_agg(format('%I', c), ', ' ORDER BY o))
      INTO key_expr FROM unnest(key_columns) WITH ORDINALITY AS u(c, o);
  END IF;

  INSERT INTO promo.tracked_tables (relation, source, customer_column, type, type_column,
                                    time_column, properties_columns, key_columns)
  VALUES (tracked_table, source_name, customer_column, type, type_column, time_column,
          properties_columns, key_columns);

  -- Trigger arguments: source, customer column, type, type column, time column ('' = none),
  -- the number of properties columns, those columns, then the key columns.
  SELECT string_agg(quote_literal(a), ', ' ORDER BY o) INTO arguments
    FROM unnest(ARRAY[source_name, customer_column::text, coalesce(type, ''),
                      coalesce(type_column::text, ''), coalesce(time_column::text, ''),
                      cardinality(properties_columns)::text]
                || properties_columns::text[] || key_columns::text[])
         WITH ORDINALITY AS u(a, o);
  EXECUTE format('CREATE TRIGGER promo_track_insert AFTER INSERT ON %s'
                 ' REFERENCING NEW TABLE AS promo_new_rows'
                 ' FOR EACH STATEMENT EXECUTE FUNCTION promo.mirror_events(%s)',
                 tracked_table, arguments);
  IF cardinality(key_columns) > 0 THEN
    EXECUTE format('CREATE TRIGGER promo_track_update AFTER UPDATE ON %s'
                   ' REFERENCING OLD TABLE AS promo_old_rows NEW TABLE AS promo_new_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION promo.mirror_events(%s)',
                   tracked_table, arguments);
    EXECUTE format('CREATE TRIGGER promo_track_delete AFTER DELETE ON %s'
                   ' REFERENCING OLD TABLE AS promo_old_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION promo.mirror_events(%s)',
                   tracked_table, arguments);
  END IF;

  -- Backfill: the rows already in the table become events once, in one statement.
  EXECUTE format('INSERT INTO promo.events (customer_id, type, occurred_at, properties, source,'
                 ' source_key) SELECT %s, %s, %s, %s, %L, %s FROM %s',
                 customer_expr, type_expr, time_expr, properties_expr, source_name, key_expr,
                 tracked_table);
  GET DIAGNOSTICS backfilled = ROW_COUNT;
  RETURN backfilled;
END
$function$;
COMMENT ON FUNCTION promo.track_events(regclass, name, text, name, name, name[]) IS
  'Mirrors an application table into promo.events: each inserted row becomes an event of the '
  'customer in customer_column, of type `type` (or the value of type_column), at time_column '
  '(timestamptz, timestamp or date; NULL: the insert time), with properties_columns copied '
  'into properties. Rows already in the table are backfilled once; returns how many. With a '
  'primary key, deleting a row deletes its event and updating it replaces the event '
  '(source_key = the key as text); without one only inserts are mirrored. Writers of the '
  'table need INSERT and DELETE on promo.events (role promo_app has them). DROP EXTENSION '
  'promo needs untrack_events first (or CASCADE, which drops the triggers).';

CREATE FUNCTION promo.tracked_column_type(tracked_table regclass, column_name name,
                                          argument text)
  RETURNS regtype
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
  AS $function$
DECLARE
  result regtype;
BEGIN
  SELECT a.atttypid::regtype INTO result FROM pg_attribute a
   WHERE a.attrelid = tracked_table AND a.attname = column_name
     AND a.attnum > 0 AND NOT a.attisdropped;
  IF result IS NULL THEN
    RAISE EXCEPTION 'track_events: %: column % does not exist in %', argument,
      quote_ident(column_name), tracked_table::text USING ERRCODE = '42703';
  END IF;
  RETURN result;
END
$function$;
COMMENT ON FUNCTION promo.tracked_column_type(regclass, name, text) IS
  'Helper of track_events: the type of a column of the table, or an error naming the argument.';

CREATE FUNCTION promo.untrack_events(tracked_table regclass, keep_events boolean DEFAULT true)
  RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $function$
DECLARE
  source_name text;
  deleted bigint := 0;
BEGIN
  DELETE FROM promo.tracked_tables t WHERE t.relation = tracked_table
    RETURNING t.source INTO source_name;
  IF source_name IS NULL THEN
    RAISE EXCEPTION 'untrack_events: % is not tracked', tracked_table::text
      USING ERRCODE = '42704';
  END IF;
  EXECUTE format('DROP TRIGGER IF EXISTS promo_track_insert ON %s', tracked_table);
  EXECUTE format('DROP TRIGGER IF EXISTS promo_track_update ON %s', tracked_table);
  EXECUTE format('DROP TRIGGER IF EXISTS promo_track_delete ON %s', tracked_table);
  IF NOT coalesce(keep_events, true) THEN
    DELETE FROM promo.events e WHERE e.source = source_name;
    GET DIAGNOSTICS deleted = ROW_COUNT;
  END IF;
  RETURN deleted;
END
$function$;
COMMENT ON FUNCTION promo.untrack_events(regclass, boolean) IS
  'Stops mirroring a table tracked by promo.track_events (drops its triggers). The events '
  'already mirrored are kept, or deleted with keep_events => false; returns how many were deleted.';

-- ---------------------------------------------------------------------------------------------
-- Views for BI
-- ---------------------------------------------------------------------------------------------

CREATE VIEW promo.segment_members AS
  SELECT m.segment, m.customer_id, m.valid_from, m.valid_until
    FROM promo.segment_membership m
   WHERE m.valid_from <= pg_catalog.now() AND pg_catalog.now() < m.valid_until;
COMMENT ON VIEW promo.segment_members IS
  'Current members of every segment: membership intervals that contain now().';
COMMENT ON COLUMN promo.segment_members.segment IS 'Segment name.';
COMMENT ON COLUMN promo.segment_members.customer_id IS 'Member.';
COMMENT ON COLUMN promo.segment_members.valid_from IS 'Member since (-infinity: always).';
COMMENT ON COLUMN promo.segment_members.valid_until IS
  'Member until, exclusive (infinity: until the history changes).';

CREATE VIEW promo.segment_sizes AS
  SELECT s.name AS segment, count(m.customer_id) AS members
    FROM promo.segments s
    LEFT JOIN promo.segment_membership m
      ON m.segment = s.name AND m.valid_from <= pg_catalog.now()
     AND pg_catalog.now() < m.valid_until
   GROUP BY s.name;
COMMENT ON VIEW promo.segment_sizes IS 'Every segment with its number of members at now() (0 included).';
COMMENT ON COLUMN promo.segment_sizes.segment IS 'Segment name.';
COMMENT ON COLUMN promo.segment_sizes.members IS 'Members at now().';

CREATE VIEW promo.customer_segments AS
  SELECT m.customer_id, array_agg(m.segment ORDER BY m.segment) AS segments
    FROM promo.segment_membership m
   WHERE m.valid_from <= pg_catalog.now() AND pg_catalog.now() < m.valid_until
   GROUP BY m.customer_id;
COMMENT ON VIEW promo.customer_segments IS
  'Every customer who is in at least one segment at now(), with those segments (sorted).';
COMMENT ON COLUMN promo.customer_segments.customer_id IS 'Customer.';
COMMENT ON COLUMN promo.customer_segments.segments IS 'Segments the customer is in at now().';

-- ---------------------------------------------------------------------------------------------
-- Roles (NOLOGIN, created when missing; grant them to login roles)
-- ---------------------------------------------------------------------------------------------
--   promo_reader: USAGE on the schema, SELECT on the views segment_members, segment_sizes,
--                 customer_segments; nothing else (the views read the tables as their owner).
--   promo_admin:  definitions: SELECT/INSERT/UPDATE/DELETE on promotions, tiers, segments;
--                 SELECT on every table and view; track_events/untrack_events (INSERT/DELETE on
--                 tracked_tables; creating the triggers also needs ownership of the table).
--   promo_app:    the shop: evaluate_cart (reads customers, events, membership), INSERT/UPDATE/
--                 DELETE/SELECT on customers and events.

DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'promo_reader') THEN
    CREATE ROLE promo_reader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'promo_admin') THEN
    CREATE ROLE promo_admin NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'promo_app') THEN
    CREATE ROLE promo_app NOLOGIN;
  END IF;
END
$roles$;

GRANT USAGE ON SCHEMA promo TO promo_reader, promo_admin, promo_app;
GRANT SELECT ON promo.segment_members, promo.segment_sizes, promo.customer_segments
  TO promo_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA promo TO promo_admin;
GRANT INSERT, UPDATE, DELETE ON promo.promotions, promo.tiers, promo.segments TO promo_admin;
GRANT INSERT, DELETE ON promo.tracked_tables TO promo_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON promo.customers, promo.events TO promo_app;
GRANT SELECT ON promo.promotions, promo.tiers, promo.segments, promo.segment_membership
  TO promo_app;
REVOKE ALL ON FUNCTION promo.track_events(regclass, name, text, name, name, name[]),
                       promo.untrack_events(regclass, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION promo.track_events(regclass, name, text, name, name, name[]),
                          promo.untrack_events(regclass, boolean) TO promo_admin;
