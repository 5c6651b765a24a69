CREATE STORE kafka1 WITH ('type'='kafka', 'uris'='host:9092', 'kafka.sasl.password'='p''w');
CREATE DATABASE IF NOT EXISTS shop;  CREATE SCHEMA shop.raw;  USE DATABASE shop;  USE SCHEMA raw;
CREATE STREAM pageviews (viewtime BIGINT NOT NULL, userid VARCHAR, pageid VARCHAR,
  payload STRUCT<a INT, tags ARRAY<STRING>, m MAP<VARCHAR, DECIMAL(10, 2)>>)
  WITH ('topic'='pageviews', 'value.format'='json', 'timestamp'='viewtime', 'partitions'=4);
CREATE CHANGELOG users (userid VARCHAR, region VARCHAR, PRIMARY KEY (userid))
  WITH (topic = 'users', value.format = 'json');
ALTER STORE kafka1 WITH ('uris'='other:9092');
DROP MATERIALIZED VIEW IF EXISTS shop.raw.v CASCADE;
SHOW SCHEMAS IN DATABASE shop; SHOW TOPICS IN STORE kafka1; SHOW MATERIALIZED VIEWS;
DESCRIBE QUERY 12; DESCRIBE STREAM pageviews; DESCRIBE STORE kafka1;
