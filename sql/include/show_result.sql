-- One line per fact of a result, in a stable order, so differences are easy to read.
CREATE FUNCTION show_result(r jsonb) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT line FROM (
    SELECT 1 AS part, 0::bigint AS n,
           format('%s subtotal %s, discount %s, total %s',
                  r->>'currency', r->>'subtotal', r->>'discount', r->>'total') AS line
    UNION ALL
    SELECT 2, a.n, format('applied %s / %s: %s', a.v->>'promotion', a.v->>'tier', a.v->>'discount')
      FROM jsonb_array_elements(r->'applied') WITH ORDINALITY a(v, n)
    UNION ALL
    SELECT 3, i.n, format('item %s %s %s x %s: discount %s, total %s, %s', i.v->>'index',
                          i.v->>'sku', i.v->>'quantity', i.v->>'unit_price', i.v->>'discount',
                          i.v->>'total', i.v->'discounts')
      FROM jsonb_array_elements(r->'items') WITH ORDINALITY i(v, n)
    UNION ALL
    SELECT 4, x.n, format('not_applied %s [%s]: %s', x.v->>'promotion', x.v->>'reason_code',
                          x.v->>'reason')
      FROM jsonb_array_elements(r->'not_applied') WITH ORDINALITY x(v, n)
    UNION ALL
    SELECT 5, h.n, format('hint %s / %s: %s', h.v->>'promotion', h.v->>'tier', h.v->>'missing')
      FROM jsonb_array_elements(r->'hints') WITH ORDINALITY h(v, n)
  ) s ORDER BY part, n
$$;
