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
