-- json-log mode: copies one datagen stream (${STREAM}, from schema gen) into a local topic as
-- JSON records, with a persistent query, so the measured query reads what users actually run on:
-- JSON in the local log. The runner runs this once per stream the query reads and waits for the
-- copy to finish (the datagen source is bounded), then runs the query with `USE SCHEMA json`.
-- 'ending.position'='latest': a query reading the copy reads it to its end as of the query's start
-- and ends there, as over the bounded datagen stream (its last windows close, its setup queries
-- end), so the JSON topics are the same bounded input as native mode's.
CREATE SCHEMA IF NOT EXISTS json;
CREATE STREAM json.${STREAM} WITH ('topic' = 'nexmark_json_${STREAM}', 'value.format' = 'json',
                                   'timestamp' = 'datetime', 'ending.position' = 'latest')
  AS SELECT * FROM gen.${STREAM};
