-- The per-session cache of compiled promotions follows every change of the definitions:
-- in the same session at once, after ROLLBACK and ROLLBACK TO SAVEPOINT back to the old rules.
CREATE EXTENSION promo;

INSERT INTO promo.promotions (name, currency) VALUES ('spend-more', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('spend-more', 'from $50', 'subtotal >= 50.00', '{"percent_off": 5}');

\set cart '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 10000}]}'
CREATE FUNCTION summary(r jsonb) RETURNS text LANGUAGE sql AS $$
  SELECT format('discount %s, applied %s', r->>'discount',
                coalesce((SELECT string_agg(a->>'promotion' || ' / ' || (a->>'tier'), ', ')
                            FROM jsonb_array_elements(r->'applied') a), 'nothing'))
$$;

-- 5% of 100.00.
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
-- Update the tier: the next call sees 7%.
UPDATE promo.tiers SET discount = '{"percent_off": 7}';
SELECT summary(promo.evaluate_cart(NULL, :'cart'));

-- Inside a transaction: the change is seen at once, the rollback restores 7%.
BEGIN;
UPDATE promo.tiers SET discount = '{"percent_off": 20}';
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
INSERT INTO promo.promotions (name, currency) VALUES ('extra', 'USD');
INSERT INTO promo.tiers (promotion, name, discount) VALUES ('extra', '1.00 off', '{"amount_off": 100}');
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
ROLLBACK;
SELECT summary(promo.evaluate_cart(NULL, :'cart'));

-- A savepoint rolled back: back to what the transaction had before it.
BEGIN;
UPDATE promo.tiers SET discount = '{"percent_off": 8}';
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
SAVEPOINT s;
UPDATE promo.tiers SET discount = '{"percent_off": 30}';
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
ROLLBACK TO SAVEPOINT s;
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
COMMIT;
SELECT summary(promo.evaluate_cart(NULL, :'cart'));

-- A failed statement in a transaction after a change: the rollback restores 8%.
BEGIN;
UPDATE promo.tiers SET condition = 'subtotal >= 500.00';
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
SELECT promo.evaluate_cart(NULL, '[]');
ROLLBACK;
SELECT summary(promo.evaluate_cart(NULL, :'cart'));

-- Deactivating, reactivating, deleting and truncating.
UPDATE promo.promotions SET active = false;
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
UPDATE promo.promotions SET active = true;
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
DELETE FROM promo.tiers;
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
INSERT INTO promo.tiers (promotion, name, discount) VALUES ('spend-more', 'flat', '{"amount_off": 250}');
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
TRUNCATE promo.promotions CASCADE;
SELECT summary(promo.evaluate_cart(NULL, :'cart'));

-- Dropping and re-creating the extension in the same session: the cache follows the new
-- tables.
INSERT INTO promo.promotions (name, currency) VALUES ('before-drop', 'USD');
INSERT INTO promo.tiers (promotion, name, discount) VALUES ('before-drop', '1%', '{"percent_off": 1}');
SELECT summary(promo.evaluate_cart(NULL, :'cart'));
DROP EXTENSION promo;
CREATE EXTENSION promo;
INSERT INTO promo.promotions (name, currency) VALUES ('after-drop', 'USD');
INSERT INTO promo.tiers (promotion, name, discount) VALUES ('after-drop', '2%', '{"percent_off": 2}');
SELECT summary(promo.evaluate_cart(NULL, :'cart'));

DROP FUNCTION summary(jsonb);
DROP EXTENSION promo;
