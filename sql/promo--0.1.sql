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
  per_customer_limit integer CONSTRAINT "promotions.per_customer_limit must be positive"
                     CHECK (per_customer_limit > 0),
  total_limit bigint CONSTRAINT "promotions.total_limit must be positive" CHECK (total_limit > 0),
  budget      bigint CONSTRAINT "promotions.budget must be positive" CHECK (budget > 0),
  requires_code boolean NOT NULL DEFAULT false,
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
COMMENT ON COLUMN promo.promotions.per_customer_limit IS
  'Live redemptions allowed per customer (promo.redeem); NULL = no limit. Reached: not_applied '
  'limit_reached.';
COMMENT ON COLUMN promo.promotions.total_limit IS
  'Live redemptions allowed in total, counted exactly over promo.promotion_slots; NULL = none.';
COMMENT ON COLUMN promo.promotions.budget IS
  'Total discount the promotion may grant, minor units of its currency; NULL = none. The last '
  'redemption gets what is left (re-allocated over its lines by largest remainder).';
COMMENT ON COLUMN promo.promotions.requires_code IS
  'Applies only when the cart carries one of its valid codes (promo.codes): code_required, '
  'code_used_up, code_not_yours otherwise.';

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
  LANGUAGE C STABLE STRICT
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
-- The database's time zone
-- ---------------------------------------------------------------------------------------------
-- start_of_day/week/month() in rules (segments and conditions) use ONE zone per database, kept
-- here, so membership stored by any session, verify_segments() and evaluate_cart agree.
-- Changed only through promo.set_timezone(), which rebuilds every membership in the same
-- transaction (the guard trigger refuses direct writes).

CREATE TABLE promo.settings (
  only_row boolean PRIMARY KEY DEFAULT true
           CONSTRAINT "settings has a single row" CHECK (only_row),
  timezone text NOT NULL DEFAULT 'UTC'
);
INSERT INTO promo.settings DEFAULT VALUES;

COMMENT ON TABLE promo.settings IS
  'Database-wide settings of promo (one row). Change them with promo.set_timezone().';
COMMENT ON COLUMN promo.settings.only_row IS 'Always true: the table has exactly one row.';
COMMENT ON COLUMN promo.settings.timezone IS
  'Zone of start_of_day(), start_of_week() and start_of_month() in rules (a name from '
  'pg_timezone_names; default UTC).';

CREATE FUNCTION promo.guard_settings() RETURNS trigger
  LANGUAGE C
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_guard_settings';
COMMENT ON FUNCTION promo.guard_settings() IS
  'Trigger: promo.settings is changed only through promo.set_timezone().';
CREATE TRIGGER guard_settings BEFORE INSERT OR UPDATE OR DELETE ON promo.settings
  FOR EACH ROW EXECUTE FUNCTION promo.guard_settings();
CREATE TRIGGER guard_settings_truncate BEFORE TRUNCATE ON promo.settings
  FOR EACH STATEMENT EXECUTE FUNCTION promo.guard_settings();

CREATE FUNCTION promo.set_timezone(zone text) RETURNS void
  LANGUAGE C VOLATILE STRICT SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_set_timezone';
COMMENT ON FUNCTION promo.set_timezone(text) IS
  'Sets the zone of start_of_day/week/month() for the whole database (a name from '
  'pg_timezone_names) and rebuilds the membership of every segment for every customer in the '
  'same transaction, in batches of 1000 with a NOTICE per batch. Waits for (and blocks) event '
  'maintenance and segment changes meanwhile.';
REVOKE ALL ON FUNCTION promo.set_timezone(text) FROM PUBLIC;

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
-- Redemptions, limits, codes
-- ---------------------------------------------------------------------------------------------
-- promo.redeem() records, in the caller's transaction, what promo.evaluate_cart() would apply.
-- Counters are exact under concurrency:
--   per customer: pg_advisory_xact_lock(1886547822, hashtext(customer_id)) serializes one
--     customer's redemptions; the usage row is then read with a fresh snapshot and bumped by a
--     guarded upsert (used < per_customer_limit).
--   total_limit: split over N = min(16, total_limit) slot rows whose caps sum to the limit; a
--     redemption takes one unit with a single guarded UPDATE (used < cap), starting at the
--     customer's own slot, so unrelated customers rarely meet on one row.
--   budget: one guarded row per budgeted promotion (used + amount <= budget); money cannot be
--     split into slots without stranding remainders, so this row is the documented hot spot.
-- Under REPEATABLE READ / SERIALIZABLE a counter changed by a concurrent transaction raises
-- 40001 (retry), never an over-grant. Counter rows are kept in step with promo.promotions by a
-- trigger; on Citus they are distributed by promotion, never part of a reference table.

CREATE TABLE promo.orders (
  order_id       text PRIMARY KEY
                 CONSTRAINT "orders.order_id must not be empty" CHECK (order_id <> ''),
  customer_id    text NOT NULL,
  cart_digest    bytea NOT NULL,
  result         jsonb,
  redeemed_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
  rolled_back_at timestamptz
);
COMMENT ON TABLE promo.orders IS
  'One row per order_id given to promo.redeem(): the idempotency record. order_id is globally '
  'unique (on Citus this is the small reference mapping from order id to customer).';
COMMENT ON COLUMN promo.orders.order_id IS 'The shop''s order id, as given to promo.redeem().';
COMMENT ON COLUMN promo.orders.customer_id IS 'Who redeemed.';
COMMENT ON COLUMN promo.orders.cart_digest IS
  'sha256 of the cart as jsonb text: a retry must send the same cart.';
COMMENT ON COLUMN promo.orders.result IS 'The result returned by the first call, returned again.';
COMMENT ON COLUMN promo.orders.redeemed_at IS 'Transaction time of the redemption.';
COMMENT ON COLUMN promo.orders.rolled_back_at IS
  'Set by promo.rollback_redemption(); the order id cannot be redeemed again.';

CREATE TABLE promo.redemptions (
  customer_id    text NOT NULL,
  order_id       text NOT NULL,
  promotion      text NOT NULL,
  tier           text NOT NULL,
  amount         bigint NOT NULL CHECK (amount >= 0),
  code           text,
  slot           integer,
  budgeted       boolean NOT NULL DEFAULT false,
  redeemed_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
  rolled_back_at timestamptz,
  PRIMARY KEY (customer_id, order_id, promotion)
);
CREATE INDEX redemptions_promotion ON promo.redemptions (promotion) WHERE rolled_back_at IS NULL;
COMMENT ON TABLE promo.redemptions IS
  'One row per applied promotion of a redeemed order. Rolled back rows stay, with '
  'rolled_back_at set; live rows are those where it is NULL.';
COMMENT ON COLUMN promo.redemptions.customer_id IS 'Who redeemed.';
COMMENT ON COLUMN promo.redemptions.order_id IS 'The order (promo.orders).';
COMMENT ON COLUMN promo.redemptions.promotion IS 'The applied promotion (history: no foreign key).';
COMMENT ON COLUMN promo.redemptions.tier IS 'The tier that applied.';
COMMENT ON COLUMN promo.redemptions.amount IS 'Discount granted, minor units of the currency.';
COMMENT ON COLUMN promo.redemptions.code IS 'The cart code used for it, NULL when none.';
COMMENT ON COLUMN promo.redemptions.slot IS
  'The promotion_slots slot that counted it (total_limit), NULL when the promotion has none.';
COMMENT ON COLUMN promo.redemptions.budgeted IS 'Whether amount was taken from the budget.';
COMMENT ON COLUMN promo.redemptions.redeemed_at IS 'Transaction time of the redemption.';
COMMENT ON COLUMN promo.redemptions.rolled_back_at IS 'Set by promo.rollback_redemption().';

CREATE TABLE promo.customer_usage (
  customer_id text NOT NULL,
  promotion   text NOT NULL
              REFERENCES promo.promotions (name) ON UPDATE CASCADE ON DELETE CASCADE,
  used        integer NOT NULL DEFAULT 0 CHECK (used >= 0),
  PRIMARY KEY (customer_id, promotion)
);
COMMENT ON TABLE promo.customer_usage IS
  'Live redemptions per customer and promotion, recorded for every redemption (with or '
  'without a per_customer_limit), so a limit set later counts the redemptions made before.';
COMMENT ON COLUMN promo.customer_usage.customer_id IS 'Customer.';
COMMENT ON COLUMN promo.customer_usage.promotion IS 'Promotion.';
COMMENT ON COLUMN promo.customer_usage.used IS 'Live (not rolled back) redemptions.';

CREATE TABLE promo.promotion_slots (
  promotion text NOT NULL
            REFERENCES promo.promotions (name) ON UPDATE CASCADE ON DELETE CASCADE,
  slot      integer NOT NULL CHECK (slot >= 0 AND slot < 16),
  cap       bigint NOT NULL CHECK (cap >= 0),
  used      bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
  PRIMARY KEY (promotion, slot)
);
COMMENT ON TABLE promo.promotion_slots IS
  'The total_limit of a promotion split over 16 rows whose caps sum exactly to it (some caps '
  '0 when total_limit < 16); the sum of used is the number of live redemptions. Maintained by '
  'a trigger on promo.promotions, which changes the rows in place (never deletes and '
  're-inserts them while the promotion keeps a limit).';
COMMENT ON COLUMN promo.promotion_slots.promotion IS 'Promotion.';
COMMENT ON COLUMN promo.promotion_slots.slot IS 'Slot number, 0..15.';
COMMENT ON COLUMN promo.promotion_slots.cap IS 'Redemptions this slot may count.';
COMMENT ON COLUMN promo.promotion_slots.used IS 'Redemptions counted here.';

CREATE TABLE promo.promotion_budget (
  promotion text PRIMARY KEY
            REFERENCES promo.promotions (name) ON UPDATE CASCADE ON DELETE CASCADE,
  budget    bigint NOT NULL CHECK (budget > 0),
  used      bigint NOT NULL DEFAULT 0 CHECK (used >= 0)
);
COMMENT ON TABLE promo.promotion_budget IS
  'Money granted by a budgeted promotion (minor units). One row per promotion, maintained by '
  'a trigger on promo.promotions.';
COMMENT ON COLUMN promo.promotion_budget.promotion IS 'Promotion.';
COMMENT ON COLUMN promo.promotion_budget.budget IS 'Copy of promo.promotions.budget.';
COMMENT ON COLUMN promo.promotion_budget.used IS 'Discount granted by live redemptions.';

CREATE TABLE promo.codes (
  code              text PRIMARY KEY
                    CONSTRAINT "codes.code must be upper-case letters, digits, - or _"
                    CHECK (code ~ '^[A-Z0-9_-]+$' AND pg_catalog.length(code) <= 64),
  promotion         text NOT NULL
                    REFERENCES promo.promotions (name) ON UPDATE CASCADE ON DELETE CASCADE,
  customer_id       text,
  owner_customer_id text,
  kind              text NOT NULL DEFAULT 'coupon' CHECK (kind IN ('coupon', 'referral')),
  max_uses          integer CHECK (max_uses > 0),
  uses              integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
  created_at        timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CONSTRAINT "codes: a referral code has an owner" CHECK ((kind = 'referral') = (owner_customer_id IS NOT NULL))
);
CREATE UNIQUE INDEX codes_referral_owner ON promo.codes (owner_customer_id, promotion)
  WHERE kind = 'referral';
COMMENT ON TABLE promo.codes IS
  'Coupon and referral codes. Cart codes are trimmed and upper-cased before lookup, so codes '
  'are stored upper-case. A requires_code promotion applies only with one of its valid codes.';
COMMENT ON COLUMN promo.codes.code IS 'The code: A-Z, 0-9, - and _, at most 64 characters.';
COMMENT ON COLUMN promo.codes.promotion IS 'The promotion it unlocks.';
COMMENT ON COLUMN promo.codes.customer_id IS 'The only customer who may use it; NULL = anyone.';
COMMENT ON COLUMN promo.codes.owner_customer_id IS
  'Referral codes: the referrer, who gets a referral_completed event and may not use it.';
COMMENT ON COLUMN promo.codes.kind IS 'coupon or referral.';
COMMENT ON COLUMN promo.codes.max_uses IS
  'Redemptions allowed; NULL = unlimited (generated coupons default to 1).';
COMMENT ON COLUMN promo.codes.uses IS 'Live redemptions with this code.';
COMMENT ON COLUMN promo.codes.created_at IS 'When the code was created.';

CREATE FUNCTION promo.sync_promotion_counters() RETURNS trigger
  LANGUAGE plpgsql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  total_used bigint;
  left_over bigint;
  slot_cap bigint;
  slot_used bigint;
BEGIN
  IF TG_OP = 'INSERT' OR NEW.total_limit IS DISTINCT FROM OLD.total_limit THEN
    -- Wait for in-flight redemptions of every slot, then re-split the live count.
    SELECT COALESCE(sum(s.used), 0) INTO total_used
      FROM (SELECT used FROM promo.promotion_slots
             WHERE promotion = NEW.name FOR UPDATE) s;
    IF NEW.total_limit IS NULL THEN
      DELETE FROM promo.promotion_slots WHERE promotion = NEW.name;
    ELSE
      -- Always 16 rows, changed in place: a redemption waiting on a slot row re-checks its
      -- guard (used < cap) against the new version instead of finding the row gone.
      left_over := total_used;
      FOR i IN 0 .. 15 LOOP
        slot_cap := NEW.total_limit / 16 + CASE WHEN i < NEW.total_limit % 16 THEN 1 ELSE 0 END;
        slot_used := CASE WHEN i = 15 THEN left_over ELSE LEAST(slot_cap, left_over) END;
        UPDATE promo.promotion_slots SET cap = slot_cap, used = slot_used
         WHERE promotion = NEW.name AND slot = i;
        IF NOT FOUND THEN
          INSERT INTO promo.promotion_slots (promotion, slot, cap, used)
            VALUES (NEW.name, i, slot_cap, slot_used);
        END IF;
        left_over := left_over - slot_used;
      END LOOP;
    END IF;
  END IF;
  IF TG_OP = 'INSERT' OR NEW.budget IS DISTINCT FROM OLD.budget THEN
    IF NEW.budget IS NULL THEN
      DELETE FROM promo.promotion_budget WHERE promotion = NEW.name;
    ELSE
      INSERT INTO promo.promotion_budget (promotion, budget) VALUES (NEW.name, NEW.budget)
        ON CONFLICT (promotion) DO UPDATE SET budget = EXCLUDED.budget;
    END IF;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION promo.sync_promotion_counters() IS
  'Trigger: keeps promo.promotion_slots and promo.promotion_budget in step with total_limit and '
  'budget. A total_limit change locks the slots (waiting for in-flight redemptions) and '
  're-splits caps and the live count over the same 16 rows with UPDATEs (any excess stays on '
  'the last slot, so the sum still equals the live redemptions and nothing more is granted); '
  'a redemption waiting on a slot row re-checks its guard against the new caps.';

CREATE TRIGGER sync_promotion_counters
  AFTER INSERT OR UPDATE OF total_limit, budget ON promo.promotions
  FOR EACH ROW EXECUTE FUNCTION promo.sync_promotion_counters();

CREATE FUNCTION promo.merge_counter_row() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  -- pg_restore loads promo.promotions first, whose trigger above creates the counter rows with
  -- nothing used; the dumped rows then arrive here and carry the counts. Merge instead of
  -- failing on the key: the cap or budget of the incoming row, the larger used.
  IF TG_TABLE_NAME = 'promotion_slots' THEN
    UPDATE promo.promotion_slots s SET cap = NEW.cap, used = GREATEST(s.used, NEW.used)
     WHERE s.promotion = NEW.promotion AND s.slot = NEW.slot;
  ELSE
    UPDATE promo.promotion_budget b SET budget = NEW.budget, used = GREATEST(b.used, NEW.used)
     WHERE b.promotion = NEW.promotion;
  END IF;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION promo.merge_counter_row() IS
  'Trigger (BEFORE INSERT on promo.promotion_slots and promo.promotion_budget): an insert for a '
  'counter row that already exists updates it (cap or budget from the new row, the larger '
  'used) instead of failing, so pg_restore keeps the dumped counts although restoring '
  'promo.promotions has already created the rows.';

CREATE TRIGGER merge_counter_row BEFORE INSERT ON promo.promotion_slots
  FOR EACH ROW EXECUTE FUNCTION promo.merge_counter_row();
CREATE TRIGGER merge_counter_row BEFORE INSERT ON promo.promotion_budget
  FOR EACH ROW EXECUTE FUNCTION promo.merge_counter_row();

CREATE FUNCTION promo.redeem(customer_id text, cart jsonb, order_id text,
                             at timestamptz DEFAULT pg_catalog.now())
  RETURNS jsonb
  LANGUAGE C VOLATILE CALLED ON NULL INPUT
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_redeem';
COMMENT ON FUNCTION promo.redeem(text, jsonb, text, timestamptz) IS
  'Applies what promo.evaluate_cart() would at `at` and records it in the caller''s '
  'transaction: one promo.redemptions row per applied promotion, counters, code uses, and '
  'coupon_redeemed / referral_completed events. A promotion whose limit is reached or budget '
  'spent is left out (not_applied limit_reached / budget_exhausted); a budget with less left '
  'than the discount grants what is left. The same order_id again returns the first result and '
  'records nothing; another cart or customer under it is ERROR 23505; a rolled back order_id '
  'is ERROR 55000. customer_id, cart and order_id must not be NULL.';

CREATE FUNCTION promo.rollback_redemption(order_id text)
  RETURNS jsonb
  LANGUAGE plpgsql VOLATILE STRICT
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  order_row promo.orders%ROWTYPE;
  released jsonb;
  slot_row record;
BEGIN
  SELECT * INTO order_row FROM promo.orders o WHERE o.order_id = rollback_redemption.order_id
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'order ''%'' was never redeemed', rollback_redemption.order_id
      USING ERRCODE = 'undefined_object';
  END IF;
  IF order_row.rolled_back_at IS NOT NULL THEN
    RETURN jsonb_build_object('order_id', order_row.order_id, 'rolled_back', false,
                              'rolled_back_at', order_row.rolled_back_at,
                              'reason', 'already rolled back');
  END IF;
  -- The redeem lock of the customer: usage changes of one customer serialize.
  PERFORM pg_advisory_xact_lock(1886547822, hashtext(order_row.customer_id));
  UPDATE promo.orders o SET rolled_back_at = now() WHERE o.order_id = order_row.order_id;
  WITH undone AS (
    UPDATE promo.redemptions r SET rolled_back_at = now()
     WHERE r.customer_id = order_row.customer_id AND r.order_id = order_row.order_id
       AND r.rolled_back_at IS NULL
    RETURNING r.promotion, r.tier, r.amount, r.code, r.slot, r.budgeted
  ), usage AS (
    UPDATE promo.customer_usage u SET used = u.used - 1
      FROM undone
     WHERE u.customer_id = order_row.customer_id
       AND u.promotion = undone.promotion AND u.used > 0
  ), budgets AS (
    UPDATE promo.promotion_budget b SET used = GREATEST(b.used - undone.amount, 0)
      FROM undone
     WHERE undone.budgeted AND b.promotion = undone.promotion
  ), codes AS (
    UPDATE promo.codes c SET uses = c.uses - 1
      FROM undone
     WHERE c.code = undone.code AND c.uses > 0
  )
  SELECT COALESCE(jsonb_agg(jsonb_build_object('promotion', undone.promotion,
                                               'tier', undone.tier,
                                               'amount', undone.amount,
                                               'code', undone.code)
                            ORDER BY undone.promotion), '[]')
    INTO released
    FROM undone;
  -- Slots: the recorded one, or (after a total_limit change re-split the counts) the highest
  -- slot still counting.
  FOR slot_row IN SELECT r.promotion, r.slot FROM promo.redemptions r
                   WHERE r.customer_id = order_row.customer_id
                     AND r.order_id = order_row.order_id AND r.slot IS NOT NULL LOOP
    UPDATE promo.promotion_slots s SET used = s.used - 1
     WHERE s.promotion = slot_row.promotion AND s.slot = slot_row.slot AND s.used > 0;
    IF NOT FOUND THEN
      UPDATE promo.promotion_slots s SET used = s.used - 1
       WHERE s.promotion = slot_row.promotion
         AND s.slot = (SELECT max(t.slot) FROM promo.promotion_slots t
                        WHERE t.promotion = slot_row.promotion AND t.used > 0);
    END IF;
  END LOOP;
  -- The events the redemption wrote; segment maintenance follows through the triggers.
  DELETE FROM promo.events e
   WHERE e.customer_id IN (SELECT order_row.customer_id
                           UNION
                           SELECT c.owner_customer_id FROM promo.codes c
                             JOIN promo.redemptions r ON r.code = c.code
                            WHERE r.customer_id = order_row.customer_id
                              AND r.order_id = order_row.order_id
                              AND c.owner_customer_id IS NOT NULL)
     AND e.source = 'promo.redemptions' AND e.source_key = order_row.order_id;
  RETURN jsonb_build_object('order_id', order_row.order_id, 'rolled_back', true,
                            'released', released);
END
$$;
COMMENT ON FUNCTION promo.rollback_redemption(text) IS
  'Rolls back a redeemed order: marks the order and its redemptions rolled_back_at = now() '
  '(kept, not deleted), gives back per-customer usage, total-limit slots, budget and code uses, '
  'and deletes the coupon_redeemed / referral_completed events it wrote so segments follow. '
  'Returns {"order_id", "rolled_back": true, "released": [{promotion, tier, amount, code}]}; a '
  'second call returns {"rolled_back": false, "reason": "already rolled back"}. An unknown '
  'order_id is ERROR 42704.';

CREATE FUNCTION promo.random_codes(count integer, prefix text DEFAULT '', length integer DEFAULT 8)
  RETURNS text[]
  LANGUAGE C VOLATILE STRICT
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_random_codes';
COMMENT ON FUNCTION promo.random_codes(integer, text, integer) IS
  '`count` candidate codes: the normalised prefix followed by `length` (6..32) characters of '
  '23456789ABCDEFGHJKLMNPQRSTUVWXYZ drawn from pg_strong_random (5 bits each, no bias). Not '
  'stored; promo.generate_codes() inserts them.';

CREATE FUNCTION promo.generate_codes(promotion text, count integer, prefix text DEFAULT '',
                                     customer_id text DEFAULT NULL, length integer DEFAULT 8,
                                     max_uses integer DEFAULT 1)
  RETURNS TABLE (code text)
  LANGUAGE plpgsql VOLATILE
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  wanted ALIAS FOR count;
  inserted bigint := 0;
  got bigint;
  rounds integer := 0;
BEGIN
  IF promotion IS NULL OR wanted IS NULL OR prefix IS NULL OR length IS NULL THEN
    RAISE EXCEPTION 'generate_codes: promotion, count, prefix and length must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF wanted < 0 OR wanted > 10000000 THEN
    RAISE EXCEPTION 'generate_codes: count must be in 0..10000000, got %', wanted
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF max_uses IS NOT NULL AND max_uses <= 0 THEN
    RAISE EXCEPTION 'generate_codes: max_uses must be positive or NULL, got %', max_uses
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM promo.promotions p WHERE p.name = generate_codes.promotion) THEN
    RAISE EXCEPTION 'generate_codes: unknown promotion ''%''', promotion
      USING ERRCODE = 'undefined_object';
  END IF;
  -- Insert, skip collisions (with existing codes, with each other, with concurrent callers),
  -- and draw again for what was skipped.
  WHILE inserted < wanted LOOP
    rounds := rounds + 1;
    IF rounds > 100 THEN
      RAISE EXCEPTION 'generate_codes: too many collisions; use a longer length or prefix'
        USING ERRCODE = 'unique_violation';
    END IF;
    RETURN QUERY
      WITH fresh AS (
        INSERT INTO promo.codes AS c (code, promotion, customer_id, kind, max_uses)
        SELECT candidate, generate_codes.promotion, generate_codes.customer_id, 'coupon',
               generate_codes.max_uses
          FROM pg_catalog.unnest(promo.random_codes((wanted - inserted)::integer, prefix,
                                                    length)) AS candidate
        ON CONFLICT DO NOTHING
        RETURNING c.code)
      SELECT fresh.code FROM fresh;
    GET DIAGNOSTICS got = ROW_COUNT;
    inserted := inserted + got;
  END LOOP;
END
$$;
COMMENT ON FUNCTION promo.generate_codes(text, integer, text, text, integer, integer) IS
  'Creates `count` unique, unguessable coupon codes for a promotion (prefix + `length` random '
  'characters without look-alikes, from pg_strong_random), optionally assigned to one customer, '
  'single-use unless max_uses says otherwise (NULL = unlimited), and returns them. Collisions, '
  'also with concurrent callers, are skipped and drawn again.';

CREATE FUNCTION promo.referral_code(customer_id text, promotion text)
  RETURNS text
  LANGUAGE plpgsql VOLATILE STRICT
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  found_code text;
BEGIN
  IF customer_id = '' THEN
    RAISE EXCEPTION 'referral_code: customer_id must not be empty'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM promo.promotions p WHERE p.name = referral_code.promotion) THEN
    RAISE EXCEPTION 'referral_code: unknown promotion ''%''', promotion
      USING ERRCODE = 'undefined_object';
  END IF;
  LOOP
    SELECT c.code INTO found_code FROM promo.codes c
     WHERE c.owner_customer_id = referral_code.customer_id
       AND c.promotion = referral_code.promotion AND c.kind = 'referral';
    IF found_code IS NOT NULL THEN
      RETURN found_code;
    END IF;
    -- A concurrent first call wins through the unique index; this one then reads its code.
    INSERT INTO promo.codes AS c (code, promotion, owner_customer_id, kind, max_uses)
    VALUES ((promo.random_codes(1, 'REF-', 8))[1], referral_code.promotion,
            referral_code.customer_id, 'referral', NULL)
    ON CONFLICT DO NOTHING
    RETURNING c.code INTO found_code;
    IF found_code IS NOT NULL THEN
      RETURN found_code;
    END IF;
  END LOOP;
END
$$;
COMMENT ON FUNCTION promo.referral_code(text, text) IS
  'The customer''s own referral code for a promotion (REF- and 8 random characters), created '
  'on the first call and the same ever after (race-safe). Anyone but its owner may use it, '
  'without limit; each use writes referral_completed for the owner.';

CREATE VIEW promo.promotion_stats AS
SELECT p.name AS promotion,
       COALESCE(r.redemptions, 0) AS redemptions,
       COALESCE(r.customers, 0) AS customers,
       COALESCE(r.discount, 0) AS discount,
       CASE WHEN p.total_limit IS NULL THEN NULL
            ELSE GREATEST(p.total_limit - COALESCE(
                   (SELECT sum(s.used) FROM promo.promotion_slots s WHERE s.promotion = p.name),
                   0), 0)::bigint END AS limit_left,
       (SELECT GREATEST(b.budget - b.used, 0) FROM promo.promotion_budget b
         WHERE b.promotion = p.name) AS budget_left
  FROM promo.promotions p
  LEFT JOIN (SELECT x.promotion, count(*) AS redemptions,
                    count(DISTINCT x.customer_id) AS customers, sum(x.amount) AS discount
               FROM promo.redemptions x
              WHERE x.rolled_back_at IS NULL
              GROUP BY x.promotion) r ON r.promotion = p.name;
COMMENT ON VIEW promo.promotion_stats IS
  'Per promotion, over live (not rolled back) redemptions: how many, by how many distinct '
  'customers, the discount given (minor units), and what is left of total_limit and budget '
  '(NULL when the promotion has none).';
COMMENT ON COLUMN promo.promotion_stats.promotion IS 'Promotion.';
COMMENT ON COLUMN promo.promotion_stats.redemptions IS 'Live redemptions.';
COMMENT ON COLUMN promo.promotion_stats.customers IS 'Distinct customers among them.';
COMMENT ON COLUMN promo.promotion_stats.discount IS 'Discount given, minor units.';
COMMENT ON COLUMN promo.promotion_stats.limit_left IS 'total_limit minus live redemptions.';
COMMENT ON COLUMN promo.promotion_stats.budget_left IS 'budget minus discount given.';

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
GRANT SELECT ON promo.redemptions, promo.promotion_stats TO promo_reader;
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
GRANT EXECUTE ON FUNCTION promo.set_timezone(text) TO promo_admin;
-- Redemptions: redeem, rollback_redemption, generate_codes and referral_code are SECURITY
-- DEFINER (they write counters the caller may not touch); evaluate_cart reads the counters and
-- codes with the caller's rights.
REVOKE ALL ON FUNCTION promo.redeem(text, jsonb, text, timestamptz),
                       promo.rollback_redemption(text),
                       promo.generate_codes(text, integer, text, text, integer, integer),
                       promo.referral_code(text, text),
                       promo.random_codes(integer, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION promo.redeem(text, jsonb, text, timestamptz),
                          promo.rollback_redemption(text),
                          promo.referral_code(text, text) TO promo_app;
GRANT EXECUTE ON FUNCTION promo.generate_codes(text, integer, text, text, integer, integer),
                          promo.referral_code(text, text) TO promo_admin;
GRANT SELECT ON promo.customer_usage, promo.promotion_slots, promo.promotion_budget, promo.codes,
                promo.orders, promo.redemptions TO promo_app;

-- ---------------------------------------------------------------------------------------------
-- Backup: what pg_dump saves
-- ---------------------------------------------------------------------------------------------
-- The tables are members of the extension, so pg_dump would save only CREATE EXTENSION promo.
-- Registering them with pg_extension_config_dump makes pg_dump save their rows too (and the
-- identity sequences' positions, so ids continue after a restore). pg_restore loads the rows
-- with promo's triggers active, in pg_dump's order (by name, a table after those it references).
-- segment_membership is registered with a filter that saves no rows: it follows from segments,
-- customers and events, and promo's triggers recompute it while those are restored (in any
-- order). promotion_slots and promotion_budget rows are created by the trigger on
-- promo.promotions when its rows are restored; the dumped rows then merge into them
-- (promo.merge_counter_row), keeping the counts. See docs/operations.md.
SELECT pg_catalog.pg_extension_config_dump('promo.promotions', '');
SELECT pg_catalog.pg_extension_config_dump('promo.promotions_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('promo.tiers', '');
SELECT pg_catalog.pg_extension_config_dump('promo.tiers_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('promo.customers', '');
SELECT pg_catalog.pg_extension_config_dump('promo.events', '');
SELECT pg_catalog.pg_extension_config_dump('promo.events_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('promo.segments', '');
SELECT pg_catalog.pg_extension_config_dump('promo.segments_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('promo.segment_membership', 'WHERE false');
SELECT pg_catalog.pg_extension_config_dump('promo.tracked_tables', '');
SELECT pg_catalog.pg_extension_config_dump('promo.orders', '');
SELECT pg_catalog.pg_extension_config_dump('promo.redemptions', '');
SELECT pg_catalog.pg_extension_config_dump('promo.customer_usage', '');
SELECT pg_catalog.pg_extension_config_dump('promo.promotion_slots', '');
SELECT pg_catalog.pg_extension_config_dump('promo.promotion_budget', '');
SELECT pg_catalog.pg_extension_config_dump('promo.codes', '');

-- ---------------------------------------------------------------------------------------------
-- Automation: reminders, the outbox, run_due(), scheduling
-- ---------------------------------------------------------------------------------------------
-- A reminder sends one message (with a fresh code of its promotion, assigned to the customer)
-- per entry of a customer into its segment. An entry is a promo.segment_membership row; it is
-- due at run_due(at) when valid_from <= at < valid_until (the customer is still in the segment:
-- one who bought in between has no such row) and valid_from >= the reminder's entries_since
-- (default: when the reminder was created, so creating a reminder does not message everyone
-- already in the segment). Entries by an event and entries by time alone (the 2-days-later
-- entry) are the same kind of row, so both are handled alike.
-- Exactly once: an entry is decided by INSERT INTO promo.reminder_deliveries ... ON CONFLICT
-- DO NOTHING on (customer_id, reminder, entered_at); a concurrent run_due() inserting the same
-- key waits for the first transaction and then does nothing, so no entry gets two codes or two
-- messages. The code, the outbox row and the delivery row commit together with the caller's
-- transaction; NOTIFY promo_outbox (payload: the outbox id) is delivered at that commit.

CREATE TABLE promo.reminders (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  segment         text NOT NULL REFERENCES promo.segments (name) ON UPDATE CASCADE,
  promotion       text NOT NULL REFERENCES promo.promotions (name) ON UPDATE CASCADE,
  channel         text NOT NULL
                  CONSTRAINT "reminders.channel must be non-empty and trimmed"
                  CHECK (channel <> '' AND channel = pg_catalog.btrim(channel)),
  template        jsonb NOT NULL DEFAULT '{}'
                  CONSTRAINT "reminders.template must be a JSON object"
                  CHECK (pg_catalog.jsonb_typeof(template) = 'object'),
  once_per_days   integer CONSTRAINT "reminders.once_per_days must be positive"
                  CHECK (once_per_days > 0),
  active          boolean NOT NULL DEFAULT true,
  entries_since   timestamptz NOT NULL DEFAULT pg_catalog.now(),
  created_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX reminders_segment ON promo.reminders (segment);
CREATE INDEX reminders_promotion ON promo.reminders (promotion);
COMMENT ON TABLE promo.reminders IS
  'Messages sent by promo.run_due() when a customer enters a segment (by an event or by time '
  'alone): one code of the promotion assigned to the customer and one promo.outbox row.';
COMMENT ON COLUMN promo.reminders.id IS 'Generated.';
COMMENT ON COLUMN promo.reminders.segment IS 'Entering this segment triggers the reminder.';
COMMENT ON COLUMN promo.reminders.promotion IS 'Each message carries a new code of it.';
COMMENT ON COLUMN promo.reminders.channel IS
  'How the mailer sends it: email, sms, ... (free text).';
COMMENT ON COLUMN promo.reminders.template IS 'A JSON object handed to the mailer as is.';
COMMENT ON COLUMN promo.reminders.once_per_days IS
  'NULL: one message per segment entry. N: in addition, an entry less than N days after the '
  'customer''s last message of this reminder is skipped (recorded, never sent later).';
COMMENT ON COLUMN promo.reminders.active IS 'Inactive reminders are not run.';
COMMENT ON COLUMN promo.reminders.entries_since IS
  'Only entries with valid_from >= this instant are reminded (default: creation time).';
COMMENT ON COLUMN promo.reminders.created_at IS 'When the reminder was created.';

CREATE TABLE promo.outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel     text NOT NULL,
  customer_id text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
  claimed_at  timestamptz,
  claim_count integer NOT NULL DEFAULT 0,
  acked_at    timestamptz
);
CREATE INDEX outbox_pending ON promo.outbox (id) WHERE acked_at IS NULL;
COMMENT ON TABLE promo.outbox IS
  'Messages for the shop''s mailer. Each insert is announced with NOTIFY promo_outbox (payload: '
  'the id). Workers take rows with promo.claim_outbox(n) and confirm with promo.ack_outbox(id); '
  'a claimed row not acked within the claim timeout is handed out again (at-least-once '
  'delivery: the mailer should be idempotent on id). Holds codes: not readable by promo_reader.';
COMMENT ON COLUMN promo.outbox.id IS 'Generated; the NOTIFY payload.';
COMMENT ON COLUMN promo.outbox.channel IS 'The reminder''s channel.';
COMMENT ON COLUMN promo.outbox.customer_id IS 'Recipient.';
COMMENT ON COLUMN promo.outbox.payload IS
  '{"code", "promotion", "template", "segment", "entered_at", "reminder"}.';
COMMENT ON COLUMN promo.outbox.created_at IS 'When it was queued (transaction time).';
COMMENT ON COLUMN promo.outbox.claimed_at IS 'Last claim by a worker; NULL = never claimed.';
COMMENT ON COLUMN promo.outbox.claim_count IS 'How many times it was handed out.';
COMMENT ON COLUMN promo.outbox.acked_at IS 'When a worker confirmed it; NULL = pending.';

CREATE TABLE promo.reminder_deliveries (
  customer_id text NOT NULL,
  reminder    bigint NOT NULL REFERENCES promo.reminders (id) ON DELETE CASCADE,
  entered_at  timestamptz NOT NULL,
  decided_at  timestamptz NOT NULL,
  code        text,
  outbox_id   bigint,
  PRIMARY KEY (customer_id, reminder, entered_at)
);
COMMENT ON TABLE promo.reminder_deliveries IS
  'One row per segment entry a reminder has decided: the exactly-once record of run_due().';
COMMENT ON COLUMN promo.reminder_deliveries.customer_id IS 'Customer.';
COMMENT ON COLUMN promo.reminder_deliveries.reminder IS 'promo.reminders.id.';
COMMENT ON COLUMN promo.reminder_deliveries.entered_at IS
  'The entry: segment_membership.valid_from.';
COMMENT ON COLUMN promo.reminder_deliveries.decided_at IS 'The run_due `at` that decided it.';
COMMENT ON COLUMN promo.reminder_deliveries.code IS 'The code issued; NULL when skipped.';
COMMENT ON COLUMN promo.reminder_deliveries.outbox_id IS
  'The message queued; NULL when skipped by once_per_days.';

CREATE TABLE promo.run_due_state (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_run_at timestamptz NOT NULL
);
INSERT INTO promo.run_due_state (last_run_at) VALUES (pg_catalog.now());
COMMENT ON TABLE promo.run_due_state IS
  'One row: the latest `at` of promo.run_due(); time-based segment entries in (last_run_at, at] '
  'are announced with NOTIFY promo_segments by the next run.';
COMMENT ON COLUMN promo.run_due_state.singleton IS 'Always true (one row).';
COMMENT ON COLUMN promo.run_due_state.last_run_at IS 'Latest `at` given to promo.run_due().';

CREATE FUNCTION promo.run_due(at timestamptz DEFAULT pg_catalog.now())
  RETURNS integer
  LANGUAGE plpgsql VOLATILE STRICT
  -- SECURITY DEFINER: it issues codes (promo.codes is written only by definer functions) and
  -- writes the outbox and the delivery record, which its callers (promo_app, a pg_cron job)
  -- must not write directly. It takes no SQL text from the caller; search_path is pinned.
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  due record;
  issued text;
  queued bigint;
  messages integer := 0;
  previous_run timestamptz;
BEGIN
  FOR due IN
    SELECT r.id AS reminder, r.segment, r.promotion, r.channel, r.template, r.once_per_days,
           m.customer_id, m.valid_from
      FROM promo.reminders r
      JOIN promo.promotions p ON p.name = r.promotion
      JOIN promo.segment_membership m ON m.segment = r.segment
     WHERE r.active
       -- A code of a promotion that is off or over would be useless: its entries wait.
       AND p.active AND (p.ends_at IS NULL OR run_due.at < p.ends_at)
       AND m.valid_from <= run_due.at AND run_due.at < m.valid_until
       AND m.valid_from >= r.entries_since
       AND NOT EXISTS (SELECT 1 FROM promo.reminder_deliveries d
                        WHERE d.customer_id = m.customer_id AND d.reminder = r.id
                          AND d.entered_at = m.valid_from)
     ORDER BY r.id, m.customer_id, m.valid_from
  LOOP
    IF due.once_per_days IS NOT NULL THEN
      -- One customer's entries of one reminder are decided one at a time, so two runs cannot
      -- both see "no message in the last N days".
      PERFORM pg_advisory_xact_lock(1886547823, hashtext(due.customer_id || '/' || due.reminder));
    END IF;
    -- The exactly-once decision: whoever inserts the key first owns the entry.
    INSERT INTO promo.reminder_deliveries (customer_id, reminder, entered_at, decided_at)
    VALUES (due.customer_id, due.reminder, due.valid_from, run_due.at)
    ON CONFLICT DO NOTHING;
    CONTINUE WHEN NOT FOUND;
    IF due.once_per_days IS NOT NULL AND EXISTS (
         SELECT 1 FROM promo.reminder_deliveries d
          WHERE d.customer_id = due.customer_id AND d.reminder = due.reminder
            AND d.outbox_id IS NOT NULL
            AND d.decided_at > run_due.at - pg_catalog.make_interval(days => due.once_per_days))
    THEN
      CONTINUE; -- recorded with no code and no message
    END IF;
    SELECT g.code INTO STRICT issued
      FROM promo.generate_codes(due.promotion, 1, customer_id => due.customer_id) g;
    INSERT INTO promo.outbox (channel, customer_id, payload)
    VALUES (due.channel, due.customer_id,
            pg_catalog.jsonb_build_object('code', issued, 'promotion', due.promotion,
                                          'template', due.template, 'segment', due.segment,
                                          'entered_at', due.valid_from,
                                          'reminder', due.reminder))
    RETURNING id INTO queued;
    UPDATE promo.reminder_deliveries d SET code = issued, outbox_id = queued
     WHERE d.customer_id = due.customer_id AND d.reminder = due.reminder
       AND d.entered_at = due.valid_from;
    PERFORM pg_catalog.pg_notify('promo_outbox', queued::text);
    messages := messages + 1;
  END LOOP;

  -- Segment entries by time alone since the previous run. An entry at the instant of one of
  -- the customer's events, or of their sign-up, was caused by that write and announced then.
  SELECT s.last_run_at INTO previous_run FROM promo.run_due_state s FOR UPDATE;
  IF run_due.at > previous_run THEN
    PERFORM pg_catalog.pg_notify('promo_segments',
              pg_catalog.jsonb_build_object('customer', m.customer_id, 'segment', m.segment,
                                            'change', 'entered', 'at', m.valid_from)::text)
       FROM promo.segment_membership m
      WHERE m.valid_from > previous_run AND m.valid_from <= run_due.at
        AND NOT EXISTS (SELECT 1 FROM promo.events e
                         WHERE e.customer_id = m.customer_id AND e.occurred_at = m.valid_from)
        AND NOT EXISTS (SELECT 1 FROM promo.customers c
                         WHERE c.customer_id = m.customer_id AND c.signed_up_at = m.valid_from);
    UPDATE promo.run_due_state SET last_run_at = run_due.at;
  END IF;
  RETURN messages;
END
$$;
COMMENT ON FUNCTION promo.run_due(timestamptz) IS
  'Runs the active reminders whose promotion is active and not over at `at`: every segment '
  'entry with entries_since <= valid_from <= at < valid_until not decided before gets one code '
  'of the reminder''s promotion (assigned to the customer, single use) and one promo.outbox '
  'row, announced with NOTIFY promo_outbox (payload: the outbox id); once_per_days skips '
  'entries too soon after the last message. '
  'Exactly once per entry, also when run twice or from two sessions at once. Also announces '
  'segment entries by time alone with valid_from in (previous run, at] on NOTIFY promo_segments '
  '({"customer", "segment", "change": "entered", "at"}). Returns the number of messages queued.';

CREATE FUNCTION promo.claim_outbox(n integer, claim_timeout interval DEFAULT '5 minutes')
  RETURNS SETOF promo.outbox
  LANGUAGE plpgsql VOLATILE STRICT
  -- SECURITY DEFINER: workers (promo_app) may claim and ack, but not rewrite outbox rows.
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF n < 0 THEN
    RAISE EXCEPTION 'claim_outbox: n must not be negative, got %', n
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF claim_timeout < interval '0' THEN
    RAISE EXCEPTION 'claim_outbox: claim_timeout must not be negative, got %', claim_timeout
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
    WITH taken AS (
      SELECT o.id FROM promo.outbox o
       WHERE o.acked_at IS NULL
         AND (o.claimed_at IS NULL
              OR o.claimed_at <= pg_catalog.clock_timestamp() - claim_outbox.claim_timeout)
       ORDER BY o.id
       LIMIT n
       FOR UPDATE SKIP LOCKED)
    UPDATE promo.outbox o
       SET claimed_at = pg_catalog.clock_timestamp(), claim_count = o.claim_count + 1
      FROM taken
     WHERE o.id = taken.id
    RETURNING o.*;
END
$$;
COMMENT ON FUNCTION promo.claim_outbox(integer, interval) IS
  'Hands out up to n pending outbox rows (oldest first): not acked, and never claimed or '
  'claimed at least claim_timeout ago. Rows locked by a concurrent claim are skipped '
  '(FOR UPDATE SKIP LOCKED), so workers never get the same row at once. Sets claimed_at and '
  'bumps claim_count; returns the rows.';

CREATE FUNCTION promo.ack_outbox(id bigint)
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE STRICT
  -- SECURITY DEFINER: see promo.claim_outbox.
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  UPDATE promo.outbox o SET acked_at = COALESCE(o.acked_at, pg_catalog.clock_timestamp())
   WHERE o.id = ack_outbox.id;
  RETURN FOUND;
END
$$;
COMMENT ON FUNCTION promo.ack_outbox(bigint) IS
  'Confirms that an outbox row was sent: sets acked_at (kept from the first ack when acked '
  'again). Returns true when the row exists, false for an unknown id.';

CREATE FUNCTION promo.schedule_run_due(every interval DEFAULT '1 minute')
  RETURNS bigint
  LANGUAGE plpgsql VOLATILE STRICT
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  cron_version text;
  seconds numeric := EXTRACT(epoch FROM every);
  spec text;
BEGIN
  SELECT e.extversion INTO cron_version FROM pg_catalog.pg_extension e
   WHERE e.extname = 'pg_cron';
  IF cron_version IS NULL THEN
    RAISE EXCEPTION 'schedule_run_due: pg_cron is not installed in this database'
      USING ERRCODE = 'feature_not_supported',
            HINT = 'Install pg_cron (Debian: postgresql-15-cron; shared_preload_libraries = '
                   'pg_cron; CREATE EXTENSION pg_cron), or call SELECT promo.run_due() from any '
                   'scheduler every minute.';
  END IF;
  -- pg_cron schedules: 'N seconds' (pg_cron 1.5+, 1..59), or cron minutes/hours/days.
  IF seconds >= 1 AND seconds < 60 AND seconds = pg_catalog.trunc(seconds) THEN
    spec := seconds::integer || ' seconds';
  ELSIF seconds = 60 THEN
    spec := '* * * * *';
  ELSIF seconds < 3600 AND seconds % 60 = 0 AND 3600 % seconds = 0 THEN
    spec := '*/' || (seconds / 60)::integer || ' * * * *';
  ELSIF seconds = 3600 THEN
    spec := '0 * * * *';
  ELSIF seconds < 86400 AND seconds % 3600 = 0 AND 86400 % seconds = 0 THEN
    spec := '0 */' || (seconds / 3600)::integer || ' * * *';
  ELSIF seconds = 86400 THEN
    spec := '0 0 * * *';
  ELSE
    RAISE EXCEPTION 'schedule_run_due: cannot schedule every %', every
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use 1..59 seconds (pg_cron 1.5+), a divisor of an hour in minutes, a '
                   'divisor of a day in hours, or 1 day.';
  END IF;
  -- Named job: scheduling again replaces the schedule. The job runs as the calling user.
  RETURN cron.schedule('promo-run-due', spec, 'SELECT promo.run_due()');
END
$$;
COMMENT ON FUNCTION promo.schedule_run_due(interval) IS
  'Registers (or re-registers) the pg_cron job promo-run-due running SELECT promo.run_due() '
  'every `every` as the calling user; returns the pg_cron job id. Needs pg_cron in this '
  'database (sub-minute schedules need pg_cron 1.5+); without it, an error says so: any '
  'scheduler may call promo.run_due() instead.';

CREATE FUNCTION promo.unschedule_run_due()
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_cron') THEN
    RAISE EXCEPTION 'unschedule_run_due: pg_cron is not installed in this database'
      USING ERRCODE = 'feature_not_supported';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM cron.job j
                  WHERE j.jobname = 'promo-run-due' AND j.username = current_user) THEN
    RETURN false;
  END IF;
  RETURN cron.unschedule('promo-run-due');
END
$$;
COMMENT ON FUNCTION promo.unschedule_run_due() IS
  'Removes the pg_cron job promo-run-due of the calling user; false when there was none.';

-- Roles: promo_app runs reminders and drains the outbox (it may read the outbox: it holds codes
-- the shop hands out anyway); promo_admin manages reminders and schedules run_due (its job runs
-- as promo_admin, so it may also run run_due); promo_reader gets nothing here, since the outbox
-- and deliveries hold codes.
GRANT SELECT ON promo.reminders, promo.outbox, promo.reminder_deliveries, promo.run_due_state
  TO promo_admin;
GRANT INSERT, UPDATE, DELETE ON promo.reminders TO promo_admin;
GRANT SELECT ON promo.reminders, promo.outbox TO promo_app;
REVOKE ALL ON FUNCTION promo.run_due(timestamptz),
                       promo.claim_outbox(integer, interval),
                       promo.ack_outbox(bigint),
                       promo.schedule_run_due(interval),
                       promo.unschedule_run_due() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION promo.run_due(timestamptz),
                          promo.claim_outbox(integer, interval),
                          promo.ack_outbox(bigint) TO promo_app;
GRANT EXECUTE ON FUNCTION promo.run_due(timestamptz),
                          promo.schedule_run_due(interval),
                          promo.unschedule_run_due() TO promo_admin;
-- Backup: reminders, their delivery record and the outbox (with its pending messages) are
-- saved by pg_dump; run_due_state is not (a restored database starts announcing time-based
-- entries from the restore on).
SELECT pg_catalog.pg_extension_config_dump('promo.reminders', '');
SELECT pg_catalog.pg_extension_config_dump('promo.reminders_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('promo.reminder_deliveries', '');
SELECT pg_catalog.pg_extension_config_dump('promo.outbox', '');
SELECT pg_catalog.pg_extension_config_dump('promo.outbox_id_seq', '');

-- ---------------------------------------------------------------------------------------------
-- Tracking and qualifications
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION promo.qualifications(customer_id text, cart jsonb DEFAULT NULL,
                                     at timestamptz DEFAULT pg_catalog.now())
  RETURNS jsonb
  LANGUAGE C STABLE CALLED ON NULL INPUT
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_qualifications';
COMMENT ON FUNCTION promo.qualifications(text, jsonb, timestamptz) IS
  'What the customer can get at `at`: a jsonb array, one object per active promotion whose '
  'customer-side conditions (segments, customer fields, history, time, limits, budget) hold: '
  '{promotion, currency, tier, discount, needs, tiers: [{tier, discount, needs}], code?} where '
  'needs are the cart-side conditions still unmet (all of them without a cart, what this cart '
  'lacks with one). With a cart only promotions in its currency, each tier with estimate '
  '(minor units). requires_code promotions only with a code assigned to the customer. Sorted by '
  'the best reachable discount: the estimate on the cart, or without a cart percent_off before '
  'amount_off before fixed_price, larger first.';

CREATE FUNCTION promo.track(customer_id text, type text, properties jsonb DEFAULT '{}',
                            occurred_at timestamptz DEFAULT pg_catalog.now())
  RETURNS jsonb
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  segments_before text[];
  segments_after text[];
  available jsonb;
BEGIN
  -- Membership at the event's time, read before and after the insert; the insert's own
  -- maintenance triggers compute the change (segments are not evaluated twice).
  SELECT COALESCE(pg_catalog.array_agg(DISTINCT m.segment ORDER BY m.segment), '{}')
    INTO segments_before
    FROM promo.segment_membership m
   WHERE m.customer_id = track.customer_id
     AND m.valid_from <= track.occurred_at AND track.occurred_at < m.valid_until;
  INSERT INTO promo.events (customer_id, type, properties, occurred_at)
  VALUES (track.customer_id, track.type, track.properties, track.occurred_at);
  SELECT COALESCE(pg_catalog.array_agg(DISTINCT m.segment ORDER BY m.segment), '{}')
    INTO segments_after
    FROM promo.segment_membership m
   WHERE m.customer_id = track.customer_id
     AND m.valid_from <= track.occurred_at AND track.occurred_at < m.valid_until;
  -- The best tier of each promotion the customer can now get, in qualifications' order.
  SELECT COALESCE(pg_catalog.jsonb_agg(
           pg_catalog.jsonb_build_object('promotion', q.item -> 'promotion',
                                         'tier', q.item -> 'tier',
                                         'discount', q.item -> 'discount',
                                         'needs', q.item -> 'needs')
           OPERATOR(pg_catalog.||)
           CASE WHEN q.item ? 'code'
                THEN pg_catalog.jsonb_build_object('code', q.item -> 'code')
                ELSE '{}'::jsonb END
           ORDER BY q.position), '[]')
    INTO available
    FROM pg_catalog.jsonb_array_elements(
           promo.qualifications(track.customer_id, NULL, track.occurred_at))
         WITH ORDINALITY AS q(item, position);
  RETURN pg_catalog.jsonb_build_object(
    'entered', pg_catalog.to_jsonb(ARRAY(SELECT s FROM pg_catalog.unnest(segments_after) s
                                          EXCEPT SELECT s FROM pg_catalog.unnest(segments_before) s
                                          ORDER BY 1)),
    'left', pg_catalog.to_jsonb(ARRAY(SELECT s FROM pg_catalog.unnest(segments_before) s
                                       EXCEPT SELECT s FROM pg_catalog.unnest(segments_after) s
                                       ORDER BY 1)),
    'available', available);
END
$$;
COMMENT ON FUNCTION promo.track(text, text, jsonb, timestamptz) IS
  'Records an event (an INSERT into promo.events: same validation, same segment maintenance) and '
  'returns {entered, left, available}: the segments the customer entered and left at '
  'occurred_at (membership read just before and just after the insert) and the best tier of '
  'each promotion promo.qualifications(customer_id, NULL, occurred_at) returns, as {promotion, '
  'tier, discount, needs, code?}.';

GRANT EXECUTE ON FUNCTION promo.qualifications(text, jsonb, timestamptz),
                          promo.track(text, text, jsonb, timestamptz) TO promo_app;
