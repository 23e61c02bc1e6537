-- image_library, version 3: indexes for the pipeline's choice of images.
--
-- Picking an image: the least used of a character's images for an emotion,
-- the best first among equally used ones
-- (WHERE character = ? AND emotion = ? ORDER BY usage_count, quality_score DESC
-- LIMIT 1). idx_image_library_char_emotion finds the images but needs a sort
-- of all of them in a temporary B-tree; this index holds them in that order,
-- so the first entry is the answer.
CREATE INDEX idx_image_library_pick
ON image_library (character, emotion, usage_count, quality_score DESC);

-- A video's images in scene order
-- (SELECT image_id FROM image_usage WHERE video_id = ? ORDER BY scene_number):
-- answered from the index alone, in order, where idx_image_usage_video_id
-- needs a sort and a read of each row.
CREATE INDEX idx_image_usage_video_scene
ON image_usage (video_id, scene_number, image_id);
