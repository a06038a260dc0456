"""What a benchmark reports about the machine it ran on and the memory it used."""

from __future__ import annotations

import resource
import subprocess


def cpu_description() -> str:
    """``lscpu``'s model name and CPU count, and whether the CPU has AVX-512."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    avx512 = "AVX-512" if "avx512f" in fields.get("Flags", "").split() else "no AVX-512"
    return f"{fields.get('Model name', '?').strip()}, {fields.get('CPU(s)', '?').strip()} CPUs, {avx512}"


def peak_rss_mb() -> float:
    """The most resident memory this process has held so far, in MB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, 1)


def rss_mb() -> float:
    """The resident memory of this process now, in MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def process_age_s() -> float:
    """Seconds since this process started (to 1/100 s), interpreter start-up included."""
    import os

    with open("/proc/self/stat", encoding="ascii") as stat:
        started_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime", encoding="ascii") as uptime:
        now = float(uptime.read().split()[0])
    return now - started_ticks / os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """User and system CPU seconds of this process so far (all threads, interpreter start-up included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
