"""wrk: installed from Debian when missing, run, and its report parsed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).parent / "lua"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package first if it is not on PATH."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise SystemExit("bench: wrk is not installed and apt-get is not available")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("bench: installing wrk (apt-get install -y wrk)")
    install = [*sudo, apt, "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run([*sudo, apt, "update", "-q"], env=env, stdout=subprocess.DEVNULL)
        subprocess.run(install, env=env, check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: apt-get did not install wrk")
    return found


@dataclass
class Result:
    rps: float
    requests: int
    p50_ms: float | None
    p99_ms: float | None
    errors: int  # non-2xx/3xx answers plus socket errors
    raw: str


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse(text: str) -> Result:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    if rps is None or total is None:
        raise RuntimeError(f"bench: could not read wrk's report:\n{text}")
    percentiles = {
        int(m.group(1)): _ms(m.group(2), m.group(3))
        for m in re.finditer(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    }
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if sockets:
        errors += sum(int(g) for g in sockets.groups())
    return Result(
        rps=float(rps.group(1)),
        requests=int(total.group(1)),
        p50_ms=percentiles.get(50),
        p99_ms=percentiles.get(99),
        errors=errors,
        raw=text,
    )


def run(
    wrk: str,
    url: str,
    *,
    connections: int,
    seconds: float,
    script: str | None = None,
    headers: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Result:
    """One wrk run (one thread): `--latency` always, so p50/p99 come with every result."""
    cmd = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    cmd += ["--timeout", "10s"]
    for header in headers:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", str(LUA / script)]
    cmd.append(url)
    done = subprocess.run(
        cmd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench: wrk failed ({done.returncode}): {done.stderr}{done.stdout}")
    return parse(done.stdout)
