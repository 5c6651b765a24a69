-- Nexmark q4: average price for a category. The winning (highest) bid of each auction among the
-- bids made while it was open, then the running average of those per category.
CREATE CHANGELOG q4_winning_bids AS
  SELECT A.id, A.category, MAX(B.price) AS final
  FROM auction AS A JOIN bid AS B ON A.id = B.auction
  WHERE B.datetime BETWEEN A.datetime AND A.expires
  GROUP BY A.id, A.category;

SELECT category, AVG(final) AS avg_final FROM q4_winning_bids GROUP BY category;
