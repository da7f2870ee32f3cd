-- The demo (examples/demo.sql: the six tactics T1-T6 as the shop sees them) as a regression
-- test: every amount it prints is compared with this file's expected output, and the demo's own
-- checks (hand-worked amounts, verify_segments) must come out empty.
\ir examples/demo.sql
\set QUIET off
DROP SCHEMA shop CASCADE;
DROP EXTENSION promo CASCADE;
