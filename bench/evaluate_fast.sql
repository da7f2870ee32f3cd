-- evaluate_cart without explanations (explain => false): what checkout needs.
\set id random(1, 100)
SELECT promo.evaluate_cart('c' || :id, cart, now(), explain => false) FROM bench.carts WHERE id = :id;
