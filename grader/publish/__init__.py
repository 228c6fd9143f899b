"""Pages and files out, rendered from the gradebook: each student's report and result.json,
the class dashboard and gradebook.csv (``site``), charts, exports for learning platforms,
pages for grading by hand; Jinja2 templates in ``templates/``.

Stage: publish, the last. Imports every earlier stage but grading and the kernel.
"""
