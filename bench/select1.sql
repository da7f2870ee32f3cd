-- Round-trip floor: what any statement costs from pgbench.
SELECT 1;
