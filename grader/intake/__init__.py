"""Files in, students out: finding notebooks in folders and zip files (``survey``), refusing
unsafe zip members (``archive``), naming students by id patterns and the class list
(``roster``, ``names``).

Stage: intake. Imports only the foundation (errors, assignment).
"""
