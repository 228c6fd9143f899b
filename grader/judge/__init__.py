"""pytest in the grader's process: the plugin (fixtures, markers, outcomes), the ``student``
proxy (``bridge``) and its in-process link (``local``), tolerant comparison (``compare``),
reference outputs kept across submissions (``memo``), a submission's tests collected in
a thread while its notebook runs (``early``), the reference namespace
(``solutions``) and the notebook's source, read in this process (``source``, from the
top-level ``definitions`` of its cells or namespaces).

Stage: judge. Imports the foundation and ``inkernel`` (wire data, the agent for the
in-process link); never the kernel or grading stages: it reaches a kernel only through
a ``Link``.
"""
