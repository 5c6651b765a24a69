-- Nexmark q1: currency conversion. Bid prices converted from dollars to euros, as the reference
-- does it (a DECIMAL multiplication).
SELECT auction, bidder, 0.908 * price AS price, datetime, extra FROM bid;
