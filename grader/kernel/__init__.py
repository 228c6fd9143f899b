"""A sandboxed kernel and its limits: the launch plan, the one confined command line
(``sandbox``), cgroups, nbclient with caps (``client``), the live session, the fork server
that forks warm kernels, the course environment kernels run, and the removal of what a
killed grading process left on the host (``owners``, ``leftovers``).

Stage: kernel. Imports the foundation and ``inkernel`` (whose source it sends).
"""
