#!/usr/bin/env python3
"""Where a native library's bytes go, for scripts/size-budget.sh.

Usage: size_breakdown.py LIBRARY_WITH_SYMBOLS STRIPPED_LIBRARY [ARCHIVE ...]

Prints the stripped library's loaded sections, then its symbols' sizes grouped by Rust crate
(from the demangled path) or C library. Symbols defined in one of the static ARCHIVEs (the
SQLCipher archive satchel-sqlcipher builds) count for that archive. Bytes no
symbol covers (relocations, unwind tables, anonymous constants) are shown as such.
"""

import collections
import os
import re
import subprocess
import sys

# C code inside Rust crates, told apart by its symbols' prefixes.
C_PREFIXES = [
    ("ring_core_", "ring (C and assembly)"),
    ("ecp_nistz256", "ring (C and assembly)"),
    ("ZSTD_", "zstd (C)"),
    ("ZDICT_", "zstd (C)"),
    ("HUF_", "zstd (C)"),
    ("FSE_", "zstd (C)"),
    ("HIST_", "zstd (C)"),
    ("POOL_", "zstd (C)"),
]
RUNTIME = {"core", "alloc", "std", "std_detect", "panic_unwind", "hashbrown", "gimli", "addr2line",
           "miniz_oxide", "rustc_demangle", "object", "adler2", "memchr"}


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def archive_symbols(path):
    names = set()
    for line in run("nm", "--defined-only", path).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TtDdRrBbVvWw":
            names.add(parts[2])
    return names


def crate_of(demangled):
    name = demangled.lstrip("<&*([ ")
    for prefix in ("mut ", "const ", "dyn "):
        while name.startswith(prefix):
            name = name[len(prefix):].lstrip("<&*([ ")
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", name)
    return m.group(1) if m else None


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    lib, stripped, archives = sys.argv[1], sys.argv[2], sys.argv[3:]
    owners = {}
    for archive in archives:
        label = os.path.basename(archive)
        label = {"libsatchel_sqlcipher.a": "SQLCipher/SQLite (C)"}.get(label, label)
        for name in archive_symbols(archive):
            owners.setdefault(name, label)

    # Mangled names find the archive owner; demangled names find the crate.
    mangled = run("nm", "-S", "--defined-only", lib).splitlines()
    demangled = run("nm", "-S", "--defined-only", "-C", lib).splitlines()
    sizes = collections.Counter()
    seen = set()
    for raw, nice in zip(mangled, demangled):
        parts = raw.split(maxsplit=3)
        nice_parts = nice.split(maxsplit=3)
        if len(parts) < 4 or parts[2] in "Nn":
            continue
        addr, size, name = parts[0], int(parts[1], 16), parts[3]
        if (addr, size) in seen:
            continue  # aliases of one symbol
        seen.add((addr, size))
        group = owners.get(name)
        if group is None:
            group = next((label for prefix, label in C_PREFIXES if name.startswith(prefix)), None)
        if group is None:
            crate = crate_of(nice_parts[3] if len(nice_parts) == 4 else name)
            if crate is None:
                group = "C runtime and unnamed"
            elif crate in RUNTIME:
                group = "Rust runtime (std, core, alloc)"
            else:
                group = crate
        sizes[group] += size

    sections = []
    for line in run("readelf", "-SW", stripped).splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+(\S*)", line)
        if m and "A" in m.group(3):
            sections.append((m.group(1), int(m.group(2), 16)))
    loaded = sum(s for _, s in sections)
    total = os.path.getsize(stripped)

    print(f"stripped library: {total:,} bytes")
    print("\nloaded sections (bytes):")
    for name, size in sorted(sections, key=lambda s: -s[1])[:10]:
        print(f"  {name:<22}{size:>12,}")
    named = sum(sizes.values())
    print("\nby crate or C library (symbol sizes, bytes):")
    for group, size in sizes.most_common(25):
        print(f"  {group:<34}{size:>12,}  {100 * size / total:5.1f}%")
    rest = sizes.most_common()[25:]
    if rest:
        print(f"  {f'({len(rest)} more)':<34}{sum(s for _, s in rest):>12,}")
    print(f"  {'(no symbol: relocations, unwind, ...)':<34}{max(loaded - named, 0):>12,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
