"""Hidden tests for 3.2 Object-oriented design: the demos' objects a and b as of the end of
3.2 (a method added by add_to_class, attributes saved by save_hyperparameters)."""
import pytest

from grader.testing import Mismatch, StudentError, assert_close, describe, require


def attribute(obj, name, what):
    """obj.name, or Mismatch saying it is missing."""
    try:
        return getattr(obj, name)
    except StudentError as exc:
        if exc.traceback.type == "AttributeError":
            raise Mismatch(f"{what} has no attribute {name!r}") from None
        raise


@pytest.mark.exercise("oo_design")
@pytest.mark.points(0.5)
def test_add_to_class_demo(student, tolerance):
    """a = A() has b == 1, and the method do that @add_to_class(A) attached to A afterwards."""
    a = student.value("a")
    require(getattr(a, "type_name", None) == "A", f"a at the end of 3.2 is {describe(a)}; expected the "
            "instance a = A() of 3.2.1")
    assert_close(attribute(a, "b", "a"), 1, tolerance("exact"), name="a.b")
    do = attribute(a, "do", "a (add the method with @add_to_class(A) def do(self): ...)")
    require(getattr(do, "is_callable", False), f"a.do is {describe(do)}; expected the method added by add_to_class")


@pytest.mark.exercise("oo_design")
@pytest.mark.points(0.5)
def test_save_hyperparameters_demo(student, tolerance):
    """b = B(a=1, b=2, c=3) saved a and b as attributes and ignored c."""
    b = student.value("b")
    require(getattr(b, "type_name", None) == "B", f"b at the end of 3.2 is {describe(b)}; expected the "
            "instance b = B(a=1, b=2, c=3) of 3.2.1")
    assert_close(attribute(b, "a", "b"), 1, tolerance("exact"), name="b.a")
    assert_close(attribute(b, "b", "b"), 2, tolerance("exact"), name="b.b")
    try:
        c = b.c
    except StudentError as exc:
        if exc.traceback.type == "AttributeError":
            return
        raise
    raise Mismatch(f"b.c is {describe(c)}; save_hyperparameters(ignore=['c']) should not save c")
