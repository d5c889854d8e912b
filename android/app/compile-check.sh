#!/usr/bin/env bash
# Compiles the app's platform keystore (src/main/kotlin/org/satchel/android/AndroidKeystore.kt),
# with the strings it shows and the generated Kotlin bindings, against the real Android API:
# the Android 15 (API 35, the app's compileSdk) platform classes as Robolectric publishes them on
# Maven Central, and the AndroidX AARs (biometric, fragment, core, ...) it imports. Needs Java 17,
# Maven and unzip; no Android SDK, no Gradle, no Google Maven repository.
#
# What it proves: the code type-checks and compiles to JVM bytecode against those APIs, with the
# Kotlin compiler the app uses. Exits non-zero when it does not.
# What it does not: it does not run the code, dex it, package or sign an APK. The java.* / javax.*
# classes are the JDK's, not Android's; minSdk (26) API levels and @RequiresApi are not checked
# (Android Lint does that); the rest of android/app (Compose, WorkManager, the QR scanner) is not
# compiled.
#
# Run bindings/generate.sh first (the bindings). Everything it writes is under
# android/app/compile-check/target/ (git-ignored). Usage: android/app/compile-check.sh
set -euo pipefail

app=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$app/../.." && pwd)
check=$app/compile-check
out=$check/target
bindings=$root/bindings/generated/kotlin/org/satchel/ffi/satchel_ffi.kt
strings=$root/android/ui/src/main/kotlin/org/satchel/app/strings

if [[ ! -f $bindings ]]; then
  echo "compile-check: $bindings is missing; run bindings/generate.sh first" >&2
  exit 1
fi

# 1. The platform and library artifacts (target/deps), from the Maven registry.
mvn -B -q -Dstyle.color=never -f "$check/pom.xml" generate-resources

# 2. An AAR is a zip; its code is the classes.jar inside.
rm -rf "$out/aars" "$out/classes"
mkdir -p "$out/aars" "$out/classes"
classpath=()
for f in "$out"/deps/*; do
  case $f in
    *.aar)
      jar=$out/aars/$(basename "$f" .aar).jar
      unzip -p "$f" classes.jar > "$jar"
      classpath+=("$jar") ;;
    *.jar) classpath+=("$f") ;;
  esac
done

# 3. The Kotlin compiler. The JDK stays on its classpath (android-all has no java.*); the
# Kotlin standard library comes from target/deps, at the app's version.
{
  printf '%s\n' -no-stdlib -no-reflect -jvm-target 17 -d "$out/classes"
  printf -- '-classpath\n%s\n' "$(IFS=:; echo "${classpath[*]}")"
  printf '%s\n' \
    "$app/src/main/kotlin/org/satchel/android/AndroidKeystore.kt" \
    "$strings/Strings.kt" "$strings/English.kt" \
    "$bindings"
} > "$out/kotlinc.args"

mvn -B -q -Dstyle.color=never -f "$check/pom.xml" exec:java@kotlinc

classes=$(find "$out/classes/org/satchel/android" -name 'AndroidKeystore*.class' | wc -l)
if [[ $classes -eq 0 ]]; then
  echo "compile-check: no AndroidKeystore classes were written" >&2
  exit 1
fi
echo "compile-check: AndroidKeystore.kt compiles against Android API 35 ($classes classes in ${out#"$root"/}/classes)"
