"""What the costly pseudonymous key costs the bot, beside the plain HMAC it replaced.

    .venv/bin/python bench/keys.py [--users 1000]

Prints, side by side for the legacy HMAC (baseline) and the scrypt key: the cost of
one key for a user the process sees for the first time, for a returning user (the
bounded cache), and what an attacker who stole the secret pays to try every Telegram
ID (about 8 * 10^9) on one core. Figures are printed, never asserted: machines here are noisy.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.storage.keys import UserKeys  # noqa: E402

ID_SPACE = 8 * 10**9


def per_call(fn, ids) -> float:
    """Median seconds per call over five rounds."""
    rounds = []
    for r in range(5):
        start = time.perf_counter()
        for i in ids:
            fn(i + r * 10_000_000)
        rounds.append((time.perf_counter() - start) / len(ids))
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    args = parser.parse_args()
    ids = range(5_000_000_000, 5_000_000_000 + args.users)
    keys = UserKeys(b"bench-secret-0123456789abcdef")
    hmac_new = per_call(keys.legacy_key, ids)
    scrypt_new = per_call(lambda i: UserKeys.key(keys, i), ids)
    for i in ids:
        keys.key(i)
    cached_start = time.perf_counter()
    for _ in range(20):
        for i in ids:
            keys.key(i)
    cached = (time.perf_counter() - cached_start) / (20 * args.users)

    def years(seconds: float) -> str:
        total = seconds * ID_SPACE
        if total < 86400 * 2:
            return f"{total / 3600:,.1f} hours"
        return f"{total / 86400:,.0f} days" if total < 86400 * 365 else f"{total / (86400 * 365):,.1f} years"

    print(f"{'':34} {'HMAC (baseline)':>18} {'scrypt':>18}")
    print(f"{'first message of a new user':34} {hmac_new * 1e6:>15.1f} µs {scrypt_new * 1e3:>15.2f} ms")
    print(f"{'returning user (cached)':34} {hmac_new * 1e6:>15.1f} µs {cached * 1e6:>15.2f} µs")
    print(f"{'1,000 new users at once (CPU)':34} {hmac_new * 1e3:>15.3f} s  {scrypt_new * 1e3:>15.2f} s ")
    print(f"{'every Telegram ID, one core':34} {years(hmac_new):>18} {years(scrypt_new):>18}")


if __name__ == "__main__":
    main()
