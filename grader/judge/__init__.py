"""pytest in the grader's process: the plugin (fixtures, markers, outcomes), the ``student``
proxy (``bridge``) and its in-process link (``local``), tolerant comparison (``compare``),
reference outputs kept across submissions (``memo``) and the reference namespace
(``solutions``).

Stage: judge. Imports the foundation and ``inkernel`` (wire data, the agent for the
in-process link); never the kernel or grading stages: it reaches a kernel only through
a ``Link``.
"""
