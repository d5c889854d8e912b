#!/usr/bin/env bash
# Runs a Swift package's tests (Swift Testing) against the library built on this machine, in a
# Debian trixie chroot that has Swift 6.0 (Debian bookworm has none): the binding tests here by
# default, or the package given as the first argument (ios/SatchelKit). The chroot is made once
# with debootstrap and kept in SATCHEL_SWIFT_ROOT (default /var/cache/satchel/swift-trixie);
# the checkout is bind-mounted into it, and everything is unmounted on exit.
# Needs root, debootstrap, and bindings/generate.sh to have run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
root="${SATCHEL_SWIFT_ROOT:-/var/cache/satchel/swift-trixie}"
generated="$repo/bindings/generated"

[ -f "$generated/swift/SatchelFFI.swift" ] || { echo "run bindings/generate.sh first" >&2; exit 1; }

# A marker, not /usr/bin/swift: inside the chroot that is an absolute symlink the host cannot
# follow.
ready="$root/.satchel-swift-ready"
if [ ! -f "$ready" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap is needed (apt-get install debootstrap)" >&2; exit 1; }
  for dir in "$root" "$root.partial"; do
    umount "$dir/satchel" 2>/dev/null || true
    umount "$dir/proc" 2>/dev/null || true
    if mountpoint -q "$dir/satchel" 2>/dev/null || mountpoint -q "$dir/proc" 2>/dev/null; then
      echo "$dir is still mounted; not touching it" >&2
      exit 1
    fi
    rm -rf "$dir"
  done
  mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase trixie "$root.partial" http://deb.debian.org/debian >/dev/null
  mount -t proc proc "$root.partial/proc"
  trap 'umount "$root.partial/proc" 2>/dev/null || true' EXIT
  chroot "$root.partial" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends swiftlang libc6-dev libstdc++-14-dev >/dev/null
  umount "$root.partial/proc"
  trap - EXIT
  touch "$root.partial/.satchel-swift-ready"
  mv "$root.partial" "$root"
fi

# The package compiles the generated Swift (the same file the iOS app uses) and its C header,
# copied into its Sources/SatchelFFI and Sources/satchel_ffiFFI (git-ignored).
pkg="$(cd "${1:-$here}" && pwd)"
case "$pkg" in "$repo"/*) ;; *) echo "the package must be inside the checkout" >&2; exit 1 ;; esac
rm -rf "$pkg/Sources/SatchelFFI" "$pkg/Sources/satchel_ffiFFI"
mkdir -p "$pkg/Sources/SatchelFFI" "$pkg/Sources/satchel_ffiFFI/include"
cp "$generated/swift/SatchelFFI.swift" "$pkg/Sources/SatchelFFI/"
cp "$generated/swift/include/"* "$pkg/Sources/satchel_ffiFFI/include/"
# A C target needs a source file; the header is all this one provides.
echo '/* the generated header is in include/ */' > "$pkg/Sources/satchel_ffiFFI/empty.c"

# SwiftPM does not always rebuild a target whose code bakes in the layout of a record from
# SatchelFFI (a test calling syncNow kept the old size of SyncOutcome and crashed): when the
# generated Swift changes, the package is built from scratch.
scratch="$root/root/swift-build/$(basename "$pkg")"
stamp="$(sha256sum "$generated/swift/SatchelFFI.swift" | cut -d' ' -f1)"
if [ "$(cat "$scratch.bindings" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$scratch"
  mkdir -p "$(dirname "$scratch")"
  echo "$stamp" > "$scratch.bindings"
fi

mnt="$root/satchel"
mkdir -p "$mnt" "$root/proc"
cleanup() {
  umount "$mnt" 2>/dev/null || true
  umount "$root/proc" 2>/dev/null || true
}
trap cleanup EXIT
mount --bind "$repo" "$mnt"
mount -t proc proc "$root/proc"
chroot "$root" /usr/bin/env HOME=/root PATH=/usr/bin:/bin /bin/bash -c "
  cd /satchel/${pkg#"$repo"/} &&
  swift test --scratch-path /root/swift-build/$(basename "$pkg") \
    -Xlinker -L/satchel/bindings/generated -Xlinker -rpath -Xlinker /satchel/bindings/generated
"
