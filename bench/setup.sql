-- promo benchmark data: a catalogue, 100 carts drawn from it, and a plan of 10,000 promotions
-- of mixed kinds. Deterministic (setseed), so every run measures the same work.
-- Run by bench/run.sh; it needs the promo extension installed in the database.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

-- 10,000 SKUs in 50 categories and 20 brands. Prices $2.99 .. $152.99, most of them cheap
-- (squared uniform), always ending in .99.
SELECT setseed(0.42);
CREATE TABLE bench.catalogue (
  sku        text PRIMARY KEY,
  product    text NOT NULL,
  category   text NOT NULL,
  brand      text NOT NULL,
  unit_price bigint NOT NULL  -- cents
);
INSERT INTO bench.catalogue
SELECT format('SKU-%s', lpad(n::text, 5, '0')),
       format('product %s', n),
       format('cat-%s', lpad((n % 50)::text, 2, '0')),
       format('brand-%s', lpad(floor(random() * 20)::int::text, 2, '0')),
       (2 + floor(random() ^ 2 * 151))::bigint * 100 + 99
FROM generate_series(0, 9999) AS n
ORDER BY n;

-- 100 carts of 20 lines each drawn at random from the catalogue, quantities 1..3 (mostly 1),
-- with the brand as an item attribute. (Two lines of one SKU are possible and stay apart.)
SELECT setseed(0.17);
CREATE TABLE bench.cart_lines (
  cart_id  int NOT NULL,
  line     int NOT NULL,
  sku      text NOT NULL,
  quantity int NOT NULL,
  PRIMARY KEY (cart_id, line)
);
INSERT INTO bench.cart_lines
SELECT c, l, format('SKU-%s', lpad(floor(random() * 10000)::int::text, 5, '0')),
       CASE WHEN random() < 0.7 THEN 1 WHEN random() < 0.6 THEN 2 ELSE 3 END
FROM generate_series(1, 100) AS c, generate_series(1, 20) AS l
ORDER BY c, l;

CREATE TABLE bench.carts (id int PRIMARY KEY, cart jsonb NOT NULL);
INSERT INTO bench.carts
SELECT l.cart_id,
       jsonb_build_object(
         'currency', 'USD',
         'items', jsonb_agg(jsonb_build_object(
                    'sku', k.sku, 'product', k.product, 'category', k.category,
                    'quantity', l.quantity, 'unit_price', k.unit_price,
                    'attributes', jsonb_build_object('brand', k.brand))
                  ORDER BY l.line))
FROM bench.cart_lines l JOIN bench.catalogue k USING (sku)
GROUP BY l.cart_id;

-- The plan: promotion n (1..10,000) and its tiers. A run with N promotions installs plan rows
-- n <= N, so each size contains the smaller ones. Kinds, drawn at random:
--   70% sku       'has(sku = ''SKU-01234'')', percent (5..30) or amount ($1..$20) off that SKU
--   20% category  one brand within one category (50 x 20 = 1,000 such groups); half: any item
--                 of the group, percent off those items; half: at least $X (20..100) spent on
--                 the group, percent off it, at most $50
--    9% bxgy      buy SKU A, get SKU B free, once per A unit
--    1% spend     two tiers: from $T (50..250) 5% off, from $2T 10% off (thresholds $50..$500);
--                 exclusive with priority -1, i.e. a fall-back for carts no other promotion
--                 applied to (stacking a hundred order-wide discounts would give carts away)
-- Every other promotion has priority 0 and is not exclusive, so they all stack.
SELECT setseed(0.73);
CREATE TABLE bench.plan_promotions (
  n         int PRIMARY KEY,
  name      text NOT NULL,
  kind      text NOT NULL,
  priority  int NOT NULL,
  exclusive boolean NOT NULL
);
CREATE TABLE bench.plan_tiers (
  n         int NOT NULL,
  tier      int NOT NULL,
  name      text NOT NULL,
  condition text NOT NULL,
  discount  jsonb NOT NULL,
  PRIMARY KEY (n, tier)
);

CREATE TEMP TABLE draws AS
SELECT n,
       random() AS kind_draw,
       random() AS variant_draw,
       format('SKU-%s', lpad(floor(random() * 10000)::int::text, 5, '0')) AS sku_a,
       format('SKU-%s', lpad(floor(random() * 10000)::int::text, 5, '0')) AS sku_b,
       format('cat-%s', lpad(floor(random() * 50)::int::text, 2, '0')) AS category,
       format('brand-%s', lpad(floor(random() * 20)::int::text, 2, '0')) AS brand,
       5 + floor(random() * 26)::int AS percent,
       (1 + floor(random() * 20)::int) * 100 AS amount_off,
       20 + floor(random() * 81)::int AS category_dollars,
       50 + floor(random() * 201)::int AS spend_dollars
FROM generate_series(1, 10000) AS n
ORDER BY n;

INSERT INTO bench.plan_promotions
SELECT n, format('bench-%s', lpad(n::text, 5, '0')),
       kind, CASE kind WHEN 'spend' THEN -1 ELSE 0 END, kind = 'spend'
FROM (SELECT n, CASE WHEN kind_draw < 0.70 THEN 'sku'
                     WHEN kind_draw < 0.90 THEN 'category'
                     WHEN kind_draw < 0.99 THEN 'bxgy'
                     ELSE 'spend' END AS kind
      FROM draws) AS k;

INSERT INTO bench.plan_tiers
SELECT d.n, 1,
       CASE p.kind
         WHEN 'sku' THEN CASE WHEN d.variant_draw < 0.5 THEN format('%s%% off %s', d.percent, d.sku_a)
                              ELSE format('$%s.00 off %s', d.amount_off / 100, d.sku_a) END
         WHEN 'category' THEN CASE WHEN d.variant_draw < 0.5
                                   THEN format('%s%% off %s %s', d.percent, d.brand, d.category)
                                   ELSE format('%s%% off %s %s from $%s', d.percent, d.brand,
                                               d.category, d.category_dollars) END
         WHEN 'bxgy' THEN format('%s free with %s', d.sku_b, d.sku_a)
         ELSE format('5%% from $%s', d.spend_dollars) END,
       CASE
         WHEN p.kind = 'sku' THEN format('has(sku = %L)', d.sku_a)
         WHEN p.kind = 'category' AND d.variant_draw < 0.5
           THEN format('has(category = %L and attributes.brand = %L)', d.category, d.brand)
         WHEN p.kind = 'category'
           THEN format('amount(category = %L and attributes.brand = %L) >= %s.00', d.category,
                       d.brand, d.category_dollars)
         WHEN p.kind = 'bxgy' THEN format('has(sku = %L) and has(sku = %L)', d.sku_a, d.sku_b)
         ELSE format('subtotal >= %s.00', d.spend_dollars) END,
       CASE
         WHEN p.kind = 'sku' AND d.variant_draw < 0.5
           THEN jsonb_build_object('percent_off', d.percent, 'target', format('sku = %L', d.sku_a))
         WHEN p.kind = 'sku'
           THEN jsonb_build_object('amount_off', d.amount_off, 'target', format('sku = %L', d.sku_a))
         WHEN p.kind = 'category' AND d.variant_draw < 0.5
           THEN jsonb_build_object('percent_off', d.percent, 'target',
                  format('category = %L and attributes.brand = %L', d.category, d.brand))
         WHEN p.kind = 'category'
           THEN jsonb_build_object('percent_off', d.percent, 'max_amount', 5000, 'target',
                  format('category = %L and attributes.brand = %L', d.category, d.brand))
         WHEN p.kind = 'bxgy'
           THEN jsonb_build_object('percent_off', 100, 'target', format('sku = %L', d.sku_b),
                                   'max_units', format('quantity(sku = %L)', d.sku_a))
         ELSE jsonb_build_object('percent_off', 5) END
FROM draws d JOIN bench.plan_promotions p USING (n);

INSERT INTO bench.plan_tiers
SELECT d.n, 2, format('10%% from $%s', 2 * d.spend_dollars),
       format('subtotal >= %s.00', 2 * d.spend_dollars), jsonb_build_object('percent_off', 10)
FROM draws d JOIN bench.plan_promotions p USING (n)
WHERE p.kind = 'spend';

-- Installs plan promotions n in (from_n, to_n] as active promotions (name, tiers in order).
-- Kept as a function so run.sh can grow the installed set size by size.
CREATE FUNCTION bench.install(from_n int, to_n int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO promo.promotions (name, currency, priority, exclusive)
  SELECT name, 'USD', priority, exclusive
  FROM bench.plan_promotions WHERE n > from_n AND n <= to_n ORDER BY n;
  INSERT INTO promo.tiers (promotion, name, condition, discount)
  SELECT p.name, t.name, t.condition, t.discount
  FROM bench.plan_tiers t JOIN bench.plan_promotions p USING (n)
  WHERE t.n > from_n AND t.n <= to_n
  ORDER BY t.n, t.tier;
  RETURN (SELECT count(*) FROM promo.promotions WHERE name LIKE 'bench-%');
END $$;

-- Removes every benchmark promotion (tiers first, in case they do not cascade).
CREATE FUNCTION bench.uninstall() RETURNS void LANGUAGE sql AS $$
  DELETE FROM promo.tiers WHERE promotion LIKE 'bench-%';
  DELETE FROM promo.promotions WHERE name LIKE 'bench-%';
$$;

-- µs per evaluate_cart call inside the server, with no client round trip: `rounds` passes over
-- the 100 carts, minus the same passes that only detoast each cart (jsonb_typeof). A second
-- view of the cost next to pgbench's, less disturbed by client scheduling.
CREATE FUNCTION bench.in_server_us(explain boolean, rounds int) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
  started timestamptz;
  baseline interval;
  evaluating interval;
BEGIN
  started := clock_timestamp();
  PERFORM count(jsonb_typeof(cart)) FROM bench.carts, generate_series(1, rounds);
  baseline := clock_timestamp() - started;
  started := clock_timestamp();
  PERFORM count(promo.evaluate_cart('c' || id, cart, now(), explain => explain))
  FROM bench.carts, generate_series(1, rounds);
  evaluating := clock_timestamp() - started;
  RETURN round((extract(epoch FROM evaluating) - extract(epoch FROM baseline)) * 1e6
               / (100 * rounds), 1);
END $$;

SELECT kind, count(*) AS promotions FROM bench.plan_promotions GROUP BY kind ORDER BY 2 DESC;

VACUUM ANALYZE bench.catalogue, bench.cart_lines, bench.carts;
