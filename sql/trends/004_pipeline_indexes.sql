-- trends, version 4: an index for the pipeline's choice of its next topic.
--
-- The pipeline picks the most relevant topic it has not used yet
-- (WHERE used_flag = 0 ORDER BY relevance_score DESC LIMIT n), to show or to
-- claim. Without this index SQLite either sorts every unused topic in a
-- temporary B-tree or walks idx_trending_topics_relevance past every used
-- topic, and the pipeline uses the most relevant ones first, so that walk
-- grows with the history. The index holds only the unused topics (a claimed
-- topic leaves it), in the order the pipeline wants them: the first entries
-- are the answer. used_flag leads it, although always 0, so that SQLite
-- prefers it to idx_trending_topics_used_flag even before ANALYZE.
--
-- The pipeline's other read of unused topics (the recent ones, newest first)
-- is already answered by idx_trending_topics_unused_recent.

CREATE INDEX idx_trending_topics_unused_by_relevance
ON trending_topics (used_flag, relevance_score DESC)
WHERE used_flag = 0;
