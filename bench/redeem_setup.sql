-- Set-up for bench/redeem.sh: schema bench_redeem with
--   * plain tables orders / redemptions of the same shape and keys as promo.orders and
--     promo.redemptions, without triggers or checks, for the plain transaction;
--   * a sequence for order ids;
--   * two promotions: bench-redeem-once (once per customer: every distinct customer gets it)
--     and bench-redeem-hot (a total_limit far above what a run can reach, so every call takes
--     a unit from the same split counter); the runner activates one at a time.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench_redeem CASCADE;
CREATE SCHEMA bench_redeem;
CREATE SEQUENCE bench_redeem.order_seq CACHE 100;
CREATE TABLE bench_redeem.orders (
  order_id    text PRIMARY KEY,
  customer_id text,
  result      jsonb NOT NULL,
  redeemed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE bench_redeem.redemptions (
  customer_id text NOT NULL,
  order_id    text NOT NULL,
  promotion   text NOT NULL,
  tier        text NOT NULL,
  amount      bigint NOT NULL,
  code        text,
  redeemed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, order_id, promotion)
);

DELETE FROM promo.promotions WHERE name LIKE 'bench-redeem-%';
INSERT INTO promo.promotions (name, currency, per_customer_limit, active)
  VALUES ('bench-redeem-once', 'USD', 1, false);
INSERT INTO promo.promotions (name, currency, total_limit, active)
  VALUES ('bench-redeem-hot', 'USD', 1000000000, false);
INSERT INTO promo.tiers (promotion, name, discount) VALUES
  ('bench-redeem-once', '$10 off', '{"amount_off": 1000}'),
  ('bench-redeem-hot', '$10 off', '{"amount_off": 1000}');
