"""The similarity report opened in a real headless Chromium (Debian's `chromium`), as the
dashboard's link leads to it: pairs ranked, the side-by-side view with matching regions
marked, student code containing `</script>` shown as text (and never run), no console errors,
nothing fetched. Screenshots go to test-artifacts/."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.gradebook import Gradebook
from grader.intake.roster import Roster, RosterEntry
from grader.intake.survey import Attempt
from grader.publish.similarity.report import write_similarity
from grader.publish.site import publish
from tests.similar_notebooks import ASSIGNMENT, filled, mistake_students, renamed, write
from tests.test_similarity import NAMES, answer_result

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium")
KST = timezone(timedelta(hours=9))
HOSTILE = "</script><script>document.title = 'pwned'</script>"
FIT_OHM = f'''def fit_ohm(V, I):
    """Resistance R with V = R I, fitted by gradient descent."""
    V, I = V.double(), I.double()
    R = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([R], lr=0.5)
    for step in range(300):
        optimizer.zero_grad()
        loss = ((R * I - V) ** 2).mean()
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            print("{HOSTILE}", step, loss.item())
    lr = 0.25 / (I ** 2).mean()
    for step in range(100):
        loss = ((R * I - V) ** 2).mean()
        g, = torch.autograd.grad(loss, R)
        with torch.no_grad():
            R -= lr * g
    return R.item()
'''


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    own = mistake_students(3)
    code = {"ann": own[0] | {"fit_ohm": FIT_OHM},
            "bob <b>": {e: renamed(c, keep=NAMES) for e, c in (own[0] | {"fit_ohm": FIT_OHM}).items()},
            "cho": own[1]}
    paths = {s: write(filled(c), out.parent / "in" / f"{i}.ipynb") for i, (s, c) in enumerate(code.items())}
    text = "Soft labels need every term, so the definition is the one to use for label smoothing or distillation."
    with Gradebook.in_folder(out) as book:
        book.set_meta(assignment="hw1", roster=Roster((RosterEntry("ann", "Kim, Ann <i>"),)).to_dict())
        book.record_attempts([Attempt(student=s, matched=True, origin=p.name, path=p, content_hash=str(i).ljust(64, "0"),
                                      submitted_at=datetime(2026, 4, 1, tzinfo=KST), time_source="file")
                              for i, (s, p) in enumerate(paths.items())])
        for row in book.counted():
            book.record_result(row.id, answer_result(row.submission, text if row.student != "cho" else text.title()),
                               exercises=())
        publish(book, ASSIGNMENT, out, similarity=True)
        write_similarity(book, ASSIGNMENT, out)
    return out


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: run scripts/install.sh (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    return page, problems, requests


def test_the_dashboard_links_the_report_and_it_ranks_the_pairs(browser, site):
    page, problems, requests = open_page(browser, (site / "index.html").as_uri())
    page.locator("#similarity a", has_text="similarity report").click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "similarity.png"), full_page=True)
    rows = page.locator("#pairs tr")
    assert rows.count() >= 3                              # the header, then the pairs
    first = rows.nth(1).inner_text()
    assert "Kim, Ann <i> (ann)" in first and "bob <b>" in first and "1.00" in first
    assert page.locator("#pairs i, #pairs b").count() == 0   # names are text, not markup
    assert "cho" in page.locator("#scope-answers\\:cross_entropy_definition").inner_text()
    assert problems == []
    assert all(u.startswith("file://") for u in requests)


def test_the_pair_page_shows_both_sides_marked_and_student_code_as_text(browser, site):
    page, problems, requests = open_page(browser, (site / "similarity" / "index.html").as_uri())
    page.locator("#pairs tr").nth(1).locator("a").first.click()
    page.screenshot(path=str(ARTIFACTS / "similarity-pair.png"), full_page=True)
    assert page.title() != "pwned" and "pwned" not in page.title()
    section = page.locator("div.scope#fit_ohm")
    sides = section.locator(".side")
    assert sides.count() == 2
    for i in range(2):
        code = sides.nth(i).locator("pre").inner_text()
        assert HOSTILE in code                               # shown as the text the student wrote
        assert sides.nth(i).locator("mark").count() >= 1
    marked = " ".join(sides.nth(0).locator("mark").all_inner_texts())
    assert "torch.optim.Adam" in marked and "Resistance R" not in marked   # docstrings are not matches
    assert page.locator("script").count() == 0
    assert page.locator("h1").inner_text() == "Kim, Ann <i> (ann) and bob <b>"
    page.locator(".side h4 a").first.click()                # the student's own report
    assert page.url.endswith("/ann/report.html")
    assert problems == []
    assert all(u.startswith("file://") for u in requests)
