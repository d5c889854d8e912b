#!/usr/bin/env python3
"""The two apps' catalogues say the same things.

Android's texts are Kotlin (`android/ui/.../strings/{Strings,English,Spanish}.kt`), iOS's are
`.lproj/Localizable.strings` with their keys in `Key.swift`. Nothing but this check ties them:
- a text both apps name alike (a Kotlin `val`, a Swift key) reads the same in both, in English
  and in Spanish, placeholders aside (`$n`, `${…}` against `%@`, `%d`, `%1$@`);
- a Kotlin function with plurals (`minutesAgo(n)`) matches Swift's `minutesAgoOne`/`…Other`;
- every other difference is listed, with its reason, in `apps/strings-differences.txt`, and a
  listed one that no longer differs must leave the list.

Exit status 0 when they agree, 1 with what differs.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
KOTLIN = ROOT / "android/ui/src/main/kotlin/org/satchel/app/strings"
SWIFT = ROOT / "ios/SatchelKit/Sources/SatchelKit"
LISTED = ROOT / "apps/strings-differences.txt"


def kotlin_members():
    """The names the Kotlin catalogue declares, `val` or `fun`."""
    text = (KOTLIN / "Strings.kt").read_text()
    return {m.group(2): m.group(1) for m in re.finditer(r"^\s*(val|fun)\s+(\w+)", text, re.M)}


def kotlin_texts(language):
    """Kotlin texts that are plain strings: `override val x = "…"` and `override fun x(…) = "…"`
    templates, literals joined by `+` included."""
    text = (KOTLIN / f"{language}.kt").read_text()
    literal = r'"(?:[^"\\]|\\.)*"'
    out = {}
    # A text may be written as literals joined by `+` over several lines.
    pattern = rf"^\s*override (?:val|fun) (\w+)(?:\([^)]*\))?\s*=\s*({literal}(?:\s*\+\s*{literal})*)\s*$"
    for m in re.finditer(pattern, text, re.M):
        out[m.group(1)] = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
    return out


def swift_keys():
    text = (SWIFT / "Strings/Key.swift").read_text()
    keys = set()
    for line in re.findall(r"^\s*case\s+(.+)$", text, re.M):
        for part in line.split(","):
            name = part.strip().split("=")[0].strip()
            if re.fullmatch(r"\w+", name):
                keys.add(name)
    return keys


def swift_texts(lproj):
    text = (SWIFT / f"Resources/{lproj}.lproj/Localizable.strings").read_text()
    return {m.group(1): m.group(2) for m in re.finditer(r'^"(\w+)"\s*=\s*"((?:[^"\\]|\\.)*)";', text, re.M)}


def shape(text, kotlin):
    """The text with every placeholder as `{}`, and how many there were."""
    if kotlin:
        text = re.sub(r"\$\{[^}]*\}|\$\w+", "{}", text)
    else:
        text = re.sub(r"%(?:\d+\$)?l?[@dsf]", "{}", text)
    return text.replace('\\"', '"'), text.count("{}")


def listed():
    """`name: reason` lines (a name may be Kotlin's or Swift's); # starts a comment."""
    out = {}
    for n, line in enumerate(LISTED.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, reason = line.partition(":")
        if not reason.strip():
            sys.exit(f"{LISTED}:{n}: give a reason after the name")
        out[name.strip()] = reason.strip()
    return out


def differences():
    kotlin = kotlin_members()
    keys = swift_keys()
    found = {}
    # Kotlin plural functions against Swift's One/Other keys.
    plural = {k for k in keys if k.endswith("One") and k[:-3] + "Other" in keys}
    paired = {k[:-3] for k in plural}
    for name in sorted(set(kotlin) - keys - paired):
        found[name] = "only on Android"
    for name in sorted(keys - set(kotlin)):
        stem = name[:-3] if name.endswith("One") else name[:-5] if name.endswith("Other") else None
        if stem in paired and stem in kotlin:
            continue
        found[name] = "only on iOS"
    for language, lproj in (("English", "en"), ("Spanish", "es")):
        kt, sw = kotlin_texts(language), swift_texts(lproj)
        for name in sorted(set(kt) & set(sw)):
            if shape(kt[name], True) != shape(sw[name], False):
                found.setdefault(name, f"reads differently ({lproj}): {kt[name]!r} against {sw[name]!r}")
    return found


def main():
    found = differences()
    allowed = listed()
    unlisted = {n: why for n, why in found.items() if n not in allowed}
    stale = sorted(n for n in allowed if n not in found)
    for name, why in unlisted.items():
        print(f"{name}: {why}; make the apps agree, or list it in {LISTED.relative_to(ROOT)} with the reason")
    for name in stale:
        print(f"{name}: listed in {LISTED.relative_to(ROOT)} but the apps agree now; take it off the list")
    if unlisted or stale:
        return 1
    print(f"the apps' catalogues agree ({len(allowed)} listed differences, each with its reason)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
