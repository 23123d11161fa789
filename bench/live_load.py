#!/usr/bin/env python3
"""Live-mode load test, run by bench/live-load.sh against a started server.

CONNECTIONS WebSocket clients (GET /api/v1/faces/live) each send a 640x480
JPEG with one face (made from a fixture photo) FPS times a second for
SECONDS, and read the answers as they come. A frame's round trip is from
sending it to receiving the answer that names it; frames the server replaced
with newer ones are counted from the answers' "dropped". The server's own
time per frame ("ms") and its CPU and peak RSS are reported too.

Needs Pillow and websockets (the shell script's venv).
"""

import argparse
import asyncio
import io
import json
import os
import statistics
import time
import urllib.request

import websockets
from PIL import Image


def frame_jpeg(photo: str) -> bytes:
    image = Image.open(photo).convert("RGB")
    width, height = image.size
    # The 4:3 band around the face, scaled to 640x480.
    band = width * 3 // 4
    top = max(0, (height - band) // 3)
    image = image.crop((0, top, width, top + band)).resize((640, 480), Image.BILINEAR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def percentile(values, share):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def client(url: str, frame: bytes, fps: float, seconds: float, stats: dict):
    sent_at = {}
    async with websockets.connect(url, max_size=None) as socket:
        async def send():
            number = 0
            start = time.monotonic()
            while time.monotonic() - start < seconds:
                number += 1
                sent_at[number] = time.monotonic()
                await socket.send(frame)
                await asyncio.sleep(max(0.0, start + number / fps - time.monotonic()))
            return number

        async def receive(total_ref):
            while True:
                try:
                    message = await asyncio.wait_for(socket.recv(), timeout=5)
                except asyncio.TimeoutError:
                    return
                answer = json.loads(message)
                if "error" in answer:
                    stats["errors"] += 1
                    continue
                stats["answered"] += 1
                stats["dropped"] += answer["dropped"]
                stats["server_ms"].append(answer["ms"])
                stats["round_trip_ms"].append((time.monotonic() - sent_at[answer["frame"]]) * 1000)
                stats["faces"].append(len(answer["faces"]))
                if total_ref and answer["frame"] == total_ref[0]:
                    return

        total_ref = []
        receiver = asyncio.create_task(receive(total_ref))
        total = await send()
        total_ref.append(total)
        stats["sent"] += total
        await receiver


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--photo", required=True)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--fps", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    with urllib.request.urlopen(f"{args.base}/api/v1/emojis/") as response:
        emoji_id = json.load(response)["items"][0]["id"]
    url = f"{args.base.replace('http', 'ws', 1)}/api/v1/faces/live?emoji_id={emoji_id}"
    frame = frame_jpeg(args.photo)
    stats = {"sent": 0, "answered": 0, "dropped": 0, "errors": 0,
             "server_ms": [], "round_trip_ms": [], "faces": []}
    cpu_before, wall_before = cpu_seconds(args.pid), time.monotonic()
    await asyncio.gather(*(client(url, frame, args.fps, args.seconds, stats)
                           for _ in range(args.connections)))
    wall = time.monotonic() - wall_before
    cpu = cpu_seconds(args.pid) - cpu_before

    sent = stats["sent"]
    print(f"{args.connections} connections x {args.fps:g} frames/s for {args.seconds:g} s, "
          f"640x480 JPEG of {len(frame) // 1024} KiB")
    print(f"frames sent {sent}, answered {stats['answered']}, dropped {stats['dropped']} "
          f"({100 * stats['dropped'] / max(sent, 1):.1f} %), errors {stats['errors']}")
    print(f"faces per answer: {statistics.mean(stats['faces']) if stats['faces'] else float('nan'):.2f}")
    print(f"server time per frame: p50 {percentile(stats['server_ms'], 0.5):.1f} ms, "
          f"p95 {percentile(stats['server_ms'], 0.95):.1f} ms")
    print(f"round trip: p50 {percentile(stats['round_trip_ms'], 0.5):.1f} ms, "
          f"p95 {percentile(stats['round_trip_ms'], 0.95):.1f} ms (target p95 <= 80 ms, <= 5 % dropped)")
    print(f"server CPU {cpu / wall:.2f} cores over {wall:.1f} s; peak RSS {peak_rss_mib(args.pid):.0f} MiB")


asyncio.run(main())
