-- promo.format_condition: the canonical text of a rule, or its error.
CREATE EXTENSION promo;

SELECT condition, promo.format_condition(condition) FROM (VALUES
  ('subtotal>=50'),
  ('SUBTOTAL >= 50.5'),
  ('has(sku=''A'') AND (quantity >= 2)'),
  ('(has(sku = ''A'') or has(sku = ''B'')) and subtotal >= 100'),
  ('not has(category = ''socks'')'),
  ('quantity(sku in (''A'', ''B'')) >= 3'),
  ('amount(category = ''audio'') >= 60.00'),
  ('has(attributes.color = ''black'' and unit_price >= 60)'),
  ('true')
) AS t(condition);

-- Money literals follow the currency: JPY has no minor unit, BHD has three decimals.
SELECT promo.format_condition('subtotal >= 5000', 'JPY');
SELECT promo.format_condition('subtotal >= 5.5', 'BHD');
-- The default currency is USD.
SELECT promo.format_condition('subtotal >= 1') = promo.format_condition('subtotal >= 1', 'USD')
  AS usd_by_default;
-- Canonical text reads back as itself.
SELECT promo.format_condition(promo.format_condition(c)) = promo.format_condition(c) AS stable
  FROM (VALUES ('has(sku=''A'') AND (quantity >= 2)'), ('not (subtotal < 10 or quantity > 3)')) t(c);
-- NULL in, NULL out.
SELECT promo.format_condition(NULL) IS NULL AS null_in_null_out;

-- Errors.
SELECT promo.format_condition('subtotal >= 50.001');
SELECT promo.format_condition('subtotal >= 50', 'XYZ');
SELECT promo.format_condition('subtotal >=');

-- Segment names resolve against promo.segments.
INSERT INTO promo.segments (name, definition) VALUES ('vip', 'count(''order_placed'') >= 10');
SELECT promo.format_condition('IN_SEGMENT(''vip'')  AND subtotal>=20');
SELECT promo.format_condition('in_segment(''vipp'')');
DELETE FROM promo.segments WHERE name = 'vip';
DROP EXTENSION promo;
