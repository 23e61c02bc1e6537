-- trends: synthetic rows for emf_seed('trends', rows, random_seed), one
-- INSERT per table, run in this order. Each statement inserts rows :first to
-- :last (0-based, inclusive) of a call that inserts :rows rows in the table;
-- emf_seed runs it once per chunk of rows. Parameters:
--   :seed   the random seed (any integer)
--   :rows   rows this call inserts in the table, all chunks together
--   :first  the first row of this chunk, from 0
--   :last   the last row of this chunk, at most :rows - 1
-- Ids continue after the rows already there (the larger of max(id) and the
-- AUTOINCREMENT counter), and every value derives from emf_random(:seed,
-- table, id, stream) and the row's place in the call, never from the clock:
-- the same seed on the same database gives the same rows. Times are in the
-- stored form, 'YYYY-MM-DD HH:MM:SS.SSS', so the time-form triggers have
-- nothing to convert.

-- Topics found over six months from 2026-01-01 (UTC), in time order, from
-- five sources; relevance mostly low; a quarter of them used.
INSERT INTO main.trending_topics (id, topic, source, timestamp, relevance_score, used_flag,
                                  category, metadata, created_at, updated_at, priority)
WITH RECURSIVE
    start(last_id) AS (
        SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence
                             WHERE name = 'trending_topics'), 0),
                   coalesce((SELECT max(id) FROM main.trending_topics), 0))),
    -- One row per id; the first, before :first, only starts the count.
    n(r, id, a, b, time) AS (
        SELECT :first - 1, last_id, 0, 0, NULL FROM start
        UNION ALL
        SELECT r + 1, id + 1, emf_random(:seed, 'trending_topics', id + 1),
               emf_random(:seed, 'trending_topics', id + 1, 1),
               strftime('%Y-%m-%d %H:%M:%f',
                        (1767225600000 + (r + 1) * (15552000000 / :rows)
                         + emf_random(:seed, 'trending_topics', id + 1, 2)
                           % (15552000000 / :rows)) / 1000.0, 'unixepoch')
        FROM n WHERE r < :last)
SELECT id,
       CASE a % 8 WHEN 0 THEN 'viral' WHEN 1 THEN 'unexpected' WHEN 2 THEN 'local'
                  WHEN 3 THEN 'global' WHEN 4 THEN 'weird' WHEN 5 THEN 'heated'
                  WHEN 6 THEN 'quiet' ELSE 'record' END || ' ' ||
       CASE (a >> 3) % 10 WHEN 0 THEN 'cheese' WHEN 1 THEN 'election' WHEN 2 THEN 'heatwave'
                          WHEN 3 THEN 'robot' WHEN 4 THEN 'baguette' WHEN 5 THEN 'strike'
                          WHEN 6 THEN 'festival' WHEN 7 THEN 'meme' WHEN 8 THEN 'football'
                          ELSE 'podcast' END || ' ' || id,
       CASE (a >> 7) % 10 WHEN 0 THEN 'google_trends' WHEN 1 THEN 'google_trends'
                          WHEN 2 THEN 'google_trends' WHEN 3 THEN 'twitter' WHEN 4 THEN 'twitter'
                          WHEN 5 THEN 'reddit' WHEN 6 THEN 'reddit' WHEN 7 THEN 'tiktok'
                          WHEN 8 THEN 'tiktok' ELSE 'youtube' END,
       time,
       ((a >> 11) % 1001) * ((a >> 21) % 1001) / 1000000.0,
       (a >> 31) % 4 = 0,
       CASE (a >> 33) % 6 WHEN 0 THEN 'technology' WHEN 1 THEN 'food' WHEN 2 THEN 'lifestyle'
                          WHEN 3 THEN 'politics' WHEN 4 THEN 'sports' ELSE 'culture' END,
       json_object('rank', 1 + (a >> 36) % 100, 'region', CASE (a >> 43) % 3
                   WHEN 0 THEN 'FR' WHEN 1 THEN 'US' ELSE 'GB' END),
       time,
       time,
       CASE WHEN b % 10 = 0 THEN 1 + (b >> 4) % 3 ELSE 0 END
FROM n WHERE r >= :first;

-- Searches over the same six months, in time order.
INSERT INTO main.search_history (id, query, source, result_count, timestamp)
WITH RECURSIVE
    start(last_id) AS (
        SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence
                             WHERE name = 'search_history'), 0),
                   coalesce((SELECT max(id) FROM main.search_history), 0))),
    n(r, id, a) AS (
        SELECT :first - 1, last_id, 0 FROM start
        UNION ALL
        SELECT r + 1, id + 1, emf_random(:seed, 'search_history', id + 1)
        FROM n WHERE r < :last)
SELECT id,
       CASE a % 10 WHEN 0 THEN 'cheese' WHEN 1 THEN 'election' WHEN 2 THEN 'heatwave'
                   WHEN 3 THEN 'robot' WHEN 4 THEN 'baguette' WHEN 5 THEN 'strike'
                   WHEN 6 THEN 'festival' WHEN 7 THEN 'meme' WHEN 8 THEN 'football'
                   ELSE 'podcast' END || ' ' ||
       CASE (a >> 4) % 10 WHEN 0 THEN 'cheese' WHEN 1 THEN 'election' WHEN 2 THEN 'heatwave'
                          WHEN 3 THEN 'robot' WHEN 4 THEN 'baguette' WHEN 5 THEN 'strike'
                          WHEN 6 THEN 'festival' WHEN 7 THEN 'meme' WHEN 8 THEN 'football'
                          ELSE 'podcast' END,
       CASE (a >> 8) % 5 WHEN 0 THEN 'google_trends' WHEN 1 THEN 'twitter' WHEN 2 THEN 'reddit'
                         WHEN 3 THEN 'tiktok' ELSE 'youtube' END,
       (a >> 11) % 500,
       strftime('%Y-%m-%d %H:%M:%f',
                (1767225600000 + r * (15552000000 / :rows)
                 + (a >> 20) % (15552000000 / :rows)) / 1000.0, 'unixepoch')
FROM n WHERE r >= :first;
