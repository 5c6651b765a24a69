-- Nexmark q3: local item suggestion. Who is selling in category 10 in Oregon, Idaho or
-- California? The reference is an unbounded join of auctions with persons; in Sluice a person is
-- a row of a changelog keyed by id, so this is a stream-changelog (temporal) join: every auction
-- meets the seller as known when the auction arrives (the generator creates a person before any
-- auction it sells).
CREATE CHANGELOG q3_person (id BIGINT, name VARCHAR, city VARCHAR, state VARCHAR,
                            PRIMARY KEY (id))
  WITH ('topic' = 'nexmark_q3_person', 'value.format' = 'json');
INSERT INTO q3_person SELECT id, name, city, state FROM person;

SELECT P.name, P.city, P.state, A.id
FROM auction AS A JOIN q3_person AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
