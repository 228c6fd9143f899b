"""The similarity report: students' code compared per exercise, on free-response answers and
on whole notebooks, after subtracting what everyone was given.

    tokens     source -> normalised tokens -> winnowed fingerprints
    sources    a notebook -> its top-level pieces, each fingerprinted once
    given      the release's code and the book's (subtracted), the reference solutions (compared)
    index      the inverted index: fingerprint -> participants, pairs that share
    findings   scores per scope and pair, ranked
    page       index.html, a page per pair (side by side, matches marked), pairs.csv
    report     the gradebook in, OUT/similarity/ out: ``write_similarity``
    answers    identical and near-identical free-response answers, marked for graders
               (the grading room and the manual pages)

Part of the publish stage: reads the gradebook and notebook files, never runs or imports
student or reference code.
"""
