-- The clients scenario in the sqlite3 shell: create, seed and check the three
-- databases, then do what one pipeline run does, with the three attached to
-- one connection. Run it from a folder that holds build/libemf.so (the test
-- links it there):  sqlite3 < scenario.sql
-- Results are printed as key=value; clients_test.cpp checks them, the same
-- keys as the other clients print.
.bail on
.mode list
.headers off

-- Each .open is a new connection: the extension is loaded again.
.open trends.db
.load build/libemf
SELECT 'trends.init=' || emf_init('trends');
SELECT 'trends.seed=' || emf_seed('trends');
SELECT 'trends.check_ok=' || json_extract(emf_check('trends'), '$.ok');

.open metrics.db
.load build/libemf
SELECT 'metrics.init=' || emf_init('metrics');
SELECT 'metrics.seed=' || emf_seed('metrics');
SELECT 'metrics.check_ok=' || json_extract(emf_check('metrics'), '$.ok');

.open image_library.db
.load build/libemf
SELECT 'image_library.init=' || emf_init('image_library');
SELECT 'image_library.seed=' || emf_seed('image_library');
SELECT 'image_library.check_ok=' || json_extract(emf_check('image_library'), '$.ok');

-- The pipeline's run: one connection, the other two databases attached.
.open trends.db
.load build/libemf
ATTACH 'metrics.db' AS metrics;
ATTACH 'image_library.db' AS images;
-- Per connection, and off by default: image_usage's foreign key needs it.
PRAGMA foreign_keys = ON;

-- Claim the best unused topic, under the write lock, so that two runs never
-- claim the same one.
BEGIN IMMEDIATE;
CREATE TEMP TABLE claim AS
SELECT id, topic FROM trending_topics WHERE used_flag = 0
ORDER BY priority DESC, relevance_score DESC, id LIMIT 1;
UPDATE trending_topics SET used_flag = 1 WHERE id = (SELECT id FROM claim) AND used_flag = 0
RETURNING 'claimed=' || topic;
COMMIT;
SELECT 'unused_topics=' || count(*) FROM trending_topics WHERE used_flag = 0;

-- (WHERE true: SQLite needs a WHERE between a SELECT and ON CONFLICT.)
INSERT INTO metrics.video_metadata (video_id, title, topic, duration_seconds, status)
SELECT 'emf-0004', 'Butcher reviews AI art', topic, 41.0, 'rendered' FROM claim WHERE true
ON CONFLICT (video_id) DO UPDATE
SET title = excluded.title, topic = excluded.topic, status = excluded.status;

-- Snapshots: the second one is the same poll again with newer counts; the
-- upsert on UNIQUE (video_id, platform, timestamp) updates it in place.
INSERT INTO metrics.video_metrics (video_id, platform, views, likes, timestamp)
VALUES ('emf-0004', 'tiktok', 100, 10, '2026-11-23 18:00:00.000')
ON CONFLICT (video_id, platform, timestamp) DO UPDATE
SET views = excluded.views, likes = excluded.likes;
INSERT INTO metrics.video_metrics (video_id, platform, views, likes, timestamp)
VALUES ('emf-0004', 'tiktok', 250, 30, '2026-11-23 18:00:00.000')
ON CONFLICT (video_id, platform, timestamp) DO UPDATE
SET views = excluded.views, likes = excluded.likes;
INSERT INTO metrics.video_metrics (video_id, platform, views, likes, timestamp)
VALUES ('emf-0004', 'tiktok', 900, 120, '2026-11-24 18:00:00.000')
ON CONFLICT (video_id, platform, timestamp) DO UPDATE
SET views = excluded.views, likes = excluded.likes;
INSERT INTO metrics.video_metrics (video_id, platform, views, likes, timestamp)
VALUES ('emf-0004', 'instagram', 40, 2, '2026-11-24 18:00:00.000')
ON CONFLICT (video_id, platform, timestamp) DO UPDATE
SET views = excluded.views, likes = excluded.likes;

SELECT 'video.snapshots=' || count(*) FROM metrics.video_metrics WHERE video_id = 'emf-0004';
SELECT 'video.upserted_views=' || views FROM metrics.video_metrics
WHERE video_id = 'emf-0004' AND platform = 'tiktok' AND timestamp = '2026-11-23 18:00:00.000';
SELECT 'video_metrics.rows=' || count(*) FROM metrics.video_metrics;
SELECT 'latest.rows=' || count(*) FROM metrics.latest_video_metrics;
SELECT 'latest.emf-0004=' || group_concat(platform || ':' || views, ',')
FROM (SELECT platform, views FROM metrics.latest_video_metrics
      WHERE video_id = 'emf-0004' ORDER BY platform);
SELECT 'latest.emf-0004.topic=' || topic FROM metrics.latest_video_metrics
WHERE video_id = 'emf-0004' AND platform = 'tiktok';
SELECT 'latest.top=' || video_id || '/' || platform || '/' || views
FROM metrics.latest_video_metrics ORDER BY views DESC LIMIT 1;

-- A new image of Butcher, happy: less used than the seeded one, so it is
-- picked although its quality is lower.
INSERT INTO images.image_library (character, emotion, pose, file_path, source, quality_score)
VALUES ('butcher', 'happy', 'sitting', 'images/butcher/happy_sitting.png', 'generated', 0.8);

BEGIN IMMEDIATE;
CREATE TEMP TABLE picked AS
SELECT id, file_path FROM images.image_library
WHERE character = 'butcher' AND emotion = 'happy'
ORDER BY usage_count, quality_score DESC, id LIMIT 1;
-- Written in ISO form on purpose: stored as 2026-11-24 18:30:00.000.
INSERT INTO images.image_usage (image_id, video_id, scene_number, timestamp)
SELECT id, 'emf-0004', 1, '2026-11-24T18:30:00Z' FROM picked;
COMMIT;
SELECT 'picked=' || file_path FROM picked;
SELECT 'picked.usage_count=' || usage_count || char(10) || 'picked.last_used_at=' || last_used_at
FROM images.image_library WHERE id = (SELECT id FROM picked);
SELECT 'image_usage.rows=' || count(*) FROM images.image_usage;

SELECT 'trends.final_check_ok=' || json_extract(emf_check('trends'), '$.ok');
SELECT 'metrics.final_check_ok=' || json_extract(emf_check('metrics', 'metrics'), '$.ok');
SELECT 'image_library.final_check_ok=' ||
       json_extract(emf_check('image_library', 'images'), '$.ok');
