-- The invariants of test/crash/redeem_crash.sh: one row per violation, nothing when all hold.
-- Customer usage is recorded for every redemption, with or without a per-customer limit.
WITH live AS (
  SELECT * FROM promo.redemptions WHERE rolled_back_at IS NULL
), per_promotion AS (
  SELECT p.name, p.total_limit, p.per_customer_limit, p.budget,
         (SELECT count(*) FROM live l WHERE l.promotion = p.name) AS live,
         (SELECT coalesce(sum(l.amount), 0) FROM live l WHERE l.promotion = p.name) AS amount,
         (SELECT coalesce(sum(s.used), 0) FROM promo.promotion_slots s
           WHERE s.promotion = p.name) AS slots_used,
         (SELECT coalesce(sum(s.cap), 0) FROM promo.promotion_slots s
           WHERE s.promotion = p.name) AS slots_cap,
         (SELECT b.used FROM promo.promotion_budget b WHERE b.promotion = p.name) AS budget_used
    FROM promo.promotions p
)
SELECT format('%s: %s live redemptions over total_limit %s', name, live, total_limit)
  FROM per_promotion WHERE live > total_limit
UNION ALL
SELECT format('%s: slots used %s <> live redemptions %s', name, slots_used, live)
  FROM per_promotion WHERE total_limit IS NOT NULL AND slots_used <> live
UNION ALL
SELECT format('%s: slot caps sum to %s, total_limit %s', name, slots_cap, total_limit)
  FROM per_promotion WHERE total_limit IS NOT NULL AND slots_cap <> total_limit
UNION ALL
SELECT format('%s slot %s: used %s of cap %s', promotion, slot, used, cap)
  FROM promo.promotion_slots WHERE used > cap OR used < 0
UNION ALL
SELECT format('%s: budget used %s, live amounts %s, budget %s', name, budget_used, amount, budget)
  FROM per_promotion
 WHERE budget IS NOT NULL AND (budget_used IS DISTINCT FROM amount OR amount > budget)
UNION ALL
SELECT format('%s / %s: %s live redemptions over per_customer_limit %s', l.customer_id,
              l.promotion, count(*), p.per_customer_limit)
  FROM live l JOIN promo.promotions p ON p.name = l.promotion
 GROUP BY l.customer_id, l.promotion, p.per_customer_limit
HAVING count(*) > p.per_customer_limit
UNION ALL
SELECT format('usage %s / %s: counter %s, live redemptions %s', coalesce(u.customer_id, r.customer_id),
              coalesce(u.promotion, r.promotion), coalesce(u.used, 0), coalesce(r.n, 0))
  FROM (SELECT customer_id, promotion, used FROM promo.customer_usage WHERE used <> 0) u
  FULL JOIN (SELECT customer_id, promotion, count(*) AS n FROM live
              GROUP BY customer_id, promotion) r
    ON r.customer_id = u.customer_id AND r.promotion = u.promotion
 WHERE coalesce(u.used, 0) <> coalesce(r.n, 0)
UNION ALL
SELECT format('code %s: uses %s, live redemptions %s, max_uses %s', c.code, c.uses,
              (SELECT count(*) FROM live l WHERE l.code = c.code), c.max_uses)
  FROM promo.codes c
 WHERE c.uses <> (SELECT count(*) FROM live l WHERE l.code = c.code) OR c.uses > c.max_uses
UNION ALL
SELECT format('redemption %s / %s: order %s', r.order_id, r.promotion,
              CASE WHEN o.order_id IS NULL THEN 'missing'
                   WHEN o.customer_id IS DISTINCT FROM r.customer_id THEN 'of another customer'
                   ELSE 'rolled back differently' END)
  FROM promo.redemptions r LEFT JOIN promo.orders o ON o.order_id = r.order_id
 WHERE o.order_id IS NULL OR o.customer_id IS DISTINCT FROM r.customer_id
    OR (o.rolled_back_at IS NULL) <> (r.rolled_back_at IS NULL)
UNION ALL
SELECT format('order %s: result lists %s applied, %s redemptions recorded', o.order_id,
              jsonb_array_length(o.result->'applied'),
              (SELECT count(*) FROM promo.redemptions r WHERE r.order_id = o.order_id))
  FROM promo.orders o
 WHERE o.rolled_back_at IS NULL
   AND jsonb_array_length(o.result->'applied')
       <> (SELECT count(*) FROM promo.redemptions r WHERE r.order_id = o.order_id)
UNION ALL
SELECT format('order %s: %s coupon_redeemed events, %s live code redemptions', k.order_id,
              k.events, k.codes)
  FROM (SELECT o.order_id,
               (SELECT count(*) FROM promo.events e
                 WHERE e.source = 'promo.redemptions' AND e.source_key = o.order_id
                   AND e.type = 'coupon_redeemed') AS events,
               (SELECT count(*) FROM live l
                 WHERE l.order_id = o.order_id AND l.code IS NOT NULL) AS codes
          FROM promo.orders o) k
 WHERE k.events <> k.codes
UNION ALL
SELECT format('verify_segments: %s %s %s', segment, customer_id, problem)
  FROM promo.verify_segments();
