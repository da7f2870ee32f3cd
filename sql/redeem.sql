-- The "Evaluation, redemption, codes" statements of the API contract, verbatim, on a small
-- catalogue: a once-per-customer $10 off, a code-only coupon and a referral promotion.
CREATE EXTENSION IF NOT EXISTS promo;
SET client_min_messages = warning;

INSERT INTO promo.promotions (name, currency, per_customer_limit, priority)
  VALUES ('come-back-10', 'USD', 1, 10);
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '$10 off', 'subtotal >= 30.00', '{"amount_off": 1000}');
INSERT INTO promo.promotions (name, currency, requires_code)
  VALUES ('referral-15', 'USD', true);
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('referral-15', '15%', 'true', '{"percent_off": 15}');

\set cart '{"currency": "USD", "items": [{"sku": "A", "quantity": 2, "unit_price": 2500}]}'

SELECT promo.evaluate_cart('alice', :'cart'::jsonb);               -- at now()
SELECT promo.evaluate_cart('alice', :'cart'::jsonb, at => '2026-12-01 10:00+00');
SELECT promo.redeem('alice', :'cart'::jsonb, order_id => 'order-1001');
-- The same order again: the first result, nothing recorded twice.
SELECT promo.redeem('alice', :'cart'::jsonb, order_id => 'order-1001')->'applied' AS again;
SELECT order_id, customer_id, promotion, tier, amount, code, rolled_back_at IS NULL AS live
  FROM promo.redemptions;
-- The limit is reached: a second order gets nothing from come-back-10.
SELECT promo.redeem('alice', :'cart'::jsonb, order_id => 'order-1002')->'not_applied' AS limited;
-- Another cart under a used order id.
DO $$ BEGIN
  PERFORM promo.redeem('alice', '{"currency": "USD", "items": []}', order_id => 'order-1001');
EXCEPTION WHEN unique_violation THEN RAISE WARNING '%: %', SQLSTATE, SQLERRM;
END $$;
SELECT promo.rollback_redemption('order-1001');
SELECT promo.rollback_redemption('order-1001') - 'rolled_back_at' AS twice;
SELECT promotion, used FROM promo.customer_usage;
-- After the rollback alice may use come-back-10 again.
SELECT promo.redeem('alice', :'cart'::jsonb, order_id => 'order-1003')->'applied' AS applied;

\o /dev/null
SELECT * FROM promo.generate_codes('come-back-10', 100, prefix => 'CB-');
SELECT promo.referral_code('alice', 'referral-15');
\o
SELECT count(*) AS codes, count(DISTINCT code) AS distinct_codes,
       bool_and(code ~ '^CB-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$') AS well_formed,
       bool_and(max_uses = 1 AND uses = 0) AS single_use
  FROM promo.codes WHERE promotion = 'come-back-10';
-- The referral code is stable.
SELECT promo.referral_code('alice', 'referral-15') = promo.referral_code('alice', 'referral-15')
       AS stable,
       promo.referral_code('alice', 'referral-15') ~ '^REF-[2-9A-HJ-NP-Z]{8}$' AS well_formed;

-- bob redeems alice's referral code (lower case, with spaces) plus an unknown code.
SELECT jsonb_set(:'cart'::jsonb, '{codes}',
                 jsonb_build_array(' ' || lower(promo.referral_code('alice', 'referral-15')),
                                   'NOPE')) AS bob_cart \gset
SELECT r->'applied'->1->>'promotion' AS promotion, r->'applied'->1->>'discount' AS discount,
       (r->'applied'->1->>'code') = promo.referral_code('alice', 'referral-15') AS code_shown,
       r->'not_applied' AS not_applied
  FROM promo.redeem('bob', :'bob_cart'::jsonb, order_id => 'order-2001') AS r;
SELECT customer_id, type, properties ? 'code' AS has_code FROM promo.events
 ORDER BY customer_id, type;
-- alice cannot use her own code.
SELECT x->>'reason_code' AS reason_code, x->>'reason' AS reason
  FROM jsonb_array_elements(promo.evaluate_cart('alice', jsonb_set(:'cart'::jsonb, '{codes}',
         jsonb_build_array(promo.referral_code('alice', 'referral-15'))))->'not_applied') x
 WHERE x->>'promotion' = 'referral-15';

-- Rolling bob's order back gives the code use back and removes both events.
SELECT promo.rollback_redemption('order-2001')->'rolled_back' AS rolled_back;
SELECT count(*) AS events FROM promo.events;
SELECT kind, uses FROM promo.codes WHERE kind = 'referral';

SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats ORDER BY promotion;

DROP EXTENSION promo CASCADE;
