#!/usr/bin/env bash
# Compiles the whole Android app against the real Android API: android/app's Activity, keystore,
# sync worker and platform glue, android/ui's screens and state holders, and the generated
# Kotlin bindings, with the Kotlin compiler and Compose compiler plugin the app uses, against
# the Android 15 (API 35, the app's compileSdk) platform classes as Robolectric publishes them
# on Maven Central and the app's libraries as closure.py resolves them from
# gradle/libs.versions.toml (the versions Gradle uses too). Needs Java 17, Maven, Python 3.11
# and unzip; no Android SDK, no Gradle, no Google Maven repository.
#
# What it proves: the app type-checks and compiles to JVM bytecode against those APIs, with
# every library at the version the app ships. Exits non-zero when it does not.
# What it does not: it does not dex, package or sign an APK, nor run it. The java.* / javax.*
# classes are the JDK's, not Android's; minSdk (26) API levels and @RequiresApi are not checked
# (Android Lint does that).
#
# Run bindings/generate.sh first (the bindings). Everything it writes is under
# android/app/compile-check/target/ (git-ignored). Usage: android/app/compile-check.sh
set -euo pipefail

app=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$app/../.." && pwd)
check=$app/compile-check
out=$check/target
bindings=$root/bindings/generated/kotlin/org/satchel/ffi/satchel_ffi.kt

if [[ ! -f $bindings ]]; then
  echo "compile-check: $bindings is missing; run bindings/generate.sh first" >&2
  exit 1
fi

# 1. The compiler's version is the app's.
kotlin=$(sed -n 's/^kotlin = "\(.*\)"/\1/p' "$app/gradle/libs.versions.toml")
pom_kotlin=$(sed -n 's:.*<kotlin.version>\(.*\)</kotlin.version>.*:\1:p' "$check/pom.xml")
if [[ $kotlin != "$pom_kotlin" ]]; then
  echo "compile-check: libs.versions.toml names Kotlin $kotlin, compile-check/pom.xml $pom_kotlin" >&2
  exit 1
fi

# 2. The platform and the compiler plugin (Maven), the app's libraries (closure.py).
# (target/tools afresh: a version changed in the pom leaves no older jar beside the new one.)
mkdir -p "$out"
rm -rf "$out/tools"
mvn -B -q -Dstyle.color=never -f "$check/pom.xml" generate-resources
python3 "$app/closure.py" "$out/closure.txt"

# 3. An AAR is a zip: its code is the classes.jar inside (and any jars in libs/); its resources,
# manifest and native libraries are kept for build-apk.sh. target/libraries.txt lists the code
# of every library, the platform's apart.
rm -rf "$out/aars" "$out/classes"
mkdir -p "$out/aars" "$out/classes"
libraries=()
while read -r _ file; do
  case $file in
    *.aar)
      dir=$out/aars/$(basename "$file" .aar)
      unzip -q -o "$file" -d "$dir"
      for jar in "$dir"/classes.jar "$dir"/libs/*.jar; do
        [[ -f $jar ]] && libraries+=("$jar")
      done ;;
    *.jar) libraries+=("$file") ;;
  esac
done < "$out/closure.txt"
printf '%s\n' "${libraries[@]}" > "$out/libraries.txt"
classpath=("$out"/platform/android-all-*.jar "${libraries[@]}")

# 4. The Kotlin compiler with the Compose plugin. The JDK stays on its classpath (android-all
# has no java.*); the Kotlin standard library comes from the closure, at the app's version.
{
  printf '%s\n' -no-stdlib -no-reflect -jvm-target 17 -d "$out/classes"
  printf -- '-Xplugin=%s\n' "$out"/plugins/kotlin-compose-compiler-plugin-embeddable-*.jar
  printf -- '-classpath\n%s\n' "$(IFS=:; echo "${classpath[*]}")"
  find "$app/src/main/kotlin" "$root/android/ui/src/main/kotlin" -name '*.kt' | sort
  echo "$bindings"
} > "$out/kotlinc.args"

mvn -B -q -Dstyle.color=never -f "$check/pom.xml" exec:java@kotlinc

for class in org/satchel/android/MainActivity org/satchel/android/SyncWorker org/satchel/app/screens/SatchelAppKt; do
  if [[ ! -f $out/classes/$class.class ]]; then
    echo "compile-check: $class.class was not written" >&2
    exit 1
  fi
done
classes=$(find "$out/classes" -name '*.class' | wc -l)
echo "compile-check: android/app and android/ui compile against Android API 35 ($classes classes in ${out#"$root"/}/classes)"
