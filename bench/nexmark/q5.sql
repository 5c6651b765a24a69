-- Nexmark q5: hot items. The auctions with the most bids in each 10 s window sliding by 2 s.
CREATE STREAM q5_auction_bids AS
  SELECT auction, COUNT(*) AS num, window_start, window_end
  FROM HOP(bid, SIZE 10 SECOND, ADVANCE BY 2 SECOND)
  GROUP BY auction, window_start, window_end;

CREATE STREAM q5_max_bids AS
  SELECT window_start, window_end, MAX(num) AS maxn
  FROM q5_auction_bids
  GROUP BY window_start, window_end;

SELECT AB.auction, AB.num
FROM q5_auction_bids AS AB JOIN q5_max_bids AS MB WITHIN 10 SECOND
  ON AB.window_start = MB.window_start AND AB.window_end = MB.window_end AND AB.num >= MB.maxn;
