#!/usr/bin/env bash
# The README's first command on a fresh machine. A Debian bookworm root is made
# now with debootstrap; it gets a clean clone of this checkout's HEAD and a JDK
# 22+ (this machine's, mounted: Debian bookworm has none), and nothing else.
# Inside it, ci/demo.sh runs with a small sample. Fails when the demo fails, and
# when set-up moved the root's C library or base system off its release.
#
#   ci/test-fresh-machine.sh [DEMO OPTIONS]   default: --rows 20000 --queries 200
#
# Needs root (debootstrap, chroot). The root is $QUIVER_FRESH_ROOT (default
# /var/tmp/quiver-fresh-bookworm), made anew each run and removed after a pass.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${QUIVER_FRESH_ROOT:-/var/tmp/quiver-fresh-bookworm}
demo_args=("$@")
if [ ${#demo_args[@]} = 0 ]; then demo_args=(--rows 20000 --queries 200); fi
jdk=$(ci/find-jdk.sh)
repo=$(pwd -P)
step() { printf '\n== fresh machine: %s (%d s)\n' "$*" "$SECONDS"; }

step "debootstrap bookworm into $dir"
rm -rf "$dir"
ci/make-root.sh "$dir" bookworm
# What a machine here has besides its release: name resolution (its own name
# included: Spark looks it up) and the
# certificate authorities this network's HTTPS goes through.
cp /etc/resolv.conf "$dir/etc/resolv.conf"
cp /etc/hosts "$dir/etc/hosts"
mkdir -p "$dir/usr/local/share/ca-certificates"
cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/" 2>/dev/null || true
git clone -q --no-hardlinks "$repo" "$dir/work/quiver"
mkdir -p "$dir$jdk"

versions() { chroot "$dir" dpkg-query -W -f='${Package} ${Version}\n' libc6 base-files; }
before=$(versions)
echo "$before"

step "ci/demo.sh ${demo_args[*]}"
unshare --mount --propagation private -- bash -s "$dir" "$jdk" "${demo_args[@]}" <<'INSIDE'
set -euo pipefail
dir=$1 jdk=$2
shift 2
# A machine's / is a mount point; a plain directory entered with chroot is not,
# and the mount namespaces ci/in-build-root.sh makes need one.
mount --bind "$dir" "$dir"
mount --rbind /proc "$dir/proc"
mount --rbind /dev "$dir/dev"
mount --rbind /sys "$dir/sys"
mount --bind "$jdk" "$dir$jdk"
exec chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb JAVA_HOME="$jdk" \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c 'cd /work/quiver && ci/demo.sh "$@"' bash "$@"
INSIDE

step "the root's release after set-up"
after=$(versions)
echo "$after"
if [ "$before" != "$after" ]; then
  echo "fresh machine: set-up changed the C library or base system:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
grep -q '^libc6 2\.36-' <<<"$after" || { echo "fresh machine: libc6 is not bookworm's 2.36" >&2; exit 1; }
rm -rf "$dir" "$dir.log"
step "passed"
