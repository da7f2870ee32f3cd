-- promo demo: loads the six example promotions and shows what sample carts get.
--
--   psql -v ON_ERROR_STOP=1 -f examples/demo.sql
--
-- Needs a database where the extension can be created (or already is). It replaces the
-- example promotions (spend-more, mouse-pad-free, headphones-upgrade, come-back-10, loyal-15,
-- welcome-10) and segments (abandoned-cart, redeemed-this-month, referrers, new-this-week),
-- creates the table shop.orders if missing (tracked as order_placed events), and replaces the
-- customers alice, bob, carol and dave with their story (their events and shop.orders rows);
-- it touches nothing else. Any other active promotion in the database would also be evaluated.
--
-- Part 1 (T2, T3, T5) is about the cart alone: the carts are evaluated now() for
-- 'demo-customer', who is in no segment, so the segment promotions of part 2 take nothing from
-- them. Part 2 (T1, T4, T6) tells the story of four customers in the week of Monday
-- 2026-11-23: their history is written step by step and each cart is evaluated at a fixed
-- instant (evaluate_cart(..., at => ...)), so the output is the same whenever it runs.
--
-- Every sample cart carries the discount worked out by hand from the rules in docs/rounding.md;
-- the "as expected" column compares it with what promo computed. Prices and amounts inside
-- promo are in cents; the tables below show them in dollars (75.00).
--
-- The catalogue used by the carts (USD):
--   TSHIRT      T-shirt          apparel      25.00
--   CABLE-USBC  USB-C cable      accessories  12.99
--   MOUSE-PRO   mouse            accessories  39.00
--   PAD-XL      mouse pad        accessories   9.99
--   APPLE-KB    Apple Keyboard   accessories  49.00
--   SPEAKER     speaker          audio        60.00
--   HP-BASIC    headphones       audio        59.00   (the basic variant)
--   HP-PRO      headphones       audio       199.00   (the premium variant, color attribute)
--   MONITOR-27  27" monitor      displays    249.00

\set ON_ERROR_STOP on
\set QUIET on
\pset footer off
\pset null '-'
SET client_min_messages = warning;
-- Instants are shown in UTC, and weeks and months start in UTC (the database's promo time
-- zone, promo.set_timezone), whatever the server's settings.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

CREATE EXTENSION IF NOT EXISTS promo;
SELECT promo.set_timezone('UTC') \g /dev/null

-- The six tactics, in this order: the order of creation breaks ties between promotions of
-- the same priority, so spend-more (created first) is applied first and the others take their
-- share of what it left on each line. The segment promotions (T1, T4, T6) come last: on a cart
-- that also reaches spend-more's $50, their discount is taken from what spend-more left.
\ir t2_spend_more.sql
\ir t3_buy_one_get_one.sql
\ir t5_sku_variant.sql
\ir t1_abandoned_cart.sql
\ir t4_loyalty.sql
\ir t6_new_this_week.sql

-- Money in dollars for display: 7125 -> 71.25.
CREATE FUNCTION pg_temp.usd(minor bigint) RETURNS numeric
  LANGUAGE sql IMMUTABLE AS $$ SELECT round(minor / 100.0, 2) $$;

CREATE TEMP TABLE demo_cart (
  id                int PRIMARY KEY,
  tactic            text NOT NULL,   -- the section it is shown in
  promotion         text,            -- the promotion the section is about
  description       text NOT NULL,
  cart              jsonb NOT NULL,
  expected_discount bigint NOT NULL  -- cents, worked out by hand (see the comment above it)
);

-- T2 spend-more: 5% from $50, 10% from $100 (percent per line, half a cent rounds up).
INSERT INTO demo_cart VALUES
  -- 3 x 2500 = 7500 >= 5000: 5% of 7500 = 375; total 7125.
  -- Hint: '10% from $100' needs subtotal 2500 more.
  (101, 'T2', 'spend-more', '3 T-shirts',
   '{"currency": "USD", "items": [
      {"sku": "TSHIRT", "product": "t-shirt", "category": "apparel", "quantity": 3, "unit_price": 2500}]}',
   375),
  -- 2 x 2500 = 5000: exactly $50.00 reaches the 5% tier (>=): 250 off; total 4750.
  -- Hint: '10% from $100' needs 5000 more.
  (102, 'T2', 'spend-more', '2 T-shirts (exactly $50)',
   '{"currency": "USD", "items": [
      {"sku": "TSHIRT", "product": "t-shirt", "category": "apparel", "quantity": 2, "unit_price": 2500}]}',
   250),
  -- 5000 + 1299 = 6299: 5% of 5000 = 250, 5% of 1299 = 64.95 -> 65 (half up); 315 off;
  -- total 5984. Hint: '10% from $100' needs 3701 more.
  (103, 'T2', 'spend-more', '2 T-shirts + USB-C cable',
   '{"currency": "USD", "items": [
      {"sku": "TSHIRT", "product": "t-shirt", "category": "apparel", "quantity": 2, "unit_price": 2500},
      {"sku": "CABLE-USBC", "product": "usb-c cable", "category": "accessories", "quantity": 1, "unit_price": 1299}]}',
   315),
  -- 2500 + 1299 = 3799 < 5000: nothing. Hints: 5% tier 1201 short, 10% tier 6201 short.
  (104, 'T2', 'spend-more', 'T-shirt + USB-C cable',
   '{"currency": "USD", "items": [
      {"sku": "TSHIRT", "product": "t-shirt", "category": "apparel", "quantity": 1, "unit_price": 2500},
      {"sku": "CABLE-USBC", "product": "usb-c cable", "category": "accessories", "quantity": 1, "unit_price": 1299}]}',
   0),
  -- 24900 + 3 x 1299 = 28797 >= 10000: 10% of 24900 = 2490, 10% of 3897 = 389.7 -> 390;
  -- 2880 off; total 25917. Both tiers qualify; the larger discount (10%) applies.
  (105, 'T2', 'spend-more', 'monitor + 3 USB-C cables',
   '{"currency": "USD", "items": [
      {"sku": "MONITOR-27", "product": "monitor", "category": "displays", "quantity": 1, "unit_price": 24900},
      {"sku": "CABLE-USBC", "product": "usb-c cable", "category": "accessories", "quantity": 3, "unit_price": 1299}]}',
   2880);

-- T3 mouse-pad-free: a PAD-XL free per MOUSE-PRO. spend-more comes first where it applies.
INSERT INTO demo_cart VALUES
  -- 3900 + 999 = 4899 < 5000, so spend-more does not apply (hints: 101 and 5101 short).
  -- mouse-pad-free: 1 pad unit free = 999; total 3900.
  (201, 'T3', 'mouse-pad-free', 'mouse + pad',
   '{"currency": "USD", "items": [
      {"sku": "MOUSE-PRO", "product": "mouse", "category": "accessories", "quantity": 1, "unit_price": 3900},
      {"sku": "PAD-XL", "product": "mouse pad", "category": "accessories", "quantity": 1, "unit_price": 999}]}',
   999),
  -- 1998: no MOUSE-PRO, nothing applies. Hints: add a MOUSE-PRO; spend-more 3002 and 8002
  -- short.
  (202, 'T3', 'mouse-pad-free', '2 pads, no mouse',
   '{"currency": "USD", "items": [
      {"sku": "PAD-XL", "product": "mouse pad", "category": "accessories", "quantity": 2, "unit_price": 999}]}',
   0),
  -- 3900 + 1998 = 5898: spend-more 5%: 195 + 99.9 -> 100 = 295; the pad line has 1898 left.
  -- mouse-pad-free, 1 unit of 2 (one mouse): 1898 * 1/2 = 949.
  -- 295 + 949 = 1244; total 4654. Hint: spend-more 10% needs 4102 more.
  (203, 'T3', 'mouse-pad-free', 'mouse + 2 pads',
   '{"currency": "USD", "items": [
      {"sku": "MOUSE-PRO", "product": "mouse", "category": "accessories", "quantity": 1, "unit_price": 3900},
      {"sku": "PAD-XL", "product": "mouse pad", "category": "accessories", "quantity": 2, "unit_price": 999}]}',
   1244),
  -- Same as above with the pads on two lines (kept apart). spend-more 5%: 195 + 49.95 -> 50
  -- + 50 = 295; each pad line has 949 left. mouse-pad-free: 1 unit, equal prices, so the
  -- first pad line: 949. 1244 off; total 4654 (first pad line 0.00, second 9.49).
  (204, 'T3', 'mouse-pad-free', 'mouse + pad + pad (two lines)',
   '{"currency": "USD", "items": [
      {"sku": "MOUSE-PRO", "product": "mouse", "category": "accessories", "quantity": 1, "unit_price": 3900},
      {"sku": "PAD-XL", "product": "mouse pad", "category": "accessories", "quantity": 1, "unit_price": 999},
      {"sku": "PAD-XL", "product": "mouse pad", "category": "accessories", "quantity": 1, "unit_price": 999}]}',
   1244),
  -- 7800 + 2997 = 10797: spend-more 10%: 780 + 299.7 -> 300 = 1080; the pad line has 2697
  -- left. mouse-pad-free, 2 units of 3 (two mice): 2697 * 2/3 = 1798.
  -- 1080 + 1798 = 2878; total 7919.
  (205, 'T3', 'mouse-pad-free', '2 mice + 3 pads',
   '{"currency": "USD", "items": [
      {"sku": "MOUSE-PRO", "product": "mouse", "category": "accessories", "quantity": 2, "unit_price": 3900},
      {"sku": "PAD-XL", "product": "mouse pad", "category": "accessories", "quantity": 3, "unit_price": 999}]}',
   2878);

-- T5 headphones-upgrade: 30% off HP-PRO with another item from $60 or an Apple Keyboard.
-- Every cart here is over $100, so spend-more's 10% comes off each line first.
INSERT INTO demo_cart VALUES
  -- 19900 + 4900 = 24800: spend-more 10%: 1990 + 490 = 2480; headphones line left 17910.
  -- The keyboard is under $60, so the tier is 'with an Apple Keyboard': 30% of 17910 = 5373.
  -- 2480 + 5373 = 7853; total 16947.
  (301, 'T5', 'headphones-upgrade', 'headphones + Apple Keyboard',
   '{"currency": "USD", "items": [
      {"sku": "HP-PRO", "product": "headphones", "category": "audio", "quantity": 1, "unit_price": 19900, "attributes": {"color": "black"}},
      {"sku": "APPLE-KB", "product": "keyboard", "category": "accessories", "quantity": 1, "unit_price": 4900}]}',
   7853),
  -- 19900 + 6000 = 25900: spend-more 10%: 1990 + 600 = 2590; headphones line left 17910.
  -- The speaker is exactly $60.00 (>=): 'with an item from $60', 30% of 17910 = 5373.
  -- 2590 + 5373 = 7963; total 17937.
  (302, 'T5', 'headphones-upgrade', 'headphones + $60 speaker',
   '{"currency": "USD", "items": [
      {"sku": "HP-PRO", "product": "headphones", "category": "audio", "quantity": 1, "unit_price": 19900, "attributes": {"color": "black"}},
      {"sku": "SPEAKER", "product": "speaker", "category": "audio", "quantity": 1, "unit_price": 6000}]}',
   7963),
  -- The cart from the API contract (a code given, which no promotion asks for yet).
  -- 19900: spend-more 10% = 1990; headphones-upgrade fails (the headphones do not count as
  -- "an item from $60" for themselves). Hints for both tiers. Total 17910.
  (303, 'T5', 'headphones-upgrade', 'headphones alone',
   '{"currency": "USD", "items": [
      {"sku": "HP-PRO", "product": "headphones", "category": "audio", "quantity": 1, "unit_price": 19900, "attributes": {"color": "black"}}],
     "codes": ["SPRING-7XK2"]}',
   1990),
  -- 5900 + 4900 = 10800: spend-more 10%: 590 + 490 = 1080; the basic headphones are not the
  -- HP-PRO variant, so headphones-upgrade fails. Total 9720.
  (304, 'T5', 'headphones-upgrade', 'basic headphones + Apple Keyboard',
   '{"currency": "USD", "items": [
      {"sku": "HP-BASIC", "product": "headphones", "category": "audio", "quantity": 1, "unit_price": 5900},
      {"sku": "APPLE-KB", "product": "keyboard", "category": "accessories", "quantity": 1, "unit_price": 4900}]}',
   1080),
  -- 39800 + 24900 = 64700: spend-more 10%: 3980 + 2490 = 6470; headphones line left 35820.
  -- The monitor is from $60: 30% of 35820 = 10746 (no max_units: both pairs discounted).
  -- 6470 + 10746 = 17216; total 47484.
  (305, 'T5', 'headphones-upgrade', '2 headphones + monitor',
   '{"currency": "USD", "items": [
      {"sku": "HP-PRO", "product": "headphones", "category": "audio", "quantity": 2, "unit_price": 19900, "attributes": {"color": "silver"}},
      {"sku": "MONITOR-27", "product": "monitor", "category": "displays", "quantity": 1, "unit_price": 24900}]}',
   17216);

-- All three at once, and a cart in another currency.
INSERT INTO demo_cart VALUES
  -- 3900 + 999 + 19900 + 4900 = 29699.
  -- spend-more 10%: 390 + 99.9 -> 100 + 1990 + 490 = 2970;
  --   left per line: mouse 3510, pad 899, headphones 17910, keyboard 4410.
  -- mouse-pad-free: 1 pad unit, all that is left of it: 899.
  -- headphones-upgrade: no other item is from $60, the keyboard qualifies: 30% of 17910 = 5373.
  -- 2970 + 899 + 5373 = 9242; total 20457
  --   (lines: mouse 35.10, pad 0.00, headphones 125.37, keyboard 44.10).
  (401, 'ALL', NULL, 'mouse + pad + headphones + Apple Keyboard',
   '{"currency": "USD", "items": [
      {"sku": "MOUSE-PRO", "product": "mouse", "category": "accessories", "quantity": 1, "unit_price": 3900},
      {"sku": "PAD-XL", "product": "mouse pad", "category": "accessories", "quantity": 1, "unit_price": 999},
      {"sku": "HP-PRO", "product": "headphones", "category": "audio", "quantity": 1, "unit_price": 19900, "attributes": {"color": "black"}},
      {"sku": "APPLE-KB", "product": "keyboard", "category": "accessories", "quantity": 1, "unit_price": 4900}]}',
   9242),
  -- Every example promotion is in USD: each is reported as currency_mismatch; nothing off.
  (402, 'ALL', NULL, '3 T-shirts, paid in EUR',
   '{"currency": "EUR", "items": [
      {"sku": "TSHIRT", "product": "t-shirt", "category": "apparel", "quantity": 3, "unit_price": 2500}]}',
   0);

-- One evaluation per cart, with explanations (the default).
CREATE TEMP TABLE demo_result AS
  SELECT id, promo.evaluate_cart('demo-customer', cart) AS result FROM demo_cart;

-- The result's lists as rows, in the order promo returned them (n).
CREATE TEMP VIEW demo_applied AS
  SELECT d.id, d.tactic, d.description AS cart, a.n, a.promotion, a.tier,
         pg_temp.usd(a.discount) AS amount
  FROM demo_cart d JOIN demo_result r USING (id),
       ROWS FROM (jsonb_to_recordset(r.result -> 'applied')
                  AS (promotion text, tier text, discount bigint)) WITH ORDINALITY
         AS a(promotion, tier, discount, n);

CREATE TEMP VIEW demo_not_applied AS
  SELECT d.id, d.tactic, d.promotion AS section_promotion, d.description AS cart, x.n,
         x.promotion, x.reason_code, x.reason
  FROM demo_cart d JOIN demo_result r USING (id),
       ROWS FROM (jsonb_to_recordset(r.result -> 'not_applied')
                  AS (promotion text, reason_code text, reason text)) WITH ORDINALITY
         AS x(promotion, reason_code, reason, n);

CREATE TEMP VIEW demo_hints AS
  SELECT d.id, d.tactic, d.promotion AS section_promotion, d.description AS cart, h.n,
         h.promotion, h.tier, h.missing
  FROM demo_cart d JOIN demo_result r USING (id),
       ROWS FROM (jsonb_to_recordset(r.result -> 'hints')
                  AS (promotion text, tier text, missing text)) WITH ORDINALITY
         AS h(promotion, tier, missing, n);

CREATE TEMP VIEW demo_totals AS
  SELECT d.id, d.tactic, d.description AS cart,
         pg_temp.usd((r.result ->> 'subtotal')::bigint) AS subtotal,
         pg_temp.usd((r.result ->> 'discount')::bigint) AS discount,
         pg_temp.usd((r.result ->> 'total')::bigint) AS total,
         pg_temp.usd(d.expected_discount) AS "expected discount",
         CASE WHEN (r.result ->> 'discount')::bigint = d.expected_discount THEN 'yes'
              ELSE 'NO' END AS "as expected"
  FROM demo_cart d JOIN demo_result r USING (id);

\echo
\echo '=============================================================================='
\echo ' Promotions loaded (conditions as promo understood them)'
\echo '=============================================================================='
SELECT t.promotion, t.name AS tier,
       promo.format_condition(t.condition, p.currency) AS condition, t.discount
FROM promo.tiers t JOIN promo.promotions p ON p.name = t.promotion
WHERE t.promotion IN ('spend-more', 'mouse-pad-free', 'headphones-upgrade')
ORDER BY p.priority DESC, p.id, t.id;
-- promo.format_condition knows no segments (it reads no catalogue), so the conditions of the
-- segment promotions are shown as stored (they were validated when written).
\echo 'Promotions for customer segments (part 2)'
SELECT t.promotion, t.name AS tier, t.condition, t.discount
FROM promo.tiers t JOIN promo.promotions p ON p.name = t.promotion
WHERE t.promotion IN ('come-back-10', 'loyal-15', 'welcome-10')
ORDER BY p.priority DESC, p.id, t.id;
\echo 'Segments loaded (read by in_segment() in the conditions above)'
SELECT name AS segment, definition, description FROM promo.segments
WHERE name IN ('abandoned-cart', 'redeemed-this-month', 'referrers', 'new-this-week')
ORDER BY array_position(ARRAY['abandoned-cart', 'redeemed-this-month', 'referrers',
                              'new-this-week'], name);

\echo
\echo '=============================================================================='
\echo ' T2  spend-more: 5% off from $50, 10% off from $100'
\echo '=============================================================================='
SELECT cart, subtotal, discount, total, "expected discount", "as expected"
FROM demo_totals WHERE tactic = 'T2' ORDER BY id;
\echo 'What applied'
SELECT cart, promotion, tier, amount FROM demo_applied WHERE tactic = 'T2' ORDER BY id, n;
\echo 'What did not apply, and why (spend-more only)'
SELECT cart, reason_code, reason FROM demo_not_applied
WHERE tactic = 'T2' AND promotion = section_promotion ORDER BY id, n;
\echo 'Hints: what would get a better discount (spend-more only)'
SELECT cart, tier, missing FROM demo_hints
WHERE tactic = 'T2' AND promotion = section_promotion ORDER BY id, n;

\echo
\echo '=============================================================================='
\echo ' T3  mouse-pad-free: buy a MOUSE-PRO, get a PAD-XL free (once per pair)'
\echo '=============================================================================='
SELECT cart, subtotal, discount, total, "expected discount", "as expected"
FROM demo_totals WHERE tactic = 'T3' ORDER BY id;
\echo 'What applied (spend-more first where the cart reaches $50)'
SELECT cart, promotion, tier, amount FROM demo_applied WHERE tactic = 'T3' ORDER BY id, n;
\echo 'What did not apply, and why (mouse-pad-free only)'
SELECT cart, reason_code, reason FROM demo_not_applied
WHERE tactic = 'T3' AND promotion = section_promotion ORDER BY id, n;
\echo 'Hints (mouse-pad-free and spend-more)'
SELECT cart, promotion, tier, missing FROM demo_hints
WHERE tactic = 'T3' AND promotion IN (section_promotion, 'spend-more') ORDER BY id, n;

\echo
\echo '=============================================================================='
\echo ' T5  headphones-upgrade: 30% off HP-PRO with an item from $60 or an Apple Keyboard'
\echo '=============================================================================='
SELECT cart, subtotal, discount, total, "expected discount", "as expected"
FROM demo_totals WHERE tactic = 'T5' ORDER BY id;
\echo 'What applied (spend-more 10% first, then 30% of what is left on HP-PRO)'
SELECT cart, promotion, tier, amount FROM demo_applied WHERE tactic = 'T5' ORDER BY id, n;
\echo 'What did not apply, and why (headphones-upgrade only)'
SELECT cart, reason_code, reason FROM demo_not_applied
WHERE tactic = 'T5' AND promotion = section_promotion ORDER BY id, n;
\echo 'Hints (headphones-upgrade only)'
SELECT cart, tier, missing FROM demo_hints
WHERE tactic = 'T5' AND promotion = section_promotion ORDER BY id, n;

\echo
\echo '=============================================================================='
\echo ' All three promotions on one cart, and a cart in another currency'
\echo '=============================================================================='
SELECT cart, subtotal, discount, total, "expected discount", "as expected"
FROM demo_totals WHERE tactic = 'ALL' ORDER BY id;
\echo 'What applied, in the order it was applied'
SELECT cart, promotion, tier, amount FROM demo_applied WHERE tactic = 'ALL' ORDER BY id, n;
\echo 'What did not apply, and why (the cart promotions; the segment promotions are in part 2)'
SELECT cart, promotion, reason_code, reason FROM demo_not_applied
WHERE tactic = 'ALL' AND promotion IN ('spend-more', 'mouse-pad-free', 'headphones-upgrade')
ORDER BY id, n;
\echo 'Hints'
SELECT cart, promotion, tier, missing FROM demo_hints WHERE tactic = 'ALL' ORDER BY id, n;
\echo 'Line by line: mouse + pad + headphones + Apple Keyboard'
SELECT i.index AS line, i.sku, i.quantity, pg_temp.usd(i.unit_price) AS unit_price,
       pg_temp.usd(i.quantity * i.unit_price) AS line_amount,
       pg_temp.usd(i.discount) AS discount, pg_temp.usd(i.total) AS total,
       (SELECT string_agg(format('%s %s', s.promotion, pg_temp.usd(s.amount)), ', ')
        FROM jsonb_to_recordset(i.discounts) AS s(promotion text, amount bigint)) AS "taken by"
FROM demo_result r,
     jsonb_to_recordset(r.result -> 'items')
       AS i(index int, sku text, quantity bigint, unit_price bigint, discount bigint, total bigint,
            discounts jsonb)
WHERE r.id = 401
ORDER BY i.index;

\echo
\echo 'The full result of one evaluation, as an application receives it:'
SELECT jsonb_pretty(result) AS "promo.evaluate_cart('demo-customer', <mouse + pad>)"
FROM demo_result WHERE id = 201;

-- =============================================================================================
-- Part 2: the segment tactics T1, T4 and T6, as a story in the week of Monday 2026-11-23
-- =============================================================================================
-- Four customers; each step writes what happened (an event, an order, a sign-up) the way a
-- shop would, then evaluates carts at fixed instants with evaluate_cart(..., at => ...). promo
-- reads the history up to that instant and the segment membership at that instant, so the
-- amounts do not depend on when the demo runs.
--
-- Who is in which tactic, so that the tactics do not take from each other:
--   alice  customer since 2025-06-02: T1 only (abandons, redeems $10 at checkout, abandons
--          again; come-back-10 redeemed without a code writes no coupon_redeemed event, so
--          she never enters redeemed-this-month)
--   bob    customer since 2025-09-17: T4 only (redeemed a coupon in November)
--   carol  customer since 2026-02-11: T4 only (completed a referral on Fri 2026-11-27)
--   dave   signs up Wed 2026-11-25:   T6 only
-- Each customer is in at most one of the segments the promotions read at the instants used,
-- so at most one segment promotion applies to a cart. The carts are small ($37.99, under
-- spend-more's $50) to show each tactic alone, plus one cart per tactic over $50 where
-- spend-more (created first) applies first and the segment promotion takes its share of what
-- is left on each line. No cart has a MOUSE-PRO or HP-PRO, so T3 and T5 never apply here.

-- The story's carts (the catalogue above).
CREATE TEMP TABLE demo_basket (
  name        text PRIMARY KEY,
  description text NOT NULL,
  cart        jsonb NOT NULL
);
INSERT INTO demo_basket VALUES
  ('tee+cable', 'T-shirt + USB-C cable',
   '{"currency": "USD", "items": [
      {"sku": "TSHIRT", "product": "t-shirt", "category": "apparel", "quantity": 1, "unit_price": 2500},
      {"sku": "CABLE-USBC", "product": "usb-c cable", "category": "accessories", "quantity": 1, "unit_price": 1299}]}'),
  ('3 tees', '3 T-shirts',
   '{"currency": "USD", "items": [
      {"sku": "TSHIRT", "product": "t-shirt", "category": "apparel", "quantity": 3, "unit_price": 2500}]}'),
  ('monitor', '27" monitor',
   '{"currency": "USD", "items": [
      {"sku": "MONITOR-27", "product": "monitor", "category": "displays", "quantity": 1, "unit_price": 24900}]}');

-- One row per evaluation of the story: who, when, which cart, the discount worked out by hand,
-- and promo's answer (filled in when the story reaches that step).
CREATE TEMP TABLE demo_story (
  id                int PRIMARY KEY,
  tactic            text NOT NULL,
  promotion         text NOT NULL,   -- the promotion the section is about
  customer          text NOT NULL,
  at                timestamptz NOT NULL,
  basket            text NOT NULL REFERENCES demo_basket (name),
  expected_discount bigint NOT NULL, -- cents, worked out by hand (see the comment above it)
  result            jsonb,
  call              text NOT NULL DEFAULT 'evaluate_cart'  -- or 'redeem' (at checkout)
);

-- "Tue 2026-11-24 09:05:00" (UTC; the weekday matters in this story).
CREATE FUNCTION pg_temp.instant(t timestamptz) RETURNS text
  LANGUAGE sql STABLE AS
  $$ SELECT CASE WHEN isfinite(t) THEN to_char(t, 'Dy YYYY-MM-DD HH24:MI:SS') ELSE t::text END $$;

-- Each evaluation as a row: the totals, what became of the section's promotion (the tier and
-- amount it took, or its reason_code and reason), and what else applied.
CREATE TEMP VIEW demo_story_totals AS
  SELECT s.id, s.tactic, s.customer, s.call, pg_temp.instant(s.at) AS "when",
         b.description AS cart,
         pg_temp.usd((s.result ->> 'subtotal')::bigint) AS subtotal,
         pg_temp.usd((s.result ->> 'discount')::bigint) AS discount,
         pg_temp.usd((s.result ->> 'total')::bigint) AS total,
         pg_temp.usd(s.expected_discount) AS expected,
         CASE WHEN (s.result ->> 'discount')::bigint = s.expected_discount THEN 'yes'
              ELSE 'NO' END AS "as expected",
         coalesce(
           (SELECT format('%s: %s', a ->> 'tier', pg_temp.usd((a ->> 'discount')::bigint))
            FROM jsonb_array_elements(s.result -> 'applied') a
            WHERE a ->> 'promotion' = s.promotion),
           (SELECT format('[%s] %s', x ->> 'reason_code', x ->> 'reason')
            FROM jsonb_array_elements(s.result -> 'not_applied') x
            WHERE x ->> 'promotion' = s.promotion)) AS outcome,
         (SELECT string_agg(format('%s %s', a.v ->> 'promotion',
                                   pg_temp.usd((a.v ->> 'discount')::bigint)), ', ' ORDER BY a.n)
          FROM jsonb_array_elements(s.result -> 'applied') WITH ORDINALITY AS a(v, n)
          WHERE a.v ->> 'promotion' <> s.promotion) AS "also applied"
  FROM demo_story s JOIN demo_basket b ON b.name = s.basket
  WHERE s.result IS NOT NULL;

-- The story's customers start from nothing (running the demo again replays the same story).
-- Deleting their shop.orders rows also deletes the order_placed events mirrored from them;
-- their redemptions and orders in promo go too (their usage of come-back-10 went when
-- t1_abandoned_cart.sql re-created the promotion; the DELETE makes sure).
DELETE FROM shop.orders WHERE customer_id IN ('alice', 'bob', 'carol', 'dave');
DELETE FROM promo.events WHERE customer_id IN ('alice', 'bob', 'carol', 'dave');
DELETE FROM promo.customers WHERE customer_id IN ('alice', 'bob', 'carol', 'dave');
DELETE FROM promo.redemptions WHERE customer_id IN ('alice', 'bob', 'carol', 'dave');
DELETE FROM promo.orders WHERE customer_id IN ('alice', 'bob', 'carol', 'dave');
DELETE FROM promo.customer_usage WHERE customer_id IN ('alice', 'bob', 'carol', 'dave');

INSERT INTO promo.customers (customer_id, signed_up_at, attributes) VALUES
  ('alice', '2025-06-02 12:00+00', '{"country": "PL"}'),
  ('bob',   '2025-09-17 08:30+00', '{"country": "DE"}'),
  ('carol', '2026-02-11 19:45+00', '{"country": "US"}');

\echo
\echo '=============================================================================='
\echo ' T1  come-back-10: $10 off for customers who abandoned their cart'
\echo '=============================================================================='
\echo 'Mon 2026-11-23 10:00: alice, a customer since 2025, puts a T-shirt and a cable in her cart.'

-- Each step adds its evaluations to demo_story, and the UPDATE after it asks promo for the
-- rows not evaluated yet, each at its own instant.
-- Before any abandonment: not in abandoned-cart, nothing off (3799 < 5000: no spend-more).
INSERT INTO demo_story VALUES
  (501, 'T1', 'come-back-10', 'alice', '2026-11-23 10:00+00', 'tee+cable', 0, NULL);
UPDATE demo_story s SET result = promo.evaluate_cart(s.customer, b.cart, at => s.at)
FROM demo_basket b WHERE b.name = s.basket AND s.result IS NULL;
SELECT "when", cart, subtotal, discount, total, expected, "as expected",
       outcome AS "come-back-10"
FROM demo_story_totals WHERE id = 501;

\echo 'Mon 2026-11-23 11:00: she leaves without buying. The shop reports the abandoned cart:'
\echo '  INSERT INTO promo.events (customer_id, type, occurred_at, properties)'
\echo '    VALUES (''alice'', ''cart_abandoned'', ''2026-11-23 11:00+00'', ''{"cart_value": 3799}'');'
INSERT INTO promo.events (customer_id, type, occurred_at, properties)
  VALUES ('alice', 'cart_abandoned', '2026-11-23 11:00+00', '{"cart_value": 3799}');

\echo 'Tue 2026-11-24 09:00: she comes back; the $10 is at the checkout with no code.'
INSERT INTO demo_story VALUES
  -- $10 off 3799, spread by amount: 1000 * 2500/3799 = 658.07, 1000 * 1299/3799 = 341.93;
  -- 658 + 341 = 999, the last cent to the larger remainder (the cable): 658 + 342 = 1000.
  -- Total 2799.
  (502, 'T1', 'come-back-10', 'alice', '2026-11-24 09:00+00', 'tee+cable', 1000, NULL),
  -- Had she come back with 3 T-shirts (7500): spend-more 5% first: 375; then $10 off the
  -- 7125 left: 1000. 1375 off; total 6125.
  (503, 'T1', 'come-back-10', 'alice', '2026-11-24 09:00+00', '3 tees', 1375, NULL);
UPDATE demo_story s SET result = promo.evaluate_cart(s.customer, b.cart, at => s.at)
FROM demo_basket b WHERE b.name = s.basket AND s.result IS NULL;
SELECT "when", cart, subtotal, discount, total, expected, "as expected",
       outcome AS "come-back-10", "also applied"
FROM demo_story_totals WHERE id IN (502, 503) ORDER BY id;

\echo 'Tue 2026-11-24 09:05: she checks out. In its order transaction the shop redeems the cart'
\echo '(promo.redeem applies what evaluate_cart would at that instant and records it) and writes'
\echo 'the order, at the total promo returned, into its own table, shop.orders, as it always does:'
\echo '  SELECT promo.redeem(''alice'', <T-shirt + cable>, order_id => ''order-1001'','
\echo '                      at => ''2026-11-24 09:05+00'');'
\echo '  INSERT INTO shop.orders (order_id, customer_id, total, created_at)'
\echo '    VALUES (''order-1001'', ''alice'', 2799, ''2026-11-24 09:05+00'');'
BEGIN;
-- The same $10 as evaluate_cart gave at 09:00 (658 + 342 = 1000); recorded: her one use of
-- come-back-10 (per_customer_limit 1) is spent.
INSERT INTO demo_story (id, tactic, promotion, customer, at, basket, expected_discount, result,
                        call)
  SELECT 504, 'T1', 'come-back-10', 'alice', t.at, b.name, 1000,
         promo.redeem('alice', b.cart, order_id => 'order-1001', at => t.at), 'redeem'
  FROM demo_basket b, (VALUES (timestamptz '2026-11-24 09:05+00')) AS t (at)
  WHERE b.name = 'tee+cable';
INSERT INTO shop.orders (order_id, customer_id, total, created_at)
  SELECT 'order-1001', 'alice', (result ->> 'total')::bigint, at FROM demo_story WHERE id = 504;
COMMIT;
SELECT call, "when", cart, subtotal, discount, total, expected, "as expected",
       outcome AS "come-back-10"
FROM demo_story_totals WHERE id = 504;
\echo 'What promo recorded (promo.redemptions):'
SELECT order_id, customer_id, promotion, tier, pg_temp.usd(amount) AS amount, code,
       rolled_back_at
FROM promo.redemptions WHERE customer_id = 'alice' ORDER BY order_id, promotion;
\echo 'What the shop recorded (shop.orders):'
SELECT order_id, customer_id, pg_temp.usd(total) AS total,
       pg_temp.instant(created_at) AS created_at
FROM shop.orders WHERE customer_id = 'alice' ORDER BY created_at;
\echo 'promo.track_events attached shop.orders (t1_abandoned_cart.sql), so the order is also an'
\echo 'order_placed event of hers, and she has left the segment at 09:05:'
SELECT type, pg_temp.instant(occurred_at) AS occurred_at, properties, source, source_key
FROM promo.events WHERE customer_id = 'alice' ORDER BY occurred_at, event_id;

\echo 'Tue 2026-11-24 09:10: the same cart again: the offer is gone. Her one use is spent'
\echo '(limit_reached: promo checks the limit before the condition), and she has also left'
\echo 'abandoned-cart at 09:05 (the membership at the end of the story).'
INSERT INTO demo_story VALUES
  -- Nothing off: limit_reached (and no longer in abandoned-cart).
  (505, 'T1', 'come-back-10', 'alice', '2026-11-24 09:10+00', 'tee+cable', 0, NULL);
UPDATE demo_story s SET result = promo.evaluate_cart(s.customer, b.cart, at => s.at)
FROM demo_basket b WHERE b.name = s.basket AND s.result IS NULL;
SELECT "when", cart, subtotal, discount, total, expected, "as expected",
       outcome AS "come-back-10"
FROM demo_story_totals WHERE id = 505;

\echo 'Thu 2026-11-26 18:00: she abandons a cart again and is back in abandoned-cart. But the $10'
\echo 'is once per customer (per_customer_limit 1) and hers is used: on Friday neither'
\echo 'evaluate_cart nor the checkout gives a second $10.'
INSERT INTO promo.events (customer_id, type, occurred_at, properties)
  VALUES ('alice', 'cart_abandoned', '2026-11-26 18:00+00', '{"cart_value": 3799}');
INSERT INTO demo_story VALUES
  -- In the segment again, but limit_reached: nothing off (3799 < 5000: no spend-more).
  (506, 'T1', 'come-back-10', 'alice', '2026-11-27 10:00+00', 'tee+cable', 0, NULL);
UPDATE demo_story s SET result = promo.evaluate_cart(s.customer, b.cart, at => s.at)
FROM demo_basket b WHERE b.name = s.basket AND s.result IS NULL;
BEGIN;
-- The checkout: redeem leaves come-back-10 out for the same reason; she pays 37.99.
INSERT INTO demo_story (id, tactic, promotion, customer, at, basket, expected_discount, result,
                        call)
  SELECT 507, 'T1', 'come-back-10', 'alice', t.at, b.name, 0,
         promo.redeem('alice', b.cart, order_id => 'order-1002', at => t.at), 'redeem'
  FROM demo_basket b, (VALUES (timestamptz '2026-11-27 10:05+00')) AS t (at)
  WHERE b.name = 'tee+cable';
INSERT INTO shop.orders (order_id, customer_id, total, created_at)
  SELECT 'order-1002', 'alice', (result ->> 'total')::bigint, at FROM demo_story WHERE id = 507;
COMMIT;
SELECT call, "when", cart, subtotal, discount, total, expected, "as expected",
       outcome AS "come-back-10"
FROM demo_story_totals WHERE id IN (506, 507) ORDER BY id;

\echo
\echo '=============================================================================='
\echo ' T4  loyal-15: 15% off for customers who redeemed a coupon this month or referred us'
\echo '=============================================================================='
\echo 'bob redeemed a coupon on Tue 2026-11-10 14:00 and carol completes a referral on'
\echo 'Fri 2026-11-27 16:00. promo.redeem writes these events itself when a code is redeemed; here'
\echo 'the shop writes them, as it would for coupons and referrals handled by another system:'
\echo '  INSERT INTO promo.events (customer_id, type, occurred_at, properties) VALUES'
\echo '    (''bob'', ''coupon_redeemed'', ''2026-11-10 14:00+00'', ''{"code": "AUTUMN-5"}''),'
\echo '    (''carol'', ''referral_completed'', ''2026-11-27 16:00+00'', ''{"referred": "erin"}'');'
INSERT INTO promo.events (customer_id, type, occurred_at, properties) VALUES
  ('bob', 'coupon_redeemed', '2026-11-10 14:00+00', '{"code": "AUTUMN-5"}'),
  ('carol', 'referral_completed', '2026-11-27 16:00+00', '{"referred": "erin"}');

INSERT INTO demo_story VALUES
  -- bob, T-shirt + cable (3799, no spend-more).
  -- Mon 11-09, before his coupon: not in either segment; nothing.
  (601, 'T4', 'loyal-15', 'bob', '2026-11-09 12:00+00', 'tee+cable', 0, NULL),
  -- In November after the coupon: 15% of 2500 = 375, 15% of 1299 = 194.85 -> 195 (half up);
  -- 570 off, total 3229. Still so in the last second of November.
  (602, 'T4', 'loyal-15', 'bob', '2026-11-23 12:00+00', 'tee+cable', 570, NULL),
  (603, 'T4', 'loyal-15', 'bob', '2026-11-30 23:59:59+00', 'tee+cable', 570, NULL),
  -- Tue 12-01 00:00: a new month; his coupon was last month. Nothing.
  (604, 'T4', 'loyal-15', 'bob', '2026-12-01 00:00+00', 'tee+cable', 0, NULL),
  -- carol, a $249.00 monitor (24900: spend-more 10% applies first).
  -- Fri 11-27 12:00, before her referral: spend-more only: 10% of 24900 = 2490.
  (605, 'T4', 'loyal-15', 'carol', '2026-11-27 12:00+00', 'monitor', 2490, NULL),
  -- Sat 11-28 after it: spend-more 2490, then 15% of the 22410 left = 3361.5 -> 3362;
  -- 5852 off, total 19048. The same in March 2027: referrers has no end.
  (606, 'T4', 'loyal-15', 'carol', '2026-11-28 10:00+00', 'monitor', 5852, NULL),
  (607, 'T4', 'loyal-15', 'carol', '2027-03-01 10:00+00', 'monitor', 5852, NULL);
UPDATE demo_story s SET result = promo.evaluate_cart(s.customer, b.cart, at => s.at)
FROM demo_basket b WHERE b.name = s.basket AND s.result IS NULL;
\echo 'bob, with a T-shirt and a cable: 15% in November after his coupon, not before, not in December'
SELECT "when", cart, subtotal, discount, total, expected, "as expected",
       outcome AS "loyal-15", "also applied"
FROM demo_story_totals WHERE tactic = 'T4' AND customer = 'bob' ORDER BY id;
\echo 'carol, with a monitor (over $100: spend-more 10% first): 15% from her referral on'
SELECT "when", cart, subtotal, discount, total, expected, "as expected",
       outcome AS "loyal-15", "also applied"
FROM demo_story_totals WHERE tactic = 'T4' AND customer = 'carol' ORDER BY id;

\echo
\echo '=============================================================================='
\echo ' T6  welcome-10: 10% off in the week you signed up'
\echo '=============================================================================='
\echo 'Wed 2026-11-25 10:00: dave creates an account. The shop writes the customer row:'
\echo '  INSERT INTO promo.customers (customer_id, signed_up_at)'
\echo '    VALUES (''dave'', ''2026-11-25 10:00+00'');'
INSERT INTO promo.customers (customer_id, signed_up_at)
  VALUES ('dave', '2026-11-25 10:00+00');

INSERT INTO demo_story VALUES
  -- T-shirt + cable (3799, no spend-more).
  -- Wed 09:00, an hour before signing up: not in new-this-week; nothing.
  (701, 'T6', 'welcome-10', 'dave', '2026-11-25 09:00+00', 'tee+cable', 0, NULL),
  -- From the sign-up on: 10% of 2500 = 250, 10% of 1299 = 129.9 -> 130; 380 off, total 3419.
  (702, 'T6', 'welcome-10', 'dave', '2026-11-25 10:00+00', 'tee+cable', 380, NULL),
  -- 3 T-shirts on Friday (7500): spend-more 5% first: 375; then 10% of the 7125 left =
  -- 712.5 -> 713; 1088 off, total 6412.
  (703, 'T6', 'welcome-10', 'dave', '2026-11-27 18:00+00', '3 tees', 1088, NULL),
  -- The last second of the week: still 380.
  (704, 'T6', 'welcome-10', 'dave', '2026-11-29 23:59:59+00', 'tee+cable', 380, NULL),
  -- Mon 11-30 00:00:00: a new week; nothing, with no job having run.
  (705, 'T6', 'welcome-10', 'dave', '2026-11-30 00:00:00+00', 'tee+cable', 0, NULL);
UPDATE demo_story s SET result = promo.evaluate_cart(s.customer, b.cart, at => s.at)
FROM demo_basket b WHERE b.name = s.basket AND s.result IS NULL;
SELECT "when", cart, subtotal, discount, total, expected, "as expected",
       outcome AS "welcome-10", "also applied"
FROM demo_story_totals WHERE tactic = 'T6' ORDER BY id;

\echo
\echo '=============================================================================='
\echo ' Segment membership of the story, as promo stores it (promo.segment_membership)'
\echo '=============================================================================='
\echo 'A customer is in a segment from valid_from (inclusive) until valid_until (exclusive),'
\echo 'computed by triggers when the history changed. alice, bob and carol were also'
\echo '"new this week" once, in the week they signed up.'
SELECT customer_id AS customer, segment, pg_temp.instant(valid_from) AS valid_from,
       pg_temp.instant(valid_until) AS valid_until
FROM promo.segment_membership m
WHERE customer_id IN ('alice', 'bob', 'carol', 'dave')
ORDER BY m.customer_id, m.valid_from;
\echo 'Who is in each segment at a few instants (promo.segment_members shows the same at now()):'
SELECT pg_temp.instant(t.at) AS "at",
       string_agg(m.customer_id, ', ' ORDER BY m.customer_id)
         FILTER (WHERE m.segment = 'abandoned-cart') AS "abandoned-cart",
       string_agg(m.customer_id, ', ' ORDER BY m.customer_id)
         FILTER (WHERE m.segment = 'redeemed-this-month') AS "redeemed-this-month",
       string_agg(m.customer_id, ', ' ORDER BY m.customer_id)
         FILTER (WHERE m.segment = 'referrers') AS "referrers",
       string_agg(m.customer_id, ', ' ORDER BY m.customer_id)
         FILTER (WHERE m.segment = 'new-this-week') AS "new-this-week"
FROM (VALUES (timestamptz '2026-11-23 12:00+00'), ('2026-11-24 09:10+00'),
             ('2026-11-25 12:00+00'), ('2026-11-26 20:00+00'), ('2026-11-28 12:00+00'),
             ('2026-11-30 00:00+00'), ('2026-12-01 00:00+00')) AS t (at)
LEFT JOIN promo.segment_membership m
  ON m.customer_id IN ('alice', 'bob', 'carol', 'dave')
 AND m.valid_from <= t.at AND t.at < m.valid_until
GROUP BY t.at ORDER BY t.at;

\echo
\echo 'Carts whose discount differs from the hand-worked amount (none expected):'
SELECT cart, discount, "expected discount" FROM (
  SELECT id, cart, discount, "expected discount", "as expected" FROM demo_totals
  UNION ALL
  SELECT id, format('%s, %s, %s', customer, "when", cart), discount, expected, "as expected"
  FROM demo_story_totals) AS every_cart
WHERE "as expected" <> 'yes'
ORDER BY id;
\echo 'Story evaluations that did not run (none expected):'
SELECT id, customer, at FROM demo_story WHERE result IS NULL ORDER BY id;
\echo 'Segment memberships that differ from a recomputation from scratch (none expected):'
SELECT * FROM promo.verify_segments();
