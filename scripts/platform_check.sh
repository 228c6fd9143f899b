#!/usr/bin/env bash
# `make platform-check`: the release's autograder.zip in a fresh Debian bookworm root, set up
# and run as Gradescope does it. Slow (10-20 minutes the first time, several GB under build/);
# needs root and the network.
#   1. build/platform-base: `debootstrap --variant=minbase bookworm` (once, then reused)
#   2. build/platform-root: a fresh copy of it, with the host's /etc/pip.conf, CA bundle and
#      resolv.conf (without them pip cannot reach the package registry here)
#   3. a release without validation in build/platform-release; autograder.zip unpacked to
#      /autograder/source/, run_autograder copied to /autograder/run_autograder
#   4. setup.sh in the chroot as root (/proc, /sys and /dev mounted, unmounted on exit)
#   5. the kernel environment run by an unprivileged user, as student kernels may be
#   6. run_autograder on the release's solution notebook in /autograder/submission/
# Prints the set-up time, results.json's score and the root's size. Logs: build/platform-*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "platform-check: run as root (debootstrap, chroot and mount need it)" >&2; exit 1; }
grader="${GRADER:-.venv/bin/grader}"
assignment="${ASSIGNMENT:-hw1}"
mirror="${MIRROR:-http://deb.debian.org/debian}"
build="$PWD/build"
base="$build/platform-base"
root="$build/platform-root"
release="$build/platform-release"
say() { echo "platform-check: $*"; }

missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v unzip >/dev/null || missing+=(unzip)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Never delete a root that still has the host's /dev or /sys mounted in it.
unmount() {
  local target
  for target in dev sys proc; do
    if mountpoint -q "$root/$target"; then umount -R "$root/$target" 2>/dev/null || umount -R -l "$root/$target"; fi
  done
}
trap unmount EXIT
unmount

mkdir -p "$build"
if [ ! -x "$base/bin/bash" ]; then
  say "debootstrap bookworm into $base (once)"
  rm -rf "$base.partial"
  debootstrap --variant=minbase bookworm "$base.partial" "$mirror" >"$build/platform-debootstrap.log" 2>&1
  mv "$base.partial" "$base"
fi
rm -rf "$root"
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ -f /etc/pip.conf ]; then cp /etc/pip.conf "$root/etc/pip.conf"; fi
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/ca-certificates"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  # kept if a package's update-ca-certificates rewrites the bundle
  cp /etc/ssl/certs/ca-certificates.crt "$root/usr/local/share/ca-certificates/platform-check-host.crt"
fi

say "releasing $assignment into $release (no validation)"
"$grader" release "$assignment" --out "$release" --no-validate >"$build/platform-release.log"
mkdir -p "$root/autograder/source" "$root/autograder/submission"
unzip -q "$release/autograder.zip" -d "$root/autograder/source"
cp "$root/autograder/source/run_autograder" "$root/autograder/run_autograder"
cp "$release/solution/$assignment.ipynb" "$root/autograder/submission/"

mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"
clean_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)
for name in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  if [ -n "${!name:-}" ]; then clean_env+=("$name=${!name}"); fi
done

say "running setup.sh in the chroot (log: $build/platform-setup.log)"
began=$(date +%s)
chroot "$root" "${clean_env[@]}" /bin/bash -c "cd /autograder/source && bash ./setup.sh" >"$build/platform-setup.log" 2>&1 \
  || { tail -5 "$build/platform-setup.log" >&2; say "setup.sh failed after $(( $(date +%s) - began )) s" >&2; exit 1; }
setup_seconds=$(( $(date +%s) - began ))

kernel_python="$(ls -d "$root"/opt/d2l-grader/cache/envs/*/bin/python | head -1)"
kernel_python="${kernel_python#"$root"}"
if chroot "$root" "${clean_env[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups \
     "$kernel_python" -c "import torch, torchvision, d2l, ipykernel" >>"$build/platform-setup.log" 2>&1; then
  unprivileged="yes"
else
  unprivileged="NO (see $build/platform-setup.log)"
fi

say "running run_autograder on solution/$assignment.ipynb (log: $build/platform-run.log)"
began=$(date +%s)
chroot "$root" "${clean_env[@]}" /bin/bash -c "cd /autograder && ./run_autograder" >"$build/platform-run.log" 2>&1 || true
run_seconds=$(( $(date +%s) - began ))
unmount

score="$(python3 - "$root/autograder/results/results.json" <<'PY'
import json, sys
try:
    result = json.load(open(sys.argv[1], encoding="utf-8"))
except (OSError, ValueError) as exc:
    print(f"no valid results.json ({exc})")
    sys.exit()
tests = result.get("tests", [])
top = sum(t.get("max_score", 0) for t in tests)
lines = (result.get("output") or "").splitlines()
shown = lines[:1] + [line for line in lines[1:] if line.startswith("Isolation:")]
print(f"{result.get('score')}" + (f" of {top:g} (tests' max_score)" if tests else "")
      + "".join(f"\n  {line[:300]}" for line in shown))
PY
)"
size="$(du -sh --one-file-system "$root" | cut -f1)"
unlinked="$(du -sh --count-links --one-file-system "$root/opt" | cut -f1)"
say "set-up (setup.sh): ${setup_seconds} s"
say "kernel environment usable by an unprivileged user: $unprivileged"
say "run_autograder: ${run_seconds} s; results.json score: $score"
say "image: $size in all (Debian minbase $(du -sh "$base" | cut -f1), /opt/d2l-grader $(du -sh "$root/opt" | cut -f1); $unlinked without linking identical files)"
