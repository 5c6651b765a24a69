-- Nexmark q2: selection. The bids on a sample of auctions (every auction id divisible by 123).
SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;
