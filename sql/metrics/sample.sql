-- metrics: the canonical sample data of emf_seed('metrics'): three videos, and
-- several snapshots of two of them on several platforms. Each row is inserted
-- only when its natural key is absent, so a second run adds nothing.

INSERT INTO video_metadata (video_id, title, description, topic, script_path, audio_path,
                            video_path, duration_seconds, created_at, posted_at, status)
SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8,
       v.column9, v.column10, v.column11
FROM (VALUES
    ('emf-0001', 'Butcher vs. the AI painter', 'Butcher tries to out-draw a robot.',
     'AI art generators', 'scripts/emf-0001.md', 'audio/emf-0001.wav', 'videos/emf-0001.mp4',
     42.5, '2026-11-20 11:00:00.000', '2026-11-20 17:00:00.000', 'posted'),
    ('emf-0002', 'Nutsy hoards croissants', 'Nutsy explains the croissant crisis.',
     'Croissant shortage in Paris', 'scripts/emf-0002.md', 'audio/emf-0002.wav',
     'videos/emf-0002.mp4', 37.0, '2026-11-21 10:00:00.000', NULL, 'rendered'),
    ('emf-0003', 'Mondays, a cat''s view', NULL, 'Cats that hate Mondays',
     'scripts/emf-0003.md', NULL, NULL, NULL, '2026-11-22 09:00:00.000', NULL, 'draft')
) AS v
WHERE NOT EXISTS (SELECT 1 FROM video_metadata AS m WHERE m.video_id = v.column1);

INSERT INTO video_metrics (video_id, platform, views, likes, comments, shares, saves,
                           watch_time_seconds, engagement_rate, timestamp)
SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8,
       v.column9, v.column10
FROM (VALUES
    ('emf-0001', 'tiktok', 1200, 180, 24, 12, 9, 31500.0, 0.18, '2026-11-20 18:00:00.000'),
    ('emf-0001', 'tiktok', 8400, 990, 131, 77, 54, 220400.0, 0.14, '2026-11-21 18:00:00.000'),
    ('emf-0001', 'tiktok', 15300, 1710, 240, 150, 98, 401200.0, 0.14, '2026-11-22 18:00:00.000'),
    ('emf-0001', 'instagram', 640, 95, 8, 4, 21, 15800.0, 0.17, '2026-11-20 18:00:00.000'),
    ('emf-0001', 'instagram', 2100, 260, 19, 11, 63, 51900.0, 0.14, '2026-11-21 18:00:00.000'),
    ('emf-0001', 'youtube', 310, 22, 5, 1, 0, 9100.0, 0.09, '2026-11-21 18:00:00.000'),
    ('emf-0002', 'tiktok', 90, 7, 1, 0, 0, 2300.0, 0.09, '2026-11-21 18:00:00.000'),
    ('emf-0002', 'tiktok', 450, 51, 6, 3, 2, 11800.0, 0.13, '2026-11-22 18:00:00.000')
) AS v
WHERE NOT EXISTS (
    SELECT 1 FROM video_metrics AS m
    WHERE m.video_id = v.column1 AND m.platform = v.column2 AND m.timestamp = v.column10
);
