#!/usr/bin/env python3
"""Fills an igemoji SQLite database for bench/listings-load.sh (stdlib only).

The server must have run once on DB (migrations and built-in templates) and
be stopped. Adds one owner user, TEMPLATES templates (~10% private, created
30-60 days ago) and USES rows of emoji_uses spread Zipf-like over the
templates (weight 1/rank, ranks shuffled) and uniformly over the last DAYS
days; each template's use_count and last_used_at match its uses.
Timestamps are written in the exact text format the server wrote (read from
the built-ins' created_at), since SQLite compares them as text.

Usage: listings_seed.py DB [--templates 10000] [--uses 100000] [--days 30]
"""

import argparse
import random
import re
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from itertools import accumulate


class TimeFormat:
    """Writes UTC times the way a sample stored timestamp looks."""

    def __init__(self, sample):
        match = re.fullmatch(
            r"\d{4}-\d\d-\d\d([T ])\d\d:\d\d:\d\d(?:\.(\d+))?(Z|[+-]00:?00)?", sample
        )
        if not match:
            raise SystemExit(f"unexpected stored timestamp format: {sample!r}")
        self.separator, fraction, zone = match.groups()
        self.digits = min(len(fraction or ""), 9)
        self.zone = zone or ""

    def __call__(self, moment):
        text = moment.strftime(f"%Y-%m-%d{self.separator}%H:%M:%S")
        if self.digits:
            text += "." + f"{moment.microsecond:06d}000"[: self.digits]
        return text + self.zone


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db")
    parser.add_argument("--templates", type=int, default=10_000)
    parser.add_argument("--uses", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--private", type=float, default=0.10, help="share of private templates")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    db = sqlite3.connect(args.db)
    sample = db.execute("SELECT created_at FROM emojis ORDER BY id LIMIT 1").fetchone()
    if sample is None:
        raise SystemExit("no template in the database: start the server on it once first")
    stamp = TimeFormat(sample[0])
    now = datetime.now(timezone.utc)

    # Which template each use goes to (by index), and when.
    ranks = list(range(args.templates))
    rng.shuffle(ranks)  # ranks[i] = popularity rank of template i
    by_rank = sorted(range(args.templates), key=ranks.__getitem__)
    cumulative = list(accumulate(1 / (rank + 1) for rank in range(args.templates)))
    used_rank = rng.choices(range(args.templates), cum_weights=cumulative, k=args.uses)
    uses = sorted(
        (now - timedelta(seconds=rng.random() * args.days * 86_400), by_rank[rank])
        for rank in used_rank
    )
    counts = [0] * args.templates
    last_used = [None] * args.templates
    for used_at, index in uses:
        counts[index] += 1
        last_used[index] = used_at  # uses are in time order

    with db:
        owner_id = db.execute(
            "INSERT INTO users (username, nickname, password_hash, token_stamp, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            ("bench-owner", "Bench owner", "$argon2id$v=19$bench-dummy-hash",
             "0" * 32, stamp(now - timedelta(days=90))),
        ).lastrowid
        ids = []
        for index in range(args.templates):
            private = rng.random() < args.private
            ids.append(db.execute(
                "INSERT INTO emojis (owner_id, name, description, visibility, share_token,"
                " builtin_slug, attribution, image_prefix, use_count, last_used_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)",
                (
                    owner_id,
                    f"Bench template {index + 1:05d}",
                    f"Template {index + 1} made for the listings benchmark.",
                    "private" if private else "public",
                    f"{rng.getrandbits(128):032x}" if private else None,
                    f"emojis/bench-{index + 1:05d}",
                    counts[index],
                    stamp(last_used[index]) if last_used[index] else None,
                    stamp(now - timedelta(days=args.days + rng.random() * 30)),
                ),
            ).lastrowid)
        db.executemany(
            "INSERT INTO emoji_uses (emoji_id, used_at) VALUES (?, ?)",
            ((ids[index], stamp(used_at)) for used_at, index in uses),
        )

    private_count, public_count = db.execute(
        "SELECT SUM(visibility = 'private'), SUM(visibility = 'public') FROM emojis"
    ).fetchone()
    week_ago = stamp(now - timedelta(days=7))
    recent = db.execute("SELECT COUNT(*) FROM emoji_uses WHERE used_at >= ?", (week_ago,)).fetchone()
    top = sorted(counts, reverse=True)[:3]
    print(f"seeded: {args.templates} templates ({private_count} private, {public_count} public in "
          f"all incl. built-ins), {args.uses} uses ({recent[0]} in the last 7 days), "
          f"most used {top}, {counts.count(0)} never used; timestamps like {stamp(now)!r}")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
