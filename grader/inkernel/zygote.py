"""The pre-imported parent inside a sandbox: it forks one fresh kernel per submission.

Sent as source into the sandbox on stdin (never imported by the grader) and run there with
the course environment's Python. It imports the heavy libraries once, makes itself
non-dumpable (so a child can neither ptrace it nor read its memory or open files), then
reads requests as JSON lines on stdin and answers on stdout:

    {"spawn": id, "dir": path, "log": path, "connection_file": path}
                                     ->  {"spawned": id, "pid": n}
    {"go": id}                       ->  (the child starts)
    (a child ends)                   ->  {"exited": id, "status": n}

Between "spawned" and "go" the grader moves the child into its own cgroup. The child then
opens its log (a new file the kernel will not see), enters its own user, mount, IPC and
network namespaces, covers /tmp, /dev/shm and the home folder with fresh tmpfs (a new, empty
data folder with only the read-only data files bound into it, and the Jupyter folder of its
own start; nothing another kernel wrote or left is visible), drops every capability and
becomes an IPython kernel. It never executes a new program, so the imports are not paid again.
"""
import ctypes
import json
import os
import select
import signal
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_MOVE = 8192
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
# Read once, when each library loads: kept at 1 while this parent imports, so that it has
# no thread pools to lose in a fork; each child then gets the kernel's own setting back.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# The kernel class and its debugger too: a kernel imports them as it starts (debugpy's
# pydevd was 0.3 s of a forked kernel's 0.6 s start).
PRELOAD = ("numpy", "pandas", "torch", "torchvision", "matplotlib", "matplotlib.pyplot",
           "d2l.torch", "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(),
                       ctypes.c_ulong(flags), data and data.encode()), f"mount {target}")


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def preload():
    import importlib
    for name in PRELOAD:
        importlib.import_module(name)


def shared_writable_maps():
    """Memory a child could write and this process would see: there must be none."""
    found = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) > 1 and fields[1][1] == "w" and fields[1][3] == "s":
                found.append(line.strip())
    return found


def isolate(own_dir, config):
    """Turn this freshly forked child into a kernel sandbox of its own."""
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET), "unshare")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1\n")
    _write("/proc/self/gid_map", f"{gid} {gid} 1\n")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    size = f"size={config['scratch_bytes']},mode=1777"
    home, data, work = config["home"], config["data"], config["work"]
    # Stage what must survive (each read-only data file and this start's Jupyter folder) on
    # a new /dev/shm, cover the writable places, then move the staged mounts back into place.
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, size)
    os.mkdir("/dev/shm/.own")
    _mount(own_dir, "/dev/shm/.own", None, MS_BIND)
    staged = []
    for number, name in enumerate(config["data_items"]):
        source = os.path.join(data, name)
        if os.path.islink(source) or not os.path.exists(source):
            continue
        place = f"/dev/shm/.data{number}"
        _make_mount_point(place, os.path.isdir(source))
        _mount(source, place, None, MS_BIND | MS_REC)
        staged.append((place, name, os.path.isdir(source)))
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, size)
    _mount("tmpfs", home, "tmpfs", MS_NOSUID | MS_NODEV, size.replace("1777", "755"))
    shared = config["shared"]
    if os.path.isdir(shared):   # still visible: it does not lie under /tmp or home
        _mount("tmpfs", shared, "tmpfs", MS_NOSUID | MS_NODEV, "size=65536,mode=755")
    os.makedirs(own_dir)
    os.makedirs(work)
    os.makedirs(data)
    for place, name, is_dir in staged:
        final = os.path.join(data, name)
        os.makedirs(os.path.dirname(final), exist_ok=True)
        _make_mount_point(final, is_dir)
        _mount(place, final, None, MS_MOVE)
        _read_only(final)
        (os.rmdir if is_dir else os.unlink)(place)
    _mount("/dev/shm/.own", own_dir, None, MS_MOVE)
    os.rmdir("/dev/shm/.own")
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    caps = (ctypes.c_uint32 * 6)()
    _check(_libc.capset(header, caps), "capset")
    _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    os.chdir(work)


def _make_mount_point(path, is_dir):
    if is_dir:
        os.mkdir(path)
    else:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444))


def _read_only(path):
    """Make sure the mount at ``path`` is read-only (a bind keeps its source's flags)."""
    if os.statvfs(path).f_flag & os.ST_RDONLY:
        return
    flags = os.statvfs(path).f_flag
    kept = ((MS_NOSUID if flags & os.ST_NOSUID else 0) | (MS_NODEV if flags & os.ST_NODEV else 0)
            | (MS_NOEXEC if flags & os.ST_NOEXEC else 0))
    _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept)
    if not os.statvfs(path).f_flag & os.ST_RDONLY:
        raise OSError(f"{path} is still writable")


def restore_threads(intended):
    for name, value in intended.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    import torch
    wanted = intended.get("OMP_NUM_THREADS")
    torch.set_num_threads(int(wanted) if wanted and wanted.isdigit() else (os.cpu_count() or 1))


def become_kernel(own_dir, log_path, connection_file, config, go):
    """Runs in the child; never returns."""
    code = 1
    try:
        os.setsid()
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_APPEND, 0o600)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, go)
        os.closerange(go + 1, 65536)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        if os.read(go, 1) != b"g":
            os._exit(3)
        os.close(go)
        isolate(own_dir, config)
        restore_threads(config["threads"])
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        sys.argv = ["ipykernel_launcher", "-f", connection_file]
        from ipykernel.kernelapp import IPKernelApp
        app = IPKernelApp.instance()
        app.initialize(sys.argv[1:])
        _attach_inline_plots()
        app.start()
        code = 0
    except BaseException as exc:  # the grader reads the last line of the log
        try:
            os.write(2, f"kernel setup failed: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
    os._exit(code)


def _attach_inline_plots():
    """matplotlib_inline hooks itself into IPython when imported under a shell; it was
    imported here before any shell existed, so hook it in now, as a fresh kernel would."""
    module = sys.modules.get("matplotlib_inline.backend_inline")
    if module is not None and hasattr(module, "_enable_matplotlib_integration"):
        module._enable_matplotlib_integration()


def _thread_names():
    names = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/comm") as comm:
            names.append(comm.read().strip())
    return names


def _send(message):
    sys.__stdout__.write(json.dumps(message) + "\n")
    sys.__stdout__.flush()


def serve(config):
    children = {}   # id -> (pid, go pipe)
    by_pid = {}
    buffer = b""
    while True:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            kid = by_pid.pop(pid, None)
            if kid is not None:
                _, go = children.pop(kid)
                if go is not None:
                    os.close(go)
                code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
                _send({"exited": kid, "status": code})
        ready, _, _ = select.select([0], [], [], 0.1)
        if not ready:
            continue
        chunk = os.read(0, 65536)
        if not chunk:
            return   # the grader is gone
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = json.loads(line)
            if "spawn" in request:
                kid = request["spawn"]
                read_end, write_end = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(write_end)
                    become_kernel(request["dir"], request["log"], request["connection_file"], config, read_end)
                os.close(read_end)
                children[kid] = (pid, write_end)
                by_pid[pid] = kid
                _send({"spawned": kid, "pid": pid})
            elif "go" in request and request["go"] in children:
                pid, go = children[request["go"]]
                if go is not None:
                    os.write(go, b"g")
                    os.close(go)
                    children[request["go"]] = (pid, None)


def main(config):
    sys.stdout = sys.stderr   # stdout is the channel to the grader: nothing else writes there
    config["threads"] = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    preload()
    _check(_libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "dumpable")
    import threading
    _send({"ready": True, "pid": os.getpid(), "threads": threading.active_count(),
           "tasks": sorted(_thread_names()), "shared": shared_writable_maps()})
    serve(config)


main(CONFIG)  # noqa: F821 - given by the boot line (grader/forkserver.py)
