-- metrics: synthetic rows for emf_seed('metrics', rows, random_seed), one
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

-- Videos, one an hour from 2026-01-01 (UTC) by id; most of them posted.
INSERT INTO main.video_metadata (id, video_id, title, description, topic, script_path,
                                 audio_path, video_path, duration_seconds, created_at,
                                 posted_at, status)
WITH RECURSIVE
    start(last_id) AS (
        SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence
                             WHERE name = 'video_metadata'), 0),
                   coalesce((SELECT max(id) FROM main.video_metadata), 0))),
    -- One row per id; the first, before :first, only starts the count.
    n(r, id, a) AS (
        SELECT :first - 1, last_id, 0 FROM start
        UNION ALL
        SELECT r + 1, id + 1, emf_random(:seed, 'video_metadata', id + 1)
        FROM n WHERE r < :last),
    v(id, a, video_id, status, created_ms, adjective) AS (
        SELECT id, a, 'syn-' || printf('%09d', id),
               CASE a % 20 WHEN 0 THEN 'draft' WHEN 1 THEN 'draft' WHEN 2 THEN 'rendered'
                           WHEN 3 THEN 'rendered' WHEN 4 THEN 'rendered' WHEN 5 THEN 'archived'
                           WHEN 6 THEN 'archived' ELSE 'posted' END,
               1767225600000 + id * 3600000,
               CASE (a >> 5) % 8 WHEN 0 THEN 'viral' WHEN 1 THEN 'unexpected' WHEN 2 THEN 'local'
                                 WHEN 3 THEN 'global' WHEN 4 THEN 'weird' WHEN 5 THEN 'heated'
                                 WHEN 6 THEN 'quiet' ELSE 'record' END
        FROM n WHERE r >= :first)
SELECT id,
       video_id,
       'The ' || adjective || ' ' ||
       CASE (a >> 8) % 10 WHEN 0 THEN 'cheese' WHEN 1 THEN 'election' WHEN 2 THEN 'heatwave'
                          WHEN 3 THEN 'robot' WHEN 4 THEN 'baguette' WHEN 5 THEN 'strike'
                          WHEN 6 THEN 'festival' WHEN 7 THEN 'meme' WHEN 8 THEN 'football'
                          ELSE 'podcast' END,
       'Synthetic video for load testing.',
       adjective || ' ' ||
       CASE (a >> 12) % 10 WHEN 0 THEN 'cheese' WHEN 1 THEN 'election' WHEN 2 THEN 'heatwave'
                           WHEN 3 THEN 'robot' WHEN 4 THEN 'baguette' WHEN 5 THEN 'strike'
                           WHEN 6 THEN 'festival' WHEN 7 THEN 'meme' WHEN 8 THEN 'football'
                           ELSE 'podcast' END,
       'scripts/' || video_id || '.md',
       'audio/' || video_id || '.wav',
       'videos/' || video_id || '.mp4',
       15.0 + ((a >> 16) % 450) / 10.0,
       strftime('%Y-%m-%d %H:%M:%f', created_ms / 1000.0, 'unixepoch'),
       CASE WHEN status IN ('posted', 'archived')
            THEN strftime('%Y-%m-%d %H:%M:%f',
                          (created_ms + 1800000 + (a >> 25) % 3600000) / 1000.0, 'unixepoch')
       END,
       status
FROM v;

-- Snapshots of the videos this call added, on four platforms. Popularity is
-- skewed: the snapshots go to the first :rows / 8 of those videos, row r to
-- video floor(V * (r / :rows)^4), so the top tenth of them hold more than
-- half the snapshots; a video's snapshots go to its platforms in turn. Rows
-- come in the order of UNIQUE (video_id, platform, timestamp): video, then
-- platform, then time (one second apart by id), and never collide.
INSERT INTO main.video_metrics (id, video_id, platform, views, likes, comments, shares, saves,
                                watch_time_seconds, engagement_rate, timestamp, created_at)
WITH RECURSIVE
    start(last_id, first_video, videos) AS (
        SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence
                             WHERE name = 'video_metrics'), 0),
                   coalesce((SELECT max(id) FROM main.video_metrics), 0)),
               coalesce((SELECT max(id) FROM main.video_metadata), 0) - :rows + 1,
               max(1, :rows / 8)),
    -- One row per id; the first, before :first, only starts the count.
    n(r, id, a, b, place, time) AS (
        SELECT :first - 1, last_id, 0, 0, 0.0, NULL FROM start
        UNION ALL
        SELECT r + 1, id + 1, emf_random(:seed, 'video_metrics', id + 1),
               emf_random(:seed, 'video_metrics', id + 1, 1),
               videos * (((r + 1) * 1.0 / :rows) * ((r + 1) * 1.0 / :rows)
                         * ((r + 1) * 1.0 / :rows) * ((r + 1) * 1.0 / :rows)),
               strftime('%Y-%m-%d %H:%M:%f', (1767225600000 + (id + 1) * 1000) / 1000.0,
                        'unixepoch')
        FROM n, start WHERE r < :last),
    s(id, a, b, video, platform, views, time) AS (
        SELECT n.id, a, b, first_video + CAST(place AS INTEGER),
               CAST((place - CAST(place AS INTEGER)) * 4 AS INTEGER),
               a % 1000000, time
        FROM n, start WHERE r >= :first),
    c(id, a, b, video, platform, views, likes, comments, shares, time) AS (
        SELECT id, a, b, video, platform, views,
               (a >> 20) % (views / 5 + 1), b % (views / 50 + 1), (b >> 20) % (views / 100 + 1), time
        FROM s)
SELECT id,
       'syn-' || printf('%09d', video),
       CASE platform WHEN 0 THEN 'facebook' WHEN 1 THEN 'instagram' WHEN 2 THEN 'tiktok'
                     ELSE 'youtube' END,
       views, likes, comments, shares,
       (b >> 40) % (views / 200 + 1),
       views * (5.0 + ((a >> 40) % 1000) / 40.0),
       CASE WHEN views = 0 THEN 0.0 ELSE min(1.0, (likes + comments + shares) * 1.0 / views) END,
       time,
       time
FROM c;
