-- Time windows (starts_at inclusive, ends_at exclusive), inactive promotions, and `at`.
CREATE EXTENSION promo;

-- show_result(jsonb): one line per fact of a result (shared by the evaluation tests).
\i sql/include/show_result.sql

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
