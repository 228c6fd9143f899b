"""Hidden tests for 3.2 Object-oriented design (add_to_class, HyperParameters)."""
import pytest

from grader.bookcode import run_hparams
from grader.bookcode.linear import (CHAIN, DEFAULTS, IGNORE_SEVERAL, NO_IGNORE, REPLACE, SUBCLASS,
                                    TWO_METHODS, WITH_AND_WITHOUT)
from grader.testing import assert_close, require, expect_raises


@pytest.mark.exercise("add_to_class")
@pytest.mark.points(0.5)
def test_add_to_class_uses_the_function_name(student, tolerance):
    """Each decorated function becomes a method under its own name, for old and new instances."""
    got = student.run(TWO_METHODS, label="adding two methods with add_to_class")
    assert_close(got, (11, 50, 11), tolerance("exact"), name="(a.first(), a.second(5), A().first())")


@pytest.mark.exercise("add_to_class")
@pytest.mark.points(0.5)
def test_add_to_class_changes_only_that_class(student, tolerance):
    """A method added to a subclass does not appear on its parent."""
    got = student.run(SUBCLASS, label="add_to_class on a subclass")
    assert_close(got, ("child", False), tolerance("exact"), name="(Child().extra(), hasattr(Parent, 'extra'))")


@pytest.mark.exercise("add_to_class")
@pytest.mark.points(0.5)
def test_add_to_class_replaces_a_method(student, tolerance):
    """Adding forward to a class that has one replaces it (how the book fills in forward, loss, ...)."""
    got = student.run(REPLACE, label="replacing forward with add_to_class")
    assert_close(got, 2, tolerance("exact"), name="net.forward(X) after @add_to_class(Net) def forward")


@pytest.mark.exercise("save_hyperparameters")
@pytest.mark.points(0.5)
def test_save_hyperparameters_keeps_defaults(student, tolerance):
    """Positional, default and keyword arguments are all saved with the values of this call."""
    got = run_hparams(student, DEFAULTS, label="save_hyperparameters with defaults")
    assert_close(got, (1, 5, "t"), tolerance("exact"), name="(self.x, self.y, self.z) for C(1, z='t')")


@pytest.mark.exercise("save_hyperparameters")
@pytest.mark.points(0.5)
def test_save_hyperparameters_saves_all_but_self(student, tolerance):
    """Without ignore every argument is saved, and `self` is not stored as an attribute."""
    p, q, has_self = run_hparams(student, NO_IGNORE, label="save_hyperparameters without ignore")
    assert_close((p, q), ([1, 2], 0.5), tolerance("exact"), name="(self.p, self.q) for D([1, 2], q=0.5)")
    require(not has_self, "save_hyperparameters stored the object in an attribute named `self`; "
          "leave `self` out of the saved arguments")


@pytest.mark.exercise("save_hyperparameters")
@pytest.mark.points(0.5)
def test_save_hyperparameters_ignores_several(student, tolerance):
    """ignore=['a', 'c'] keeps only b."""
    has_a, b, has_c = run_hparams(student, IGNORE_SEVERAL, label="save_hyperparameters(ignore=['a', 'c'])")
    assert_close(b, 2, tolerance("exact"), name="self.b for E(1, 2, 3)")
    require(not (has_a or has_c), "E(1, 2, 3) has an attribute a or c although it called "
          "save_hyperparameters(ignore=['a', 'c']); skip every name listed in ignore")


@pytest.mark.exercise("save_hyperparameters")
@pytest.mark.points(0.5)
def test_save_hyperparameters_in_a_subclass_chain(student, tolerance):
    """Each __init__ in a chain (as in Module and its subclasses) saves its own arguments."""
    got = run_hparams(student, CHAIN, label="save_hyperparameters in a subclass chain")
    assert_close(got, (1, 7, 8), tolerance("exact"), name="(self.p, self.q, self.r) for Q(q=7, r=8)")


@pytest.mark.exercise("save_hyperparameters")
@pytest.mark.points(0.5)
def test_only_save_hyperparameters_creates_the_attributes(student, tolerance):
    """Exercise 2 of 3.2: B(a=1, b=2, c=3) has self.a with the call; without it reading self.a
    raises AttributeError (nothing else stores the arguments)."""
    a, without = run_hparams(student, WITH_AND_WITHOUT, label="B with and without save_hyperparameters")
    assert_close(a, 1, tolerance("exact"), name="self.a for B(a=1, b=2, c=3) with save_hyperparameters")
    expect_raises(lambda: without.a, "AttributeError",
                  what="reading self.a on a B whose __init__ does not call save_hyperparameters")
