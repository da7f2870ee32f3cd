-- Segment maintenance: bad definitions rejected with a position and nothing written; events by
-- COPY and by a large INSERT ... SELECT; deletes and updates of events and of customers;
-- promo.track_events on an application's own table; a definition change rebuilds membership
-- (with progress NOTICEs); a segment in use cannot be dropped or renamed; bad event input.
-- verify_segments() (a from-scratch recomputation) is empty after every scenario.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

\i sql/include/error_of.sql
-- Membership rows of the customers whose id matches a pattern.
CREATE FUNCTION members(pattern text)
  RETURNS TABLE (customer_id text, segment text, valid_from timestamptz, valid_until timestamptz)
  LANGUAGE sql AS $$
  SELECT customer_id, segment, valid_from, valid_until FROM promo.segment_membership
   WHERE customer_id ~ pattern ORDER BY customer_id, segment, valid_from
$$;

INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-cart', 'last(''cart_abandoned'') > last(''order_placed'')'),
  ('abandoned-2-days', 'last(''cart_abandoned'') > last(''order_placed'')
                        and last(''cart_abandoned'') <= now() - ''2 days'''),
  ('polish', 'customer.country = ''PL'''),
  ('abandoned-polish', 'in_segment(''abandoned-cart'') and in_segment(''polish'')'),
  ('new-this-week', 'signed_up_at >= start_of_week()'),
  ('page-viewer', 'count(''page_view'') >= 8'),
  ('ordered', 'count(''order_placed'') >= 1');

-- 1. Bad definitions: SQLSTATE, message with position; the row is not written.
SELECT definition, error_of(format(
         'INSERT INTO promo.segments (name, definition) VALUES (%L, %L)', 'bad', definition))
  FROM (VALUES
    ('count(''order_placed'') >='),
    ('count(''order_placed'') >= 1 andd true'),
    ('cnt(''order_placed'') >= 1'),
    ('in_segment(''nope'')'),
    ('subtotal >= 50'),
    ('has(sku = ''A'')'),
    ('count(''order_placed'')'),
    ('last(''order_placed'') >= now() - ''1 month'''),
    ('count(''order_placed'', within => ''2 dayz'') >= 1'),
    ('now() - last(''order_placed'') > ''1 day''')
  ) AS t(definition);
-- A segment reading itself, and a cycle through an update (polish -> abandoned-polish -> polish).
SELECT error_of($$INSERT INTO promo.segments (name, definition)
                  VALUES ('loop', 'in_segment(''loop'')')$$);
SELECT error_of($$UPDATE promo.segments SET definition = 'in_segment(''abandoned-polish'')'
                   WHERE name = 'polish'$$);
SELECT name, definition FROM promo.segments ORDER BY name;

-- 2. A small COPY.
COPY promo.events (customer_id, type, occurred_at, properties) FROM STDIN;
dave	cart_abandoned	2026-11-18 08:00:00+00	{"cart_value": 4200}
erin	page_view	2026-11-18 08:00:00+00	{}
erin	cart_abandoned	2026-11-18 09:00:00+00	{"cart_value": 100}
erin	order_placed	2026-11-19 09:00:00+00	{"order_id": "o-1"}
\.
-- dave: abandoned-cart [11-18 08:00, infinity), abandoned-2-days [11-20 08:00, infinity).
-- erin: abandoned-cart [11-18 09:00, 11-19 09:00), ordered [11-19 09:00, infinity).
SELECT * FROM members('^(dave|erin)$');
SELECT * FROM promo.verify_segments();

-- 3. 20,000 events for 2,000 customers c0001 .. c2000 in one statement, 10 per customer, on
-- 2026-11-01 at 01:00 .. 10:00 (k hours): cart_abandoned at 05:00; for every fourth customer
-- (i % 4 = 0) an order_placed at 09:00; page_view otherwise.
--   abandoned-cart:   1500 open-ended from 05:00, 500 on [05:00, 09:00)
--   abandoned-2-days: 1500 from 11-03 05:00 (the other 500 ordered within 2 days)
--   page-viewer:      the 8th page view: 09:00 for 1500 (9 page views), 10:00 for 500 (8)
--   ordered:          500 from 09:00
INSERT INTO promo.events (customer_id, type, occurred_at, properties)
SELECT 'c' || lpad(i::text, 4, '0'),
       CASE WHEN k = 5 THEN 'cart_abandoned'
            WHEN k = 9 AND i % 4 = 0 THEN 'order_placed'
            ELSE 'page_view' END,
       timestamptz '2026-11-01 00:00+00' + k * interval '1 hour',
       jsonb_build_object('n', k)
  FROM generate_series(1, 2000) AS i, generate_series(1, 10) AS k;
CREATE FUNCTION bulk_summary()
  RETURNS TABLE (segment text, rows bigint, customers bigint, open_ended bigint,
                 first_from timestamptz, last_from timestamptz, last_until timestamptz)
  LANGUAGE sql AS $$
  SELECT segment, count(*), count(DISTINCT customer_id),
         count(*) FILTER (WHERE valid_until = 'infinity'), min(valid_from), max(valid_from),
         max(valid_until) FILTER (WHERE valid_until <> 'infinity')
    FROM promo.segment_membership WHERE customer_id ~ '^c[0-9]{4}$'
   GROUP BY segment ORDER BY segment
$$;
SELECT * FROM bulk_summary();
SELECT * FROM promo.verify_segments();

-- Deleting the orders of the 100 customers c0004, c0008, .. c0400: they stay abandoned.
--   abandoned-cart 1600 open-ended, 400 closed; abandoned-2-days 1600; ordered 400.
DELETE FROM promo.events
 WHERE type = 'order_placed' AND customer_id ~ '^c[0-9]{4}$' AND customer_id <= 'c0400';
SELECT * FROM bulk_summary();
SELECT * FROM promo.verify_segments();

-- Updates of events:
--   c0404 abandons at 11:00 instead of 05:00, after its 09:00 order: abandoned-cart
--     [11:00, infinity), abandoned-2-days [11-03 11:00, infinity).
--   c0405's 10:00 page view becomes an order: abandoned-cart [05:00, 10:00), no
--     abandoned-2-days, ordered [10:00, infinity), page-viewer still from its 8th page view
--     at 09:00.
--   c0406's abandonment moves to c0407: c0406 keeps only page-viewer; c0407 (two abandonments
--     at 05:00) is unchanged.
UPDATE promo.events SET occurred_at = '2026-11-01 11:00+00'
 WHERE customer_id = 'c0404' AND type = 'cart_abandoned';
UPDATE promo.events SET type = 'order_placed'
 WHERE customer_id = 'c0405' AND occurred_at = '2026-11-01 10:00+00';
UPDATE promo.events SET customer_id = 'c0407'
 WHERE customer_id = 'c0406' AND type = 'cart_abandoned';
SELECT * FROM members('^c040[4-7]$');
SELECT * FROM promo.verify_segments();

-- 4. Customers: inserts, updates of attributes and signed_up_at, deletes.
-- dave signs up on Wednesday 11-25 10:00 from Poland:
--   polish [-infinity, infinity), abandoned-polish [11-18 08:00, infinity),
--   new-this-week [11-25 10:00, 11-30 00:00), plus his abandonment segments.
INSERT INTO promo.customers (customer_id, signed_up_at, attributes)
  VALUES ('dave', '2026-11-25 10:00+00', '{"country": "PL"}');
SELECT * FROM members('^dave$');
-- He moves to Germany: polish and abandoned-polish go.
UPDATE promo.customers SET attributes = '{"country": "DE"}' WHERE customer_id = 'dave';
SELECT * FROM members('^dave$');
-- His sign-up is corrected to Monday 11-30 00:00: new-this-week [11-30 00:00, 12-07 00:00).
UPDATE promo.customers SET signed_up_at = '2026-11-30 00:00+00' WHERE customer_id = 'dave';
SELECT * FROM members('^dave$');
-- The customer row goes; his events stay: only the abandonment segments remain.
DELETE FROM promo.customers WHERE customer_id = 'dave';
SELECT * FROM members('^dave$');
SELECT * FROM promo.verify_segments();

-- 5. Definition changes rebuild membership, including the segments that read the changed one,
-- for every customer (2,000 c-customers, dave, erin and hank: 2,003), in batches of 1,000.
-- hank (Polish) abandoned on 11-10 08:00 and ordered on 11-11 08:00.
INSERT INTO promo.customers (customer_id, signed_up_at, attributes)
  VALUES ('hank', NULL, '{"country": "PL"}');
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES
  ('hank', 'cart_abandoned', '2026-11-10 08:00+00'), ('hank', 'order_placed', '2026-11-11 08:00+00');
SELECT * FROM members('^hank$');
-- page-viewer needs 9 page views now: 1,499 members (i % 4 <> 0, except c0405 which has 8),
-- all from 10:00.
UPDATE promo.segments SET definition = 'count(''page_view'') >= 9' WHERE name = 'page-viewer';
SELECT * FROM bulk_summary() WHERE segment = 'page-viewer';
-- abandoned-cart becomes "ever abandoned": hank [11-10 08:00, infinity) in abandoned-cart and,
-- through it, in abandoned-polish.
UPDATE promo.segments SET definition = 'count(''cart_abandoned'') >= 1'
 WHERE name = 'abandoned-cart';
SELECT * FROM members('^hank$');
SELECT * FROM promo.verify_segments();

-- 6. A segment in use cannot be deleted or renamed; an unused one can, with its rows.
INSERT INTO promo.promotions (name, currency) VALUES ('come-back-10', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '$10 off', 'in_segment(''abandoned-2-days'')', '{"amount_off": 1000}');
SELECT error_of($$INSERT INTO promo.tiers (promotion, name, condition, discount)
                  VALUES ('come-back-10', 'typo', 'in_segment(''abandonned'')',
                          '{"amount_off": 1000}')$$);
SELECT error_of($$DELETE FROM promo.segments WHERE name = 'abandoned-2-days'$$);
SELECT error_of($$UPDATE promo.segments SET name = 'abandoned-48h'
                   WHERE name = 'abandoned-2-days'$$);
SELECT error_of($$DELETE FROM promo.segments WHERE name = 'polish'$$);
DELETE FROM promo.segments WHERE name = 'new-this-week';
SELECT count(*) AS new_this_week_rows FROM promo.segment_membership
 WHERE segment = 'new-this-week';
SELECT * FROM promo.verify_segments();

-- 7. promo.track_events on the shop's own orders table (the api.md call). gina's order exists
-- before tracking starts.
CREATE TABLE public.orders (
  order_id    int PRIMARY KEY,
  customer_id text NOT NULL,
  created_at  timestamptz NOT NULL,
  total_cents bigint NOT NULL
);
INSERT INTO public.orders VALUES (1, 'gina', '2026-11-02 12:00+00', 3000);
SELECT promo.track_events('public.orders', customer_column => 'customer_id',
                          type => 'order_placed', time_column => 'created_at');
-- gina: ordered [11-02 12:00, infinity).
SELECT * FROM members('^gina$');
-- dave (abandoned 11-18 08:00) orders on 11-21 12:00: abandoned-cart (now "ever abandoned")
-- stays; abandoned-2-days ends at 11-21 12:00; ordered from 11-21 12:00.
INSERT INTO public.orders VALUES (2, 'dave', '2026-11-21 12:00+00', 5000);
SELECT * FROM members('^dave$');
-- The order moves to 11-19 12:00, before the 2 days were over: no abandoned-2-days at all.
UPDATE public.orders SET created_at = '2026-11-19 12:00+00' WHERE order_id = 2;
SELECT * FROM members('^dave$');
-- The order was frank's, not dave's: dave is back to abandoned-2-days from 11-20 08:00; frank
-- ordered from 11-19 12:00.
UPDATE public.orders SET customer_id = 'frank' WHERE order_id = 2;
SELECT * FROM members('^(dave|frank)$');
-- Deleted: frank has nothing left.
DELETE FROM public.orders WHERE order_id = 2;
SELECT * FROM members('^frank$');
SELECT * FROM promo.verify_segments();
-- Detached: later orders are no longer events.
SELECT promo.untrack_events('public.orders');
INSERT INTO public.orders VALUES (3, 'dave', '2026-11-22 12:00+00', 7000);
SELECT * FROM members('^(dave|gina)$');
SELECT * FROM promo.verify_segments();

-- 8. Bad event input: a clear error, and nothing of the statement is written.
SELECT count(*) AS events_before FROM promo.events;
SELECT error_of($$INSERT INTO promo.events (customer_id, type, occurred_at, properties) VALUES
  ('ivan', 'page_view', '2026-11-01 00:00+00', '{}'),
  (NULL, 'page_view', '2026-11-01 00:00+00', '{}')$$);
SELECT error_of($$INSERT INTO promo.events (customer_id, type, occurred_at, properties) VALUES
  ('ivan', 'page_view', '2026-11-01 00:00+00', '{}'),
  ('ivan', 'page_view', 'infinity', '{}')$$);
SELECT error_of($$INSERT INTO promo.events (customer_id, type, occurred_at, properties) VALUES
  ('ivan', 'page_view', '2026-11-01 00:00+00', '{}'),
  ('ivan', 'page_view', '2026-11-01 00:00+00', '[1, 2]')$$);
SELECT count(*) AS events_after FROM promo.events;
SELECT * FROM members('^ivan$');
SELECT * FROM promo.verify_segments();

DROP TABLE public.orders;
DROP FUNCTION bulk_summary();
DROP FUNCTION members(text);
DROP FUNCTION error_of(text);
DROP EXTENSION promo;
