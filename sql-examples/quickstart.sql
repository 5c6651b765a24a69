-- Sluice quickstart: a stream on the built-in local log, a persistent query running in its own
-- worker process, FLUSH, and reads. Safe to run again: it starts by dropping what it made before.

DROP DATABASE IF EXISTS quickstart CASCADE;
CREATE DATABASE quickstart;
USE DATABASE quickstart;

-- A stream of page views; event time comes from the viewtime column (epoch milliseconds).
CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR, duration_ms INTEGER)
  WITH ('topic' = 'quickstart_pageviews', 'value.format' = 'json',
        'timestamp' = 'viewtime', 'partitions' = 2);

INSERT INTO pageviews VALUES
  (1700000000000, 'u1', 'home', 1200),
  (1700000001000, 'u2', 'cart', 800),
  (1700000002000, 'u1', 'checkout', 4300),
  (1700000003000, 'u3', 'home', NULL),
  (1700000004000, 'u1', 'home', 150);

-- A persistent query: every page view of user u1, enriched, into a new stream.
CREATE STREAM u1_views WITH ('topic' = 'quickstart_u1_views') AS
  SELECT viewtime, UPPER(pageid) AS page, COALESCE(duration_ms, 0) / 1000.0 AS seconds
  FROM pageviews
  WHERE userid = 'u1';

SHOW QUERIES;

-- Wait until every running query has processed what its sources hold now.
FLUSH;

-- A continuous (push) query over the output stream; LIMIT ends it.
SELECT * FROM u1_views LIMIT 3;

-- Expressions and functions work on any stream.
SELECT userid, pageid,
       CASE WHEN duration_ms >= 1000 THEN 'long' WHEN duration_ms IS NULL THEN 'unknown'
            ELSE 'short' END AS visit,
       DATE_FORMAT(TO_TIMESTAMP(viewtime), 'yyyy-MM-dd HH:mm:ss') AS at
FROM pageviews LIMIT 5;

-- The raw records behind the stream, with partition, offset and timestamp.
PRINT TOPIC 'quickstart_u1_views' FROM BEGINNING LIMIT 3;
