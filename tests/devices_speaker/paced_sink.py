"""Stands in for a sound card: reads a WAV file and takes as long as the audio lasts.

Used as the speaker's player (``player=cmd:python paced_sink.py {wav} STARTED_DIR SPEED``). It
writes its pid into STARTED_DIR when playback starts so tests know a player is running, plays
SPEED times faster than real time, and exits 0 at the end (or dies on SIGTERM like aplay).
"""

import os
import sys
import time
import wave

path, started_dir, speed = sys.argv[1], sys.argv[2], float(sys.argv[3])
with wave.open(path, "rb") as wav:
    rate = wav.getframerate()
    chunk = rate // 20
    with open(os.path.join(started_dir, f"{os.getpid()}.started"), "w") as marker:
        marker.write(os.path.basename(path))
    while True:
        frames = wav.readframes(chunk)
        if not frames:
            break
        time.sleep(len(frames) / wav.getsampwidth() / wav.getnchannels() / rate / speed)
sys.exit(0)
