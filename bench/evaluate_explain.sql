-- evaluate_cart with explanations (not_applied and hints): what a cart page shows.
-- The cart and the customer are real parameters (from the table and :id), never constants,
-- so nothing is computed once at plan time.
\set id random(1, 100)
SELECT promo.evaluate_cart('c' || :id, cart, now(), explain => true) FROM bench.carts WHERE id = :id;
