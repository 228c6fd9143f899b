"""What a student kernel runs before the notebook: seeds, and the grading settings.

Sent as source into the kernel (never imported by the grader); leaves no names in the
notebook's namespace. The settings change how fast a notebook runs, never what it computes:

- imports torch, torchvision, numpy, pandas, matplotlib and d2l ahead of the notebook, while
  the grader is still busy with the previous submission (warm kernels);
- caps DataLoader worker processes (d2l asks for 4 and re-spawns them every epoch): the
  sample order comes from the sampler in the main process, so batches are the same;
- draws d2l's ProgressBoard once per cell (its final frame) instead of at every point.
"""


def run(seed, fast, max_workers):
    import functools
    import inspect
    import random
    random.seed(seed)
    try:
        import numpy
        numpy.random.seed(seed)
        import torch
        torch.manual_seed(seed)
    except Exception:  # a kernel without numpy or torch still runs notebooks
        return
    if not fast:
        return
    try:
        import matplotlib  # noqa: F401
        import pandas  # noqa: F401
        import torchvision  # noqa: F401
        from d2l import torch as d2l
    except Exception:
        d2l = None
    _cap_dataloader_workers(torch, functools, inspect, max_workers)
    if d2l is not None:
        _draw_boards_once_per_cell(d2l, functools)


def _cap_dataloader_workers(torch, functools, inspect, max_workers):
    loader = torch.utils.data.DataLoader
    original = loader.__init__
    signature = inspect.signature(original)

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError:
            return original(self, *args, **kwargs)
        wanted = bound.arguments.get("num_workers", 0)
        if isinstance(wanted, int) and wanted > max_workers:
            bound.arguments["num_workers"] = max_workers
            if max_workers == 0:
                bound.arguments.pop("prefetch_factor", None)
                bound.arguments.pop("persistent_workers", None)
        return original(*bound.args, **bound.kwargs)

    loader.__init__ = __init__


def _draw_boards_once_per_cell(d2l, functools):
    board = d2l.ProgressBoard
    original = board.draw
    pending = []

    @functools.wraps(original)
    def draw(self, x, y, label, every_n=1):
        shown = self.display
        self.display = False
        try:
            original(self, x, y, label, every_n)
        finally:
            self.display = shown
        if shown and not any(b is self for b in pending):
            pending.append(self)

    def render(*_):
        while pending:
            _render(d2l, pending.pop(0))

    board.draw = draw
    get_ipython().events.register("post_run_cell", render)  # noqa: F821 - defined in kernels


def _render(d2l, b):
    """The frame d2l's draw() would have shown last."""
    from IPython import display
    d2l.use_svg_display()
    fig = d2l.plt.figure(figsize=b.figsize)
    axes = b.axes if b.axes else fig.gca()
    lines, labels = [], []
    for (k, v), ls, color in zip(b.data.items(), b.ls, b.colors):
        lines.append(axes.plot([p.x for p in v], [p.y for p in v], linestyle=ls, color=color)[0])
        labels.append(k)
    if b.xlim:
        axes.set_xlim(b.xlim)
    if b.ylim:
        axes.set_ylim(b.ylim)
    if not b.xlabel:
        b.xlabel = getattr(b, "x", None)
    axes.set_xlabel(b.xlabel)
    axes.set_ylabel(b.ylabel)
    axes.set_xscale(b.xscale)
    axes.set_yscale(b.yscale)
    axes.legend(lines, labels)
    display.display(fig)
    d2l.plt.close(fig)
