CREATE TRIGGER update_image_usage_stats
AFTER INSERT ON image_usage
FOR EACH ROW
BEGIN
    UPDATE image_library
    SET usage_count = usage_count + 1,
        last_used_at = CASE
            WHEN last_used_at IS NULL
                 OR strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp)) > last_used_at
            THEN strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
            ELSE last_used_at
        END
    WHERE id = NEW.image_id;
END;
