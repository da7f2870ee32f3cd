-- promo.track and promo.qualifications: the loop "event in, incentive out".
-- T1 (track cart_abandoned -> entered abandoned-cart, come-back-10 available), T6 (track
-- signed_up -> entered new-this-week, welcome-10 available; a week later gone), T2 without a
-- cart (needs subtotal >= 50.00), T5 (needs HP-PRO and either an item from $60 or the
-- keyboard), a mixed `or`, limits (a customer who used come-back-10 no longer qualifies),
-- codes (requires_code only with a code assigned to the customer).
CREATE EXTENSION promo;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- One line per promotion of a qualifications() answer, and one per tier when there are several.
CREATE FUNCTION show_q(j jsonb) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT line FROM (
    SELECT q.n, 0::bigint AS t,
           format('%s [%s] %s: %s needs %s%s%s', q.v->>'promotion', q.v->>'currency',
                  q.v->>'tier', q.v->'discount', q.v->'needs',
                  CASE WHEN q.v ? 'estimate' THEN ' estimate ' || (q.v->>'estimate') ELSE '' END,
                  CASE WHEN q.v ? 'code' THEN ' (with a code of theirs)' ELSE '' END) AS line
      FROM jsonb_array_elements(j) WITH ORDINALITY q(v, n)
    UNION ALL
    SELECT q.n, t.n, format('    tier %s: needs %s%s', t.v->>'tier', t.v->'needs',
                            CASE WHEN t.v ? 'estimate' THEN ' estimate ' || (t.v->>'estimate')
                                 ELSE '' END)
      FROM jsonb_array_elements(j) WITH ORDINALITY q(v, n),
           jsonb_array_elements(q.v->'tiers') WITH ORDINALITY t(v, n)
     WHERE jsonb_array_length(q.v->'tiers') > 1
  ) s ORDER BY n, t
$$;

-- T1 exactly as in the API contract: the only promotion is come-back-10.
INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-cart', 'last(''cart_abandoned'') > last(''order_placed'')');
INSERT INTO promo.promotions (name, currency, per_customer_limit)
  VALUES ('come-back-10', 'USD', 1);
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '$10 off', 'in_segment(''abandoned-cart'')', '{"amount_off": 1000}');
INSERT INTO promo.customers (customer_id, signed_up_at)
  VALUES ('alice', '2026-10-01 09:00+00'), ('bob', '2026-10-01 09:00+00');
SELECT promo.track('alice', 'cart_abandoned', '{"cart_value": 4200}', '2026-11-18 08:00+00');
-- The event went through promo.events like any INSERT.
SELECT customer_id, type, properties, occurred_at FROM promo.events ORDER BY event_id;
-- A second abandonment changes no membership: nothing entered or left, the offer stays.
SELECT promo.track('alice', 'cart_abandoned', '{}', '2026-11-18 09:00+00');
-- Her order takes her out of the segment: left, and nothing is available.
SELECT promo.track('alice', 'order_placed', '{}', '2026-11-18 10:00+00');
-- Same validation as an INSERT into promo.events.
SELECT promo.track('alice', '', '{}', '2026-11-18 11:00+00');
SELECT promo.track('alice', 'x', '[1]', '2026-11-18 11:00+00');
SELECT promo.track('alice', 'x', '{}', NULL);
-- A null customer: refused by the insert into promo.events (track), and by the lock itself.
SELECT promo.track(NULL, 'x', '{}', '2026-11-18 11:00+00');
SELECT promo.lock_customer_history(NULL);

-- More promotions: T2 tiers, T5 headphones, T6 welcome, a mixed or, a code-only promotion.
INSERT INTO promo.segments (name, definition) VALUES
  ('new-this-week', 'last(''signed_up'') >= start_of_week()'),
  ('vip', 'customer.tier = ''gold''');
INSERT INTO promo.promotions (name, currency) VALUES
  ('spend-more', 'USD'), ('headphones-upgrade', 'USD'), ('welcome-10', 'USD'),
  ('vip-or-big', 'USD'), ('euro-5', 'EUR');
INSERT INTO promo.promotions (name, currency, requires_code) VALUES ('coded-20', 'USD', true);
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('spend-more', '5% from $50', 'subtotal >= 50.00', '{"percent_off": 5}'),
  ('spend-more', '10% from $100', 'subtotal >= 100.00', '{"percent_off": 10}'),
  ('headphones-upgrade', '30% off HP-PRO',
   'has(sku = ''HP-PRO'') and (has(sku <> ''HP-PRO'' and unit_price >= 60.00) or has(sku = ''APPLE-KB''))',
   '{"percent_off": 30, "target": "sku = ''HP-PRO''"}'),
  ('welcome-10', '10%', 'in_segment(''new-this-week'')', '{"percent_off": 10}'),
  ('vip-or-big', '$20 off', 'in_segment(''vip'') or subtotal >= 150.00', '{"amount_off": 2000}'),
  ('euro-5', '5 EUR off', 'subtotal >= 40.00', '{"amount_off": 500}'),
  ('coded-20', '20%', 'true', '{"percent_off": 20}');

-- T2 and T5 without a cart (bob: no segment). Percent offers first (larger percent first),
-- then amounts; every currency, since there is no cart.
SELECT show_q(promo.qualifications('bob', NULL, '2026-11-20 12:00+00'));
-- The same with a cart of headphones alone (199.00): only USD promotions, sorted by what each
-- would take off this cart; needs say what this cart lacks.
SELECT show_q(promo.qualifications('bob', '{"currency": "USD", "items": [
  {"sku": "HP-PRO", "quantity": 1, "unit_price": 19900}]}', '2026-11-20 12:00+00'));
-- A cart of 30.00: spend-more 2000 and 7000 short, vip-or-big 12000 short.
SELECT show_q(promo.qualifications('bob', '{"currency": "USD", "items": [
  {"sku": "TSHIRT", "quantity": 1, "unit_price": 3000}]}', '2026-11-20 12:00+00'));

-- Mixed or: for a vip the customer side alone satisfies it, so needs is [].
UPDATE promo.customers SET attributes = '{"tier": "gold"}' WHERE customer_id = 'bob';
SELECT line FROM show_q(promo.qualifications('bob', NULL, '2026-11-20 12:00+00')) line
 WHERE line LIKE 'vip-or-big%';

-- T6: dave signs up on Wednesday 11-25: new-this-week entered, welcome-10 among the offers.
SELECT t - 'available' AS segments,
       (SELECT count(*) FROM jsonb_array_elements(t -> 'available') a(v)
         WHERE v->>'promotion' = 'welcome-10') AS welcome_offers
  FROM promo.track('dave', 'signed_up', '{}', '2026-11-25 10:00+00') t;
SELECT line FROM show_q(promo.qualifications('dave', NULL, '2026-11-26 12:00+00')) line
 WHERE line LIKE 'welcome%';
-- A week later the segment has ended (at the start of the next week): welcome-10 is gone.
SELECT count(*) AS welcome_offers
  FROM jsonb_array_elements(promo.qualifications('dave', NULL, '2026-12-02 10:00+00')) q(v)
 WHERE v->>'promotion' = 'welcome-10';

-- Limits: alice abandons again, redeems come-back-10 at checkout, abandons once more: she is in
-- the segment but come-back-10 (1 per customer) is no longer offered.
SELECT promo.track('alice', 'cart_abandoned', '{}', '2026-11-20 08:00+00') -> 'entered' AS entered;
SELECT count(*) AS come_back_offers
  FROM jsonb_array_elements(promo.qualifications('alice', NULL, '2026-11-20 09:00+00')) q(v)
 WHERE v->>'promotion' = 'come-back-10';
SELECT promo.redeem('alice', '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 1, "unit_price": 10000}]}', 'order-1', '2026-11-20 09:00+00')
  -> 'discount' AS discount;
SELECT promo.track('alice', 'order_placed', '{}', '2026-11-20 09:01+00') -> 'left' AS left;
SELECT t - 'available' AS segments,
       (SELECT count(*) FROM jsonb_array_elements(t -> 'available') a(v)
         WHERE v->>'promotion' = 'come-back-10') AS come_back_offers
  FROM promo.track('alice', 'cart_abandoned', '{}', '2026-11-21 08:00+00') t;

-- Codes: coded-20 is offered only to a customer holding one of its codes.
SELECT count(*) AS generated FROM promo.generate_codes('coded-20', 1, 'C-', 'carol');
SELECT line FROM show_q(promo.qualifications('carol', NULL, '2026-11-20 12:00+00')) line
 WHERE line LIKE 'coded%';
SELECT count(*) AS coded_offers_for_bob
  FROM jsonb_array_elements(promo.qualifications('bob', NULL, '2026-11-20 12:00+00')) q(v)
 WHERE v->>'promotion' = 'coded-20';

-- Guests (NULL) are in no segment; bad input.
SELECT jsonb_array_length(promo.qualifications(NULL, NULL, '2026-11-20 12:00+00')) AS guest_offers;
SELECT promo.qualifications('bob', '{"currency": "USD"}', 'infinity');
SELECT promo.qualifications('bob', '{"currency": "USD", "items": "x"}');

DROP FUNCTION show_q(jsonb);
DROP EXTENSION promo;
