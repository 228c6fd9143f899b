"""A kernel without the network, where no network namespace can be made: a seccomp filter.

Run as ``python -c <this source> PROGRAM ARGS...`` by the unprivileged-user fallback, after
setpriv has dropped to the kernel's user: it sets no_new_privs, installs a filter under
which ``socket()`` makes only local sockets (AF_UNIX, which the kernel's ZMQ channels use,
and AF_NETLINK, which reads this machine's own interfaces) and io_uring (which can make
sockets of its own) is refused, then becomes PROGRAM. The filter cannot be removed and
holds for every process the kernel starts. Any other socket fails with EACCES.

``python -c <this source>`` alone exits 0 if the filter can be installed here, 3 if this
machine's architecture is not one it knows, 4 if the kernel refuses it.
"""
import ctypes
import errno
import os
import platform
import struct
import sys

# (AUDIT_ARCH_*, socket, io_uring_setup): the system call numbers of each architecture.
ARCHES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
AF_UNIX, AF_NETLINK = 1, 16
X32 = 0x40000000                  # x86_64's x32 numbers: refused
LD_ABS, JEQ, JGE, RET = 0x20, 0x15, 0x35, 0x06
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def program(arch, socket_nr, io_uring_nr):
    deny, allow = 10, 9
    code = [(LD_ABS, 0, 0, 4),                               # 0: the call's architecture
            (JEQ, 0, deny - 2, arch),                       # 1: another (a 32-bit call): refuse
            (LD_ABS, 0, 0, 0),                              # 2: the call's number
            (JGE, deny - 4, 0, X32),                        # 3
            (JEQ, deny - 5, 0, io_uring_nr),                # 4
            (JEQ, 0, allow - 6, socket_nr),                 # 5: not socket(): allowed
            (LD_ABS, 0, 0, 16),                             # 6: socket()'s domain
            (JEQ, allow - 8, 0, AF_UNIX),                   # 7
            (JEQ, 0, deny - 9, AF_NETLINK),                 # 8
            (RET, 0, 0, ALLOW),                             # 9
            (RET, 0, 0, ERRNO | errno.EACCES)]              # 10
    return b"".join(struct.pack("HBBI", *op) for op in code), len(code)


def install():
    numbers = ARCHES.get(platform.machine())
    if numbers is None:
        return 3
    code, length = program(*numbers)
    buffer = ctypes.create_string_buffer(code)

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = Program(length, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        return 4
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0) != 0:
        return 4
    return 0


def main(argv):
    status = install()
    if len(argv) < 2:
        sys.exit(status)
    if status != 0:
        # (no braces around a name here: the kernel's command line is formatted by jupyter_client)
        sys.stderr.write("netfilter: the socket filter could not be installed (" + str(status) + "); not starting\n")
        sys.exit(126)
    os.execv(argv[1], argv[1:])


if __name__ == "__main__":
    main(sys.argv)
