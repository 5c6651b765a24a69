SELECT a OR b AND NOT c = d + e * f, -x[1]->"Field", CAST(v AS DECIMAL(18, 3)),
  CASE WHEN a IS NOT NULL THEN 'x' WHEN a IN (1, 2.5, 1e5) THEN "y" ELSE NULL END,
  EXTRACT(HOUR FROM TIMESTAMP '2023-11-14 22:13:20'), DATE '2024-01-01', INTERVAL 5 MINUTES,
  count(DISTINCT userid), left(s, 2), -9223372036854775808, a % b / c - -1 -- trailing
  /* block */ FROM t;
