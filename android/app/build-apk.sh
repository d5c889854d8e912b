#!/usr/bin/env bash
# Builds the Android app into a signed APK here, without Gradle or an Android SDK: Google's own
# build tools from Maven Central (aapt2, the manifest merger, R8 or D8), the Android 15 platform from
# Robolectric's android-all jar, zipalign and apksigner from Debian. The Gradle build
# (build.gradle.kts, for Android Studio) reads the same versions (gradle/libs.versions.toml) and
# the same app settings (applicationId, SDK levels, version: read from build.gradle.kts here).
#
#   1. compile-check.sh: the libraries (closure.py), the app and its screens compiled.
#   2. aapt2: every library's resources and the app's compiled, the manifests merged, linked
#      against the platform into the package's base, with R classes for every library.
#   3. R8: the app, R classes and every library shrunk and dexed as a release build is, with
#      the app's rules (proguard-rules.pro), aapt2's (classes the manifest and layouts name)
#      and every library's own; the Java resources R8 keeps go in beside the dex.
#      SATCHEL_APK_DEBUG=1: D8 instead (no shrinking, about half the time), for builds to try.
#   4. Native libraries: JNA's dispatcher for each ABI, and libsatchel_ffi.so where an Android
#      NDK is present (ANDROID_NDK_HOME, through build-native.sh). Without one the APK has no
#      Satchel library, and says so: it installs and starts, and cannot open a store.
#   5. zipalign (native libraries page-aligned, stored), apksigner: a debug key made at build time
#      (target/debug.keystore), or the release key given by SATCHEL_APK_KEYSTORE (a keystore
#      file), SATCHEL_APK_KEY_ALIAS and SATCHEL_APK_KEYSTORE_PASS.
#   6. Checks: the app's code refers to nothing the APK lacks (TraceReferences); the signature
#      verifies, the badging names the package and SDK levels and only the permissions the app
#      needs, the dex holds, by their names, the Activity, the application, the worker and the
#      bindings JNA reaches by reflection, the manifest keeps backups off (allowBackup, the
#      data-extraction rules) and WorkManager initialized on demand (by SatchelApplication).
#
# Writes android/app/compile-check/target/satchel.apk. Run bindings/generate.sh first.
# SATCHEL_APK_COMPILED=1 reuses the classes compile-check.sh wrote last (to repackage quickly).
# Usage: android/app/build-apk.sh
set -euo pipefail

app=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$app/../.." && pwd)
out=$app/compile-check/target
apk=$out/satchel.apk
say() { echo "build-apk: $*"; }

for tool in zipalign apksigner keytool unzip zip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-apk: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

# The app's settings, from the Gradle build.
setting() { sed -n "s/^ *$1 = \"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p" "$app/build.gradle.kts" | head -1; }
package=$(setting applicationId)
min_sdk=$(setting minSdk)
target_sdk=$(setting targetSdk)
version_code=$(setting versionCode)
version_name=$(setting versionName)
for v in package min_sdk target_sdk version_code version_name; do
  [[ -n ${!v} ]] || { echo "build-apk: $v not found in build.gradle.kts" >&2; exit 1; }
done

# 1. Compiled.
[[ ${SATCHEL_APK_COMPILED:-0} == 1 ]] || "$app/compile-check.sh"
platform=$(echo "$out"/platform/android-all-*.jar)
mapfile -t libraries < "$out/libraries.txt"

# aapt2 comes as a jar holding the Linux binary.
aapt2=$out/tools/aapt2
if [[ ! -x $aapt2 ]]; then
  unzip -q -o "$out"/tools/aapt2-*-linux.jar aapt2 -d "$out/tools"
  chmod +x "$aapt2"
fi

# 2. Resources and manifest.
res=$out/res
rm -rf "$res" "$out/gen" "$out/rclasses" "$out/dex" "$out/stage"
mkdir -p "$res" "$out/gen" "$out/rclasses" "$out/dex" "$out/stage"
links=()
manifests=()
packages=()
for dir in "$out"/aars/*/; do
  dir=${dir%/}
  manifests+=("$dir/AndroidManifest.xml")
  packages+=("$(sed -n 's/.*package="\([^"]*\)".*/\1/p' "$dir/AndroidManifest.xml" | head -1)")
  if [[ -d $dir/res ]] && [[ -n $(ls -A "$dir/res") ]]; then
    "$aapt2" compile --dir "$dir/res" -o "$res/$(basename "$dir").zip"
    links+=(-R "$res/$(basename "$dir").zip")
  fi
done
"$aapt2" compile --dir "$app/src/main/res" -o "$res/zz-app.zip"
links+=(-R "$res/zz-app.zip")

merger_cp=$(cat "$out/merger.classpath")
java -cp "$merger_cp" com.android.manifmerger.Merger \
  --main "$app/src/main/AndroidManifest.xml" \
  --libs "$(IFS=:; echo "${manifests[*]}")" \
  --property PACKAGE="$package" \
  --property MIN_SDK_VERSION="$min_sdk" --property TARGET_SDK_VERSION="$target_sdk" \
  --property VERSION_CODE="$version_code" --property VERSION_NAME="$version_name" \
  --remove-tools-declarations --out "$out/AndroidManifest.xml" > "$out/merger.log" 2>&1 || { cat "$out/merger.log" >&2; exit 1; }

extra=$(printf '%s\n' "${packages[@]}" | grep -v '^$' | sort -u | paste -sd:)
"$aapt2" link -o "$out/base.apk" -I "$platform" --manifest "$out/AndroidManifest.xml" \
  --min-sdk-version "$min_sdk" --target-sdk-version "$target_sdk" \
  --version-code "$version_code" --version-name "$version_name" \
  --auto-add-overlay "${links[@]}" --java "$out/gen" --extra-packages "$extra" \
  --proguard "$out/aapt-rules.pro"
find "$out/gen" -name R.java > "$out/rsources.txt"
javac --release 11 -nowarn -d "$out/rclasses" @"$out/rsources.txt"
(cd "$out/rclasses" && jar cf "$out/r.jar" .)
(cd "$out/classes" && jar cf "$out/app-classes.jar" .)
say "resources linked ($(wc -l < "$out/rsources.txt") R classes)"

# 3. Dex. The platform jar has no java.*: the JDK's classes are the library for those.
jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
if [[ ${SATCHEL_APK_DEBUG:-0} == 1 ]]; then
  build=debug
  java -Xmx3g -cp "$out"/tools/r8-*.jar com.android.tools.r8.D8 --debug --min-api "$min_sdk" \
    --lib "$jdk" --lib "$platform" --output "$out/dex" --thread-count 2 \
    "$out/app-classes.jar" "$out/r.jar" "${libraries[@]}" > "$out/d8.log" 2>&1 || { cat "$out/d8.log" >&2; exit 1; }
  # The libraries' Java resources (service files, version files), the first of a name kept.
  for jar in "${libraries[@]}"; do
    unzip -q -n "$jar" -x '*.class' 'META-INF/MANIFEST.MF' 'META-INF/*.SF' 'META-INF/*.RSA' \
      'META-INF/*.DSA' 'META-INF/versions/*' 'META-INF/proguard/*' 'META-INF/com.android.tools/*' -d "$out/stage" 2>/dev/null || true
  done
else
  build=release
  rules=(--pg-conf "$app/proguard-rules.pro" --pg-conf "$out/aapt-rules.pro")
  for r in "$out"/aars/*/proguard.txt; do rules+=(--pg-conf "$r"); done
  java -Xmx4g -cp "$out"/tools/r8-*.jar com.android.tools.r8.R8 --release --min-api "$min_sdk" \
    --lib "$jdk" --lib "$platform" --output "$out/dex" --thread-count 2 "${rules[@]}" \
    --pg-map-output "$out/mapping.txt" \
    "$out/app-classes.jar" "$out/r.jar" "${libraries[@]}" > "$out/r8.log" 2>&1 || { cat "$out/r8.log" >&2; exit 1; }
  # The Java resources R8 kept (service files rewritten to the classes' new names, libraries'
  # version files) go in beside the dex, as the Android Gradle plugin packages them.
  (cd "$out/dex" && find . -type f ! -name '*.dex' ! -path './META-INF/MANIFEST.MF' | while read -r f; do
    mkdir -p "$out/stage/$(dirname "$f")" && mv "$f" "$out/stage/$f"; done)
fi
say "dexed, $build ($(ls "$out"/dex/*.dex | wc -l) dex files, $(( $(cat "$out"/dex/*.dex | wc -c) / 1024 )) KB)"

# Every class, method and field the app's own code uses exists in the platform or a library
# it ships (D8's TraceReferences).
lib_args=(--lib "$jdk" --lib "$platform" --lib "$out/r.jar")
for l in "${libraries[@]}"; do lib_args+=(--lib "$l"); done
java -cp "$out"/tools/r8-*.jar com.android.tools.r8.tracereferences.TraceReferences --check \
  "${lib_args[@]}" --source "$out/app-classes.jar" > "$out/trace.log" 2>&1 \
  || { cat "$out/trace.log" >&2; echo "build-apk: the app refers to classes the APK does not have" >&2; exit 1; }

# 4. Native libraries.
abis=(arm64-v8a armeabi-v7a x86_64)
for abi in "${abis[@]}"; do
  jna=$(echo "$out"/aars/jna-*/jni/"$abi"/libjnidispatch.so)
  [[ -f $jna ]] || { echo "build-apk: JNA's AAR has no $abi library" >&2; exit 1; }
  mkdir -p "$out/stage/lib/$abi"
  cp "$jna" "$out/stage/lib/$abi/"
done
if [[ -n ${ANDROID_NDK_HOME:-} ]]; then
  "$app/build-native.sh"
  for abi in "${abis[@]}"; do
    cp "$app/build/jniLibs/$abi/libsatchel_ffi.so" "$out/stage/lib/$abi/"
  done
  say "libsatchel_ffi.so built for ${abis[*]}"
else
  say "no Android NDK (ANDROID_NDK_HOME unset): the APK is built without libsatchel_ffi.so and cannot open a store"
fi

# 5. Package, align, sign.
cp "$out/base.apk" "$out/unsigned.apk"
cp "$out"/dex/*.dex "$out/stage/"
(cd "$out/stage" && zip -q -X -r "$out/unsigned.apk" . -x 'lib/*' && zip -q -X -0 -r "$out/unsigned.apk" lib)
zipalign -f -p 4 "$out/unsigned.apk" "$out/aligned.apk"
if [[ -n ${SATCHEL_APK_KEYSTORE:-} ]]; then
  keystore=$SATCHEL_APK_KEYSTORE
  alias=${SATCHEL_APK_KEY_ALIAS:?SATCHEL_APK_KEY_ALIAS names the release key}
  pass=${SATCHEL_APK_KEYSTORE_PASS:?SATCHEL_APK_KEYSTORE_PASS unlocks the release keystore}
  kind=release
else
  keystore=$out/debug.keystore
  alias=debug
  pass=android
  kind=debug
  if [[ ! -f $keystore ]]; then
    keytool -genkeypair -keystore "$keystore" -storepass "$pass" -keypass "$pass" -alias "$alias" \
      -keyalg RSA -keysize 2048 -validity 10000 -dname "CN=Satchel debug" > /dev/null 2>&1
  fi
fi
SATCHEL_APK_PASS=$pass apksigner sign --ks "$keystore" --ks-key-alias "$alias" --ks-pass env:SATCHEL_APK_PASS \
  --min-sdk-version "$min_sdk" --out "$apk" "$out/aligned.apk"
rm -f "$out/unsigned.apk" "$out/aligned.apk" "$apk.idsig"

# 6. Checks.
apksigner verify --min-sdk-version "$min_sdk" "$apk"
badging=$("$aapt2" dump badging "$apk")
grep -q "^package: name='$package' versionCode='$version_code' versionName='$version_name'" <<<"$badging" \
  || { echo "build-apk: the badging does not name $package $version_code $version_name" >&2; exit 1; }
grep -q "^minSdkVersion:'$min_sdk'" <<<"$badging" && grep -q "^targetSdkVersion:'$target_sdk'" <<<"$badging" \
  || { echo "build-apk: the badging does not give SDK $min_sdk / $target_sdk" >&2; exit 1; }
grep -q "^launchable-activity: name='$package.MainActivity'" <<<"$badging" \
  || { echo "build-apk: MainActivity is not the launchable activity" >&2; exit 1; }
# The classes Android or JNA reach by name keep their names through shrinking: the Activity,
# the application and the worker (named in the manifest, or created by WorkManager), and the
# bindings (JNA reads their structures' fields by reflection).
# (grep reads all of it: an early exit would fail the pipe.)
for class in "$package/MainActivity" "$package/SatchelApplication" "$package/SyncWorker" \
  org/satchel/ffi/UniffiLib org/satchel/ffi/RustBuffer; do
  class=${class//./\/}
  found=$(unzip -p "$apk" 'classes*.dex' | grep -a -c "L$class;" || true)
  [[ $found -gt 0 ]] || { echo "build-apk: ${class//\//.} is not in the dex under its name" >&2; exit 1; }
done
manifest=$("$aapt2" dump xmltree --file AndroidManifest.xml "$apk")
grep -q 'allowBackup(0x01010280)=false' <<<"$manifest" \
  || { echo "build-apk: the manifest does not keep backups off" >&2; exit 1; }
grep -q 'dataExtractionRules(0x0101063e)=@' <<<"$manifest" && grep -q 'fullBackupContent(0x010104eb)=false' <<<"$manifest" \
  || { echo "build-apk: the manifest lost its no-backup rules" >&2; exit 1; }
# Only the permissions the app needs: the network, the camera (the QR code), biometrics, and
# what WorkManager adds for the background sync. No location, contacts or storage.
allowed="android.permission.INTERNET android.permission.ACCESS_NETWORK_STATE android.permission.CAMERA
android.permission.USE_BIOMETRIC android.permission.USE_FINGERPRINT android.permission.WAKE_LOCK
android.permission.RECEIVE_BOOT_COMPLETED android.permission.FOREGROUND_SERVICE
$package.DYNAMIC_RECEIVER_NOT_EXPORTED_PERMISSION"
permissions=$(sed -n "s/^uses-permission: name='\([^']*\)'.*/\1/p" <<<"$badging")
for p in $permissions; do
  grep -qwF -- "$p" <<<"$allowed" || { echo "build-apk: the APK asks for $p, which the app does not need" >&2; exit 1; }
done
if grep -q 'androidx.work.WorkManagerInitializer' <<<"$manifest"; then
  echo "build-apk: WorkManager's start-up initializer is still in the manifest" >&2
  exit 1
fi
"$root/scripts/size-budget.sh" apk "$apk" "$build"
size=$(stat -c %s "$apk")
say "$apk: $build build, $kind-signed, $((size / 1024)) KB, $package $version_name, SDK $min_sdk-$target_sdk"
