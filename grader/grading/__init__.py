"""One submission, end to end: settings, reading and preparing the notebook, running it in
its kernel (``execution``), judging and scoring it (``submission``), and running many at
once on a local pool of workers (``pool``) or a Dask cluster (``cluster``, ``daskworker``),
each worker keeping a kernel parent, a memo and the settled tests between submissions (``kit``).
With several local workers, the first warms up once and the others are forked from it
(``siblings``).

Stage: grading. Imports the foundation, intake, kernel, inkernel, judge and scoring.
"""
