-- promo demo: loads the three example promotions and shows what sample carts get.
--
--   psql -v ON_ERROR_STOP=1 -f examples/demo.sql
--
-- Needs a database where the extension can be created (or already is). It replaces the
-- example promotions (spend-more, mouse-pad-free, headphones-upgrade) but touches nothing else;
-- any other active promotion in the database would also be evaluated and shown.
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

CREATE EXTENSION IF NOT EXISTS promo;

-- The three tactics, in this order: the order of creation breaks ties between promotions of
-- the same priority, so spend-more (created first) is applied first and the others take their
-- share of what it left on each line.
\ir t2_spend_more.sql
\ir t3_buy_one_get_one.sql
\ir t5_sku_variant.sql

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
  -- All three promotions are in USD: each is reported as currency_mismatch; nothing off.
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
\echo 'What did not apply, and why'
SELECT cart, promotion, reason_code, reason FROM demo_not_applied
WHERE tactic = 'ALL' ORDER BY id, n;
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

\echo
\echo 'Carts whose discount differs from the hand-worked amount (none expected):'
SELECT cart, discount, "expected discount" FROM demo_totals WHERE "as expected" <> 'yes'
ORDER BY id;
