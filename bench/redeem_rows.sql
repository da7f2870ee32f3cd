-- Not part of bench/redeem.sh's three cases: what writing the rows of one distinct-customer
-- redemption costs without promo.redeem, for comparison with bench/redeem_plain.sql. One
-- statement writes exactly the rows redeem writes for bench-redeem-once into promo's own tables
-- (with their keys, CHECK constraints, the redemptions_promotion index and the foreign key of
-- customer_usage): the usage upsert, the order with the cart digest and the stored result, the
-- redemption row; it returns the result as redeem does. No evaluation, no customer lock, no
-- counters read. Run after bench/redeem_setup.sql with bench-redeem-once active, e.g.
--   pgbench -n -M prepared -T 5 -c 8 -j 2 -f bench/redeem_rows.sql
-- and delete its orders afterwards (DELETE FROM promo.orders WHERE order_id LIKE 'q-%').
\set customer random(1, 1000000000)
WITH usage AS (
  INSERT INTO promo.customer_usage AS u (customer_id, promotion, used)
  VALUES ('c' || :customer, 'bench-redeem-once', 1)
  ON CONFLICT (customer_id, promotion) DO UPDATE SET used = u.used + 1 WHERE u.used < 1
  RETURNING u.promotion),
claimed AS (
  INSERT INTO promo.orders (order_id, customer_id, cart_digest, result)
  SELECT 'q-' || nextval('bench_redeem.order_seq'), 'c' || :customer,
    sha256(convert_to('{"currency": "USD", "items": [{"sku": "A", "quantity": 2, "unit_price": 2500},
                                      {"sku": "B", "quantity": 1, "unit_price": 5000}]}'::jsonb::text,
                      'UTF8')),
    '{"hints": [], "items": [{"sku": "A", "index": 0, "total": 4500, "discount": 500, "quantity": 2, "discounts": [{"amount": 500, "promotion": "bench-redeem-once"}], "unit_price": 2500}, {"sku": "B", "index": 1, "total": 4500, "discount": 500, "quantity": 1, "discounts": [{"amount": 500, "promotion": "bench-redeem-once"}], "unit_price": 5000}], "total": 9000, "applied": [{"tier": "$10 off", "discount": 1000, "promotion": "bench-redeem-once"}], "currency": "USD", "discount": 1000, "subtotal": 10000, "not_applied": []}'::jsonb
    FROM usage
  ON CONFLICT (order_id) DO NOTHING RETURNING order_id, result),
redemptions AS (
  INSERT INTO promo.redemptions (customer_id, order_id, promotion, tier, amount)
  SELECT 'c' || :customer, c.order_id, 'bench-redeem-once', '$10 off', 1000 FROM claimed c)
SELECT result FROM claimed;
