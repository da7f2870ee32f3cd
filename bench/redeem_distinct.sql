-- promo.redeem for a random customer (of a billion: practically always a new one) and a new
-- order id; the one active promotion applies and is recorded.
\set customer random(1, 1000000000)
SELECT promo.redeem('c' || :customer,
  '{"currency": "USD", "items": [{"sku": "A", "quantity": 2, "unit_price": 2500},
                                 {"sku": "B", "quantity": 1, "unit_price": 5000}]}',
  'r-' || nextval('bench_redeem.order_seq'));
