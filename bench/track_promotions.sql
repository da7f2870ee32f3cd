-- promo track benchmark (bench/track.sh): promotions p<from>..p<to> in USD, every 4th gated
-- by a segment, the others cart-only (subtotal tiers); percent and amount alternate.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
INSERT INTO promo.promotions (name, currency)
SELECT 'p' || lpad(i::text, 4, '0'), 'USD' FROM generate_series(:from, :to) i;
INSERT INTO promo.tiers (promotion, name, condition, discount)
SELECT 'p' || lpad(i::text, 4, '0'), 'tier',
       CASE WHEN i % 4 = 0
            THEN format('in_segment(%L) and subtotal >= %s.00',
                        (ARRAY['abandoned-cart', 'ordered-once', 'repeat-buyer', 'heavy-browser',
                               'browsed-in-7-days'])[1 + i % 5], 20 + i % 80)
            ELSE format('subtotal >= %s.00', 20 + i % 80) END,
       CASE WHEN i % 2 = 0 THEN format('{"percent_off": %s}', 1 + i % 30)
            ELSE format('{"amount_off": %s}', 100 + i % 2000) END::jsonb
  FROM generate_series(:from, :to) i;
ANALYZE;
