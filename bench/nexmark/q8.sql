-- Nexmark q8: monitor new users. The people who opened an account and created an auction in the
-- same 10 s tumbling window.
CREATE STREAM q8_new_people AS
  SELECT id, name, window_start, window_end
  FROM TUMBLE(person, SIZE 10 SECOND)
  GROUP BY id, name, window_start, window_end;

CREATE STREAM q8_new_sellers AS
  SELECT seller, window_start, window_end
  FROM TUMBLE(auction, SIZE 10 SECOND)
  GROUP BY seller, window_start, window_end;

SELECT P.id, P.name, P.window_start
FROM q8_new_people AS P JOIN q8_new_sellers AS A WITHIN 10 SECOND
  ON P.id = A.seller AND P.window_start = A.window_start AND P.window_end = A.window_end;
