-- pgbench: one event through promo.track for a random customer of the 10,000.
\set c random(1, 10000)
\set t random(1, 3)
SELECT promo.track('t' || lpad(:c::text, 6, '0'),
                   (ARRAY['page_view', 'cart_abandoned', 'order_placed'])[:t], '{"n": 0}');
