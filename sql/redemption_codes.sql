-- Codes: generate_codes (format, alphabet without look-alikes, uniqueness, single use by
-- default, max_uses, an assigned customer, length bounds), and evaluation with codes through
-- evaluate_cart and redeem: missing (code_required), wrong (code_invalid), used up
-- (code_used_up), another customer's (code_not_yours), a code of an ended promotion (the
-- promotion's own reason), case and surrounding whitespace ignored. A bad code never raises an
-- error. Random codes are shown through labels.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';

\i sql/include/error_of.sql
CREATE TABLE labels (code text PRIMARY KEY, label text NOT NULL UNIQUE);
CREATE FUNCTION label(c text) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce((SELECT label FROM labels WHERE code = c), c)
$$;
CREATE FUNCTION code_of(l text) RETURNS text LANGUAGE sql AS $$
  SELECT code FROM labels WHERE label = l
$$;
-- Lines sorted by text: the position of code entries among not_applied is not part of the
-- contract. Codes, also inside reasons, are shown by their labels.
CREATE FUNCTION show_result(r jsonb) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT line FROM (
    SELECT 1 AS part,
           format('%s subtotal %s, discount %s, total %s',
                  r->>'currency', r->>'subtotal', r->>'discount', r->>'total') AS line
    UNION ALL
    SELECT 2, format('applied %s / %s: %s%s', a->>'promotion', a->>'tier',
                     a->>'discount', ' code ' || label(a->>'code'))
      FROM jsonb_array_elements(r->'applied') a
    UNION ALL
    SELECT 4, format('not_applied %s%s [%s]: %s', coalesce(x->>'promotion', '(none)'),
                     ' code ' || label(x->>'code'), x->>'reason_code',
                     coalesce(replace(x->>'reason', x->>'code', label(x->>'code')),
                              x->>'reason'))
      FROM jsonb_array_elements(r->'not_applied') x
  ) s ORDER BY part, line
$$;
-- A 100.00 USD cart carrying the given codes (as typed by the customer).
CREATE FUNCTION cart(VARIADIC codes text[] DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('currency', 'USD',
           'items', '[{"sku": "A", "quantity": 1, "unit_price": 10000}]'::jsonb,
           'codes', to_jsonb(codes))
$$;

INSERT INTO promo.promotions (name, currency, requires_code) VALUES ('spring', 'USD', true);
INSERT INTO promo.tiers (promotion, name, discount)
  VALUES ('spring', '$5 off', '{"amount_off": 500}');
INSERT INTO promo.promotions (name, currency, requires_code, ends_at)
  VALUES ('autumn', 'USD', true, '2026-11-01 00:00+00');
INSERT INTO promo.tiers (promotion, name, discount)
  VALUES ('autumn', '$7 off', '{"amount_off": 700}');

-- generate_codes: 3 single-use codes "SP-" + 8 characters of the alphabet, distinct.
INSERT INTO labels SELECT code, 'S' || row_number() OVER ()
  FROM promo.generate_codes('spring', 3, prefix => 'SP-');
SELECT count(*) AS generated, count(DISTINCT code) AS distinct_codes,
       bool_and(code ~ '^SP-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$') AS well_formed
  FROM labels;
SELECT label(code), promotion, customer_id, kind, max_uses, uses
  FROM promo.codes ORDER BY label(code);
-- Assigned to carol, length 12, no prefix; two uses; a code of the ended promotion.
INSERT INTO labels SELECT code, 'CAROL' FROM promo.generate_codes('spring', 1,
  customer_id => 'carol', length => 12);
INSERT INTO labels SELECT code, 'TWICE' FROM promo.generate_codes('spring', 1, max_uses => 2);
INSERT INTO labels SELECT code, 'OLD' FROM promo.generate_codes('autumn', 1);
SELECT label(code), length(code), code ~ '^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]+$' AS alphabet,
       promotion, customer_id, max_uses, uses
  FROM promo.codes WHERE code IN (SELECT code FROM labels WHERE label IN ('CAROL', 'TWICE', 'OLD'))
 ORDER BY label(code);
-- Bad arguments.
SELECT error_of($$SELECT * FROM promo.generate_codes('spring', 1, length => 5)$$);
SELECT error_of($$SELECT * FROM promo.generate_codes('spring', 1, length => 33)$$);
SELECT error_of($$SELECT * FROM promo.generate_codes('no-such-promotion', 1)$$);
SELECT count(*) AS six FROM promo.generate_codes('spring', 1, length => 6) g
 WHERE length(g.code) = 6;
DELETE FROM promo.codes WHERE length(code) = 6;

-- No code: spring [code_required]; autumn [ended].
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-19 12:00+00'));
-- A code that exists nowhere: an entry with no promotion, code_invalid, "code 'NOPE-2345'
-- does not exist"; spring still needs a code.
SELECT show_result(promo.evaluate_cart('alice', cart('NOPE-2345'), at => '2026-11-19 12:00+00'));
SELECT show_result(promo.redeem('alice', cart('NOPE-2345'), order_id => 'o-1',
                                at => '2026-11-19 12:00+00'));
-- alice redeems S1 typed in lower case with spaces around: spring 500 with code S1.
SELECT show_result(promo.redeem('alice', cart('  ' || lower(code_of('S1')) || ' '),
                                order_id => 'o-2', at => '2026-11-19 12:00+00'));
SELECT label(code), uses FROM promo.codes WHERE code = code_of('S1');
SELECT order_id, customer_id, promotion, amount, label(code) FROM promo.redemptions;
-- S1 again (bob): used up.
SELECT show_result(promo.redeem('bob', cart(code_of('S1')), order_id => 'o-3',
                                at => '2026-11-19 12:00+00'));
-- carol's code used by bob: code_not_yours; by carol: applies.
SELECT show_result(promo.redeem('bob', cart(code_of('CAROL')), order_id => 'o-4',
                                at => '2026-11-19 12:00+00'));
SELECT show_result(promo.redeem('carol', cart(code_of('CAROL')), order_id => 'o-5',
                                at => '2026-11-19 12:00+00'));
-- The ended promotion's code: autumn [ended]; spring needs its own code.
SELECT show_result(promo.redeem('dan', cart(code_of('OLD')), order_id => 'o-6',
                                at => '2026-11-19 12:00+00'));
-- Before autumn ended the same code works (evaluate only).
SELECT show_result(promo.evaluate_cart('dan', cart(code_of('OLD')), at => '2026-10-19 12:00+00'));
-- TWICE: two uses, then used up.
SELECT show_result(promo.redeem('erin', cart(code_of('TWICE')), order_id => 'o-7',
                                at => '2026-11-19 12:00+00'));
SELECT show_result(promo.redeem('frank', cart(code_of('TWICE')), order_id => 'o-8',
                                at => '2026-11-19 12:00+00'));
SELECT show_result(promo.redeem('gina', cart(code_of('TWICE')), order_id => 'o-9',
                                at => '2026-11-19 12:00+00'));
-- Two codes of spring in one cart: spring applies once, with one code; a wrong one next to a
-- good one is still reported.
SELECT show_result(promo.redeem('hank', cart(code_of('S2'), 'NOPE-2345'), order_id => 'o-10',
                                at => '2026-11-19 12:00+00'));
SELECT label(code), max_uses, uses FROM promo.codes ORDER BY label(code);
-- A code is written upper-case (stored as normalised); a 'promo.codes' row cannot exceed its
-- uses.
SELECT count(*) AS not_normalised FROM promo.codes WHERE code <> upper(btrim(code));
SELECT count(*) AS over_used FROM promo.codes WHERE uses > max_uses;
-- Every code redemption wrote coupon_redeemed for the redeemer.
SELECT customer_id, type, source_key FROM promo.events ORDER BY source_key, customer_id;

-- A bulk of 20,000 codes: all inserted, all distinct (the timing of a million is in bench/).
SELECT count(*) AS generated FROM promo.generate_codes('spring', 20000, prefix => 'BULK-');
SELECT count(*) AS bulk, count(DISTINCT code) AS distinct_bulk FROM promo.codes
 WHERE code LIKE 'BULK-%';

DROP FUNCTION cart(text[]);
DROP FUNCTION show_result(jsonb);
DROP FUNCTION code_of(text);
DROP FUNCTION label(text);
DROP TABLE labels;
DROP FUNCTION error_of(text);
DROP EXTENSION promo;
