"""What a student kernel runs before the notebook: seeds, and the grading settings.

Sent as source into the kernel (never imported by the grader); leaves no names in the
notebook's namespace. The settings change how fast a notebook runs, never what it computes:

- imports torch, torchvision, numpy, pandas, matplotlib and d2l ahead of the notebook, while
  the grader is still busy with the previous submission (warm kernels);
- caps DataLoader worker processes (d2l asks for 4 and re-spawns them every epoch): the
  sample order comes from the sampler in the main process, so batches are the same;
- draws d2l's ProgressBoard once per cell (its final frame) instead of at every point, and
  keeps its points with one Point class instead of a new one per point;
- reads a minibatch of a TensorDataset (d2l's synthetic regression data) by indexing its
  tensors once, instead of one example at a time and stacking: the same values, in the same
  order, for DataLoaders with the default collate function;
- shows a matplotlib figure as its text line ("<Figure size 350x250 with 1 Axes>") instead
  of drawing it into an SVG or PNG image (60 ms a figure, and a notebook shows dozens): the
  grader keeps no cell outputs but errors. Figures are still closed after each cell, and
  one the student saves or draws is drawn as usual;
- remembers each image of torchvision's MNIST-family datasets once its transform has run
  (d2l's Resize + ToTensor costs ~0.2 ms an image, every epoch): only for transforms that
  are pure functions of the image, only while the dataset's tensors are unchanged, and each
  read returns a fresh copy. Up to MEMO_MB in all; past that, images are transformed as usual.
"""

MEMO_MB = 256
# Transforms whose output depends on the image alone (exact types: a subclass may not).
PURE_TRANSFORMS = ("Compose", "Resize", "ToTensor", "PILToTensor", "ConvertImageDtype",
                   "Normalize", "Grayscale", "CenterCrop", "Pad")


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
        import torchvision
        from d2l import torch as d2l
    except Exception:
        torchvision = d2l = None
    _cap_dataloader_workers(torch, functools, inspect, max_workers)
    _index_tensor_datasets_by_batch(torch, functools)
    if torchvision is not None:
        _memoize_transformed_images(torch, torchvision, functools)
    if d2l is not None:
        _draw_boards_once_per_cell(d2l, functools)
    _show_figures_as_text(functools)


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


def _index_tensor_datasets_by_batch(torch, functools):
    from torch.utils.data._utils import collate, fetch
    fetcher = fetch._MapDatasetFetcher
    original = fetcher.fetch
    stack_tensors = collate.default_collate_fn_map.get(torch.Tensor)

    def plain(t):
        return type(t) is torch.Tensor and t.layout == torch.strided and not t.is_nested

    @functools.wraps(original)
    def fetch_batch(self, possibly_batched_index):
        dataset = self.dataset
        if (self.auto_collation and type(dataset) is torch.utils.data.TensorDataset
                and self.collate_fn is collate.default_collate
                and collate.default_collate_fn_map.get(torch.Tensor) is stack_tensors
                and type(possibly_batched_index) is list and possibly_batched_index
                and all(type(i) is int for i in possibly_batched_index)
                and all(plain(t) for t in dataset.tensors)):
            index = torch.tensor(possibly_batched_index, dtype=torch.int64)
            return [t[index] for t in dataset.tensors]
        return original(self, possibly_batched_index)

    fetcher.fetch = fetch_batch


def _memoize_transformed_images(torch, torchvision, functools):
    import weakref
    mnist = torchvision.datasets.MNIST
    original = mnist.__getitem__
    transforms = torchvision.transforms
    pure = tuple(getattr(transforms, name) for name in PURE_TRANSFORMS if hasattr(transforms, name))
    memos = weakref.WeakKeyDictionary()     # dataset -> [state, {index: image}, bytes held]
    free = [MEMO_MB * 1024 * 1024]

    def is_pure(transform):
        if type(transform) is transforms.Compose:
            return all(is_pure(t) for t in transform.transforms)
        return type(transform) in pure

    def state(dataset):
        data, targets = dataset.data, dataset.targets
        if not (isinstance(data, torch.Tensor) and isinstance(targets, torch.Tensor)):
            return None
        if dataset.target_transform is not None or not is_pure(dataset.transform):
            return None
        return (data, data._version, targets, targets._version, repr(dataset.transform))

    def same(a, b):
        return a[0] is b[0] and a[2] is b[2] and a[1] == b[1] and a[3] == b[3] and a[4] == b[4]

    def release(memo):
        free[0] += memo[2]
        memo[1].clear()
        memo[2] = 0

    def memo_for(dataset):
        now = state(dataset)
        memo = memos.get(dataset)
        if now is None:
            if memo is not None:
                release(memo)
            return None
        if memo is not None and not same(memo[0], now):
            release(memo)
            memo[0] = now
        if memo is None:
            memo = memos[dataset] = [now, {}, 0]
            weakref.finalize(dataset, release, memo)
        return memo

    @functools.wraps(original)
    def __getitem__(self, index):
        if type(index) is not int:
            return original(self, index)
        try:
            memo = memo_for(self)
        except Exception:
            memo = None
        if memo is None:
            return original(self, index)
        if index in memo[1]:
            return memo[1][index].clone(), int(self.targets[index])
        image, target = original(self, index)
        if isinstance(image, torch.Tensor) and free[0] >= image.nbytes:
            free[0] -= image.nbytes
            memo[2] += image.nbytes
            memo[1][index] = image.clone()
        return image, target

    mnist.__getitem__ = __getitem__


def _draw_boards_once_per_cell(d2l, functools):
    board = d2l.ProgressBoard
    original = board.draw
    pending = []
    keep = _book_bookkeeping(original)

    @functools.wraps(original)
    def draw(self, x, y, label, every_n=1):
        shown = self.display
        self.display = False
        try:
            keep(self, x, y, label, every_n)
        finally:
            self.display = shown
        if shown and not any(b is self for b in pending):
            pending.append(self)

    def render(*_):
        while pending:
            _render(d2l, pending.pop(0))

    board.draw = draw
    get_ipython().events.register("post_run_cell", render)  # noqa: F821 - defined in kernels


def _show_figures_as_text(functools):
    try:
        from matplotlib.figure import Figure
    except Exception:
        return
    formatter = get_ipython().display_formatter  # noqa: F821 - defined in kernels
    original = formatter.format

    @functools.wraps(original)
    def format(obj, include=None, exclude=None):
        if issubclass(type(obj), Figure):   # never the object's own __class__
            include = [m for m in include or ("text/plain",) if m == "text/plain"]
            if not include:
                return {}, {}
        return original(obj, include=include, exclude=exclude)

    formatter.format = format


def _book_bookkeeping(original):
    """What d2l 1.0.3's draw() does before it plots: the same points and averages, with one
    Point class made once instead of a new namedtuple class at every call (a fifth of a small
    model's training step). Any other d2l keeps its own draw()."""
    import collections
    import d2l
    if getattr(d2l, "__version__", None) != "1.0.3":
        return original
    point = collections.namedtuple("Point", ["x", "y"])

    def keep(self, x, y, label, every_n=1):
        if not hasattr(self, "raw_points"):
            self.raw_points = collections.OrderedDict()
            self.data = collections.OrderedDict()
        if label not in self.raw_points:
            self.raw_points[label] = []
            self.data[label] = []
        points = self.raw_points[label]
        line = self.data[label]
        points.append(point(x, y))
        if len(points) != every_n:
            return
        line.append(point(sum([p.x for p in points]) / len(points), sum([p.y for p in points]) / len(points)))
        points.clear()
    return keep


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
