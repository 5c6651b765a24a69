-- Nexmark q0: pass-through. Measures the cost of reading and writing bids with no processing.
SELECT auction, bidder, price, datetime, extra FROM bid;
