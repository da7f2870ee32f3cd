-- The public contract (docs api.md): the Definitions statements verbatim, and the Result
-- example: 3 x TSHIRT at 25.00 under "spend-more" (5% from $50, 10% from $100).
CREATE EXTENSION promo;

-- show_result(jsonb): one line per fact of a result (shared by the evaluation tests).
\i sql/include/show_result.sql

-- Definitions, verbatim.
INSERT INTO promo.promotions (name, currency) VALUES ('spend-more', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('spend-more', '5% from $50',   'subtotal >= 50.00',  '{"percent_off": 5}'),
  ('spend-more', '10% from $100', 'subtotal >= 100.00', '{"percent_off": 10}');

SELECT id, name, currency, active, starts_at, ends_at, priority, exclusive, description
  FROM promo.promotions;
SELECT id, promotion, name, condition, discount FROM promo.tiers ORDER BY id;

-- The Result example: the whole document.
\set cart '{"currency": "USD", "items": [{"sku": "TSHIRT", "quantity": 3, "unit_price": 2500}]}'
SELECT jsonb_pretty(promo.evaluate_cart('alice', :'cart'::jsonb));

-- The evaluation statements of the contract, verbatim (spend-more has no time window).
SELECT promo.evaluate_cart('alice', :'cart'::jsonb);               -- at now()
SELECT promo.evaluate_cart('alice', :'cart'::jsonb, at => '2026-12-01 10:00+00');

-- The example cart of the Cart section: every optional field is accepted. 199.00 reaches the
-- 10% tier: 1990 off, and no better tier is left, so no hint.
SELECT show_result(promo.evaluate_cart('alice', '{
  "currency": "USD",
  "items": [
    {"sku": "HP-PRO", "product": "headphones", "category": "audio",
     "quantity": 1, "unit_price": 19900, "attributes": {"color": "black"}}
  ],
  "codes": ["SPRING-7XK2"]
}'));

-- A guest (NULL customer_id) gets the same answer.
SELECT promo.evaluate_cart(NULL, :'cart'::jsonb) = promo.evaluate_cart('alice', :'cart'::jsonb)
  AS guest_same_as_alice;

-- explain => false leaves out not_applied and hints, amounts unchanged.
SELECT show_result(promo.evaluate_cart('alice', :'cart'::jsonb, explain => false));

-- Invariants of the contract: subtotal - discount = total, the items' discounts sum to the
-- discount, and each item's per-promotion amounts sum to its discount.
SELECT (r->>'subtotal')::bigint - (r->>'discount')::bigint = (r->>'total')::bigint AS totals_add_up,
       (SELECT sum((i->>'discount')::bigint) FROM jsonb_array_elements(r->'items') i)
         = (r->>'discount')::bigint AS items_sum_to_discount,
       (SELECT bool_and((i->>'discount')::bigint =
                        (SELECT coalesce(sum((d->>'amount')::bigint), 0)
                           FROM jsonb_array_elements(i->'discounts') d))
          FROM jsonb_array_elements(r->'items') i) AS shares_sum_to_item_discount
  FROM promo.evaluate_cart('alice', :'cart'::jsonb) r;

-- Every table, column and function of the extension is documented.
SELECT c.relname, a.attname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = 'promo' AND c.relkind = 'r'
   AND col_description(c.oid, coalesce(a.attnum, 0)) IS NULL
   AND (a.attnum IS NOT NULL OR obj_description(c.oid, 'pg_class') IS NULL);
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'promo' AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT p.oid::regprocedure AS undocumented_function
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'promo' AND obj_description(p.oid, 'pg_proc') IS NULL;
-- Every function pins its search_path.
SELECT p.oid::regprocedure AS function, p.proconfig
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'promo' ORDER BY p.oid::regprocedure::text;

DROP FUNCTION show_result(jsonb);
DROP EXTENSION promo;
