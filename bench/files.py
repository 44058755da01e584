"""Bench scenario `files`: upload a 10 MB file to a contact (`POST /api/documents`,
multipart) and download it again through its signed URL, ROUNDS times, one at a time.

Reports the throughput of each direction (MB/s, medians) and how far the server's peak
memory rose above where it stood before the first upload: a file must be streamed, never
held whole in memory, so the rise must stay well under the file's size. The peak is the
kernel's own (VmHWM, reset through /proc/PID/clear_refs before the scenario starts).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

SIZE = 10 * 1024 * 1024
ROUNDS = 5
CONTACT_ID = 1
TARGET_RISE_MB = SIZE / 1024 / 1024 / 2  # less than half the file ever sits in memory
CHUNK = 256 * 1024


@dataclass
class FilesOutcome:
    upload_mb_s: list[float]
    download_mb_s: list[float]
    rss_before_mb: float
    peak_mb: float
    target_rise_mb: float = TARGET_RISE_MB

    @property
    def rise_mb(self) -> float:
        return max(0.0, self.peak_mb - self.rss_before_mb)

    @property
    def passed(self) -> bool:
        return self.rise_mb < self.target_rise_mb

    def summary(self) -> str:
        up, down = statistics.median(self.upload_mb_s), statistics.median(self.download_mb_s)
        return (
            f"Files, {SIZE // 1024 // 1024} MB one at a time, {len(self.upload_mb_s)} rounds: "
            f"upload median {up:.0f} MB/s, download median {down:.0f} MB/s; the server's peak "
            f"memory rose {self.rise_mb:.1f} MB above its {self.rss_before_mb:.0f} MB "
            f"(target <{self.target_rise_mb:.0f} MB: {'met' if self.passed else 'NOT met'})"
        )


def _status(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def measure(base: str, api_key: str, pid: int) -> FilesOutcome:
    payload = os.urandom(SIZE)
    digest = hashlib.sha256(payload).hexdigest()
    headers = {"Authorization": f"Token token={api_key}"}
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # the peak starts from now
    before = _status(pid)["VmRSS"] / 1024
    uploads: list[float] = []
    downloads: list[float] = []
    with httpx.Client(base_url=base, timeout=120) as http:
        for n in range(ROUNDS):
            started = time.perf_counter()
            response = http.post(
                "/api/documents",
                headers=headers,
                data={"targetable_type": "Contact", "targetable_id": str(CONTACT_ID)},
                files={"file": (f"bench-{n}.bin", payload, "application/octet-stream")},
            )
            uploads.append(SIZE / 1024 / 1024 / (time.perf_counter() - started))
            if response.status_code != 200:
                raise SystemExit(f"bench: upload answered {response.status_code}: {response.text}")
            url = response.json()["url"]
            started = time.perf_counter()
            hasher = hashlib.sha256()
            with http.stream("GET", url) as download:
                if download.status_code != 200:
                    raise SystemExit(f"bench: download answered {download.status_code}")
                for chunk in download.iter_bytes(CHUNK):
                    hasher.update(chunk)
            downloads.append(SIZE / 1024 / 1024 / (time.perf_counter() - started))
            if hasher.hexdigest() != digest:
                raise SystemExit("bench: the downloaded file differs from the uploaded one")
    peak = _status(pid)["VmHWM"] / 1024
    return FilesOutcome(uploads, downloads, before, peak)
