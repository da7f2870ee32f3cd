-- Idempotency on order_id: the same order again (same customer, same cart) returns the first
-- result and records nothing, even after the promotions changed or at a later instant; a
-- different cart or a different customer under a used order_id is an error naming the order
-- (SQLSTATE 23505); an order whose redeem was rolled back with the caller's transaction was
-- never used and can be redeemed afresh.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';

\i sql/include/error_of.sql
CREATE FUNCTION counts() RETURNS TABLE (orders bigint, redemptions bigint, usage bigint,
                                        slots_used bigint)
LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM promo.orders), (SELECT count(*) FROM promo.redemptions),
         (SELECT coalesce(sum(used), 0) FROM promo.customer_usage),
         (SELECT coalesce(sum(used), 0) FROM promo.promotion_slots)
$$;
CREATE TABLE first_results (order_id text PRIMARY KEY, result jsonb);

-- 10% off with a per-customer limit of 3 and a total limit of 5.
INSERT INTO promo.promotions (name, currency, per_customer_limit, total_limit)
  VALUES ('ten', 'USD', 3, 5);
INSERT INTO promo.tiers (promotion, name, discount) VALUES ('ten', '10%', '{"percent_off": 10}');

-- The first redeem: 10% of 4500 = 450.
INSERT INTO first_results SELECT 'order-1', promo.redeem('alice',
  '{"currency": "USD", "items": [{"sku": "A", "quantity": 3, "unit_price": 1500}]}',
  order_id => 'order-1', at => '2026-11-19 12:00+00');
SELECT result->>'discount' AS discount, result->>'total' AS total FROM first_results;
SELECT * FROM counts();
-- Again, the same cart written differently (key order, spacing): the stored result, equal to
-- the first one; nothing more recorded (1 order, 1 redemption, usage 1, 1 slot used).
SELECT promo.redeem('alice',
  '{"items": [{"unit_price": 1500, "quantity": 3, "sku": "A"}],   "currency": "USD"}',
  order_id => 'order-1', at => '2026-11-19 12:00+00')
  = (SELECT result FROM first_results WHERE order_id = 'order-1') AS same_result;
SELECT * FROM counts();
-- At a later instant, and after the promotion became 20%: still the first result.
UPDATE promo.tiers SET discount = '{"percent_off": 20}' WHERE promotion = 'ten';
SELECT promo.redeem('alice',
  '{"currency": "USD", "items": [{"sku": "A", "quantity": 3, "unit_price": 1500}]}',
  order_id => 'order-1', at => '2026-11-20 12:00+00')
  = (SELECT result FROM first_results WHERE order_id = 'order-1') AS same_result;
SELECT * FROM counts();
-- A different cart under the same order: an error naming the order; nothing recorded.
SELECT error_of($$SELECT promo.redeem('alice',
  '{"currency": "USD", "items": [{"sku": "A", "quantity": 4, "unit_price": 1500}]}',
  order_id => 'order-1', at => '2026-11-19 12:00+00')$$);
-- A different customer with the same cart under the same order: an error too.
SELECT error_of($$SELECT promo.redeem('bob',
  '{"currency": "USD", "items": [{"sku": "A", "quantity": 3, "unit_price": 1500}]}',
  order_id => 'order-1', at => '2026-11-19 12:00+00')$$);
SELECT * FROM counts();
-- A different code list is a different cart.
SELECT error_of($$SELECT promo.redeem('alice',
  '{"currency": "USD", "items": [{"sku": "A", "quantity": 3, "unit_price": 1500}],
    "codes": ["WHATEVER1"]}',
  order_id => 'order-1', at => '2026-11-19 12:00+00')$$);

-- Twice in one transaction: the second call returns the first result (20% of 1000 = 200).
BEGIN;
SELECT promo.redeem('alice',
  '{"currency": "USD", "items": [{"sku": "B", "quantity": 1, "unit_price": 1000}]}',
  order_id => 'order-2')->>'discount' AS discount;
SELECT promo.redeem('alice',
  '{"currency": "USD", "items": [{"sku": "B", "quantity": 1, "unit_price": 1000}]}',
  order_id => 'order-2')->>'discount' AS discount;
COMMIT;
SELECT * FROM counts();

-- The caller rolls back: order-3 was never used; redeemed again later with another cart it
-- is a new order (20% of 2000 = 400).
BEGIN;
SELECT promo.redeem('alice',
  '{"currency": "USD", "items": [{"sku": "C", "quantity": 1, "unit_price": 5000}]}',
  order_id => 'order-3')->>'discount' AS discount;
ROLLBACK;
SELECT * FROM counts();
SELECT promo.redeem('alice',
  '{"currency": "USD", "items": [{"sku": "C", "quantity": 1, "unit_price": 2000}]}',
  order_id => 'order-3')->>'discount' AS discount;
SELECT * FROM counts();

-- The per-customer limit of 3 is spent (orders 1, 2, 3): a 4th order gets nothing, and
-- retrying it returns that same answer (limit_reached), even after the limit is raised.
SELECT promo.redeem('alice',
  '{"currency": "USD", "items": [{"sku": "D", "quantity": 1, "unit_price": 1000}]}',
  order_id => 'order-4')->'not_applied' AS not_applied;
UPDATE promo.promotions SET per_customer_limit = 10 WHERE name = 'ten';
SELECT promo.redeem('alice',
  '{"currency": "USD", "items": [{"sku": "D", "quantity": 1, "unit_price": 1000}]}',
  order_id => 'order-4')->'not_applied' AS not_applied;
SELECT * FROM counts();
SELECT order_id, customer_id, promotion, tier, amount FROM promo.redemptions ORDER BY order_id;

DROP TABLE first_results;
DROP FUNCTION counts();
DROP FUNCTION error_of(text);
DROP EXTENSION promo;
