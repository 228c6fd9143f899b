"""Wrong versions of the 3.2 classes that real students could write."""
import inspect

from tests.wrong import mistake


def add_to_class_fixed_name(Class):
    def wrapper(obj):
        setattr(Class, 'method', obj)
    return wrapper


def add_to_class_no_factory(Class, obj=None):
    setattr(Class, obj.__name__, obj)


class HyperParametersStub:
    """The book's 3.2 stub, re-typed as S1-S4 did: NotImplemented is not an exception."""

    def save_hyperparameters(self, ignore=[]):
        raise NotImplemented


class HyperParametersNoIgnore:
    def save_hyperparameters(self, ignore=[]):
        frame = inspect.currentframe().f_back
        for k, v in frame.f_locals.items():
            if k != 'self':
                setattr(self, k, v)


class HyperParametersSavesSelf:
    def save_hyperparameters(self, ignore=[]):
        frame = inspect.currentframe().f_back
        for k, v in frame.f_locals.items():
            if k not in ignore and not k.startswith('_'):
                setattr(self, k, v)


class HyperParametersWrongFrame:
    def save_hyperparameters(self, ignore=[]):
        frame = inspect.currentframe().f_back.f_back
        for k, v in frame.f_locals.items():
            if k not in ignore + ['self'] and not k.startswith('_'):
                setattr(self, k, v)


class HyperParametersTypeSignature:
    def save_hyperparameters(self, ignore=[]):
        frame = inspect.currentframe().f_back
        for name in list(inspect.signature(type(self).__init__).parameters)[1:]:
            if name not in ignore:
                setattr(self, name, frame.f_locals[name])


class HyperParametersAutomatic:
    """Saves every argument in __new__, so save_hyperparameters has nothing left to do."""

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        bound = inspect.signature(cls.__init__).bind(obj, *args, **kwargs)
        bound.apply_defaults()
        for k, v in list(bound.arguments.items())[1:]:
            setattr(obj, k, v)
        return obj

    def save_hyperparameters(self, ignore=[]):
        pass


MISTAKES = [
    mistake("add_to_class_fixed_name", "add_to_class", {"add_to_class": add_to_class_fixed_name}, {
        "public/test_oo_design::test_add_to_class_book_example",
        "hidden/test_oo_design::test_add_to_class_uses_the_function_name",
        "hidden/test_oo_design::test_add_to_class_changes_only_that_class",
        "hidden/test_oo_design::test_add_to_class_replaces_a_method",
    }, message="has no attribute 'do'"),
    mistake("add_to_class_no_factory", "add_to_class", {"add_to_class": add_to_class_no_factory}, {
        "public/test_oo_design::test_add_to_class_book_example",
        "hidden/test_oo_design::test_add_to_class_uses_the_function_name",
        "hidden/test_oo_design::test_add_to_class_changes_only_that_class",
        "hidden/test_oo_design::test_add_to_class_replaces_a_method",
    }, message="raised AttributeError"),
    mistake("hyperparameters_stub", "save_hyperparameters", {"HyperParameters": HyperParametersStub}, {
        "public/test_oo_design::test_save_hyperparameters_book_example",
        "hidden/test_oo_design::test_save_hyperparameters_keeps_defaults",
        "hidden/test_oo_design::test_save_hyperparameters_saves_all_but_self",
        "hidden/test_oo_design::test_save_hyperparameters_ignores_several",
        "hidden/test_oo_design::test_save_hyperparameters_in_a_subclass_chain",
        "hidden/test_oo_design::test_only_save_hyperparameters_creates_the_attributes",
    }, message="still the book's stub"),
    mistake("hyperparameters_no_ignore", "save_hyperparameters", {"HyperParameters": HyperParametersNoIgnore}, {
        "public/test_oo_design::test_save_hyperparameters_book_example",
        "hidden/test_oo_design::test_save_hyperparameters_ignores_several",
    }, message="skip the names listed in ignore"),
    mistake("hyperparameters_saves_self", "save_hyperparameters", {"HyperParameters": HyperParametersSavesSelf}, {
        "hidden/test_oo_design::test_save_hyperparameters_saves_all_but_self",
    }, message="leave `self` out"),
    mistake("hyperparameters_wrong_frame", "save_hyperparameters", {"HyperParameters": HyperParametersWrongFrame}, {
        "public/test_oo_design::test_save_hyperparameters_book_example",
        "hidden/test_oo_design::test_save_hyperparameters_keeps_defaults",
        "hidden/test_oo_design::test_save_hyperparameters_saves_all_but_self",
        "hidden/test_oo_design::test_save_hyperparameters_ignores_several",
        "hidden/test_oo_design::test_save_hyperparameters_in_a_subclass_chain",
        "hidden/test_oo_design::test_only_save_hyperparameters_creates_the_attributes",
    }, message="expected a number close to 1"),
    mistake("hyperparameters_type_signature", "save_hyperparameters", {"HyperParameters": HyperParametersTypeSignature}, {
        "hidden/test_oo_design::test_save_hyperparameters_in_a_subclass_chain",
    }, message="KeyError"),
    mistake("hyperparameters_automatic", "save_hyperparameters", {"HyperParameters": HyperParametersAutomatic}, {
        "public/test_oo_design::test_save_hyperparameters_book_example",
        "hidden/test_oo_design::test_save_hyperparameters_ignores_several",
        "hidden/test_oo_design::test_save_hyperparameters_in_a_subclass_chain",
        "hidden/test_oo_design::test_only_save_hyperparameters_creates_the_attributes",
    }, message="expected it to raise AttributeError"),
]
