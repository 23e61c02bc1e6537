#!/usr/bin/env python3
"""One run of the Excuse My French pipeline, as far as the databases go.

    pipeline.py [--extension build/libemf.so] [--seed] DATA_DIR
    pipeline.py [--extension build/libemf.so] TRENDS_DB METRICS_DB IMAGE_LIBRARY_DB

It creates or upgrades the three databases with emf_init, then:
  1. claims the next unused topic, atomically (two runs never get the same);
  2. records the video made of it (video_metadata, an upsert on video_id);
  3. picks the least-used best image of a character in an emotion and
     records its use (image_usage; emf's trigger counts it);
  4. records the video's first metric snapshots, one per platform, with an
     upsert on UNIQUE (video_id, platform, timestamp): recording the same
     poll again updates it instead of failing or adding a row;
  5. prints a report from latest_video_metrics.

Standard library only. libemf comes from --extension, else from the emf
Python package (python/ in the repository). See docs/python.md.
"""

import argparse
import json
import sqlite3
import sys
from pathlib import Path

KINDS = ("trends", "metrics", "image_library")

# Stand-in for the platforms' APIs: views for a topic of relevance 1.0.
PLATFORM_REACH = {"tiktok": 10000, "instagram": 5000, "youtube": 2000}


class PipelineError(Exception):
    pass


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a data folder, or the trends, metrics and image_library databases")
    parser.add_argument("--extension", help="libemf to load (default: the emf Python package)")
    parser.add_argument("--seed", action="store_true", help="add emf's sample data first")
    parser.add_argument("--at", help="the time of the snapshots (default: now)")
    parser.add_argument("--video-id", help="default: emf-topic-<the topic's id>")
    parser.add_argument("--character", default="butcher", choices=("butcher", "nutsy"))
    parser.add_argument("--emotion", default="happy")
    args = parser.parse_args(argv)
    if len(args.paths) == 1:
        folder = Path(args.paths[0])
        folder.mkdir(parents=True, exist_ok=True)
        args.databases = {kind: folder / f"{kind}.db" for kind in KINDS}
    elif len(args.paths) == 3:
        args.databases = dict(zip(KINDS, map(Path, args.paths)))
    else:
        parser.error("give one data folder or three database paths")
    return args


def load_emf(conn, extension):
    if extension:
        conn.enable_load_extension(True)
        try:
            conn.load_extension(extension)
        finally:
            conn.enable_load_extension(False)
        return
    try:
        import emf
    except ImportError:
        raise PipelineError(
            "no libemf: pass --extension build/libemf.so or install the emf package "
            "(pip install ./python, see docs/python.md)"
        ) from None
    emf.load(conn)


def connect(path, extension):
    # isolation_level=None: no implicit transactions; each BEGIN below is ours,
    # and emf_init runs outside any (see docs/python.md).
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    conn.row_factory = sqlite3.Row
    load_emf(conn, extension)
    return conn


def claim_topic(trends):
    # BEGIN IMMEDIATE takes the write lock before the read: a second run
    # waits, then sees this topic used.
    trends.execute("BEGIN IMMEDIATE")
    try:
        row = trends.execute(
            """UPDATE trending_topics SET used_flag = 1
               WHERE id = (SELECT id FROM trending_topics WHERE used_flag = 0
                           ORDER BY priority DESC, relevance_score DESC, timestamp DESC, id
                           LIMIT 1)
               RETURNING id, topic, relevance_score"""
        ).fetchone()
        trends.execute("COMMIT")
    except BaseException:
        trends.execute("ROLLBACK")
        raise
    if row is None:
        raise PipelineError("no unused topic in trending_topics (add some, or run with --seed)")
    return row


def record_video(metrics, video_id, topic):
    metrics.execute(
        """INSERT INTO video_metadata (video_id, title, topic, script_path, audio_path,
                                      video_path, status)
           VALUES (:video_id, :title, :topic, :script, :audio, :video, 'rendered')
           ON CONFLICT (video_id) DO UPDATE
           SET title = excluded.title, topic = excluded.topic, script_path = excluded.script_path,
               audio_path = excluded.audio_path, video_path = excluded.video_path,
               status = excluded.status""",
        {
            "video_id": video_id,
            "title": f"Butcher and Nutsy on {topic}",
            "topic": topic,
            "script": f"scripts/{video_id}.md",
            "audio": f"audio/{video_id}.wav",
            "video": f"videos/{video_id}.mp4",
        },
    )


def use_best_image(images, character, emotion, video_id):
    # Pick and use under one write lock, so that two runs spread their use
    # over the images rather than both taking the same one.
    images.execute("BEGIN IMMEDIATE")
    try:
        image = images.execute(
            """SELECT id, file_path, quality_score FROM image_library
               WHERE character = ? AND emotion = ?
               ORDER BY usage_count, quality_score DESC, id LIMIT 1""",
            (character, emotion),
        ).fetchone()
        if image is None:
            raise PipelineError(f"no image of {character} looking {emotion} in image_library")
        images.execute(
            "INSERT INTO image_usage (image_id, video_id, scene_number) VALUES (?, ?, 1)",
            (image["id"], video_id),
        )
        images.execute("COMMIT")
    except BaseException:
        images.execute("ROLLBACK")
        raise
    # update_image_usage_stats has counted this use.
    usage_count = images.execute(
        "SELECT usage_count FROM image_library WHERE id = ?", (image["id"],)
    ).fetchone()[0]
    return image, usage_count


def poll_platform(platform, relevance):
    views = round(PLATFORM_REACH[platform] * (relevance or 0.5))
    likes, comments, shares = views // 10, views // 100, views // 200
    return {
        "views": views,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "saves": views // 150,
        "watch_time_seconds": views * 12.5,
        "engagement_rate": round((likes + comments + shares) / views, 4) if views else None,
    }


def record_snapshots(metrics, video_id, at, relevance):
    # The upsert's target names the stored time form, so `at` is in it.
    rows = [
        dict(poll_platform(platform, relevance), video_id=video_id, platform=platform,
             timestamp=at)
        for platform in PLATFORM_REACH
    ]
    metrics.execute("BEGIN IMMEDIATE")
    try:
        metrics.executemany(
            """INSERT INTO video_metrics (video_id, platform, views, likes, comments, shares,
                                          saves, watch_time_seconds, engagement_rate, timestamp)
               VALUES (:video_id, :platform, :views, :likes, :comments, :shares, :saves,
                       :watch_time_seconds, :engagement_rate, :timestamp)
               ON CONFLICT (video_id, platform, timestamp) DO UPDATE
               SET views = excluded.views, likes = excluded.likes,
                   comments = excluded.comments, shares = excluded.shares,
                   saves = excluded.saves, watch_time_seconds = excluded.watch_time_seconds,
                   engagement_rate = excluded.engagement_rate""",
            rows,
        )
        metrics.execute("COMMIT")
    except BaseException:
        metrics.execute("ROLLBACK")
        raise
    return rows


def stored_time(conn, text):
    """`text` (default: now) in the form emf stores, 2026-11-24 18:00:00.000."""
    value = conn.execute(
        "SELECT strftime('%Y-%m-%d %H:%M:%f', coalesce(?, 'now'))", (text,)
    ).fetchone()[0]
    if value is None:
        raise PipelineError(f"--at {text!r} is not a time SQLite reads")
    return value


def print_report(metrics):
    rows = metrics.execute(
        """SELECT video_id, platform, views, likes, engagement_rate, timestamp, topic
           FROM latest_video_metrics ORDER BY views DESC, video_id, platform"""
    ).fetchall()
    print(f"latest_video_metrics: {len(rows)} rows")
    print(f"  {'video_id':<14} {'platform':<10} {'views':>7} {'likes':>6} {'rate':>6}  topic")
    for row in rows:
        rate = "-" if row["engagement_rate"] is None else f"{row['engagement_rate']:.2f}"
        print(f"  {row['video_id']:<14} {row['platform']:<10} {row['views']:>7} "
              f"{row['likes']:>6} {rate:>6}  {row['topic'] or '-'}")


def run(args):
    conns = {kind: connect(path, args.extension) for kind, path in args.databases.items()}
    try:
        versions = []
        for kind, conn in conns.items():
            report = json.loads(conn.execute("SELECT emf_init(?)", (kind,)).fetchone()[0])
            versions.append(f"{kind} version {report['version']}")
            if args.seed:
                conn.execute("SELECT emf_seed(?)", (kind,))
        emf_version = conns["trends"].execute("SELECT emf_version()").fetchone()[0]
        print(f"emf {emf_version}: " + ", ".join(versions))

        trends, metrics, images = (conns[kind] for kind in KINDS)
        at = stored_time(metrics, args.at)  # a bad --at stops the run before the claim
        topic = claim_topic(trends)
        print(f"claimed topic {topic['id']}: {topic['topic']} "
              f"(relevance {topic['relevance_score']})")

        video_id = args.video_id or f"emf-topic-{topic['id']}"
        record_video(metrics, video_id, topic["topic"])
        print(f"recorded video {video_id}: Butcher and Nutsy on {topic['topic']}")

        image, usage_count = use_best_image(images, args.character, args.emotion, video_id)
        print(f"image for {args.character}/{args.emotion}: {image['file_path']} "
              f"(quality {image['quality_score']}), usage_count now {usage_count}")

        snapshots = record_snapshots(metrics, video_id, at, topic["relevance_score"])
        print(f"snapshots at {at}: "
              + ", ".join(f"{row['platform']} {row['views']} views" for row in snapshots))

        print_report(metrics)
    finally:
        for conn in conns.values():
            conn.close()


def main(argv=None):
    args = parse_arguments(argv)
    try:
        run(args)
    except (PipelineError, sqlite3.Error) as error:
        print(f"pipeline: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
