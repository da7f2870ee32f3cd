-- The plain transaction redeem is compared with: one statement (one round trip, like redeem)
-- inserting an order row with its result and one redemption row, without any check.
\set customer random(1, 1000000000)
WITH o AS (
  INSERT INTO bench_redeem.orders (order_id, customer_id, result)
  VALUES ('p-' || nextval('bench_redeem.order_seq'), 'c' || :customer,
    '{"currency": "USD", "items": [{"sku": "A", "quantity": 2, "unit_price": 2500},
                                   {"sku": "B", "quantity": 1, "unit_price": 5000}]}')
  RETURNING order_id, customer_id)
INSERT INTO bench_redeem.redemptions (customer_id, order_id, promotion, tier, amount)
SELECT customer_id, order_id, 'bench-redeem-once', '$10 off', 1000 FROM o;
