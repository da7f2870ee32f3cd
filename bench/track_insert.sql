-- pgbench: the same event as a plain INSERT into promo.events (the same triggers fire).
\set c random(1, 10000)
\set t random(1, 3)
INSERT INTO promo.events (customer_id, type, properties)
VALUES ('t' || lpad(:c::text, 6, '0'),
        (ARRAY['page_view', 'cart_abandoned', 'order_placed'])[:t], '{"n": 0}');
