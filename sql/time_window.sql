-- Time windows (starts_at inclusive, ends_at exclusive), inactive promotions, and `at`.
CREATE EXTENSION promo;

-- One line per fact of a result, in a stable order, so differences are easy to read.
CREATE FUNCTION show_result(r jsonb) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT line FROM (
    SELECT 1 AS part, 0::bigint AS n,
           format('%s subtotal %s, discount %s, total %s',
                  r->>'currency', r->>'subtotal', r->>'discount', r->>'total') AS line
    UNION ALL
    SELECT 2, a.n, format('applied %s / %s: %s', a.v->>'promotion', a.v->>'tier', a.v->>'discount')
      FROM jsonb_array_elements(r->'applied') WITH ORDINALITY a(v, n)
    UNION ALL
    SELECT 3, i.n, format('item %s %s %s x %s: discount %s, total %s, %s', i.v->>'index',
                          i.v->>'sku', i.v->>'quantity', i.v->>'unit_price', i.v->>'discount',
                          i.v->>'total', i.v->'discounts')
      FROM jsonb_array_elements(r->'items') WITH ORDINALITY i(v, n)
    UNION ALL
    SELECT 4, x.n, format('not_applied %s [%s]: %s', x.v->>'promotion', x.v->>'reason_code',
                          x.v->>'reason')
      FROM jsonb_array_elements(r->'not_applied') WITH ORDINALITY x(v, n)
    UNION ALL
    SELECT 5, h.n, format('hint %s / %s: %s', h.v->>'promotion', h.v->>'tier', h.v->>'missing')
      FROM jsonb_array_elements(r->'hints') WITH ORDINALITY h(v, n)
  ) s ORDER BY part, n
$$;

INSERT INTO promo.promotions (name, currency, starts_at, ends_at)
  VALUES ('december', 'USD', '2026-12-01 00:00+00', '2027-01-01 00:00+00');
INSERT INTO promo.tiers (promotion, name, discount) VALUES
  ('december', '10% off', '{"percent_off": 10}');
INSERT INTO promo.promotions (name, currency, ends_at)
  VALUES ('summer-2020', 'USD', '2020-09-01 00:00+00');
INSERT INTO promo.tiers (promotion, name, discount) VALUES
  ('summer-2020', '20% off', '{"percent_off": 20}');
INSERT INTO promo.promotions (name, currency, active) VALUES ('paused', 'USD', false);
INSERT INTO promo.tiers (promotion, name, discount) VALUES
  ('paused', '50% off', '{"percent_off": 50}');

\set cart '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 10000}]}'

-- One microsecond before the start: not started; summer-2020 has ended; paused is inactive
-- and not mentioned at all.
SELECT show_result(promo.evaluate_cart(NULL, :'cart', at => '2026-11-30 23:59:59.999999+00'));
-- At the start (inclusive): 10% off.
SELECT show_result(promo.evaluate_cart(NULL, :'cart', at => '2026-12-01 00:00+00'));
-- The last microsecond of December still applies.
SELECT show_result(promo.evaluate_cart(NULL, :'cart', at => '2026-12-31 23:59:59.999999+00'));
-- At the end (exclusive): ended.
SELECT show_result(promo.evaluate_cart(NULL, :'cart', at => '2027-01-01 00:00+00'));
-- The instant is absolute: 2026-12-01 00:30 in Warsaw is 2026-11-30 23:30 UTC.
SELECT show_result(promo.evaluate_cart(NULL, :'cart', at => '2026-12-01 00:30+01'));

-- Activating a paused promotion takes effect on the next call.
UPDATE promo.promotions SET active = true WHERE name = 'paused';
SELECT show_result(promo.evaluate_cart(NULL, :'cart', at => '2026-12-15 12:00+00'));

-- `at` must be a finite instant and not NULL.
SELECT promo.evaluate_cart(NULL, :'cart', at => 'infinity');
SELECT promo.evaluate_cart(NULL, :'cart', at => '-infinity');
SELECT promo.evaluate_cart(NULL, :'cart', at => NULL);
SELECT promo.evaluate_cart(NULL, :'cart', explain => NULL);

-- A window must end after it starts.
\set VERBOSITY terse
INSERT INTO promo.promotions (name, currency, starts_at, ends_at)
  VALUES ('backwards', 'USD', '2026-12-01 00:00+00', '2026-12-01 00:00+00');
\set VERBOSITY default

DROP FUNCTION show_result(jsonb);
DROP EXTENSION promo;
