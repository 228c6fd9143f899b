# The book's code for section 4.3 (d2l 1.0.3, PyTorch): the code cells of
# d2l-ai/d2l-pytorch-colab chapter_linear-classification/classification.ipynb (MIT-0 licensed sample code).
# Written by scripts/book_code.py; the similarity report subtracts it.

# %%
# !pip install d2l==1.0.3

# %%
import torch
from d2l import torch as d2l

# %%
class Classifier(d2l.Module):  #@save
    """The base class of classification models."""
    def validation_step(self, batch):
        Y_hat = self(*batch[:-1])
        self.plot('loss', self.loss(Y_hat, batch[-1]), train=False)
        self.plot('acc', self.accuracy(Y_hat, batch[-1]), train=False)

# %%
@d2l.add_to_class(d2l.Module)  #@save
def configure_optimizers(self):
    return torch.optim.SGD(self.parameters(), lr=self.lr)

# %%
@d2l.add_to_class(Classifier)  #@save
def accuracy(self, Y_hat, Y, averaged=True):
    """Compute the number of correct predictions."""
    Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
    preds = Y_hat.argmax(axis=1).type(Y.dtype)
    compare = (preds == Y.reshape(-1)).type(torch.float32)
    return compare.mean() if averaged else compare
