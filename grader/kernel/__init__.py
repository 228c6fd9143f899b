"""A sandboxed kernel and its limits: the launch plan, the one confined command line
(``sandbox``), cgroups, nbclient with caps (``client``), the live session, the fork server
that forks warm kernels, and the course environment kernels run.

Stage: kernel. Imports the foundation and ``inkernel`` (whose source it sends).
"""
