-- trends: the canonical sample data of emf_seed('trends'). Each row is
-- inserted only when its natural key is absent, so a second run adds nothing.

INSERT INTO trending_topics (topic, source, timestamp, relevance_score, used_flag, category, metadata)
SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7
FROM (VALUES
    ('AI art generators', 'google_trends', '2026-11-20 08:00:00.000', 0.92, 0, 'technology',
     '{"region": "FR", "rank": 1}'),
    ('Croissant shortage in Paris', 'twitter', '2026-11-20 09:30:00.000', 0.81, 0, 'food',
     '{"region": "FR", "hashtags": ["#croissant", "#paris"]}'),
    ('Cats that hate Mondays', 'reddit', '2026-11-20 10:15:00.000', 0.67, 1, 'lifestyle',
     '{"subreddit": "r/cats", "upvotes": 18234}'),
    ('Electric scooters ban', 'google_trends', '2026-11-21 07:45:00.000', 0.74, 0, 'politics',
     NULL),
    ('Butter prices', 'tiktok', '2026-11-21 12:00:00.000', 0.58, 0, 'food',
     '{"views": 1200000}'),
    ('World chess final', 'twitter', '2026-11-22 18:20:00.000', 0.88, 1, 'sports',
     '{"region": "world"}')
) AS v
WHERE NOT EXISTS (
    SELECT 1 FROM trending_topics AS t WHERE t.topic = v.column1 AND t.source = v.column2
);

INSERT INTO search_history (query, source, result_count, timestamp)
SELECT v.column1, v.column2, v.column3, v.column4
FROM (VALUES
    ('ai art generator controversy', 'google_trends', 25, '2026-11-20 08:05:00.000'),
    ('croissant shortage', 'twitter', 140, '2026-11-20 09:35:00.000'),
    ('monday cat memes', 'reddit', 62, '2026-11-20 10:20:00.000'),
    ('scooter ban paris', 'google_trends', 0, '2026-11-21 07:50:00.000')
) AS v
WHERE NOT EXISTS (
    SELECT 1 FROM search_history AS s WHERE s.query = v.column1 AND s.timestamp = v.column4
);
