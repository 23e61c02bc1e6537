-- image_library, version 4: recording a use costs less, with the same
-- results. Each use updates its image's usage_count and last_used_at, and
-- that UPDATE fired the time-form check of all three of the image's times.

-- Counts each use of an image and keeps its latest use time (a use recorded
-- late, with an older timestamp, does not move last_used_at back), compared
-- and stored in the one stored form as version 2's trigger does. The use's
-- time is converted once, not twice: the later of the two texts is the later
-- instant, and a NULL last_used_at ('' here) is earlier than any use.
DROP TRIGGER IF EXISTS update_image_usage_stats;
CREATE TRIGGER update_image_usage_stats
AFTER INSERT ON image_usage
FOR EACH ROW
BEGIN
    UPDATE image_library
    SET usage_count = usage_count + 1,
        last_used_at = coalesce(
            max(coalesce(last_used_at, ''),
                strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))),
            last_used_at)
    WHERE id = NEW.image_id;
END;

-- Version 2's conversion on update, testing only the times the statement
-- changed: a time it left as it was is in the stored form already (it was
-- converted when written). A use changes only last_used_at, so one time is
-- formatted, not three. What it converts, and when it refuses, is unchanged.
DROP TRIGGER IF EXISTS image_library_times_on_update;
CREATE TRIGGER image_library_times_on_update
AFTER UPDATE OF timestamp, created_at, last_used_at ON image_library
FOR EACH ROW
WHEN (NEW.timestamp IS NOT OLD.timestamp
      AND NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp)))
  OR (NEW.created_at IS NOT OLD.created_at
      AND NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at)))
  OR (NEW.last_used_at IS NOT OLD.last_used_at
      AND NEW.last_used_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.last_used_at)))
BEGIN
    UPDATE image_library
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)),
        created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)),
        last_used_at = strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at))
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR last_used_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at)));
    SELECT RAISE(ABORT, 'image_library: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM image_library
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR last_used_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at)));
END;
