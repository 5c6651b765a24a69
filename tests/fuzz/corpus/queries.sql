CREATE STREAM per_min AS SELECT window_start, window_end, pageid, COUNT(*) AS n
  FROM TUMBLE(pageviews, SIZE 1 MINUTE) GROUP BY window_start, window_end, pageid;
SELECT * FROM HOP(pv p WITH ('starting.position'='earliest'), SIZE 10 SECOND, ADVANCE BY 2 SECOND) h
  WHERE p.userid LIKE 'u%' AND NOT (viewtime BETWEEN 1 AND 2) EMIT CHANGES LIMIT 5;
SELECT a.k, b.region FROM a LEFT JOIN b WITHIN (1 SECOND, 2 HOUR) ON a.k = b.k
  JOIN SESSION(c, GAP 30 SECONDS) ON c.k = a.k ORDER BY a.k DESC NULLS LAST;
INSERT INTO sink WITH ('parallelism'=2) SELECT DISTINCT upper(name) || '!' AS x FROM src;
INSERT INTO pageviews (viewtime, userid) VALUES (1700000000000, 'u1'), (-1, NULL);
TERMINATE QUERY 7; RESTART QUERY 'q-1'; FLUSH; PRINT TOPIC 'pv' IN STORE local FROM BEGINNING LIMIT 3;
