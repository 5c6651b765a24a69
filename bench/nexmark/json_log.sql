-- json-log mode: copies one datagen stream (${STREAM}, from schema gen) into a local topic as
-- JSON records, with a persistent query, so the measured query reads what users actually run on:
-- JSON in the local log. The runner runs this once per stream the query reads and waits for the
-- copy to finish (the datagen source is bounded), then runs the query with `USE SCHEMA json`.
CREATE SCHEMA IF NOT EXISTS json;
CREATE STREAM json.${STREAM} WITH ('topic' = 'nexmark_json_${STREAM}', 'value.format' = 'json',
                                   'timestamp' = 'datetime')
  AS SELECT * FROM gen.${STREAM};
