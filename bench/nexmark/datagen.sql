-- The Nexmark sources as datagen streams (the reference generator's model: person:auction:bid =
-- 1:3:46). The runner substitutes ${EVENTS} (events of the whole Nexmark sequence; the bid stream
-- holds 46 of every 50) and ${SEED}. Event time advances at the reference's 10M events/s.
CREATE DATABASE nexmark;
USE DATABASE nexmark;
CREATE SCHEMA gen;
USE SCHEMA gen;

CREATE STREAM person (id BIGINT, name VARCHAR, emailaddress VARCHAR, creditcard VARCHAR,
                      city VARCHAR, state VARCHAR, datetime TIMESTAMP, extra VARCHAR)
  WITH ('store' = 'datagen', 'generator' = 'nexmark.person', 'events' = ${EVENTS},
        'seed' = ${SEED}, 'timestamp' = 'datetime');

CREATE STREAM auction (id BIGINT, itemname VARCHAR, description VARCHAR, initialbid BIGINT,
                       reserve BIGINT, datetime TIMESTAMP, expires TIMESTAMP, seller BIGINT,
                       category BIGINT, extra VARCHAR)
  WITH ('store' = 'datagen', 'generator' = 'nexmark.auction', 'events' = ${EVENTS},
        'seed' = ${SEED}, 'timestamp' = 'datetime');

CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
                   datetime TIMESTAMP, extra VARCHAR)
  WITH ('store' = 'datagen', 'generator' = 'nexmark.bid', 'events' = ${EVENTS},
        'seed' = ${SEED}, 'timestamp' = 'datetime');
