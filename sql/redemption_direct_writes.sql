-- promo.redeem writes a first redemption (no usage row yet, order_id unused, READ COMMITTED)
-- without a statement, and falls back to its statement otherwise. Both must record the same
-- rows, keep the tables' constraints, fire a user's row triggers, and honour what makes the
-- direct writes unsafe: statement triggers and a column the direct writes would not fill.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';
\i sql/include/error_of.sql
CREATE FUNCTION cart(price integer) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('currency', 'USD',
    'items', jsonb_build_array(jsonb_build_object('sku', 'A', 'quantity', 1, 'unit_price', price)))
$$;
-- What is recorded for a customer, one line per fact.
CREATE FUNCTION recorded(customer text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT format('usage %s: %s', promotion, used) FROM promo.customer_usage
   WHERE customer_id = customer
  UNION ALL
  SELECT format('order %s: digest ok %s, discount %s', order_id,
                cart_digest = sha256(convert_to((SELECT cart(10000))::text, 'UTF8'))
                  OR cart_digest = sha256(convert_to((SELECT cart(20000))::text, 'UTF8')),
                result->>'discount')
    FROM promo.orders WHERE customer_id = customer
  UNION ALL
  SELECT format('redemption %s %s / %s: %s, code %s, slot %s, budgeted %s', order_id,
                promotion, tier, amount, code, slot, budgeted)
    FROM promo.redemptions WHERE customer_id = customer
  ORDER BY 1
$$;

-- twice: at most two per customer; open: no limit at all (its usage is not read before
-- evaluating, so the direct writes look for the usage row themselves).
INSERT INTO promo.promotions (name, currency, per_customer_limit) VALUES ('twice', 'USD', 2);
INSERT INTO promo.promotions (name, currency) VALUES ('open', 'USD');
INSERT INTO promo.tiers (promotion, name, discount) VALUES
  ('twice', '$5 off', '{"amount_off": 500}'),
  ('open', '1% off', '{"percent_off": 1}');

-- A first redemption: written directly. A user's AFTER ROW trigger on promo.redemptions sees it.
CREATE TABLE redemption_audit (order_id text, promotion text, amount bigint);
CREATE FUNCTION audit_redemption() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  INSERT INTO redemption_audit VALUES (NEW.order_id, NEW.promotion, NEW.amount);
  RETURN NULL;
END
$$;
CREATE TRIGGER audit AFTER INSERT ON promo.redemptions
  FOR EACH ROW EXECUTE FUNCTION audit_redemption();
-- Its rows carry the transaction's time, as the columns' default now() would.
BEGIN;
SELECT promo.redeem('ann', cart(10000), 'o-1')->>'discount' AS discount;
SELECT (SELECT bool_and(redeemed_at = now()) FROM promo.orders) AS order_at_now,
       (SELECT bool_and(redeemed_at = now() AND rolled_back_at IS NULL)
          FROM promo.redemptions) AS redemptions_at_now;
COMMIT;
SELECT * FROM recorded('ann');
SELECT * FROM redemption_audit ORDER BY order_id, promotion;

-- The same order again: replayed, nothing written. The same order_id with another cart or by
-- another customer: an error naming the order.
SELECT promo.redeem('ann', cart(10000), 'o-1')->>'discount' AS replayed;
SELECT error_of($$SELECT promo.redeem('ann', cart(20000), 'o-1')$$);
SELECT error_of($$SELECT promo.redeem('bob', cart(10000), 'o-1')$$);
SELECT count(*) AS orders, (SELECT count(*) FROM promo.redemptions) AS redemptions
  FROM promo.orders;

-- The second redemption of ann: her usage rows exist, so the statement counts them (2 of 2).
SELECT promo.redeem('ann', cart(20000), 'o-2')->>'discount' AS discount;
SELECT * FROM recorded('ann');
-- The third: twice has reached its limit; only open applies and is counted again.
SELECT promo.redeem('ann', cart(10000), 'o-3')->'applied' AS applied;
SELECT * FROM recorded('ann');

-- A CHECK constraint a DBA adds to promo.orders holds for the direct writes, from the first
-- redemption after it was added in this session, and is gone once dropped. A failed redemption
-- leaves nothing behind.
ALTER TABLE promo.orders ADD CONSTRAINT "no test orders" CHECK (order_id NOT LIKE 'test-%');
SELECT error_of($$SELECT promo.redeem('cy', cart(10000), 'test-1')$$);
SELECT * FROM recorded('cy');
SELECT count(*) AS audited FROM redemption_audit WHERE order_id = 'test-1';
ALTER TABLE promo.orders DROP CONSTRAINT "no test orders";
SELECT promo.redeem('cy', cart(10000), 'test-1')->>'discount' AS discount;
SELECT * FROM recorded('cy');

-- A statement trigger on promo.orders: the direct writes would not fire it, so redeem runs its
-- statement, which does.
CREATE FUNCTION orders_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE 'statement trigger on %', TG_TABLE_NAME;
  RETURN NULL;
END
$$;
CREATE TRIGGER orders_statement AFTER INSERT ON promo.orders
  FOR EACH STATEMENT EXECUTE FUNCTION orders_statement();
SELECT promo.redeem('dee', cart(10000), 'o-4')->>'discount' AS discount;
SELECT * FROM recorded('dee');
DROP TRIGGER orders_statement ON promo.orders;

-- A column a DBA adds to promo.redemptions, with a default: the direct writes would not fill it,
-- so the statement does. Once dropped, the direct writes are used again (the dropped column is
-- skipped).
ALTER TABLE promo.redemptions ADD COLUMN channel text DEFAULT 'web';
SELECT promo.redeem('eve', cart(10000), 'o-5')->>'discount' AS discount;
SELECT order_id, promotion, channel FROM promo.redemptions WHERE customer_id = 'eve'
 ORDER BY promotion;
ALTER TABLE promo.redemptions DROP COLUMN channel;
SELECT promo.redeem('fay', cart(10000), 'o-6')->>'discount' AS discount;
SELECT * FROM recorded('fay');
SELECT * FROM redemption_audit WHERE order_id IN ('o-5', 'o-6') ORDER BY order_id, promotion;

-- Under REPEATABLE READ the statement is used (its ON CONFLICT gives 40001 on a concurrent
-- change); the rows are the same.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT promo.redeem('gus', cart(10000), 'o-7')->>'discount' AS discount;
COMMIT;
SELECT * FROM recorded('gus');

-- A rollback of a directly written order releases its usage as for any other.
SELECT promo.rollback_redemption('o-6');
SELECT * FROM recorded('fay');
SELECT promotion, redemptions, customers, discount FROM promo.promotion_stats ORDER BY promotion;

DROP TRIGGER audit ON promo.redemptions;
DROP EXTENSION promo;
DROP TABLE redemption_audit;
DROP FUNCTION error_of(text), cart(integer), recorded(text), audit_redemption(),
  orders_statement();
