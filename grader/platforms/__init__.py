"""Grading one upload inside a learning platform's grading container (``grader autograde``):
Gradescope's ``/autograder`` and PrairieLearn's ``/grade``.

    find          where the platform puts the assignment and the student's upload
    run           grade the one notebook: isolation, course environment, a report beside
    checks        a result as rows both platforms show: one per check, one per free response
    fit           keeping a results.json under the platforms' 1 MB
    gradescope    Gradescope's results.json
    prairielearn  PrairieLearn's results.json
    autograde     the command: find, grade, write results.json, whatever happens

An entry-point stage: it may import from every stage before it (grading, publish, ...).
"""
