-- Time boundaries of segment membership: valid_from inclusive, valid_until exclusive (exactly
-- at valid_until is not a member, one microsecond before is); weeks start on Monday 00:00 in
-- the database's zone (promo.settings.timezone: UTC by default, Europe/Warsaw below, set with
-- promo.set_timezone(), across both DST changes);
-- month starts after a leap day; evaluate_cart(..., at => t) at the same instants.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT timezone FROM promo.settings;

INSERT INTO promo.segments (name, definition) VALUES
  ('new-this-week', 'signed_up_at >= start_of_week()'),
  ('ordered-this-month', 'count(''order_placed'', since => start_of_month()) >= 1'),
  ('ordered-today', 'last(''order_placed'') >= start_of_day()');
-- One promotion reads the stored membership, the others evaluate their rule at `at` directly.
INSERT INTO promo.promotions (name, currency) VALUES
  ('welcome-10', 'USD'), ('direct-week', 'USD'), ('month-buyer', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('welcome-10', '10%', 'in_segment(''new-this-week'')', '{"percent_off": 10}'),
  ('direct-week', '$1', 'signed_up_at >= start_of_week()', '{"amount_off": 100}'),
  ('month-buyer', '$2', 'count(''order_placed'', since => start_of_month()) >= 1',
   '{"amount_off": 200}');

-- Is the customer a member at t according to the stored rows, and what applies at t.
CREATE FUNCTION member_at(customer text, seg text, t timestamptz) RETURNS boolean
  LANGUAGE sql AS $$
  SELECT EXISTS (SELECT 1 FROM promo.segment_membership m
                  WHERE m.customer_id = customer AND m.segment = seg
                    AND m.valid_from <= t AND t < m.valid_until)
$$;
CREATE FUNCTION applied_at(customer text, t timestamptz) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(a->>'promotion', ', ' ORDER BY n), '-')
    FROM promo.evaluate_cart(customer,
           '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 10000}]}',
           at => t) r,
         jsonb_array_elements(r->'applied') WITH ORDINALITY x(a, n)
$$;

-- UTC. wed signs up on Wednesday 2026-11-25 10:00: new this week on [11-25 10:00, 11-30 00:00)
-- (Monday 2026-11-30 starts the next week). leap orders on 2028-02-29 12:00: this month and
-- today on [02-29 12:00, 03-01 00:00). feb1 orders at the very first instant of February 2028:
-- this month on [02-01 00:00, 03-01 00:00) (since => is inclusive), today until 02-02 00:00.
INSERT INTO promo.customers (customer_id, signed_up_at) VALUES ('wed', '2026-11-25 10:00+00');
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES
  ('leap', 'order_placed', '2028-02-29 12:00+00'),
  ('feb1', 'order_placed', '2028-02-01 00:00+00');
SELECT customer_id, segment, valid_from, valid_until
  FROM promo.segment_membership ORDER BY customer_id, segment, valid_from;

SELECT t, member_at('wed', 'new-this-week', t) AS member, applied_at('wed', t) AS applied
  FROM (VALUES (timestamptz '2026-11-25 09:59:59.999999+00'), ('2026-11-25 10:00+00'),
               ('2026-11-29 23:59:59.999999+00'), ('2026-11-30 00:00+00')) v(t);
SELECT t, member_at('leap', 'ordered-this-month', t) AS this_month,
       member_at('leap', 'ordered-today', t) AS today, applied_at('leap', t) AS applied
  FROM (VALUES (timestamptz '2028-02-29 11:59:59.999999+00'), ('2028-02-29 12:00+00'),
               ('2028-02-29 23:59:59.999999+00'), ('2028-03-01 00:00+00')) v(t);
SELECT t, member_at('feb1', 'ordered-this-month', t) AS this_month,
       member_at('feb1', 'ordered-today', t) AS today, applied_at('feb1', t) AS applied
  FROM (VALUES (timestamptz '2028-01-31 23:59:59.999999+00'), ('2028-02-01 00:00+00'),
               ('2028-02-01 23:59:59.999999+00'), ('2028-02-02 00:00+00'),
               ('2028-02-29 23:59:59.999999+00'), ('2028-03-01 00:00+00')) v(t);
SELECT * FROM promo.verify_segments();

-- Deleting the customer row and the events removes their membership.
DELETE FROM promo.customers;
DELETE FROM promo.events;
SELECT count(*) AS membership_rows FROM promo.segment_membership;
SELECT * FROM promo.verify_segments();

-- Europe/Warsaw: CET (UTC+1), CEST (UTC+2) from Sunday 2026-03-29 01:00 UTC until Sunday
-- 2026-10-25 01:00 UTC. Times below are shown in UTC.
SELECT promo.set_timezone('Europe/Warsaw');
SELECT timezone FROM promo.settings;
-- sun signs up on Sunday 2026-03-22 23:30 UTC, already Monday 00:30 in Warsaw: a new week that
-- started at 03-22 23:00 UTC and ends at Monday 03-30 00:00 CEST = 03-29 22:00 UTC (167 hours).
-- oct signs up on Wednesday 2026-10-21 12:00 UTC: the week ends at Monday 10-26 00:00 CET =
-- 10-25 23:00 UTC (169 hours).
-- dst orders at 2026-03-28 23:30 UTC = Sunday 03-29 00:30 CET: that local day ends at
-- 03-30 00:00 CEST = 03-29 22:00 UTC (23 hours); the local month at 04-01 00:00 CEST =
-- 03-31 22:00 UTC.
-- leapw orders at 2028-02-29 12:00 UTC: the local day and month end at 03-01 00:00 CET =
-- 02-29 23:00 UTC.
INSERT INTO promo.customers (customer_id, signed_up_at) VALUES
  ('sun', '2026-03-22 23:30+00'), ('oct', '2026-10-21 12:00+00');
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES
  ('dst', 'order_placed', '2026-03-28 23:30+00'),
  ('leapw', 'order_placed', '2028-02-29 12:00+00');
SELECT customer_id, segment, valid_from, valid_until
  FROM promo.segment_membership ORDER BY customer_id, segment, valid_from;
SELECT * FROM promo.verify_segments();

SELECT t, member_at('sun', 'new-this-week', t) AS member, applied_at('sun', t) AS applied
  FROM (VALUES (timestamptz '2026-03-22 23:29:59.999999+00'), ('2026-03-22 23:30+00'),
               ('2026-03-29 21:59:59.999999+00'), ('2026-03-29 22:00+00')) v(t);
SELECT t, member_at('oct', 'new-this-week', t) AS member, applied_at('oct', t) AS applied
  FROM (VALUES (timestamptz '2026-10-25 22:59:59.999999+00'), ('2026-10-25 23:00+00')) v(t);
SELECT t, member_at('leapw', 'ordered-this-month', t) AS this_month,
       applied_at('leapw', t) AS applied
  FROM (VALUES (timestamptz '2028-02-29 22:59:59.999999+00'), ('2028-02-29 23:00+00')) v(t);

-- The same rule evaluated directly under UTC: sun's sign-up is on Sunday of the week that
-- started Monday 03-16, which ends at 03-23 00:00 UTC. (welcome-10 reads the stored rows, so
-- it is left out here.) The zone change is rolled back: Warsaw and its membership come back.
BEGIN;
SELECT promo.set_timezone('UTC');
SELECT t, promo.evaluate_cart('sun',
         '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 10000}]}',
         at => t)->'applied' @> '[{"promotion": "direct-week"}]' AS direct_week
  FROM (VALUES (timestamptz '2026-03-22 23:30+00'), ('2026-03-22 23:59:59.999999+00'),
               ('2026-03-23 00:00+00')) v(t);
ROLLBACK;
SELECT timezone FROM promo.settings;
SELECT * FROM promo.verify_segments();

-- Back to UTC: every membership is rebuilt in UTC at once (sun's week now ends at 03-23 00:00
-- UTC), and a direct write to promo.settings or an unknown zone is refused.
SELECT promo.set_timezone('UTC');
SELECT customer_id, segment, valid_from, valid_until
  FROM promo.segment_membership WHERE customer_id = 'sun';
SELECT * FROM promo.verify_segments();
UPDATE promo.settings SET timezone = 'Europe/Warsaw';
SELECT promo.set_timezone('Mars/Olympus_Mons');
SET promo.timezone = 'Europe/Warsaw';
SELECT timezone FROM promo.settings;
-- An INSERT of a settings row (what pg_restore does with a dump's promo.settings) is carried
-- out as set_timezone(): the one row takes the zone and membership is rebuilt in it; an unknown
-- zone is refused the same way; deleting the row is refused.
INSERT INTO promo.settings (only_row, timezone) VALUES (true, 'Europe/Warsaw');
SELECT count(*) AS rows, min(timezone) AS timezone FROM promo.settings;
SELECT customer_id, segment, valid_from, valid_until
  FROM promo.segment_membership WHERE customer_id = 'sun';
SELECT * FROM promo.verify_segments();
INSERT INTO promo.settings (only_row, timezone) VALUES (true, 'Mars/Olympus_Mons');
DELETE FROM promo.settings;
SELECT promo.set_timezone('UTC');
DROP FUNCTION member_at(text, text, timestamptz);
DROP FUNCTION applied_at(text, timestamptz);
DROP EXTENSION promo;
