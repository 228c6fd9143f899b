"""Write the book's own PyTorch code for HW1's sections into ``assignments/hw1/book/``.

The similarity report subtracts what every student was given; for notebooks written by
following the book, that is the book's code. It comes from the PyTorch notebooks of d2l 1.0.3
(github.com/d2l-ai/d2l-pytorch-colab, commit "Version 1.0.3"), code cells only; the book's
sample code is under the MIT-0 licence (d2l-en's LICENSE-SAMPLECODE). Shell and magic lines
are kept as comments so each file is plain Python. The book's library, ``d2l/torch.py`` of the
same commit, is copied beside them: it holds what the book's notebooks call but do not show
(``HyperParameters.save_hyperparameters``, the Trainer's plumbing).

    python scripts/book_code.py PATH/TO/d2l-pytorch-colab [--out assignments/hw1/book]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

SECTIONS = {
    "2.1": "chapter_preliminaries/ndarray", "2.2": "chapter_preliminaries/pandas",
    "2.3": "chapter_preliminaries/linear-algebra", "2.4": "chapter_preliminaries/calculus",
    "2.5": "chapter_preliminaries/autograd", "3.1": "chapter_linear-regression/linear-regression",
    "3.2": "chapter_linear-regression/oo-design", "3.3": "chapter_linear-regression/synthetic-regression-data",
    "3.4": "chapter_linear-regression/linear-regression-scratch",
    "4.1": "chapter_linear-classification/softmax-regression",
    "4.2": "chapter_linear-classification/image-classification-dataset",
    "4.3": "chapter_linear-classification/classification",
    "4.4": "chapter_linear-classification/softmax-regression-scratch",
    "5.1": "chapter_multilayer-perceptrons/mlp", "5.2": "chapter_multilayer-perceptrons/mlp-implementation",
    "5.3": "chapter_multilayer-perceptrons/backprop",
}
HEADER = ("# The book's code for section {section} (d2l 1.0.3, PyTorch): the code cells of\n"
          "# d2l-ai/d2l-pytorch-colab {notebook}.ipynb (MIT-0 licensed sample code).\n"
          "# Written by scripts/book_code.py; the similarity report subtracts it.\n")

LIBRARY = ("# The d2l library (d2l 1.0.3, d2l/torch.py of d2l-ai/d2l-pytorch-colab; MIT-0).\n"
           "# Copied by scripts/book_code.py; the similarity report subtracts it.\n")


def cells(notebook: Path) -> list[str]:
    data = json.loads(notebook.read_text(encoding="utf-8"))
    out = []
    for cell in data["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]).rstrip()
        lines = [f"# {line}" if line.lstrip().startswith(("!", "%")) else line for line in source.splitlines()]
        if any(line.strip() for line in lines):
            out.append("\n".join(lines))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("colab", type=Path, help="a checkout of d2l-ai/d2l-pytorch-colab at Version 1.0.3")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "assignments/hw1/book")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for section, notebook in SECTIONS.items():
        found = cells(args.colab / f"{notebook}.ipynb")
        if not found:      # 4.1 and 5.3 are theory only
            continue
        text = HEADER.format(section=section, notebook=notebook) + "".join(f"\n# %%\n{c}\n" for c in found)
        (args.out / f"{section}-{notebook.split('/')[1]}.py").write_text(text, encoding="utf-8")
    library = (args.colab / "d2l" / "torch.py").read_text(encoding="utf-8")
    (args.out / "d2l-torch.py").write_text(LIBRARY + library, encoding="utf-8")


if __name__ == "__main__":
    main()
