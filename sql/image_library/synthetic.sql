-- image_library: synthetic rows for emf_seed('image_library', rows,
-- random_seed), one INSERT per table, run in this order. Each statement
-- inserts rows :first to :last (0-based, inclusive) of a call that inserts
-- :rows rows in the table; emf_seed runs it once per chunk of rows.
-- Parameters:
--   :seed   the random seed (any integer)
--   :rows   rows this call inserts in the table, all chunks together
--   :first  the first row of this chunk, from 0
--   :last   the last row of this chunk, at most :rows - 1
-- Ids continue after the rows already there (the larger of max(id) and the
-- AUTOINCREMENT counter), and every value derives from emf_random(:seed,
-- table, id, stream) and the row's place in the call, never from the clock:
-- the same seed on the same database gives the same rows. Usages and
-- memberships refer to the images this call added: the last :rows ids of
-- image_library once its statement has run. Times are in the stored form,
-- 'YYYY-MM-DD HH:MM:SS.SSS', so the time-form triggers have nothing to
-- convert.

-- Images of both characters, one every 30 s from 2026-01-01 (UTC) by id;
-- file_path grows with the id, so it is unique and comes in its index's order.
INSERT INTO main.image_library (id, character, emotion, pose, file_path, source,
                                file_size_bytes, width, height, format, generation_prompt,
                                generation_model, quality_score, tags, metadata, timestamp,
                                created_at)
WITH RECURSIVE
    start(last_id) AS (
        SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence
                             WHERE name = 'image_library'), 0),
                   coalesce((SELECT max(id) FROM main.image_library), 0))),
    -- One row per id; the first, before :first, only starts the count.
    n(r, id, a, time) AS (
        SELECT :first - 1, last_id, 0, NULL FROM start
        UNION ALL
        SELECT r + 1, id + 1, emf_random(:seed, 'image_library', id + 1),
               strftime('%Y-%m-%d %H:%M:%f', (1767225600000 + (id + 1) * 30000) / 1000.0,
                        'unixepoch')
        FROM n WHERE r < :last),
    i(id, a, character, emotion, pose, format, side, time) AS (
        SELECT id, a,
               CASE a % 2 WHEN 0 THEN 'butcher' ELSE 'nutsy' END,
               CASE (a >> 1) % 5 WHEN 0 THEN 'happy' WHEN 1 THEN 'sad' WHEN 2 THEN 'angry'
                                 WHEN 3 THEN 'neutral' ELSE 'excited' END,
               CASE (a >> 4) % 4 WHEN 0 THEN 'sitting' WHEN 1 THEN 'standing'
                                 WHEN 2 THEN 'jumping' ELSE 'profile' END,
               CASE (a >> 6) % 3 WHEN 0 THEN 'png' WHEN 1 THEN 'jpg' ELSE 'webp' END,
               512 + 256 * ((a >> 8) % 4),
               time
        FROM n WHERE r >= :first)
SELECT id, character, emotion, pose,
       'synthetic/' || printf('%09d', id) || '-' || character || '.' || format,
       CASE (a >> 10) % 4 WHEN 0 THEN 'generated' WHEN 1 THEN 'photo' WHEN 2 THEN 'dreambooth'
                          ELSE 'stable_diffusion' END,
       50000 + (a >> 12) % 950000,
       side, side, format,
       character || ' ' || emotion || ' ' || pose,
       'synthetic-model',
       ((a >> 32) % 1001) / 1000.0,
       json_array(emotion, pose),
       json_object('seed', a >> 33),
       time, time
FROM i;

-- Where the images were used, skewed toward a few: usage r goes to the
-- call's image floor(:rows * (r / :rows)^4), so the top tenth of the images
-- take more than half the usages, in image order (update_image_usage_stats
-- then updates the images one after another). One every 20 s by id.
INSERT INTO main.image_usage (id, image_id, video_id, scene_number, timestamp)
WITH RECURSIVE
    start(last_id, first_image) AS (
        SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence
                             WHERE name = 'image_usage'), 0),
                   coalesce((SELECT max(id) FROM main.image_usage), 0)),
               coalesce((SELECT max(id) FROM main.image_library), 0) - :rows + 1),
    n(r, id, a) AS (
        SELECT :first - 1, last_id, 0 FROM start
        UNION ALL
        SELECT r + 1, id + 1, emf_random(:seed, 'image_usage', id + 1)
        FROM n WHERE r < :last)
SELECT id,
       first_image + CAST(:rows * ((r * 1.0 / :rows) * (r * 1.0 / :rows)
                                   * (r * 1.0 / :rows) * (r * 1.0 / :rows)) AS INTEGER),
       'syn-' || printf('%09d', 1 + a % :rows),
       1 + (a >> 20) % 12,
       strftime('%Y-%m-%d %H:%M:%f', (1767225600000 + id * 20000) / 1000.0, 'unixepoch')
FROM n, start WHERE r >= :first;

-- Collections, one a minute from 2026-01-01 (UTC) by id, a third of them for
-- no character in particular.
INSERT INTO main.image_collections (id, name, description, character, created_at)
WITH RECURSIVE
    start(last_id) AS (
        SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence
                             WHERE name = 'image_collections'), 0),
                   coalesce((SELECT max(id) FROM main.image_collections), 0))),
    n(r, id, a) AS (
        SELECT :first - 1, last_id, 0 FROM start
        UNION ALL
        SELECT r + 1, id + 1, emf_random(:seed, 'image_collections', id + 1)
        FROM n WHERE r < :last)
SELECT id,
       'synthetic collection ' || printf('%09d', id),
       CASE a % 8 WHEN 0 THEN 'viral' WHEN 1 THEN 'unexpected' WHEN 2 THEN 'local'
                  WHEN 3 THEN 'global' WHEN 4 THEN 'weird' WHEN 5 THEN 'heated'
                  WHEN 6 THEN 'quiet' ELSE 'record' END || ' ' ||
       CASE (a >> 3) % 10 WHEN 0 THEN 'cheese' WHEN 1 THEN 'election' WHEN 2 THEN 'heatwave'
                          WHEN 3 THEN 'robot' WHEN 4 THEN 'baguette' WHEN 5 THEN 'strike'
                          WHEN 6 THEN 'festival' WHEN 7 THEN 'meme' WHEN 8 THEN 'football'
                          ELSE 'podcast' END,
       CASE (a >> 7) % 3 WHEN 0 THEN 'butcher' WHEN 1 THEN 'nutsy' END,
       strftime('%Y-%m-%d %H:%M:%f', (1767225600000 + id * 60000) / 1000.0, 'unixepoch')
FROM n WHERE r >= :first;

-- One image in each collection this call added (so (collection_id,
-- image_id) never collides), in collection order; the images are skewed
-- toward a few, as above, drawn at random.
INSERT INTO main.collection_images (collection_id, image_id, sort_order)
WITH RECURSIVE
    start(first_collection, first_image) AS (
        SELECT coalesce((SELECT max(id) FROM main.image_collections), 0) - :rows + 1,
               coalesce((SELECT max(id) FROM main.image_library), 0) - :rows + 1),
    n(r, collection_id, a) AS (
        SELECT :first - 1, first_collection + :first - 1, 0 FROM start
        UNION ALL
        SELECT r + 1, collection_id + 1,
               emf_random(:seed, 'collection_images', collection_id + 1)
        FROM n WHERE r < :last),
    u(collection_id, a, x) AS (
        SELECT collection_id, a, (a >> 10) / 9007199254740992.0 FROM n WHERE r >= :first)
SELECT collection_id,
       first_image + CAST(:rows * (x * x * x * x) AS INTEGER),
       a % 100
FROM u, start;
