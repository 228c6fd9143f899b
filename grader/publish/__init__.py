"""Pages and files out, rendered from the gradebook: each student's report and result.json,
the class dashboard and gradebook.csv (``site``), charts, Markdown and LaTeX (``markup``),
exports for learning platforms, grading by hand (``manual`` files, the ``room`` web app,
``similarity`` of answers), feedback pages for students; Jinja2 templates in ``templates/``.

Stage: publish, the last. Imports every earlier stage but grading and the kernel.
"""
