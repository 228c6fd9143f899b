"""Intake: student ids from file names, folders and rosters; several attempts and their
times; zip files opened without trusting them (real zip files, real extraction)."""
from __future__ import annotations

import os
import struct
import tempfile
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.intake.archive import ZipLimits
from grader.errors import UsageError
from grader.intake.survey import admit, identify, survey
from grader.intake.roster import load_roster
from grader.gradebook import Gradebook
from grader.assignment import IntakeRules, LatePolicy

PATTERNS = IntakeRules().compiled()
KST = timezone(timedelta(hours=9))
NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def ids(*relatives, roster=None):
    return [identify(r, patterns=PATTERNS, roster=roster)[:2] for r in relatives]


def test_default_patterns_fit_canvas_moodle_folders_and_plain_ids():
    assert ids("smithjohn_12345_67890_hw1.ipynb", "smithjohn_LATE_12345_67891_hw1-1.ipynb",
               "Alice Smith_777_assignsubmission_file_/HW1.ipynb", "alice/hw1.ipynb", "2020123456.ipynb",
               "2020123456_2026-04-01T10-15-00.ipynb") == [
        ("12345", True), ("12345", True), ("777", True), ("alice", True), ("2020123456", True),
        ("2020123456", True)]


def test_a_file_no_pattern_claims_is_kept_under_its_own_name_and_flagged():
    who = identify("hw1 (final).ipynb", patterns=PATTERNS)
    assert (who.student, who.matched) == ("hw1_final", False)
    assert who.note == "no id pattern matches the file name"


def test_canvas_late_marker_is_kept_and_does_not_change_the_id(tmp_path):
    late = identify("kimann_LATE_12345_67890_hw1.ipynb", patterns=PATTERNS)
    assert (late.student, late.matched, late.marked_late) == ("12345", True, True)
    assert identify("kimann_12345_67890_hw1.ipynb", patterns=PATTERNS).marked_late is False
    assert identify("2020123456_late.ipynb", patterns=PATTERNS).marked_late is False    # not Canvas's marker
    bulk = write_zip(tmp_path / "b.zip", {"kimann_LATE_12345_67890_hw1.ipynb": NOTEBOOK,
                                          "leebo_12346_67891_hw1.ipynb": NOTEBOOK + b" "})
    taken = admit(survey([bulk], limits=ZipLimits()), patterns=PATTERNS, scratch=tmp_path / "s",
                  limits=ZipLimits())
    assert sorted((a.student, a.marked_late) for a in taken.attempts) == [("12345", True), ("12346", False)]


def test_a_time_stamp_in_the_name_is_found_but_never_taken_from_the_student_id():
    assert identify("2020123456_2026-04-01T10-15-00.ipynb", patterns=PATTERNS)[2] == "2026-04-01T10-15-00"
    assert identify("alice/hw1_20260401-1015.ipynb", patterns=PATTERNS)[2] == "20260401-1015"
    assert identify("20260401-1015.ipynb", patterns=PATTERNS)[2] is None


def test_a_custom_pattern_needs_a_student_group():
    with pytest.raises(UsageError, match=r"has no \(\?P<student>...\) group"):
        IntakeRules((r"hw1_(\d+)",)).compiled()
    custom = IntakeRules((r"hw1-(?P<student>[a-z]+)-v\d+",)).compiled()
    assert identify("hw1-kim-v2.ipynb", patterns=custom)[:2] == ("kim", True)


def test_a_canvas_gradebook_export_is_a_roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("Student,ID,SIS User ID,SIS Login ID,Section,hw1 (1)\n"
                    "    Points Possible,,,,,100\n"
                    '"Smith, John",12345,2020123456,jsmith,COSE474-01,\n'
                    '"Kim, Ann",12346,2020654321,akim,COSE474-02,\n')
    roster = load_roster(path)
    assert [e.student_id for e in roster.entries] == ["2020123456", "2020654321"]
    assert ids("smithjohn_12345_67890_hw1.ipynb", "akim.ipynb", "2020654321.ipynb", "leejane_999_1_hw1.ipynb",
               roster=roster) == [("2020123456", True), ("2020654321", True), ("2020654321", True), ("999", False)]
    assert identify("leejane_999_1_hw1.ipynb", patterns=PATTERNS, roster=roster)[3] == "'999' is not on the roster"


def test_a_roster_without_an_id_column_is_refused_in_one_line(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("name,email\nAnn,ann@x\n")
    with pytest.raises(UsageError) as caught:
        load_roster(path)
    assert str(caught.value) == (f"the roster {path} has no student id column "
                                 "(one of: sis user id, student_id, student id, id)")


def write_zip(path: Path, members: dict[str, bytes], *, when=(2026, 4, 10, 20, 0, 0), links=()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        for name, target in links:
            info = zipfile.ZipInfo(name, date_time=when)
            info.external_attr = (0o120777 << 16)
            z.writestr(info, target)
    return path


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_unsafe_and_non_notebook_zip_members_are_refused_with_a_reason(tmp_path):
    bulk = write_zip(tmp_path / "bulk.zip", {
        "kimann_12346_1_hw1.ipynb": NOTEBOOK,
        "../escape.ipynb": NOTEBOOK,
        "/etc/abs.ipynb": NOTEBOOK,
        "C:/windows.ipynb": NOTEBOOK,
        "notes.txt": b"hello",
        "__MACOSX/._kimann_12346_1_hw1.ipynb": b"\0",
        "big_1_2_hw1.ipynb": b"{" + b" " * (2 * 1024 * 1024) + b"}",
        "kimann/.ipynb_checkpoints/hw1-checkpoint.ipynb": NOTEBOOK,
    }, links=[("link_5_6_hw1.ipynb", "/etc/passwd")])
    found = survey([bulk], limits=ZipLimits(member_mb=1))
    assert [s.relative for s in found.sources] == ["kimann_12346_1_hw1.ipynb"]
    assert {r.origin: r.reason for r in found.refused} == {
        "bulk.zip:../escape.ipynb": "a path with '..', outside the extraction folder",
        "bulk.zip:/etc/abs.ipynb": "an absolute path, outside the extraction folder",
        "bulk.zip:C:/windows.ipynb": "an absolute path, outside the extraction folder",
        "bulk.zip:notes.txt": "not a notebook (*.ipynb)",
        "bulk.zip:__MACOSX/._kimann_12346_1_hw1.ipynb": "macOS metadata, not a notebook",
        "bulk.zip:big_1_2_hw1.ipynb": "declares 2 MB uncompressed, over the 1 MB limit for a notebook",
        "bulk.zip:link_5_6_hw1.ipynb": "a symbolic link, not a notebook",
    }
    scratch = tmp_path / "out" / ".intake"
    taken = admit(found, patterns=PATTERNS, scratch=scratch, limits=ZipLimits(member_mb=1))
    assert [a.student for a in taken.attempts] == ["12346"]
    assert tree(tmp_path) == {"bulk.zip", "out/.intake/01-bulk/kimann_12346_1_hw1.ipynb"}


def test_a_member_that_expands_past_its_declared_size_is_refused_and_removed(tmp_path):
    """A zip bomb that lies: the central directory and local header declare 100 bytes for a
    member that inflates to 5 MB."""
    bomb = write_zip(tmp_path / "bomb.zip", {"bomb_1_1_hw1.ipynb": b"{" + b" " * (5 * 1024 * 1024) + b"}",
                                             "ok_2_2_hw1.ipynb": NOTEBOOK})
    data = bytearray(bomb.read_bytes())
    real = struct.pack("<I", 5 * 1024 * 1024 + 2)
    for at in [i for i in range(len(data) - 4) if data[i:i + 4] == real]:
        data[at:at + 4] = struct.pack("<I", 100)      # both headers' uncompressed size
    bomb.write_bytes(bytes(data))
    found = survey([bomb], limits=ZipLimits())
    assert [s.relative for s in found.sources] == ["bomb_1_1_hw1.ipynb", "ok_2_2_hw1.ipynb"]
    taken = admit(found, patterns=PATTERNS, scratch=tmp_path / "scratch", limits=ZipLimits())
    assert [a.student for a in taken.attempts] == ["2"]
    (refusal,) = taken.refused
    assert refusal.origin == "bomb.zip:bomb_1_1_hw1.ipynb"
    assert refusal.reason.startswith(("expands past its declared size", "cannot be extracted (BadZipFile"))
    assert tree(tmp_path / "scratch") == {"01-bomb/ok_2_2_hw1.ipynb"}
    assert (tmp_path / "scratch" / "01-bomb" / "ok_2_2_hw1.ipynb").read_bytes() == NOTEBOOK


def test_a_zip_of_a_folder_of_student_folders_names_students_by_folder(tmp_path):
    bulk = write_zip(tmp_path / "hw1.zip", {"submissions/alice/hw1.ipynb": NOTEBOOK,
                                            "submissions/bob/HW1 final.ipynb": NOTEBOOK + b" "})
    taken = admit(survey([bulk], limits=ZipLimits()), patterns=PATTERNS, scratch=tmp_path / "s",
                  limits=ZipLimits())
    assert sorted((a.student, a.matched) for a in taken.attempts) == [("alice", True), ("bob", True)]


@pytest.mark.timeout(60)
def test_a_pipe_a_folder_or_a_dangling_link_named_like_a_notebook_is_refused_not_read(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "2020000001.ipynb").write_bytes(NOTEBOOK)
    os.mkfifo(folder / "2020000002.ipynb")            # opening it to read would wait for a writer
    (folder / "2020000003.ipynb").mkdir()
    (folder / "2020000004.ipynb").symlink_to(tmp_path / "gone.ipynb")
    (folder / "2020000005.ipynb").symlink_to(folder / "2020000001.ipynb")   # a link to a notebook counts
    taken = admit(survey([folder], limits=ZipLimits()), patterns=PATTERNS, scratch=tmp_path / "s",
                  limits=ZipLimits())
    assert sorted(a.student for a in taken.attempts) == ["2020000001", "2020000005"]
    reasons = {Path(r.origin).name: r.reason for r in taken.refused}
    assert reasons == {"2020000002.ipynb": "is not a file (a folder, a named pipe or a device)",
                       "2020000003.ipynb": "is not a file (a folder, a named pipe or a device)",
                       "2020000004.ipynb": "cannot be read (No such file or directory)"}


def test_times_come_from_the_name_then_the_zip_member_then_the_file(tmp_path):
    bulk = write_zip(tmp_path / "b.zip", {"2020123456_2026-04-11T09-30-00.ipynb": NOTEBOOK,
                                          "2020654321.ipynb": NOTEBOOK}, when=(2026, 4, 10, 23, 0, 0))
    loose = tmp_path / "folder" / "kim.ipynb"
    loose.parent.mkdir()
    loose.write_bytes(NOTEBOOK)
    moment = datetime(2026, 4, 12, 1, 0, tzinfo=KST)
    os.utime(loose, (moment.timestamp(), moment.timestamp()))
    taken = admit(survey([bulk, loose.parent], limits=ZipLimits()), patterns=PATTERNS, scratch=tmp_path / "s",
                  limits=ZipLimits(), timezone=KST)
    got = {a.student: (a.submitted_at, a.time_source) for a in taken.attempts}
    assert got["2020123456"] == (datetime(2026, 4, 11, 9, 30, tzinfo=KST), "name")
    assert got["2020654321"] == (datetime(2026, 4, 10, 23, 0, tzinfo=KST), "file")
    assert got["kim"][0] == moment and got["kim"][1] == "file"
    assert len({a.content_hash for a in taken.attempts}) == 1


def test_late_days_start_after_the_grace_period_and_the_penalty_is_capped():
    policy = LatePolicy(deadline=datetime(2026, 4, 10, 23, 59, tzinfo=KST), grace_minutes=15,
                        percent_per_day=10, max_percent=25)
    deadline = policy.deadline
    assert policy.days_late(deadline + timedelta(minutes=15)) == 0
    assert policy.days_late(deadline + timedelta(minutes=16)) == 1
    assert policy.days_late(deadline + timedelta(days=1, minutes=16)) == 2
    assert [policy.penalty_percent(d) for d in (0, 1, 2, 3, 9)] == [0, 10, 20, 25, 25]
    assert LatePolicy().days_late(datetime(2030, 1, 1, tzinfo=KST)) == 0
    with pytest.raises(UsageError, match="not an ISO 8601 date-time"):
        policy.with_overrides(deadline="next friday")


def test_missing_paths_and_zips_without_notebooks_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="no such file or folder"):
        survey([tmp_path / "nope.zip"], limits=ZipLimits())
    empty = write_zip(tmp_path / "e.zip", {"readme.md": b"x"})
    with pytest.raises(UsageError) as caught:
        survey([empty], limits=ZipLimits())
    assert str(caught.value) == f"no notebooks (*.ipynb) found in {empty}"
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(UsageError, match="is not a readable zip file"):
        survey([tmp_path / "bad.zip"], limits=ZipLimits())


def test_a_file_whose_name_is_not_utf8_is_graded_from_a_copy_under_a_name_that_is(tmp_path):
    """A name in CP949 (김철수), kept as raw bytes by a tool that unzipped a legacy zip, reaches
    Python with lone surrogates, which no gradebook text can hold: it once stopped the batch."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    odd = folder / os.fsdecode(b"\xb1\xe8\xc3\xb6\xbc\xf6_2020000001.ipynb")
    odd.write_bytes(NOTEBOOK)
    (folder / "2020000002.ipynb").write_bytes(NOTEBOOK + b" ")
    taken = admit(survey([folder], limits=ZipLimits()), patterns=PATTERNS, scratch=tmp_path / "s",
                  limits=ZipLimits())
    copy = next(a for a in taken.attempts if a.student != "2020000002")
    assert copy.origin == str(folder / "\ufffd\ufffd\u00f6\ufffd\ufffd_2020000001.ipynb")
    assert copy.path.parent == tmp_path / "s" / "renamed" and copy.path.read_bytes() == NOTEBOOK
    assert str(copy.path).encode("utf-8") and odd.exists()   # the original is left as it is
    with Gradebook.in_folder(tmp_path / "out") as gradebook:
        gradebook.record_attempts(taken.attempts)
        assert sorted(row.origin for row in gradebook.counted()) == sorted(a.origin for a in taken.attempts)


def test_a_zip_that_marks_a_name_utf8_when_it_is_not_is_refused_in_one_line(tmp_path):
    bulk = write_zip(tmp_path / "hw1.zip", {"AAAA_2020000001.ipynb": NOTEBOOK})
    data = bytearray(bulk.read_bytes().replace(b"AAAA", b"\xb1\xe8\xc3\xb6"))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):   # set the UTF-8 flag (bit 11)
        at = data.find(signature)
        struct.pack_into("<H", data, at + offset, struct.unpack_from("<H", data, at + offset)[0] | 0x800)
    bulk.write_bytes(bytes(data))
    with pytest.raises(UsageError) as caught:
        survey([bulk], limits=ZipLimits())
    assert str(caught.value) == (f"{bulk} is not a readable zip file: a member's name is marked as UTF-8 but "
                                 "is not (byte 0xb1); unzip it with an archive tool and grade the folder instead")


def test_a_time_stamp_in_a_name_that_is_no_hand_in_time_is_ignored(tmp_path):
    """'0001-01-01T00-00-00' in a name once stopped the batch: with no deadline, it is read in
    this machine's time zone, which has no local time for it."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name in ("2020000001_0001-01-01T00-00-00", "2020000002_9999-12-31T23-59-59", "2020000003_2026-04-10T21-30-00"):
        (folder / f"{name}.ipynb").write_bytes(NOTEBOOK + name.encode())
    taken = admit(survey([folder], limits=ZipLimits()), patterns=PATTERNS, scratch=tmp_path / "s",
                  limits=ZipLimits())
    assert sorted((a.student, a.time_source) for a in taken.attempts) == [
        ("2020000001", "file"), ("2020000002", "file"), ("2020000003", "name")]


def test_a_file_whose_modification_time_no_date_can_hold_is_refused_in_one_line(tmp_path):
    """tmpfs keeps such a time (ext4 caps it at 2446); reading it once stopped the batch."""
    with tempfile.TemporaryDirectory(dir="/dev/shm") as shm:
        folder = Path(shm)
        (folder / "2020000001.ipynb").write_bytes(NOTEBOOK)
        os.utime(folder / "2020000001.ipynb", (2 ** 55, 2 ** 55))   # about a billion years from now
        (folder / "2020000002.ipynb").write_bytes(NOTEBOOK + b" ")
        taken = admit(survey([folder], limits=ZipLimits()), patterns=PATTERNS, scratch=tmp_path / "s",
                      limits=ZipLimits())
    assert [a.student for a in taken.attempts] == ["2020000002"]
    assert [(Path(r.origin).name, r.reason) for r in taken.refused] == [
        ("2020000001.ipynb", "has a modification time no date can hold; touch the file (or copy it) and grade again")]
