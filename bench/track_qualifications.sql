-- pgbench: promo.qualifications without a cart for a random customer of the 10,000.
\set c random(1, 10000)
SELECT promo.qualifications('t' || lpad(:c::text, 6, '0'));
