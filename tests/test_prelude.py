"""The grading settings in the kernel change how fast a notebook runs, never what it computes.

These run the prelude's settings in the course environment's own Python (torch, torchvision
and d2l as students have them) and compare against the untouched libraries.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from grader import datasets, inkernel
from grader.grading.execution import launch_kernel
from tests.test_executor import ASSIGNMENT, settings_for

PRELUDE = inkernel.HERE / "prelude.py"

# Reads the same images from two datasets, one with the memo and one without, in ways a
# notebook might, and prints what differs.
SCRIPT = r"""
import json, sys, types
import torch, torchvision
from torchvision import transforms as T
prelude = types.ModuleType("prelude")
exec(open(sys.argv[1]).read(), prelude.__dict__)
root = sys.argv[2]
plain = torchvision.datasets.MNIST.__getitem__
prelude._memoize_transformed_images(torch, torchvision, __import__("functools"))
memo = torchvision.datasets.MNIST.__getitem__
report = {}

def make(transform):
    return torchvision.datasets.FashionMNIST(root=root, train=True, transform=transform, download=False)

def both(ds, i):
    return plain(ds, i), memo(ds, i)

def equal(a, b):
    return torch.equal(a[0], b[0]) and a[1] == b[1]

ds = make(T.Compose([T.Resize((32, 32)), T.ToTensor()]))
first = [memo(ds, i) for i in range(50)]
report["same_first"] = all(equal(plain(ds, i), first[i]) for i in range(50))
report["same_again"] = all(equal(*both(ds, i)) for i in range(50))
# A caller that scribbles on what it read does not change the next read.
got = memo(ds, 3)[0]; got.zero_()
report["copy_each_read"] = equal(*both(ds, 3))
# In-place changes to the images, or a new transform, are seen.
ds.data[3] = 255 - ds.data[3]
report["sees_inplace_edit"] = equal(*both(ds, 3))
ds.transform.transforms[0] = T.Resize((28, 28))
report["sees_new_transform"] = equal(*both(ds, 3)) and memo(ds, 3)[0].shape == (1, 28, 28)
ds.data = ds.data.flip(0)
report["sees_new_tensor"] = equal(*both(ds, 5))
# Random transforms are never remembered.
rnd = make(T.Compose([T.RandomCrop(24), T.ToTensor()]))
torch.manual_seed(0); a = memo(rnd, 7)[0]
torch.manual_seed(1); b = memo(rnd, 7)[0]
report["random_not_remembered"] = not torch.equal(a, b)
torch.manual_seed(2); c = plain(rnd, 7)[0]
torch.manual_seed(2); d = memo(rnd, 7)[0]
report["random_same_draws"] = torch.equal(c, d)
# A whole DataLoader epoch gives the same batches in the same order.
torch.manual_seed(3)
loader = torch.utils.data.DataLoader(make(T.ToTensor()), batch_size=64, shuffle=True)
for _ in range(2):
    torch.manual_seed(4)
    memo_batches = [x.clone() for x, _ in loader]
torchvision.datasets.MNIST.__getitem__ = plain
torch.manual_seed(4)
plain_batches = [x.clone() for x, _ in loader]
report["loader_same"] = all(torch.equal(a, b) for a, b in zip(memo_batches, plain_batches))
print(json.dumps(report))
"""


BATCHES = r"""
import json, sys, types, functools
import torch
from torch.utils.data import DataLoader, TensorDataset
prelude = types.ModuleType("prelude")
exec(open(sys.argv[1]).read(), prelude.__dict__)
fetcher = torch.utils.data._utils.fetch._MapDatasetFetcher
plain = fetcher.fetch
prelude._index_tensor_datasets_by_batch(torch, functools)
batched = fetcher.fetch
g = torch.Generator().manual_seed(0)
X = torch.randn(103, 2, 3, generator=g)
y = torch.randint(0, 10, (103,), generator=g)
flags = torch.rand(103, generator=g) > 0.5
w = torch.randn(103, generator=g, requires_grad=True)
calls = []

def counting_collate(batch):
    calls.append(len(batch))
    return torch.utils.data.default_collate(batch)

def batches(fetch, dataset, **kwargs):
    fetcher.fetch = fetch
    torch.manual_seed(1)
    return [[t.detach().clone() if torch.is_tensor(t) else t for t in b]
            for b in DataLoader(dataset, **kwargs)]

def same(a, b):
    return len(a) == len(b) and all(
        len(p) == len(q) and all(torch.equal(s, t) and s.dtype == t.dtype and s.shape == t.shape
                                 for s, t in zip(p, q)) for p, q in zip(a, b))

report = {}
for name, dataset in {"regression": TensorDataset(X.reshape(103, -1), y.float().reshape(-1, 1)),
                      "three tensors": TensorDataset(X, y, flags), "one tensor": TensorDataset(y),
                      "requires grad": TensorDataset(w)}.items():
    for kwargs in ({"batch_size": 32, "shuffle": True}, {"batch_size": 10, "drop_last": True},
                   {"batch_size": 1}):
        report[f"{name} {kwargs}"] = same(batches(plain, dataset, **kwargs), batches(batched, dataset, **kwargs))
before = len(calls)
got = batches(batched, TensorDataset(X, y), batch_size=16, collate_fn=counting_collate)
report["custom collate still called"] = len(calls) - before == len(got) == 7
print(json.dumps(report))
"""


BOARD = r"""
import json, sys, types
import torch
from d2l import torch as d2l
prelude = types.ModuleType("prelude")
exec(open(sys.argv[1]).read(), prelude.__dict__)
book = d2l.ProgressBoard.draw
keep = prelude._book_bookkeeping(book)

def train(draw):
    torch.manual_seed(0)
    d2l.ProgressBoard.draw = draw
    model = d2l.LinearRegressionScratch(2, lr=0.03)
    model.board.display = False
    trainer = d2l.Trainer(max_epochs=2)
    trainer.fit(model, d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2))
    board = model.board
    for label, every_n in (("odd", 3), ("odd", 3), ("odd", 3), ("odd", 3)):
        draw(board, 1.5, torch.tensor(2.0).numpy(), label, every_n)
    return board

a, b = train(book), train(keep)
def points(board, attr):
    return {k: [(p.x, float(p.y), type(p.y).__name__, type(p).__name__, p._fields) for p in v]
            for k, v in getattr(board, attr).items()}
print(json.dumps({"replaced": keep is not book,
                  "same_lines": points(a, "data") == points(b, "data"),
                  "same_pending": points(a, "raw_points") == points(b, "raw_points"),
                  "labels": sorted(b.data) == ["odd", "train_loss", "val_loss"],
                  "averaged": len(b.data["train_loss"]) == len(a.data["train_loss"]) > 0}))
"""


def test_board_points_are_the_ones_the_book_draw_keeps(course_env, tmp_path):
    report = _report(course_env, tmp_path / "board.py", BOARD)
    assert report == {key: True for key in report}, report
    assert len(report) == 5


def test_minibatches_read_by_index_are_the_ones_stacked_one_by_one(course_env, tmp_path):
    report = _report(course_env, tmp_path / "batches.py", BATCHES)
    assert report == {key: True for key in report}, report
    assert len(report) == 13


def test_remembered_images_are_the_images_the_transform_gives(course_env, tmp_path):
    raw = datasets.fashion_mnist().raw_dir
    (tmp_path / "FashionMNIST").mkdir()
    (tmp_path / "FashionMNIST" / "raw").symlink_to(raw)
    report = _report(course_env, tmp_path / "memo.py", SCRIPT, tmp_path)
    assert report == {key: True for key in report}, report
    assert len(report) == 9


FIGURES = [
    "import numpy as np, torch\nfrom d2l import torch as d2l\nx = np.arange(0, 3, 0.5)\n"
    "d2l.plot(x, [x, x ** 2], 'x', 'f(x)', legend=['x', 'x^2'])",
    "import matplotlib.pyplot as plt\nfig = plt.figure()\nline, = plt.plot([1, 2, 3], [4, 5, 7])\nplt.show()",
    "print(plt.get_fignums(), list(line.get_ydata()))\nfig.savefig('figure.svg')\n"
    "import os\nprint(os.path.getsize('figure.svg') > 1000)",
    "model = d2l.LinearRegressionScratch(2, lr=0.03)\ndata = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)\n"
    "d2l.Trainer(max_epochs=1).fit(model, data)\nfig",
]
# An object whose __class__ raises: IPython's own formatters report it, and it is still shown.
ODD = ("class Odd:\n    @property\n    def __class__(self):\n        raise RuntimeError('no class')\n"
       "    def __repr__(self):\n        return 'odd'\nfrom IPython.display import display\ndisplay(Odd())\nOdd()")


@pytest.mark.parametrize("plain", [False, True], ids=["grading-settings", "plain"])
def test_figures_are_shown_as_their_text_line_and_still_closed_after_each_cell(course_env, plain):
    settings = settings_for(course_env, plain=plain, fashion_mnist=datasets.fashion_mnist())
    session = launch_kernel(ASSIGNMENT, settings, forkserver=None)
    try:
        session.attach()
        runs = [session.run_cell(code, index, 120) for index, code in enumerate(FIGURES)]
        odd = session.run_cell(ODD, len(FIGURES), 120)
    finally:
        session.close()
    assert [run.status for run in runs] == ["ok"] * len(FIGURES)
    shown = [o for run in runs for o in run.outputs if o["output_type"] in ("display_data", "execute_result")]
    kinds = {kind for o in shown for kind in o["data"]}
    texts = [o["data"]["text/plain"] for o in shown]
    printed = "".join(o.get("text", "") for o in runs[2].outputs)
    assert printed == "[] [4, 5, 7]\nTrue\n"   # closed after its cell, its values kept, saved when asked
    assert sum(text.startswith("<Figure size") for text in texts) >= 3   # the plot, plt.show(), the board
    assert (kinds != {"text/plain"}) == plain, kinds   # without the settings, figures are images
    assert [(o["output_type"], o["data"]["text/plain"]) for o in odd.outputs if "data" in o] == [
        ("display_data", "odd"), ("execute_result", "odd")]


def _report(course_env, script: Path, source: str, *args: Path) -> dict:
    """Run ``source`` with the course environment's Python (prelude path first); its last
    line of output is a JSON report."""
    script.write_text(source, encoding="utf-8")
    done = subprocess.run([str(course_env.interpreter.python), str(script), str(PRELUDE), *map(str, args)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
