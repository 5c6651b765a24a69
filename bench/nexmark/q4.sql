-- Nexmark q4: average price for a category. The winning (highest) bid of each auction among the
-- bids made while it was open, then the running average of those per category.
--
-- The reference joins every auction with every bid of it and keeps those with
-- B.datetime BETWEEN A.datetime AND A.expires. A bid can only pass that filter within the
-- auction's lifetime after its start, and the generator's longest auction at the reference's
-- 10M events/s is 2 ms (expires = datetime + 1 + a draw below twice the time of 1,666 events,
-- runtime/connector/datagen/nexmark_model.cc): so an interval join of bids at most 2 ms after
-- the auction, plus the exact filter, finds the same pairs with bounded join state.
-- The aggregate over the join is one query; the per-category AVG reads its changelog and
-- retracts an auction's previous maximum when a higher bid replaces it.
CREATE CHANGELOG q4_winning_bids AS
  SELECT A.id, A.category, MAX(B.price) AS final
  FROM auction AS A JOIN bid AS B WITHIN (0 MILLISECONDS, 2 MILLISECONDS) ON A.id = B.auction
  WHERE B.datetime BETWEEN A.datetime AND A.expires
  GROUP BY A.id, A.category;

SELECT category, AVG(final) AS avg_final FROM q4_winning_bids GROUP BY category;
