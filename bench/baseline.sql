-- The same statement shape as the evaluate scripts without evaluate_cart: fetch one of the 100
-- carts by a random id and touch it. evaluate minus baseline is the cost of evaluate_cart itself.
\set id random(1, 100)
SELECT cart IS NOT NULL FROM bench.carts WHERE id = :id;
