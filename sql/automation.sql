-- Automation (T1b): a reminder on 'abandoned-2-days' sends one coupon of come-back-10 per
-- segment entry through promo.outbox; claim/ack/timeout of the outbox; once_per_days;
-- scheduling without pg_cron; what each role may do. Times are given with at => so nothing
-- depends on the clock; random codes are shown only as "matches the payload".
CREATE EXTENSION promo;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-cart', 'last(''cart_abandoned'') > last(''order_placed'')'),
  ('abandoned-2-days', 'last(''cart_abandoned'') > last(''order_placed'')
                        and last(''cart_abandoned'') <= now() - ''2 days''');
INSERT INTO promo.promotions (name, currency, requires_code)
  VALUES ('come-back-10', 'USD', true);
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '$10 off', 'in_segment(''abandoned-cart'')', '{"amount_off": 1000}');

-- The contract statement, verbatim. Entries are reminded from entries_since on (default: when
-- the reminder was created); this story happens in November 2026, so it starts on 11-01.
INSERT INTO promo.reminders (segment, promotion, channel, template)
  VALUES ('abandoned-2-days', 'come-back-10', 'email', '{"subject": "Your cart is waiting"}');
UPDATE promo.reminders SET entries_since = '2026-11-01 00:00+00';
UPDATE promo.run_due_state SET last_run_at = '2026-11-01 00:00+00';
SELECT id, segment, promotion, channel, template, once_per_days, active FROM promo.reminders;

-- alice abandons on 11-23 10:00 and never orders: in abandoned-2-days from 11-25 10:00.
-- bob abandons on 11-23 10:00 and orders on 11-24 09:00: never in abandoned-2-days.
-- carol abandons on 11-23 12:00: in abandoned-2-days from 11-25 12:00.
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES
  ('alice', 'cart_abandoned', '2026-11-23 10:00+00'),
  ('bob', 'cart_abandoned', '2026-11-23 10:00+00'),
  ('bob', 'order_placed', '2026-11-24 09:00+00'),
  ('carol', 'cart_abandoned', '2026-11-23 12:00+00');
SELECT customer_id, valid_from, valid_until FROM promo.segment_membership
 WHERE segment = 'abandoned-2-days' ORDER BY customer_id;

-- Before two days have passed: nothing is due.
SELECT promo.run_due(at => '2026-11-25 09:59+00') AS queued;
SELECT count(*) AS outbox_rows FROM promo.outbox;
-- One minute after alice's entry: one message, with one new code assigned to alice.
SELECT promo.run_due(at => '2026-11-25 10:01+00') AS queued;
SELECT o.id, o.channel, o.customer_id, o.payload - 'code' AS payload_without_code,
       o.claimed_at, o.claim_count, o.acked_at
  FROM promo.outbox o ORDER BY o.id;
SELECT c.promotion, c.customer_id, c.kind, c.max_uses, c.uses, c.code ~ '^[2-9A-HJ-NP-Z]{8}$'
       AS well_formed, c.code = o.payload->>'code' AS in_payload
  FROM promo.codes c JOIN promo.outbox o ON o.customer_id = c.customer_id;
SELECT d.customer_id, d.reminder, d.entered_at, d.decided_at, d.outbox_id,
       d.code = (SELECT o.payload->>'code' FROM promo.outbox o WHERE o.id = d.outbox_id)
       AS code_matches
  FROM promo.reminder_deliveries d ORDER BY d.customer_id;
-- Again, at the same instant and later: nothing new for alice; carol's entry at 12:00 is due
-- at 12:01; bob (who ordered within two days) never gets anything.
SELECT promo.run_due(at => '2026-11-25 10:01+00') AS queued;
SELECT promo.run_due(at => '2026-11-25 10:30+00') AS queued;
SELECT promo.run_due(at => '2026-11-25 12:01+00') AS queued;
SELECT promo.run_due(at => '2026-11-28 00:00+00') AS queued;
SELECT o.id, o.customer_id, o.payload->>'entered_at' AS entered_at FROM promo.outbox o ORDER BY o.id;
SELECT customer_id, count(*) AS codes FROM promo.codes GROUP BY customer_id ORDER BY customer_id;

-- alice's code unlocks come-back-10 for her (and only for her).
SELECT r->'applied'->0->>'promotion' AS applied, r->>'discount' AS discount
  FROM promo.evaluate_cart('alice',
         jsonb_build_object('currency', 'USD', 'codes',
           jsonb_build_array((SELECT payload->>'code' FROM promo.outbox WHERE customer_id = 'alice')),
           'items', '[{"sku": "A", "quantity": 1, "unit_price": 5000}]'::jsonb),
         at => '2026-11-26 00:00+00') r;
SELECT r->'not_applied'->0->>'reason_code' AS carol_with_alices_code
  FROM promo.evaluate_cart('carol',
         jsonb_build_object('currency', 'USD', 'codes',
           jsonb_build_array((SELECT payload->>'code' FROM promo.outbox WHERE customer_id = 'alice')),
           'items', '[{"sku": "A", "quantity": 1, "unit_price": 5000}]'::jsonb),
         at => '2026-11-26 00:00+00') r;

-- A new entry is a new message: alice orders on 11-26, abandons again on 11-27 08:00, enters
-- again on 11-29 08:00.
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES
  ('alice', 'order_placed', '2026-11-26 08:00+00'),
  ('alice', 'cart_abandoned', '2026-11-27 08:00+00');
SELECT customer_id, valid_from, valid_until FROM promo.segment_membership
 WHERE segment = 'abandoned-2-days' AND customer_id = 'alice' ORDER BY valid_from;
SELECT promo.run_due(at => '2026-11-29 07:59+00') AS queued;
SELECT promo.run_due(at => '2026-11-29 08:00+00') AS queued;
SELECT customer_id, entered_at, outbox_id FROM promo.reminder_deliveries ORDER BY outbox_id;

-- An inactive reminder sends nothing; an entry before entries_since is not reminded (dave
-- enters on 11-29 09:00): moving entries_since back makes it due.
UPDATE promo.reminders SET active = false;
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('dave', 'cart_abandoned', '2026-11-27 09:00+00');
SELECT promo.run_due(at => '2026-11-29 09:01+00') AS queued;
-- A reminder whose promotion is inactive, or over at `at`, sends nothing either: the entry
-- waits (dave is still in the segment) until the promotion runs again.
UPDATE promo.reminders SET active = true;
UPDATE promo.promotions SET active = false WHERE name = 'come-back-10';
SELECT promo.run_due(at => '2026-11-29 09:02+00') AS queued;
UPDATE promo.promotions SET active = true, ends_at = '2026-11-29 09:03+00'
 WHERE name = 'come-back-10';
SELECT promo.run_due(at => '2026-11-29 09:03+00') AS queued;
UPDATE promo.promotions SET ends_at = NULL WHERE name = 'come-back-10';
UPDATE promo.reminders SET entries_since = '2026-11-29 10:00+00';
SELECT promo.run_due(at => '2026-11-29 10:01+00') AS queued;
UPDATE promo.reminders SET entries_since = '2026-11-01 00:00+00';
SELECT promo.run_due(at => '2026-11-29 10:02+00') AS queued;

-- once_per_days: a reminder on abandoned-cart at most once per 7 days. erin abandons on 11-02
-- (message), orders on 11-03, abandons again on 11-05 (2.5 days after the message: skipped,
-- recorded without a code), orders on 11-06, abandons on 11-12 (10 days later: message).
INSERT INTO promo.reminders (segment, promotion, channel, template, once_per_days, entries_since)
  VALUES ('abandoned-cart', 'come-back-10', 'sms', '{"text": "Still thinking?"}', 7,
          '2026-11-01 00:00+00');
UPDATE promo.reminders SET active = false WHERE segment = 'abandoned-2-days';
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES
  ('erin', 'cart_abandoned', '2026-11-02 00:00+00'),
  ('erin', 'order_placed', '2026-11-03 00:00+00'),
  ('erin', 'cart_abandoned', '2026-11-05 00:00+00'),
  ('erin', 'order_placed', '2026-11-06 00:00+00'),
  ('erin', 'cart_abandoned', '2026-11-12 00:00+00');
SELECT promo.run_due(at => '2026-11-02 12:00+00') AS queued;
SELECT promo.run_due(at => '2026-11-05 12:00+00') AS queued;
SELECT promo.run_due(at => '2026-11-12 12:00+00') AS queued;
SELECT d.entered_at, d.decided_at, d.code IS NOT NULL AS has_code, o.channel,
       o.payload->'template' AS template
  FROM promo.reminder_deliveries d LEFT JOIN promo.outbox o ON o.id = d.outbox_id
 WHERE d.customer_id = 'erin' ORDER BY d.entered_at;

-- Bad reminders (terse: the failing row would show created_at).
\set VERBOSITY terse
INSERT INTO promo.reminders (segment, promotion, channel, template)
  VALUES ('abandoned-cart', 'come-back-10', '', '{}');
INSERT INTO promo.reminders (segment, promotion, channel, template)
  VALUES ('abandoned-cart', 'come-back-10', 'email', '[]');
INSERT INTO promo.reminders (segment, promotion, channel, template, once_per_days)
  VALUES ('abandoned-cart', 'come-back-10', 'email', '{}', 0);
INSERT INTO promo.reminders (segment, promotion, channel, template)
  VALUES ('no-such-segment', 'come-back-10', 'email', '{}');
-- A segment used by a reminder cannot be deleted.
DELETE FROM promo.segments WHERE name = 'abandoned-2-days';
\set VERBOSITY default

-- The outbox as a queue: ids 1..6 are pending. claim_outbox hands each out once; a claimed
-- row comes back only after its claim timed out ('0 seconds': at once); acked rows never.
SELECT id, customer_id, claim_count FROM promo.outbox WHERE acked_at IS NULL ORDER BY id;
SELECT id, customer_id, claim_count, claimed_at IS NOT NULL AS claimed
  FROM promo.claim_outbox(2);
SELECT id, customer_id, claim_count FROM promo.claim_outbox(10);
SELECT id FROM promo.claim_outbox(10);
SELECT promo.ack_outbox(1) AS first_ack, promo.ack_outbox(1) AS second_ack,
       promo.ack_outbox(2) AS ack_2, promo.ack_outbox(999) AS unknown;
SELECT id, claim_count FROM promo.claim_outbox(10, claim_timeout => '0 seconds');
SELECT id, claim_count, acked_at IS NOT NULL AS acked FROM promo.outbox ORDER BY id;
SELECT promo.claim_outbox(-1);
SELECT count(*) FROM promo.claim_outbox(0, '0 seconds');

-- Scheduling needs pg_cron, which this database does not have.
SELECT promo.schedule_run_due('1 minute');
SELECT promo.unschedule_run_due();

-- Roles. promo_app runs reminders and drains the outbox but manages no reminders; promo_admin
-- manages reminders but does not drain the outbox; promo_reader sees neither (codes).
-- At 11-30 the sms reminder on abandoned-cart finds alice (since 11-27 08:00), carol (since
-- 11-23 12:00) and dave (since 11-27 09:00), none with an sms yet: 3 messages.
SET ROLE promo_app;
SELECT promo.run_due(at => '2026-11-30 00:00+00') AS queued;
SELECT count(*) FROM promo.claim_outbox(10, '0 seconds');
SELECT promo.ack_outbox(3);
SELECT count(*) FROM promo.outbox;
INSERT INTO promo.reminders (segment, promotion, channel) VALUES ('abandoned-cart', 'come-back-10', 'email');
UPDATE promo.outbox SET acked_at = now();
SELECT count(*) FROM promo.reminder_deliveries;
RESET ROLE;
SET ROLE promo_admin;
INSERT INTO promo.reminders (segment, promotion, channel, active)
  VALUES ('abandoned-cart', 'come-back-10', 'push', false);
UPDATE promo.reminders SET template = '{"title": "Come back"}' WHERE channel = 'push';
SELECT count(*) FROM promo.outbox;
SELECT count(*) FROM promo.reminder_deliveries;
SELECT promo.claim_outbox(1);
SELECT promo.ack_outbox(3);
SELECT promo.run_due(at => '2026-11-30 00:00+00') AS queued;
RESET ROLE;
SET ROLE promo_reader;
SELECT count(*) FROM promo.outbox;
SELECT count(*) FROM promo.reminders;
SELECT promo.run_due();
SELECT promo.claim_outbox(1);
SELECT promo.schedule_run_due();
RESET ROLE;

-- Renaming a segment or promotion follows into reminders.
UPDATE promo.segments SET name = 'cart-left-2-days' WHERE name = 'abandoned-2-days';
UPDATE promo.promotions SET name = 'come-back-ten' WHERE name = 'come-back-10';
SELECT segment, promotion, channel FROM promo.reminders ORDER BY id;
DROP EXTENSION promo;
