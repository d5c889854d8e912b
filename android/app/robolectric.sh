#!/usr/bin/env bash
# Runs the app's JVM tests (src/test/kotlin) on Android 15's framework: Robolectric 4.16 and
# its instrumented android-all jar from Maven Central, offline, over what build-apk.sh built
# (the app's classes, R classes, merged manifest and linked resources) and the host build of
# the native library through JNA (bindings/generated, as the other JVM tests). The test
# libraries are the `test-` entries of gradle/libs.versions.toml, resolved by closure.py --test.
# Screenshots go to android/app/compile-check/target/screenshots/.
#
# Run android/app/build-apk.sh and `cargo build -p satchel-server` first (the tests start a hub).
# Usage: android/app/robolectric.sh
set -euo pipefail

app=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$app/../.." && pwd)
out=$app/compile-check/target
test=$out/test

for f in "$out/AndroidManifest.xml" "$out/base.apk" "$out/r.jar" "$out/app-classes.jar"; do
  [[ -f $f ]] || { echo "robolectric: $f is missing; run android/app/build-apk.sh first" >&2; exit 1; }
done

# The test libraries, for the host JVM; AARs give their classes.jar.
python3 "$app/closure.py" --test "$out/test-closure.txt"
rm -rf "$test"
mkdir -p "$test/aars" "$test/classes" "$test/config/com/android/tools" "$out/screenshots"
libraries=()
while read -r _ file; do
  case $file in
    *.aar)
      dir=$test/aars/$(basename "$file" .aar)
      unzip -q -o "$file" 'classes.jar' -d "$dir" 2>/dev/null || true
      [[ -f $dir/classes.jar ]] && libraries+=("$dir/classes.jar") ;;
    *.jar) libraries+=("$file") ;;
  esac
done < "$out/test-closure.txt"
platform=$(echo "$out"/platform/android-all-*.jar)

# Compiled with the app's compiler.
{
  printf '%s\n' -no-stdlib -no-reflect -jvm-target 17 -d "$test/classes"
  printf -- '-classpath\n%s\n' "$(IFS=:; echo "$out/app-classes.jar:$out/r.jar:${libraries[*]}:$platform")"
  find "$app/src/test/kotlin" -name '*.kt' | sort
  # The screens' tests' in-memory keystore and real hub.
  echo "$root/android/ui/src/test/kotlin/org/satchel/app/Support.kt"
} > "$out/kotlinc.args"
mvn -B -q -Dstyle.color=never -f "$app/compile-check/pom.xml" exec:java@kotlinc

# Robolectric reads the app's manifest and resources from here.
cat > "$test/config/com/android/tools/test_config.properties" <<EOF
android_merged_manifest=$out/AndroidManifest.xml
android_resource_apk=$out/base.apk
android_custom_package=org.satchel.android
EOF

tests=$(cd "$test/classes" && find . -name '*Test.class' ! -name '*$*' | sed 's|^\./||; s|\.class$||; s|/|.|g' | sort)
[[ -n $tests ]] || { echo "robolectric: no test classes compiled" >&2; exit 1; }
# The platform jar last: Robolectric loads Android from its instrumented jar.
java -Xmx2g \
  -Drobolectric.offline=true -Drobolectric.dependency.dir="$out/robolectric" \
  -Djna.library.path="$root/bindings/generated" -Dsatchel.screenshots="$out/screenshots" \
  -Dsatchel.server.bin="$root/target/debug/satchel-server" \
  -cp "$test/classes:$test/config:$out/app-classes.jar:$out/r.jar:$(IFS=:; echo "${libraries[*]}"):$platform" \
  org.junit.runner.JUnitCore $tests
