-- Nexmark q7: highest bid. The bids carrying the highest price of each 10 s tumbling window.
CREATE STREAM q7_max_price AS
  SELECT window_start, window_end, MAX(price) AS maxprice
  FROM TUMBLE(bid, SIZE 10 SECOND)
  GROUP BY window_start, window_end;

SELECT B.auction, B.price, B.bidder, B.datetime, B.extra
FROM bid AS B JOIN q7_max_price AS M WITHIN 10 SECOND
  ON B.price = M.maxprice AND B.datetime >= M.window_start AND B.datetime < M.window_end;
