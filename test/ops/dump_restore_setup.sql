-- Data for the dump/restore test (test/ops/dump_restore.sh): a bit of every kind of row promo
-- keeps: segments (one reading another), customers, events (direct and mirrored from a tracked
-- shop table), promotions with tiers, a per-customer limit, a total_limit, a budget and a
-- required code, generated and referral codes, two redemptions of which one is rolled back, and
-- the database's time zone.
CREATE EXTENSION promo;
-- A zone other than UTC, so that the restore must carry it (start_of_week() below depends on it).
SELECT promo.set_timezone('America/New_York');

CREATE SCHEMA shop;
CREATE TABLE shop.orders (order_id text PRIMARY KEY, customer_id text NOT NULL,
                          created_at timestamptz NOT NULL);
SELECT promo.track_events('shop.orders', 'customer_id', type => 'order_placed',
                          time_column => 'created_at');

INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-cart', $$last('cart_abandoned') > last('order_placed')$$),
  ('abandoned-2-days', $$in_segment('abandoned-cart') and last('cart_abandoned') <= now() - '2 days'$$),
  ('new-this-week', $$signed_up_at >= start_of_week()$$),
  ('gold', $$customer.tier = 'gold'$$);

INSERT INTO promo.customers (customer_id, signed_up_at, attributes) VALUES
  ('alice', '2026-11-02 09:00+00', '{"tier": "gold"}'),
  ('bob', '2026-11-25 10:00+00', '{}'),
  ('carol', '2026-10-01 08:00+00', '{"tier": "silver"}');
INSERT INTO promo.events (customer_id, type, occurred_at, properties) VALUES
  ('alice', 'cart_abandoned', '2026-11-20 10:00+00', '{"value": 12000}'),
  ('bob', 'cart_abandoned', '2026-11-24 18:00+00', '{}'),
  ('dave', 'cart_abandoned', '2026-11-10 07:00+00', '{}');
INSERT INTO shop.orders VALUES ('shop-1', 'bob', '2026-11-25 11:00+00'),
                               ('shop-2', 'carol', '2026-11-01 12:00+00');

INSERT INTO promo.promotions (name, currency, per_customer_limit, total_limit, budget, priority)
  VALUES ('come-back-10', 'USD', 1, 40, 100000, 10);
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('come-back-10', '$10 off', $$in_segment('abandoned-cart')$$, '{"amount_off": 1000}');
INSERT INTO promo.promotions (name, currency, requires_code) VALUES ('vip-5', 'USD', true);
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('vip-5', '5% over $50', 'subtotal >= 50.00', '{"percent_off": 5}');
INSERT INTO promo.promotions (name, currency) VALUES ('gold-spend', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('gold-spend', '10% from $100', $$in_segment('gold') and subtotal >= 100.00$$,
   '{"percent_off": 10}'),
  ('gold-spend', '15% from $200', $$in_segment('gold') and subtotal >= 200.00$$,
   '{"percent_off": 15}');

SELECT count(*) AS coupons FROM promo.generate_codes('vip-5', 5, prefix => 'VIP-');
SELECT promo.referral_code('carol', 'vip-5') IS NOT NULL AS referral;
INSERT INTO promo.codes (code, promotion, max_uses) VALUES ('WELCOME', 'vip-5', 10);

-- Two redemptions; the second is rolled back (kept with rolled_back_at).
SELECT promo.redeem('alice',
  '{"currency": "USD", "codes": ["welcome"],
    "items": [{"sku": "A", "quantity": 2, "unit_price": 6000}]}', 'order-1',
  '2026-11-22 12:00+00') ->> 'discount' AS order_1_discount;
SELECT promo.redeem('dave',
  '{"currency": "USD", "items": [{"sku": "B", "quantity": 1, "unit_price": 3000}]}', 'order-2',
  '2026-11-22 13:00+00') ->> 'discount' AS order_2_discount;
SELECT promo.rollback_redemption('order-2') ->> 'rolled_back' AS order_2_rolled_back;

-- Automation, when the extension has it: a reminder for abandoned-2-days, one run_due that
-- queues alice's message (an outbox row with a code of vip-5), claimed once and not acked.
DO $automation$
BEGIN
  IF pg_catalog.to_regclass('promo.reminders') IS NOT NULL THEN
    INSERT INTO promo.reminders (segment, promotion, channel, template, entries_since)
      VALUES ('abandoned-2-days', 'vip-5', 'email', '{"subject": "Still thinking?"}',
              '2026-01-01 00:00+00');
    PERFORM promo.run_due(at => '2026-11-23 12:00+00');
  END IF;
END
$automation$;
