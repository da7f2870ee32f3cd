-- pgbench: one event for a random customer of the 100,000, a random type and instant in
-- November 2026, into bench_ingest.events (the same table without triggers).
\set c random(1, 100000)
\set t random(1, 5)
\set s random(0, 2591999)
INSERT INTO bench_ingest.events (customer_id, type, occurred_at, properties)
VALUES ('b' || lpad(:c::text, 6, '0'),
        (ARRAY['page_view', 'cart_abandoned', 'order_placed', 'coupon_redeemed',
               'referral_completed'])[:t],
        timestamptz '2026-11-01 00:00+00' + :s * interval '1 second', '{"n": 0}');
