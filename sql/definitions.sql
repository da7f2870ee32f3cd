-- Definitions are validated on write: a bad rule, discount, currency or name is rejected with
-- the engine's SQLSTATE and a message naming the field, and nothing is written.
CREATE EXTENSION promo;

\i sql/include/error_of.sql

INSERT INTO promo.promotions (name, currency) VALUES ('spend-more', 'USD');

-- The contract's example error, as the user sees it.
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('spend-more', 'typo', 'subtotl >= 50.00', '{"percent_off": 5}');

-- Each bad tier: SQLSTATE and message.
CREATE FUNCTION tier_error(condition text, discount text) RETURNS text LANGUAGE sql AS $$
  SELECT error_of(format(
    'INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES (%L, %L, %L, %L)',
    'spend-more', 'bad', condition, discount))
$$;

SELECT condition, discount, tier_error(condition, discount) FROM (VALUES
  -- rule syntax errors
  ('subtotal >= ', '{"percent_off": 5}'),
  ('(subtotal >= 50.00', '{"percent_off": 5}'),
  ('subtotal >= 50.00 andd true', '{"percent_off": 5}'),
  ('has(sku = ''A'')) ', '{"percent_off": 5}'),
  -- unknown function, unknown field
  ('subtotl(1) >= 50.00', '{"percent_off": 5}'),
  ('subtotl >= 50.00', '{"percent_off": 5}'),
  ('has(skuu = ''A'')', '{"percent_off": 5}'),
  -- type errors
  ('subtotal >= ''fifty''', '{"percent_off": 5}'),
  ('subtotal', '{"percent_off": 5}'),
  ('subtotal >= 50.001', '{"percent_off": 5}'),
  ('has(sku = 5)', '{"percent_off": 5}'),
  -- discounts
  ('true', '{"percnt_off": 5}'),
  ('true', '{"percent_off": 0}'),
  ('true', '{"percent_off": 150}'),
  ('true', '{"percent_off": 5.00001}'),
  ('true', '{"percent_off": "5"}'),
  ('true', '{"percent_off": 5, "amount_off": 100}'),
  ('true', '{}'),
  ('true', '{"amount_off": 0}'),
  ('true', '{"amount_off": 9.99}'),
  ('true', '{"fixed_price": -1}'),
  ('true', '{"percent_off": 5, "target": "skuu = ''A''"}'),
  ('true', '{"percent_off": 5, "target": "subtotal >= 5.00"}'),
  ('true', '{"percent_off": 5, "max_units": -1}'),
  ('true', '{"percent_off": 5, "max_units": "quantity(sku = ''A'') >= 1"}'),
  ('true', '{"percent_off": 5, "max_amount": 0}'),
  ('true', '[5]')
) AS t(condition, discount);

-- Nothing was written.
SELECT count(*) AS tiers FROM promo.tiers;

-- Good tiers, including the optional discount keys.
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('spend-more', '5% from $50', 'subtotal >= 50.00', '{"percent_off": 5}'),
  ('spend-more', 'pad free', 'has(sku = ''MOUSE'') and quantity >= 2',
   '{"percent_off": 100, "target": "sku = ''PAD''", "max_units": "quantity(sku = ''MOUSE'') / 3", "max_amount": 2000}');
SELECT name, condition, discount FROM promo.tiers ORDER BY id;

-- Updates are validated too, and a failed update leaves the row as it was.
UPDATE promo.tiers SET condition = 'subtotal >= ' WHERE name = '5% from $50';
UPDATE promo.tiers SET discount = '{"percent_off": 150}' WHERE name = '5% from $50';
SELECT name, condition, discount FROM promo.tiers WHERE name = '5% from $50';
-- A tier of an unknown promotion is refused by the foreign key.
INSERT INTO promo.tiers (promotion, name, discount) VALUES ('nope', 'x', '{"percent_off": 5}');

-- Promotions: names and currencies.
SELECT CASE WHEN length(name) > 20 THEN left(name, 10) || '... (' || length(name) || ' chars)'
            ELSE name END AS name,
       currency, error_of(format(
         'INSERT INTO promo.promotions (name, currency) VALUES (%L, %L)', name, currency))
  FROM (VALUES ('', 'USD'), (' padded', 'USD'), (repeat('n', 201), 'USD'),
               ('eur-deal', 'XYZ'), ('eur-deal', 'usd'), ('eur-deal', NULL),
               ('spend-more', 'USD'), ('yen-deal', 'JPY')) AS t(name, currency);
SELECT name, currency FROM promo.promotions ORDER BY id;

-- Changing the currency re-validates the tiers: 50.00 has more decimals than JPY allows.
UPDATE promo.promotions SET currency = 'JPY' WHERE name = 'spend-more';
SELECT currency FROM promo.promotions WHERE name = 'spend-more';
-- EUR has two decimals like USD: fine. Money literals now mean euros.
UPDATE promo.promotions SET currency = 'EUR' WHERE name = 'spend-more';
SELECT currency FROM promo.promotions WHERE name = 'spend-more';
-- Renaming a promotion carries its tiers along.
UPDATE promo.promotions SET name = 'spend-more-eur' WHERE name = 'spend-more';
SELECT promotion, name FROM promo.tiers ORDER BY id;
-- Deleting it deletes its tiers.
DELETE FROM promo.promotions WHERE name = 'spend-more-eur';
SELECT count(*) AS tiers FROM promo.tiers;

-- Identity columns: creation order is assigned, never supplied.
INSERT INTO promo.promotions (id, name, currency) VALUES (1, 'forced', 'USD');

DROP FUNCTION tier_error(text, text);
DROP FUNCTION error_of(text);
DROP EXTENSION promo;
