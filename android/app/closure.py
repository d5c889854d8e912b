#!/usr/bin/env python3
"""The Android app's runtime libraries, resolved as Gradle resolves them for an Android app.

Reads the one list of libraries and versions, gradle/libs.versions.toml (the Gradle build that
Android Studio opens reads the same file), and walks each library's Gradle module metadata
(`.module`; the POM where a library publishes none), choosing the variant an Android app's
runtime classpath uses: the Android (`androidJvm`) variant of a Kotlin Multiplatform module,
else the JVM one; the release build type. Where two paths ask for different versions of one
module, the highest wins, and a module's dependency constraints raise the versions of the
modules they name, as in Gradle. Files come from the Maven registry (MAVEN_REPO, Maven Central
by default) into the local Maven repository (~/.m2/repository, shared with Maven's own
downloads) and are fetched once.

Writes one line per file, `group:module:version path`, to the file given as the first argument.
Fails, naming them, when a module or a file is not served: nothing is left half resolved.

Libraries whose name in the catalog begins with `test-` are the JVM tests' (Robolectric):
left out of the app, added with --test, which resolves for the host JVM instead (JNA's JAR,
with its desktop dispatcher, rather than its AAR).

Usage: closure.py [--test] OUT [LIBS_TOML]
"""

import json
import os
import re
import sys
import tomllib
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

REPO = os.environ.get("MAVEN_REPO", "https://repo1.maven.org/maven2").rstrip("/")
LOCAL = os.environ.get("MAVEN_LOCAL", os.path.expanduser("~/.m2/repository"))
POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
# Libraries whose Android build is an AAR beside their JAR (`@aar` in build.gradle.kts): JNA's
# carries libjnidispatch.so for each Android ABI.
AS_AAR = {("net.java.dev.jna", "jna"): "aar"}
HOST = "--test" in sys.argv


class NotServed(Exception):
    pass


def fetch(path, required=True):
    """A file of the registry by its path, from the local repository when it is there."""
    local = os.path.join(LOCAL, path)
    if os.path.exists(local):
        with open(local, "rb") as f:
            return f.read()
    try:
        with urllib.request.urlopen(f"{REPO}/{path}", timeout=120) as r:
            data = r.read()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            if required:
                raise NotServed(path) from None
            return None
        raise
    os.makedirs(os.path.dirname(local), exist_ok=True)
    tmp = local + ".part"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, local)
    return data


def folder(group, module, version):
    return f"{group.replace('.', '/')}/{module}/{version}"


def version_key(v):
    """Orders versions as Gradle does for the ones AndroidX and Kotlin publish: numbers by
    value, a qualifier (alpha, beta, rc) before the release it leads to."""
    out = []
    for part in re.split(r"[.\-]", v):
        if part.isdigit():
            out.append((1, int(part), 0))
        else:
            m = re.match(r"([a-z]+)(\d*)", part.lower())
            rank = {"alpha": -3, "beta": -2, "rc": -1}.get(m.group(1), -4) if m else -4
            out.append((0, rank, int(m.group(2)) if m and m.group(2) else 0))
    return out + [(0.5, 0, 0)]


def runtime_variant(module):
    """The variant an Android app's release runtime classpath selects."""
    best, score = None, -1.0
    for v in module.get("variants", []):
        a = v.get("attributes", {})
        if a.get("org.gradle.usage") != "java-runtime" or a.get("org.gradle.category", "library") != "library":
            continue
        if "org.gradle.docstype" in a or a.get("com.android.build.api.attributes.BuildTypeAttr", "release") != "release":
            continue
        s = {"androidJvm": 3, "jvm": 2, None: 1}.get(a.get("org.jetbrains.kotlin.platform.type"), 0)
        if a.get("org.gradle.jvm.environment") == "android":
            s += 0.5
        if s > score:
            best, score = v, s
    return best


def wanted(spec):
    if not spec:
        return None
    v = spec.get("strictly") or spec.get("requires") or spec.get("prefers")
    return v.strip("[]") if v else None


def describe(group, module, version):
    """(dependencies, constraints, files) of one module version."""
    base = folder(group, module, version)
    meta = fetch(f"{base}/{module}-{version}.module", required=False)
    if meta is not None:
        variant = runtime_variant(json.loads(meta))
        if variant is None:
            return [], [], []
        if "available-at" in variant:
            at = variant["available-at"]
            return [(at["group"], at["module"], at["version"])], [], []
        deps = [(d["group"], d["module"], wanted(d.get("version"))) for d in variant.get("dependencies", [])]
        cons = [(c["group"], c["module"], wanted(c.get("version"))) for c in variant.get("dependencyConstraints", [])]
        files = [f"{base}/{f['url']}" for f in variant.get("files", [])]
        return [d for d in deps if d[2]], [c for c in cons if c[2]], files
    pom = ET.fromstring(fetch(f"{base}/{module}-{version}.pom"))

    def text(e, name):
        x = e.find(f"m:{name}", POM_NS)
        return x.text.strip() if x is not None and x.text else None

    props = {"project.version": version}
    for p in pom.findall("m:properties/*", POM_NS):
        props[p.tag.split("}")[1]] = (p.text or "").strip()
    deps = []
    for d in pom.findall("m:dependencies/m:dependency", POM_NS):
        if text(d, "scope") in ("test", "provided", "system") or text(d, "optional") == "true":
            continue
        v = re.sub(r"\$\{([^}]+)\}", lambda m: props.get(m.group(1), m.group(0)), text(d, "version") or "")
        if v.strip("[]"):
            deps.append((text(d, "groupId"), text(d, "artifactId"), v.strip("[]")))
    packaging = (None if HOST else AS_AAR.get((group, module))) or text(pom, "packaging") or "jar"
    if packaging == "pom":
        return deps, [], []
    return deps, [], [f"{base}/{module}-{version}.{ {'bundle': 'jar'}.get(packaging, packaging) }"]


def resolve(roots):
    """Every module reached from `roots` at the version conflict resolution gives it."""
    want = dict(roots)
    while True:
        seen, files, raised, queue = {}, {}, {}, list(roots)
        while queue:
            key = queue.pop()
            if key in seen:
                continue
            seen[key] = want[key]
            deps, cons, files[key] = describe(*key, want[key])
            for g, m, v in cons:
                if version_key(v) > version_key(raised.get((g, m), "0")):
                    raised[(g, m)] = v
            for g, m, v in deps:
                if (g, m) not in want or version_key(v) > version_key(want[(g, m)]):
                    want[(g, m)] = v
                queue.append((g, m))
        for key, v in raised.items():
            if key in seen and version_key(v) > version_key(want[key]):
                want[key] = v
        if all(seen[k] == want[k] for k in seen):
            return seen, files


def main():
    args = [a for a in sys.argv[1:] if a != "--test"]
    out = args[0]
    toml = args[1] if len(args) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "gradle/libs.versions.toml")
    with open(toml, "rb") as f:
        libs = tomllib.load(f)
    versions = libs.get("versions", {})
    roots = {}
    for name, lib in libs.get("libraries", {}).items():
        if name.startswith("test-") and not HOST:
            continue
        group, module = lib["module"].split(":")
        version = lib["version"]
        if isinstance(version, dict):
            version = versions[version["ref"]]
        roots[(group, module)] = version
    try:
        seen, files = resolve(roots)
        lines = []
        for key in sorted(seen):
            for path in files[key]:
                fetch(path)
                lines.append(f"{key[0]}:{key[1]}:{seen[key]} {os.path.join(LOCAL, path)}")
    except NotServed as e:
        sys.exit(f"closure: the Maven registry does not serve {e}; pin a served version in {toml}")
    with open(out + ".part", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(out + ".part", out)
    print(f"closure: {len(seen)} modules, {len(lines)} files")


if __name__ == "__main__":
    main()
