-- Roles: each of promo_admin, promo_app and promo_reader can do its job and nothing more.
-- The install script creates them NOLOGIN; a shop grants them to its login roles. Here a
-- NOLOGIN test role is granted each one and the statements run under SET ROLE:
--   promo_admin   manages definitions (promotions, tiers, segments, tracked tables), generates
--                 codes, reads every table; never writes customers, events, redemptions,
--                 counters or membership, never redeems.
--   promo_app     the shop: evaluate_cart, redeem, rollback_redemption, referral_code,
--                 customers and events; reads definitions; never changes a definition, a code
--                 or a counter directly, never generates codes.
--   promo_reader  BI: the views segment_members, segment_sizes, customer_segments,
--                 redemptions, promotion_stats; nothing else, not even evaluate_cart.
-- Every privilege on the tables and views is listed first, so a grant added or lost shows.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';

-- 'ok' or the error the statement raised (its writes are kept when it succeeds).
\i sql/include/error_of.sql
GRANT EXECUTE ON FUNCTION error_of(text) TO PUBLIC;

CREATE ROLE regress_promo_admin NOLOGIN IN ROLE promo_admin;
CREATE ROLE regress_promo_app NOLOGIN IN ROLE promo_app;
CREATE ROLE regress_promo_reader NOLOGIN IN ROLE promo_reader;

-- The roles are NOLOGIN and carry no attributes of their own.
SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls
  FROM pg_roles WHERE rolname IN ('promo_admin', 'promo_app', 'promo_reader')
 ORDER BY rolname;

-- Table and view privileges of each role (S = SELECT, I = INSERT, U = UPDATE, D = DELETE,
-- T = TRUNCATE; none of them holds REFERENCES or TRIGGER).
SELECT t.name AS relation,
       (SELECT string_agg(left(p, 1), '' ORDER BY o)
          FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES',
                            'TRIGGER']) WITH ORDINALITY AS x(p, o)
         WHERE has_table_privilege(r.role, ('promo.' || t.name)::regclass, p)) AS privileges,
       r.role
  FROM unnest(ARRAY['promotions', 'tiers', 'customers', 'events', 'segments',
                    'segment_membership', 'tracked_tables', 'orders', 'redemptions',
                    'customer_usage', 'promotion_slots', 'promotion_budget', 'codes',
                    'segment_members', 'segment_sizes', 'customer_segments',
                    'promotion_stats']) WITH ORDINALITY AS t(name, n)
 CROSS JOIN unnest(ARRAY['promo_admin', 'promo_app', 'promo_reader']) AS r(role)
 ORDER BY t.n, r.role;

-- Who may execute the functions that write (EXECUTE is revoked from PUBLIC on them).
SELECT f.signature,
       has_function_privilege('promo_admin', f.signature, 'EXECUTE') AS admin,
       has_function_privilege('promo_app', f.signature, 'EXECUTE') AS app,
       has_function_privilege('promo_reader', f.signature, 'EXECUTE') AS reader
  FROM unnest(ARRAY['promo.redeem(text, jsonb, text, timestamptz)',
                    'promo.rollback_redemption(text)',
                    'promo.generate_codes(text, integer, text, text, integer, integer)',
                    'promo.referral_code(text, text)',
                    'promo.random_codes(integer, text, integer)',
                    'promo.track_events(regclass, name, text, name, name, name[])',
                    'promo.untrack_events(regclass, boolean)']) WITH ORDINALITY AS f(signature, n)
 ORDER BY f.n;

-- What exists before the roles act (written by the superuser running the test).
CREATE SCHEMA shop;
CREATE TABLE shop.orders (order_id text PRIMARY KEY, customer_id text NOT NULL);
GRANT USAGE ON SCHEMA shop TO PUBLIC;
INSERT INTO promo.segments (name, definition)
  VALUES ('abandoned-cart', $$last('cart_abandoned') > last('order_placed')$$);
INSERT INTO promo.promotions (name, currency, per_customer_limit) VALUES ('come-back-10', 'USD', 1);
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '$10 off', $$in_segment('abandoned-cart')$$, '{"amount_off": 1000}');
INSERT INTO promo.customers (customer_id, signed_up_at) VALUES ('alice', '2026-11-01 00:00+00');
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('alice', 'cart_abandoned', '2026-11-20 10:00+00');
CREATE FUNCTION cart() RETURNS jsonb LANGUAGE sql AS $$
  SELECT '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 5000}]}'::jsonb
$$;

-- promo_admin: definitions yes; customers, events, redemptions, counters, membership no.
SET ROLE regress_promo_admin;
SELECT n, s AS statement, error_of(s) AS result FROM unnest(ARRAY[
  $$INSERT INTO promo.promotions (name, currency) VALUES ('spring', 'USD')$$,
  $$INSERT INTO promo.tiers (promotion, name, discount) VALUES ('spring', '5%', '{"percent_off": 5}')$$,
  $$UPDATE promo.promotions SET priority = 5 WHERE name = 'spring'$$,
  $$INSERT INTO promo.segments (name, definition) VALUES ('browsers', 'count(''page_view'') > 0')$$,
  $$UPDATE promo.segments SET description = 'looked around' WHERE name = 'browsers'$$,
  $$SELECT promo.generate_codes('spring', 2)$$,
  $$SELECT count(*) FROM promo.events$$,
  $$SELECT promo.evaluate_cart('alice', cart(), at => '2026-11-21 12:00+00')$$,
  $$INSERT INTO promo.events (customer_id, type) VALUES ('alice', 'page_view')$$,
  $$INSERT INTO promo.customers (customer_id) VALUES ('zed')$$,
  $$SELECT promo.redeem('alice', cart(), 'order-admin', '2026-11-21 12:00+00')$$,
  $$SELECT promo.rollback_redemption('order-admin')$$,
  $$UPDATE promo.codes SET uses = 0$$,
  $$UPDATE promo.customer_usage SET used = 0$$,
  $$INSERT INTO promo.redemptions (customer_id, order_id, promotion, tier, amount) VALUES ('alice', 'x', 'spring', '5%', 1)$$,
  $$DELETE FROM promo.customer_membership$$,
  $$TRUNCATE promo.promotions CASCADE$$,
  $$DROP TABLE promo.codes$$
]) WITH ORDINALITY AS u(s, n) ORDER BY n;
RESET ROLE;

-- promo_app: evaluate, redeem, customers and events yes; definitions and codes no.
SET ROLE regress_promo_app;
SELECT n, s AS statement, error_of(s) AS result FROM unnest(ARRAY[
  $$SELECT promo.evaluate_cart('alice', cart(), at => '2026-11-21 12:00+00')$$,
  $$INSERT INTO promo.customers (customer_id, signed_up_at) VALUES ('bob', '2026-11-02 00:00+00')$$,
  $$UPDATE promo.customers SET attributes = '{"tier": "gold"}' WHERE customer_id = 'bob'$$,
  $$INSERT INTO promo.events (customer_id, type, occurred_at) VALUES ('bob', 'cart_abandoned', '2026-11-20 11:00+00')$$,
  $$SELECT promo.redeem('alice', cart(), 'order-1', '2026-11-21 12:00+00')$$,
  $$SELECT promo.rollback_redemption('order-1')$$,
  $$SELECT promo.redeem('bob', cart(), 'order-2', '2026-11-21 12:00+00')$$,
  $$SELECT promo.referral_code('alice', 'come-back-10')$$,
  $$SELECT count(*) FROM promo.segment_membership$$,
  $$DELETE FROM promo.events WHERE customer_id = 'bob' AND type = 'page_view'$$,
  $$INSERT INTO promo.promotions (name, currency) VALUES ('app-promo', 'USD')$$,
  $$UPDATE promo.tiers SET discount = '{"amount_off": 9999}'$$,
  $$DELETE FROM promo.segments WHERE name = 'browsers'$$,
  $$SELECT promo.generate_codes('come-back-10', 1)$$,
  $$INSERT INTO promo.codes (code, promotion) VALUES ('FREE', 'come-back-10')$$,
  $$UPDATE promo.codes SET uses = 0$$,
  $$UPDATE promo.customer_usage SET used = 0$$,
  $$DELETE FROM promo.orders$$,
  $$UPDATE promo.redemptions SET amount = 0$$,
  $$INSERT INTO promo.customer_membership VALUES ('bob', '{browsers}', '{-infinity}', '{infinity}')$$,
  $$SELECT promo.track_events('shop.orders', 'customer_id', type => 'order_placed')$$
]) WITH ORDINALITY AS u(s, n) ORDER BY n;
RESET ROLE;

-- promo_reader: the views and nothing else.
SET ROLE regress_promo_reader;
SELECT n, s AS statement, error_of(s) AS result FROM unnest(ARRAY[
  $$SELECT count(*) FROM promo.segment_members$$,
  $$SELECT count(*) FROM promo.segment_sizes$$,
  $$SELECT count(*) FROM promo.customer_segments$$,
  $$SELECT count(*) FROM promo.redemptions$$,
  $$SELECT count(*) FROM promo.promotion_stats$$,
  $$SELECT count(*) FROM promo.promotions$$,
  $$SELECT count(*) FROM promo.customers$$,
  $$SELECT count(*) FROM promo.events$$,
  $$SELECT count(*) FROM promo.segment_membership$$,
  $$SELECT count(*) FROM promo.codes$$,
  $$SELECT count(*) FROM promo.orders$$,
  $$SELECT promo.evaluate_cart('alice', cart(), at => '2026-11-21 12:00+00')$$,
  $$SELECT promo.redeem('alice', cart(), 'order-3', '2026-11-21 12:00+00')$$,
  $$SELECT promo.referral_code('alice', 'come-back-10')$$,
  $$INSERT INTO promo.events (customer_id, type) VALUES ('alice', 'page_view')$$,
  $$UPDATE promo.promotions SET active = false$$
]) WITH ORDINALITY AS u(s, n) ORDER BY n;
-- What the reader sees through the views.
SELECT segment, members FROM promo.segment_sizes ORDER BY segment;
SELECT customer_id, promotion, tier, amount, rolled_back_at IS NOT NULL AS rolled_back
  FROM promo.redemptions ORDER BY order_id, promotion;
SELECT promotion, redemptions, customers, discount FROM promo.promotion_stats ORDER BY promotion;
RESET ROLE;

-- What the roles' successful statements left behind.
SELECT name, priority FROM promo.promotions ORDER BY name;
SELECT customer_id, type FROM promo.events ORDER BY customer_id, event_id;
SELECT promotion, count(*) AS codes FROM promo.codes GROUP BY promotion ORDER BY promotion;
SELECT order_id, customer_id, rolled_back_at IS NOT NULL AS rolled_back FROM promo.orders
 ORDER BY order_id;
SELECT count(*) AS problems FROM promo.verify_segments();

DROP FUNCTION cart();
DROP TABLE shop.orders;
DROP SCHEMA shop;
DROP ROLE regress_promo_admin, regress_promo_app, regress_promo_reader;
DROP FUNCTION error_of(text);
DROP EXTENSION promo;
