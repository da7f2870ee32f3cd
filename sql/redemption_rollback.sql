-- Two ways to undo a redemption. (1) The caller's transaction rolls back: nothing remains (no
-- order, redemption, usage, slot, budget, code use or event). (2) promo.rollback_redemption(
-- order_id) after commit: the order and its redemptions are marked rolled_back_at (kept, not
-- deleted); the customer's usage, the total-limit slot, the budget and the code use are given
-- back; the events the redemption wrote are deleted, so segments follow. Twice is harmless;
-- a rolled-back order_id cannot be redeemed again.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

\i sql/include/error_of.sql
-- Everything a redemption uses up or writes, in one row.
CREATE FUNCTION state() RETURNS TABLE (orders bigint, orders_rolled_back bigint,
                                       live_redemptions bigint, rolled_back_redemptions bigint,
                                       usage bigint, slots_used bigint, budget_used bigint,
                                       code_uses bigint, events bigint, members bigint)
LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM promo.orders),
         (SELECT count(*) FROM promo.orders WHERE rolled_back_at IS NOT NULL),
         (SELECT count(*) FROM promo.redemptions WHERE rolled_back_at IS NULL),
         (SELECT count(*) FROM promo.redemptions WHERE rolled_back_at IS NOT NULL),
         (SELECT coalesce(sum(used), 0) FROM promo.customer_usage),
         (SELECT coalesce(sum(used), 0) FROM promo.promotion_slots),
         (SELECT coalesce(sum(used), 0) FROM promo.promotion_budget),
         (SELECT coalesce(sum(uses), 0) FROM promo.codes),
         (SELECT count(*) FROM promo.events),
         (SELECT count(*) FROM promo.segment_membership)
$$;
CREATE FUNCTION cart(code text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('currency', 'USD',
           'items', '[{"sku": "A", "quantity": 1, "unit_price": 10000}]'::jsonb,
           'codes', jsonb_build_array(code))
$$;
CREATE TABLE my_codes (n int PRIMARY KEY, code text NOT NULL);

INSERT INTO promo.segments (name, definition) VALUES
  ('redeemed-this-month', 'count(''coupon_redeemed'', since => start_of_month()) >= 1');
-- Every kind of limit at once: once per customer, 2 in total, a budget of 15.00, a code.
INSERT INTO promo.promotions (name, currency, per_customer_limit, total_limit, budget,
                              requires_code)
  VALUES ('all-limits', 'USD', 1, 2, 1500, true);
INSERT INTO promo.tiers (promotion, name, discount)
  VALUES ('all-limits', '$10 off', '{"amount_off": 1000}');
INSERT INTO my_codes SELECT row_number() OVER (), code
  FROM promo.generate_codes('all-limits', 2, prefix => 'AL-');
SELECT state();

-- (1) The caller rolls back: 1000 granted inside, nothing left after.
BEGIN;
SELECT promo.redeem('alice', cart((SELECT code FROM my_codes WHERE n = 1)),
                    order_id => 'order-a1', at => '2026-11-19 12:00+00')->>'discount' AS discount;
SELECT state();
ROLLBACK;
SELECT state();

-- (2) alice redeems code 1 and commits: 1000; 1 order, 1 redemption, usage 1, 1 slot, 1000 of
-- the budget, 1 code use, 1 event, 1 membership row.
SELECT promo.redeem('alice', cart((SELECT code FROM my_codes WHERE n = 1)),
                    order_id => 'order-a1', at => '2026-11-19 12:00+00')->>'discount' AS discount;
SELECT state();
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats;
-- rollback_redemption gives everything back (it answers with what it released); the rows
-- stay, marked.
SELECT r->>'rolled_back' AS rolled_back, r->>'reason' AS reason,
       jsonb_array_length(r->'released') AS released, r->'released'->0->>'amount' AS amount
  FROM promo.rollback_redemption('order-a1') r;
SELECT state();
SELECT order_id, rolled_back_at IS NOT NULL AS rolled_back FROM promo.orders;
SELECT order_id, promotion, amount, rolled_back_at IS NOT NULL AS rolled_back
  FROM promo.redemptions;
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats;
-- Twice: harmless (it answers that the order was already rolled back), nothing changes.
SELECT r->>'rolled_back' AS rolled_back, r->>'reason' AS reason,
       jsonb_array_length(r->'released') AS released, r->'released'->0->>'amount' AS amount
  FROM promo.rollback_redemption('order-a1') r;
SELECT state();
-- The rolled-back order_id cannot be redeemed again.
SELECT error_of($$SELECT promo.redeem('alice', cart((SELECT code FROM my_codes WHERE n = 1)),
                  order_id => 'order-a1', at => '2026-11-19 12:00+00')$$);
-- An order that does not exist.
SELECT error_of($$SELECT promo.rollback_redemption('no-such-order')$$);

-- What was given back can be used again: alice (once per customer) with the same code
-- (single use): 1000 again; bob with code 2: the budget has 500 left: 500 (partial).
SELECT promo.redeem('alice', cart((SELECT code FROM my_codes WHERE n = 1)),
                    order_id => 'order-a2', at => '2026-11-20 12:00+00')->>'discount' AS discount;
SELECT promo.redeem('bob', cart((SELECT code FROM my_codes WHERE n = 2)),
                    order_id => 'order-b1', at => '2026-11-20 12:00+00')->>'discount' AS discount;
SELECT state();
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats;
-- Roll back bob's: budget 1000 used, 1 slot, 1 code use; his membership is gone, alice's stays.
SELECT promo.rollback_redemption('order-b1') IS NOT NULL AS done;
SELECT state();
SELECT customer_id, segment, valid_from, valid_until FROM promo.segment_membership;
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats;
-- Rolling back inside a transaction that then aborts changes nothing.
BEGIN;
SELECT promo.rollback_redemption('order-a2') IS NOT NULL AS done;
ROLLBACK;
SELECT state();
-- An order on which nothing applied can be rolled back too.
SELECT promo.redeem('carol', cart('NOPE-NOPE'), order_id => 'order-c1')->>'discount' AS discount;
SELECT promo.rollback_redemption('order-c1') IS NOT NULL AS done;
SELECT state();
SELECT * FROM promo.verify_segments();

DROP TABLE my_codes;
DROP FUNCTION cart(text);
DROP FUNCTION state();
DROP FUNCTION error_of(text);
DROP EXTENSION promo;
