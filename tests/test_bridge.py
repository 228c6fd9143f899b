"""The student proxy: values come back as data, objects stay behind references, student
exceptions and missing names become clear errors. Served in-process by the same agent code
that runs in kernels."""
import pytest
import torch

from grader.judge.bridge import Ref, Student
from grader.errors import MissingNameError, StudentError, WireError
from grader.judge.local import NamespaceLink
from grader.limits import Limits


class LinearRegressionScratch:
    def __init__(self, num_inputs, lr, sigma=0.01):
        self.w = torch.normal(0, sigma, (num_inputs, 1), requires_grad=True)
        self.b = torch.zeros(1, requires_grad=True)
        self.lr = lr

    def forward(self, X):
        return X @ self.w + self.b


def softmax(X):
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(1, keepdims=True)


def broken(X):
    return X / undefined_global  # noqa: F821


def student_for(namespace, **kw):
    return Student(NamespaceLink(namespace, **kw), timeout=5)


def test_calls_return_tensors_as_data():
    student = student_for({"softmax": softmax})
    X = torch.tensor([[1.0, 2.0], [3.0, 3.0]])
    out = student.softmax(X)
    assert isinstance(out, torch.Tensor) and torch.allclose(out, softmax(X))


def test_instances_stay_in_the_namespace_behind_references():
    student = student_for({"LinearRegressionScratch": LinearRegressionScratch})
    model = student.LinearRegressionScratch(2, lr=0.03)
    assert isinstance(model, Ref) and model.type_name == "LinearRegressionScratch"
    assert model.w.shape == (2, 1) and model.w.requires_grad
    model.w = torch.ones(2, 1)
    assert torch.equal(model.forward(torch.ones(3, 2)), torch.full((3, 1), 2.0))
    assert model.lr == 0.03


def test_run_executes_grader_code_with_bindings_and_keep():
    student = student_for({"softmax": softmax})
    Z = student.run("import torch\ntorch.zeros(2)", keep=True)
    assert isinstance(Z, Ref)
    ptr = student.run("Z.data_ptr()", Z=Z)
    student.run("import torch\nZ[:] = torch.ones(2)", Z=Z)
    assert student.run("Z.data_ptr()", Z=Z) == ptr
    assert torch.equal(student.run("Z", Z=Z), torch.ones(2))
    assert torch.allclose(student.run("softmax(X).sum(1)", X=torch.rand(3, 4)), torch.ones(3))


def test_missing_names_fail_with_the_name():
    student = student_for({})
    with pytest.raises(MissingNameError, match="^`softmax` is not defined in the notebook$"):
        student.softmax(torch.zeros(1, 1))
    with pytest.raises(MissingNameError, match="`relu`"):
        student.run("relu(X)", X=torch.zeros(2))
    assert not student.defines("softmax")


def test_student_exceptions_carry_type_and_message():
    student = student_for({"broken": broken})
    with pytest.raises(StudentError) as info:
        student.broken(torch.ones(2))
    assert info.value.traceback.type == "NameError"
    assert "undefined_global" in info.value.traceback.message
    assert str(info.value).startswith("`broken` raised NameError")


def test_sys_exit_in_student_code_is_an_error_not_an_exit():
    student = student_for({"quit_early": lambda: __import__("sys").exit(3)})
    with pytest.raises(StudentError, match="sys.exit"):
        student.quit_early()


def test_return_values_over_the_size_cap_are_refused():
    student = student_for({"big": lambda: torch.zeros(1000, 1000)}, limits=Limits(reply_mb=1))
    with pytest.raises(WireError, match="over the 1.0 MB limit"):
        student.big()


def test_section_snapshots_keep_each_sections_names():
    namespace = {"f": lambda x: 3 * x ** 2 - 4 * x}
    link = NamespaceLink(namespace)
    link.snapshot("2.4")
    namespace["f"] = lambda a: a * 2
    assert Student(link, section="2.4").f(1.0) == -1.0
    assert Student(link, section="2.5").f(1.0) == 2.0
    assert Student(link).f(1.0) == 2.0


def test_objects_that_claim_equality_come_back_as_references():
    class Liar:
        def __eq__(self, other):
            return True
    student = student_for({"liar": lambda: Liar()})
    value = student.liar()
    assert isinstance(value, Ref) and value != torch.zeros(1)
