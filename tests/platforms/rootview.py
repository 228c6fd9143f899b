"""Run a command as if /root could be passed through by other users, without changing the host.

The unprivileged-user isolation runs each kernel as another user, who must be able to run the
course environment's Python. On a developer's machine that environment (and the Python it is
built on) often lives under /root, which is closed to other users (0700). ``passable_root``
wraps a command in a private mount namespace where /root is a fresh tmpfs with mode 0711 and
each of the real /root's entries is bound back in place (links copied as links), so everything
under /root is where it was, with the permissions it had, and nothing changes outside the
namespace. Needs root and unshare(1) from util-linux."""
from __future__ import annotations

import os
import shutil
import subprocess

# The real /root stays reachable through a descriptor opened before the tmpfs hides it;
# --no-canonicalize keeps mount(8) from resolving /proc/PID/fd/3/NAME back to the tmpfs.
SCRIPT = r'''
set -e
exec 3</root
mount -t tmpfs -o mode=0711 tmpfs /root
for entry in /proc/$$/fd/3/* /proc/$$/fd/3/.[!.]* /proc/$$/fd/3/..?*; do
  [ -e "$entry" ] || [ -L "$entry" ] || continue
  name=${entry##*/}
  if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "/root/$name"; continue; fi
  if [ -d "$entry" ]; then mkdir "/root/$name"; else : > "/root/$name"; fi
  mount --no-canonicalize --rbind "$entry" "/root/$name"
done
exec 3<&-
exec "$@"
'''


def passable_root(argv: list[str]) -> list[str]:
    """``argv`` run in a private mount namespace where /root is passable (mode 0711)."""
    return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", SCRIPT, "sh", *argv]


def why_not_available() -> str:
    """Why ``passable_root`` cannot work here ('' when it can)."""
    if os.geteuid() != 0:
        return "needs root"
    if shutil.which("unshare") is None:
        return "unshare(1) is not installed"
    done = subprocess.run(passable_root(["/bin/true"]), check=False, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        return f"cannot make a private mount namespace: {done.stderr.strip()[:200]}"
    return ""
