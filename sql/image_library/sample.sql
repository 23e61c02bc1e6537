-- image_library: the canonical sample data of emf_seed('image_library'): both
-- characters in several emotions and poses, where two images were used, and a
-- collection. Each row is inserted only when its natural key is absent, so a
-- second run adds nothing (and the usage trigger counts each use once).

INSERT INTO image_library (character, emotion, pose, file_path, source, file_size_bytes, width,
                           height, format, generation_prompt, generation_model, quality_score,
                           tags, metadata, timestamp)
SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8,
       v.column9, v.column10, v.column11, v.column12, v.column13, v.column14, v.column15
FROM (VALUES
    ('butcher', 'happy', 'standing', 'images/butcher/happy_standing.png', 'stable_diffusion',
     482133, 1024, 1024, 'png', 'a cheerful butcher in a white apron, standing, cartoon style',
     'sdxl-1.0', 0.91, '["apron", "smile"]', '{"seed": 1234}', '2026-11-18 10:00:00.000'),
    ('butcher', 'angry', 'profile', 'images/butcher/angry_profile.png', 'stable_diffusion',
     501877, 1024, 1024, 'png', 'an angry butcher seen from the side, cartoon style',
     'sdxl-1.0', 0.84, '["apron", "cleaver"]', '{"seed": 5678}', '2026-11-18 10:05:00.000'),
    ('butcher', 'neutral', 'sitting', 'images/butcher/neutral_sitting.jpg', 'photo', 220410,
     800, 1200, 'jpg', NULL, NULL, 0.72, '["photo"]', NULL, '2026-11-18 11:00:00.000'),
    ('nutsy', 'excited', 'jumping', 'images/nutsy/excited_jumping.png', 'dreambooth', 455020,
     1024, 1024, 'png', 'a squirrel named nutsy jumping with excitement', 'dreambooth-nutsy-v2',
     0.88, '["squirrel", "jump"]', '{"steps": 40}', '2026-11-18 12:00:00.000'),
    ('nutsy', 'sad', 'sitting', 'images/nutsy/sad_sitting.webp', 'generated', 133870, 768, 768,
     'webp', 'a sad squirrel sitting on an acorn', 'dreambooth-nutsy-v2', 0.79, '["squirrel"]',
     NULL, '2026-11-18 12:10:00.000'),
    ('nutsy', 'happy', 'standing', 'images/nutsy/happy_standing.png', 'generated', 398112, 1024,
     1024, 'png', 'a happy squirrel standing tall', 'dreambooth-nutsy-v2', 0.93,
     '["squirrel", "smile"]', NULL, '2026-11-18 12:20:00.000')
) AS v
WHERE NOT EXISTS (SELECT 1 FROM image_library AS i WHERE i.file_path = v.column4);

INSERT INTO image_usage (image_id, video_id, scene_number, timestamp)
SELECT i.id, v.column2, v.column3, v.column4
FROM (VALUES
    ('images/butcher/happy_standing.png', 'emf-0001', 1, '2026-11-20 11:00:00.000'),
    ('images/butcher/angry_profile.png', 'emf-0001', 2, '2026-11-20 11:00:00.000'),
    ('images/nutsy/excited_jumping.png', 'emf-0002', 1, '2026-11-21 10:00:00.000'),
    ('images/butcher/happy_standing.png', 'emf-0002', 3, '2026-11-21 10:00:00.000')
) AS v
JOIN image_library AS i ON i.file_path = v.column1
WHERE NOT EXISTS (
    SELECT 1 FROM image_usage AS u
    WHERE u.image_id = i.id AND u.video_id = v.column2 AND u.scene_number = v.column3
);

INSERT INTO image_collections (name, description, character, created_at)
SELECT v.column1, v.column2, v.column3, v.column4
FROM (VALUES
    ('butcher moods', 'Butcher in every mood, for reaction shots.', 'butcher',
     '2026-11-19 09:00:00.000'),
    ('opening scenes', 'Images that open a video well.', NULL, '2026-11-19 09:30:00.000')
) AS v
WHERE NOT EXISTS (SELECT 1 FROM image_collections AS c WHERE c.name = v.column1);

INSERT INTO collection_images (collection_id, image_id, sort_order)
SELECT c.id, i.id, v.column3
FROM (VALUES
    ('butcher moods', 'images/butcher/happy_standing.png', 1),
    ('butcher moods', 'images/butcher/angry_profile.png', 2),
    ('butcher moods', 'images/butcher/neutral_sitting.jpg', 3),
    ('opening scenes', 'images/nutsy/excited_jumping.png', 1),
    ('opening scenes', 'images/butcher/happy_standing.png', 2)
) AS v
JOIN image_collections AS c ON c.name = v.column1
JOIN image_library AS i ON i.file_path = v.column2
WHERE NOT EXISTS (
    SELECT 1 FROM collection_images AS ci WHERE ci.collection_id = c.id AND ci.image_id = i.id
);
