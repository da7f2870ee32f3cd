-- Tactic T4 end to end through real redemptions: "15% off if the customer redeemed a coupon
-- this month or referred someone". Nobody writes coupon_redeemed or referral_completed events
-- by hand here: redeeming a generated coupon code writes coupon_redeemed for the redeemer, and
-- redeeming someone's referral code also writes referral_completed for its owner, so the
-- segments redeemed-this-month and referrers follow; rolling the orders back takes them away.
-- Random codes are shown through labels (C1, REF-ALICE, ...). Cart: 100.00 USD.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

CREATE TABLE labels (code text PRIMARY KEY, label text NOT NULL);
CREATE FUNCTION label(c text) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce((SELECT label FROM labels WHERE code = c), c)
$$;
CREATE FUNCTION show_result(r jsonb) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT line FROM (
    SELECT 1 AS part, 0::bigint AS n,
           format('%s subtotal %s, discount %s, total %s',
                  r->>'currency', r->>'subtotal', r->>'discount', r->>'total') AS line
    UNION ALL
    SELECT 2, a.n, format('applied %s / %s: %s%s', a.v->>'promotion', a.v->>'tier',
                          a.v->>'discount', ' code ' || label(a.v->>'code'))
      FROM jsonb_array_elements(r->'applied') WITH ORDINALITY a(v, n)
    UNION ALL
    SELECT 4, x.n, format('not_applied %s [%s]: %s', x.v->>'promotion', x.v->>'reason_code',
                          x.v->>'reason')
      FROM jsonb_array_elements(r->'not_applied') WITH ORDINALITY x(v, n)
  ) s ORDER BY part, n
$$;
CREATE FUNCTION cart(code_label text DEFAULT NULL) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('currency', 'USD',
           'items', '[{"sku": "A", "quantity": 1, "unit_price": 10000}]'::jsonb)
         || CASE WHEN code_label IS NULL THEN '{}'::jsonb
                 ELSE jsonb_build_object('codes', jsonb_build_array(
                        (SELECT code FROM labels WHERE label = code_label))) END
$$;
CREATE FUNCTION show_events() RETURNS TABLE (customer_id text, type text, occurred_at timestamptz,
                                             source text, source_key text)
LANGUAGE sql AS $$
  SELECT customer_id, type, occurred_at, source, source_key FROM promo.events
   ORDER BY occurred_at, customer_id, type
$$;
CREATE FUNCTION show_membership() RETURNS TABLE (customer_id text, segment text,
                                                 valid_from timestamptz, valid_until timestamptz)
LANGUAGE sql AS $$
  SELECT customer_id, segment, valid_from, valid_until FROM promo.segment_membership
   ORDER BY customer_id, segment, valid_from
$$;

INSERT INTO promo.segments (name, definition) VALUES
  ('redeemed-this-month', 'count(''coupon_redeemed'', since => start_of_month()) >= 1'),
  ('referrers',           'count(''referral_completed'') >= 1');
-- T4 itself, and the two ways into it: a coupon promotion and a referral promotion.
INSERT INTO promo.promotions (name, currency) VALUES ('loyal-15', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('loyal-15', '15%', 'in_segment(''redeemed-this-month'') or in_segment(''referrers'')',
          '{"percent_off": 15}');
INSERT INTO promo.promotions (name, currency, requires_code) VALUES ('spring-5', 'USD', true);
INSERT INTO promo.tiers (promotion, name, discount)
  VALUES ('spring-5', '$5 off', '{"amount_off": 500}');
INSERT INTO promo.promotions (name, currency, requires_code) VALUES ('referral-15', 'USD', true);
INSERT INTO promo.tiers (promotion, name, discount)
  VALUES ('referral-15', '$15 off', '{"amount_off": 1500}');

-- A coupon for bob.
INSERT INTO labels SELECT code, 'C1' FROM promo.generate_codes('spring-5', 1, prefix => 'SP-');

-- 11-20 12:00: bob redeems it: spring-5 500 (loyal-15 does not apply yet: the event is written
-- by this redemption, after the evaluation). coupon_redeemed for bob at 11-20 12:00, source
-- promo.redemptions / order-b1.
SELECT show_result(promo.redeem('bob', cart('C1'), order_id => 'order-b1',
                                at => '2026-11-20 12:00+00'));
SELECT * FROM show_events();
-- redeemed-this-month [11-20 12:00, 12-01 00:00).
SELECT * FROM show_membership();
-- 11-25: loyal-15 applies: 15% of 10000 = 1500 (spring-5: code_required, he has no code now).
SELECT show_result(promo.evaluate_cart('bob', cart(), at => '2026-11-25 12:00+00'));
-- 12-01: a new month: not in the segment.
SELECT show_result(promo.evaluate_cart('bob', cart(), at => '2026-12-01 00:00+00'));

-- alice's referral code: stable (the same code on every call), kind referral, owner alice,
-- unlimited uses.
INSERT INTO labels SELECT promo.referral_code('alice', 'referral-15'), 'REF-ALICE';
SELECT promo.referral_code('alice', 'referral-15') = (SELECT code FROM labels
                                                      WHERE label = 'REF-ALICE') AS stable;
SELECT label(code), promotion, customer_id, owner_customer_id, kind, max_uses, uses
  FROM promo.codes ORDER BY label(code);
-- carol redeems alice's code on 11-21 10:00: referral-15 1500 with code REF-ALICE;
-- coupon_redeemed for carol and referral_completed for alice, both at 11-21 10:00.
SELECT show_result(promo.redeem('carol', cart('REF-ALICE'), order_id => 'order-c1',
                                at => '2026-11-21 10:00+00'));
SELECT * FROM show_events();
-- alice is a referrer from 11-21 10:00 on: loyal-15 applies for her on 11-22.
SELECT * FROM show_membership();
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-22 12:00+00'));
-- alice uses her own code on 11-22: referral-15 [code_not_yours] "a referral code cannot be
-- used by its owner"; loyal-15 applies (1500); no event is written for the code.
SELECT show_result(promo.redeem('alice', cart('REF-ALICE'), order_id => 'order-a1',
                                at => '2026-11-22 12:00+00'));
SELECT count(*) AS alice_code_events FROM promo.events
 WHERE source_key = 'order-a1' AND type IN ('coupon_redeemed', 'referral_completed');
-- dan redeems it too on 11-23: a second referral_completed for alice; the code has 2 uses.
SELECT show_result(promo.redeem('dan', cart('REF-ALICE'), order_id => 'order-d1',
                                at => '2026-11-23 09:00+00'));
SELECT label(code), kind, max_uses, uses FROM promo.codes ORDER BY label(code);
-- carol's referral code is her own, different from alice's.
INSERT INTO labels SELECT promo.referral_code('carol', 'referral-15'), 'REF-CAROL';
SELECT count(DISTINCT code) AS referral_codes FROM promo.codes WHERE kind = 'referral';
SELECT order_id, customer_id, promotion, tier, amount, label(code) AS code
  FROM promo.redemptions ORDER BY order_id, promotion;

-- Rolling back carol's order removes her coupon_redeemed and alice's first referral_completed;
-- alice stays a referrer through dan's (from 11-23 09:00 now); rolling back dan's too makes
-- her leave referrers, and loyal-15 no longer applies for her.
SELECT promo.rollback_redemption('order-c1') IS NOT NULL AS rolled_back;
SELECT * FROM show_events();
SELECT * FROM show_membership();
SELECT promo.rollback_redemption('order-d1') IS NOT NULL AS rolled_back;
SELECT * FROM show_membership();
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-24 12:00+00'));
SELECT label(code), kind, max_uses, uses FROM promo.codes ORDER BY label(code);
SELECT * FROM promo.verify_segments();

DROP FUNCTION show_membership();
DROP FUNCTION show_events();
DROP FUNCTION cart(text);
DROP FUNCTION show_result(jsonb);
DROP FUNCTION label(text);
DROP TABLE labels;
DROP EXTENSION promo;
