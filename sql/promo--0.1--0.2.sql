-- promo 0.1 -> 0.2. A fresh CREATE EXTENSION promo runs promo--0.1.sql and then this script,
-- so a new install and an upgraded one are the same (test/ops/upgrade.sh checks it).
\echo Use "ALTER EXTENSION promo UPDATE TO '0.2'" to load this file. \quit

-- ---------------------------------------------------------------------------------------------
-- Segment membership storage
-- ---------------------------------------------------------------------------------------------

-- ---------------------------------------------------------------------------------------------
-- Redemptions
-- ---------------------------------------------------------------------------------------------
