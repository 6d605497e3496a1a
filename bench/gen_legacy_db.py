#!/usr/bin/env python3
"""Generates a legacy z-interact database for the migration benchmark, and the same images as files.

Writes into OUT:
  legacy.db     the `images` table exactly as the legacy app (Drizzle on SQLite) created it, N rows
  files/        every valid image as a file under its object key (images/<persona>/<id>.<ext>), for rclone and RawPut
  manifest.tsv  key, file path relative to files/, size, content type, image id (one line per valid image)
  summary.json  the parameters and the counts of each kind of row

The mix is what the z-interact table holds: mostly PNG (70 %) and JPEG base64 of about SIZE_KB (uniform in
0.75-1.25 x SIZE_KB), a few as data: URIs, a few with a wrong image_mime_type, a few also carrying an external
image_url; plus corrupt base64 (3 %), base64 that is not an image (1 %), rows that only hold an external URL (3 %)
and failed generations with nothing (1 %). The bytes after each real PNG/JPEG header are random, so neither the
store nor the network can compress them. Deterministic for a given (N, SIZE_KB, SEED); an existing output with the
same parameters is reused.
"""
import argparse
import base64
import json
import os
import random
import shutil
import sqlite3
import struct
import sys
import time
import uuid
import zlib

PERSONAS = [("baby-boomer", "Baby Boomer"), ("gen-x", "Gen X"), ("millennial", "Millennial"), ("gen-z", "Gen Z"),
            ("gen-alpha", "Gen Alpha")]
PROVIDERS = ["openai", "stability", "midjourney", "placeholder"]

LEGACY_SCHEMA = """
CREATE TABLE images (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT,
    participant_id TEXT,
    table_id TEXT,
    persona_id TEXT NOT NULL,
    persona_title TEXT NOT NULL,
    image_url TEXT,
    image_data TEXT,
    image_mime_type TEXT,
    prompt TEXT NOT NULL,
    provider TEXT DEFAULT 'placeholder',
    status TEXT DEFAULT 'generating',
    r2_key TEXT,
    migration_status TEXT DEFAULT 'pending' NOT NULL,
    migrated_at INTEGER,
    created_at INTEGER,
    updated_at INTEGER
)"""


def png(rng, size):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1024, 1024, 8, 2, 0, 0, 0))
    tail = chunk(b"IEND", b"")
    body = max(0, size - len(head) - len(tail) - 12)
    return head + chunk(b"IDAT", rng.randbytes(body)) + tail


def jpeg(rng, size):
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return head + rng.randbytes(max(0, size - len(head) - 2)) + b"\xff\xd9"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--size-kb", type=int, default=200)
    p.add_argument("--seed", type=int, default=6)
    a = p.parse_args()
    params = {"n": a.n, "sizeKb": a.size_kb, "seed": a.seed, "version": 1}
    summary_path = os.path.join(a.out, "summary.json")
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            old = json.load(f)
        if old.get("params") == params:
            print(f"gen: reusing {a.out} ({old['counts']['valid']} valid images)", file=sys.stderr)
            return
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(os.path.join(a.out, "files"))
    started = time.time()
    rng = random.Random(a.seed)
    db = sqlite3.connect(os.path.join(a.out, "legacy.db"))
    db.execute(LEGACY_SCHEMA)
    counts = {"valid": 0, "png": 0, "jpeg": 0, "dataUri": 0, "mimeMismatch": 0, "alsoExternal": 0,
              "corruptBase64": 0, "notAnImage": 0, "externalOnly": 0, "none": 0}
    image_bytes = 0
    base64_chars = 0
    now = int(time.time())
    manifest = open(os.path.join(a.out, "manifest.tsv"), "w")
    rows = []
    for i in range(a.n):
        image_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        persona, title = PERSONAS[rng.randrange(len(PERSONAS))]
        created = now - rng.randrange(180 * 86400)
        roll = rng.random()
        image_url = image_data = mime = None
        status = "completed"
        if roll < 0.03:
            counts["corruptBase64"] += 1
            good = base64.b64encode(png(rng, 2048)).decode()
            image_data = good[:700] + "!!%%" + good[700:]  # characters outside the alphabet
            mime = "image/png"
        elif roll < 0.04:
            counts["notAnImage"] += 1
            image_data = base64.b64encode(rng.randbytes(4096)).decode()
            mime = "image/jpeg"
        elif roll < 0.07:
            counts["externalOnly"] += 1
            image_url = f"https://oaidalleapiprodscus.blob.core.windows.net/private/org/img-{image_id}.png"
        elif roll < 0.08:
            counts["none"] += 1
            status = "failed"
        else:
            counts["valid"] += 1
            size = int(a.size_kb * 1024 * rng.uniform(0.75, 1.25))
            if rng.random() < 0.7:
                data, mime, ext = png(rng, size), "image/png", "png"
                counts["png"] += 1
            else:
                data, mime, ext = jpeg(rng, size), "image/jpeg", "jpg"
                counts["jpeg"] += 1
            key = f"images/{persona}/{image_id}.{ext}"
            path = os.path.join(a.out, "files", key)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            manifest.write(f"{key}\t{key}\t{len(data)}\t{mime}\t{image_id}\n")
            image_bytes += len(data)
            image_data = base64.b64encode(data).decode()
            if rng.random() < 0.05:
                image_data = f"data:{mime};base64," + image_data
                counts["dataUri"] += 1
            if rng.random() < 0.03:
                mime = "image/jpeg" if mime == "image/png" else "image/png"
                counts["mimeMismatch"] += 1
            if rng.random() < 0.02:
                image_url = f"https://oaidalleapiprodscus.blob.core.windows.net/private/org/img-{image_id}.png"
                counts["alsoExternal"] += 1
        if image_data:
            base64_chars += len(image_data)
        rows.append((image_id, f"session-{i % 40}", f"participant-{i % 300}", f"table-{i % 12}", persona, title,
                     image_url, image_data, mime, f"a portrait of a {title} at a workshop, variation {i}",
                     PROVIDERS[i % len(PROVIDERS)], status, None, "pending", None, created, created))
        if len(rows) >= 200:
            db.executemany("INSERT INTO images VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            rows.clear()
    db.executemany("INSERT INTO images VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    db.close()
    manifest.close()
    summary = {"params": params, "counts": counts, "imageBytes": image_bytes, "base64Chars": base64_chars,
               "rows": a.n, "seconds": round(time.time() - started, 1)}
    with open(summary_path, "w") as f:
        json.dump(summary, f, indent=1)
    print(f"gen: {a.n} rows, {counts['valid']} valid images ({image_bytes / 1e6:.1f} MB) in {summary['seconds']} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
