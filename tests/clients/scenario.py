"""The clients scenario through Python's standard sqlite3 module.

    scenario.py --extension PATH/libemf.so FOLDER   load the built library
    scenario.py --package FOLDER                    load it with `import emf`

Creates, seeds and checks trends.db, metrics.db and image_library.db in
FOLDER, then does what one pipeline run does. Prints key=value lines, the
same keys as scenario.sql; clients_test.cpp checks them. It keeps Python's
default transaction handling (the most common one) and commits after every
write: see docs/python.md.
"""

import argparse
import sqlite3
import sys
from pathlib import Path

KINDS = ("trends", "metrics", "image_library")


def connect(path, args):
    conn = sqlite3.connect(path)
    if args.package:
        import emf

        emf.load(conn)
    else:
        conn.enable_load_extension(True)
        conn.load_extension(args.extension)
        conn.enable_load_extension(False)
    return conn


def value(conn, sql, params=()):
    row = conn.execute(sql, params).fetchone()
    if row is None:
        sys.exit(f"no row from: {sql}")
    return row[0]


def show(key, val):
    print(f"{key}={val}")


def main():
    parser = argparse.ArgumentParser()
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--extension")
    source.add_argument("--package", action="store_true")
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()

    conns = {}
    for kind in KINDS:
        conn = conns[kind] = connect(args.folder / f"{kind}.db", args)
        # No transaction is open here, so each call commits its own.
        show(f"{kind}.init", value(conn, "SELECT emf_init(?)", (kind,)))
        show(f"{kind}.seed", value(conn, "SELECT emf_seed(?)", (kind,)))
        ok = value(conn, "SELECT json_extract(emf_check(?), '$.ok')", (kind,))
        show(f"{kind}.check_ok", ok)

    trends = conns["trends"]
    # BEGIN IMMEDIATE takes the write lock before the topic is read: two runs
    # never claim the same topic.
    trends.execute("BEGIN IMMEDIATE")
    claimed = trends.execute(
        """UPDATE trending_topics SET used_flag = 1
           WHERE id = (SELECT id FROM trending_topics WHERE used_flag = 0
                       ORDER BY priority DESC, relevance_score DESC, id LIMIT 1)
           RETURNING topic"""
    ).fetchall()
    trends.commit()
    show("claimed", claimed[0][0])
    topic = claimed[0][0]
    show("unused_topics", value(trends, "SELECT count(*) FROM trending_topics WHERE used_flag = 0"))

    metrics = conns["metrics"]
    with metrics:  # commits on success
        metrics.execute(
            """INSERT INTO video_metadata (video_id, title, topic, duration_seconds, status)
               VALUES (?, ?, ?, ?, 'rendered')
               ON CONFLICT (video_id) DO UPDATE
               SET title = excluded.title, topic = excluded.topic, status = excluded.status""",
            ("emf-0004", "Butcher reviews AI art", topic, 41.0),
        )
        upsert = """INSERT INTO video_metrics (video_id, platform, views, likes, timestamp)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (video_id, platform, timestamp) DO UPDATE
                    SET views = excluded.views, likes = excluded.likes"""
        metrics.executemany(
            upsert,
            [
                ("emf-0004", "tiktok", 100, 10, "2026-11-23 18:00:00.000"),
                ("emf-0004", "tiktok", 250, 30, "2026-11-23 18:00:00.000"),  # the same poll again
                ("emf-0004", "tiktok", 900, 120, "2026-11-24 18:00:00.000"),
                ("emf-0004", "instagram", 40, 2, "2026-11-24 18:00:00.000"),
            ],
        )
    show(
        "video.snapshots",
        value(metrics, "SELECT count(*) FROM video_metrics WHERE video_id = 'emf-0004'"),
    )
    show(
        "video.upserted_views",
        value(
            metrics,
            """SELECT views FROM video_metrics WHERE video_id = 'emf-0004' AND platform = 'tiktok'
               AND timestamp = '2026-11-23 18:00:00.000'""",
        ),
    )
    show("video_metrics.rows", value(metrics, "SELECT count(*) FROM video_metrics"))
    show("latest.rows", value(metrics, "SELECT count(*) FROM latest_video_metrics"))
    latest = metrics.execute(
        """SELECT platform, views, topic FROM latest_video_metrics
           WHERE video_id = 'emf-0004' ORDER BY platform"""
    ).fetchall()
    show("latest.emf-0004", ",".join(f"{platform}:{views}" for platform, views, _ in latest))
    show("latest.emf-0004.topic", dict((p, t) for p, _, t in latest)["tiktok"])
    top = metrics.execute(
        "SELECT video_id, platform, views FROM latest_video_metrics ORDER BY views DESC LIMIT 1"
    ).fetchone()
    show("latest.top", "/".join(str(column) for column in top))

    images = conns["image_library"]
    with images:
        images.execute(
            """INSERT INTO image_library (character, emotion, pose, file_path, source,
                                         quality_score)
               VALUES ('butcher', 'happy', 'sitting', 'images/butcher/happy_sitting.png',
                       'generated', 0.8)"""
        )
    images.execute("BEGIN IMMEDIATE")
    image_id, file_path = images.execute(
        """SELECT id, file_path FROM image_library WHERE character = ? AND emotion = ?
           ORDER BY usage_count, quality_score DESC, id LIMIT 1""",
        ("butcher", "happy"),
    ).fetchone()
    images.execute(
        "INSERT INTO image_usage (image_id, video_id, scene_number, timestamp) VALUES (?, ?, ?, ?)",
        (image_id, "emf-0004", 1, "2026-11-24T18:30:00Z"),
    )
    images.commit()
    show("picked", file_path)
    usage_count, last_used_at = images.execute(
        "SELECT usage_count, last_used_at FROM image_library WHERE id = ?", (image_id,)
    ).fetchone()
    show("picked.usage_count", usage_count)
    show("picked.last_used_at", last_used_at)
    show("image_usage.rows", value(images, "SELECT count(*) FROM image_usage"))

    for kind, conn in conns.items():
        ok = value(conn, "SELECT json_extract(emf_check(?), '$.ok')", (kind,))
        show(f"{kind}.final_check_ok", ok)
        conn.close()


if __name__ == "__main__":
    main()
