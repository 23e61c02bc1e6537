"""Upserting a metric snapshot from Python with a datetime (docs/python.md).

    upserts.py EXTENSION FOLDER

Python's default adapter writes microseconds (2026-11-24 18:00:00.123456);
emf stores milliseconds. Each case upserts the same snapshot twice, with new
views the second time, and prints key=value lines: the rows left, or the
error. clients_test.cpp checks them.
"""

import datetime
import sqlite3
import sys
import warnings
from pathlib import Path

# Python 3.12 deprecates the default datetime adapter; it is what clients use.
warnings.simplefilter("ignore", DeprecationWarning)

AT = datetime.datetime(2026, 11, 24, 18, 0, 0, 123456)

CASES = {
    # The stored form, written by SQLite itself: the plain target sees it.
    "stored_form": """INSERT INTO video_metrics (video_id, platform, views, timestamp)
        VALUES ('v', 'tiktok', ?, strftime('%Y-%m-%d %H:%M:%f', ?))
        ON CONFLICT (video_id, platform, timestamp) DO UPDATE SET views = excluded.views""",
    # The instant as the target: any spelling meets it.
    "instant_target": """INSERT INTO video_metrics (video_id, platform, views, timestamp)
        VALUES ('v', 'tiktok', ?, ?)
        ON CONFLICT (video_id, platform, julianday(timestamp)) DO UPDATE
        SET views = excluded.views""",
    # The datetime as it is, the plain target: the second write is refused.
    "plain": """INSERT INTO video_metrics (video_id, platform, views, timestamp)
        VALUES ('v', 'tiktok', ?, ?)
        ON CONFLICT (video_id, platform, timestamp) DO UPDATE SET views = excluded.views""",
}


def main():
    extension, folder = sys.argv[1], Path(sys.argv[2])
    for name, sql in CASES.items():
        conn = sqlite3.connect(folder / f"{name}.db", isolation_level=None)
        conn.enable_load_extension(True)
        conn.load_extension(extension)
        conn.enable_load_extension(False)
        conn.execute("SELECT emf_init('metrics')")
        try:
            for views in (100, 250):
                conn.execute(sql, (views, AT))
        except sqlite3.Error as error:
            print(f"{name}.error={error}")
        rows = conn.execute("SELECT views, timestamp FROM video_metrics").fetchall()
        print(f"{name}.rows=" + ";".join(f"{views}@{timestamp}" for views, timestamp in rows))
        conn.close()


if __name__ == "__main__":
    main()
