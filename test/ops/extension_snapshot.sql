-- One line per fact about the installed promo extension, sorted: its version, every member
-- object, tables' columns, constraints, indexes, triggers, views, functions (full definition),
-- privileges, comments and the pg_dump registrations. Two databases with the same output have
-- the same promo, whichever way they got there (CREATE EXTENSION at a version, or an older
-- version plus ALTER EXTENSION promo UPDATE). Used by test/ops/upgrade.sh.
WITH ext AS (
  SELECT e.oid, e.extversion, e.extconfig, e.extcondition FROM pg_extension e
   WHERE e.extname = 'promo'
), members AS (
  SELECT d.classid, d.objid, d.objsubid FROM pg_depend d, ext
   WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), member_relations AS (
  SELECT c.oid, c.relname, c.relkind, c.relacl FROM pg_class c
   WHERE c.oid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
), member_functions AS (
  SELECT p.oid, p.proacl FROM pg_proc p
   WHERE p.oid IN (SELECT objid FROM members WHERE classid = 'pg_proc'::regclass)
)
SELECT line FROM (
  SELECT 'version ' || extversion AS line FROM ext
  UNION ALL
  SELECT 'member ' || pg_describe_object(classid, objid, objsubid) FROM members
  UNION ALL
  SELECT format('column %s.%s %s%s%s%s', r.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
                CASE a.attidentity WHEN 'a' THEN ' identity always' WHEN 'd' THEN ' identity'
                                   ELSE '' END,
                COALESCE(' default ' || pg_get_expr(ad.adbin, ad.adrelid), ''))
    FROM member_relations r JOIN pg_attribute a ON a.attrelid = r.oid
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT format('constraint %s %s %s', r.relname, co.conname, pg_get_constraintdef(co.oid))
    FROM member_relations r JOIN pg_constraint co ON co.conrelid = r.oid
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM member_relations r JOIN pg_index i ON i.indrelid = r.oid
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(t.oid)
    FROM member_relations r JOIN pg_trigger t ON t.tgrelid = r.oid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT format('view %s %s', r.relname, pg_get_viewdef(r.oid))
    FROM member_relations r WHERE r.relkind = 'v'
  UNION ALL
  SELECT format('sequence %s %s %s %s', r.relname, s.seqtypid::regtype, s.seqstart, s.seqincrement)
    FROM member_relations r JOIN pg_sequence s ON s.seqrelid = r.oid
  UNION ALL
  SELECT 'function ' || pg_get_functiondef(f.oid) FROM member_functions f
  UNION ALL
  SELECT format('grant %s %s', r.relname, a::text)
    FROM member_relations r CROSS JOIN LATERAL unnest(r.relacl) a
  UNION ALL
  SELECT format('grant %s %s', f.oid::regprocedure, a::text)
    FROM member_functions f CROSS JOIN LATERAL unnest(f.proacl) a
  UNION ALL
  SELECT format('comment %s: %s', pg_describe_object(d.classoid, d.objoid, d.objsubid),
                d.description)
    FROM pg_description d
   WHERE (d.classoid, d.objoid) IN (SELECT classid, objid FROM members)
  UNION ALL
  SELECT format('pg_dump %s %s', c::regclass, w)
    FROM ext CROSS JOIN LATERAL unnest(ext.extconfig, ext.extcondition) AS u(c, w)
  UNION ALL
  SELECT format('role %s login=%s', rolname, rolcanlogin) FROM pg_roles
   WHERE rolname IN ('promo_admin', 'promo_app', 'promo_reader')
) facts
ORDER BY line;
