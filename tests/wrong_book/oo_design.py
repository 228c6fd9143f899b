"""Wrong states of 3.2 Object-oriented design."""
from tests.wrong_book import mistake


class A:
    """3.2.1's A, with the @add_to_class(A) cell never run."""
    def __init__(self):
        self.b = 1


class B:
    """B whose __init__ stored every argument (ignore=['c'] forgotten)."""
    def __init__(self, a, b, c):
        self.a, self.b, self.c = a, b, c


MISTAKES = [
    mistake("do_never_added", "oo_design", {"a": A()},
            {"hidden/test_oo_design::test_add_to_class_demo"}, message="has no attribute 'do'"),
    mistake("c_not_ignored", "oo_design", {"b": B(a=1, b=2, c=3)},
            {"hidden/test_oo_design::test_save_hyperparameters_demo"}, message="b.c"),
]
