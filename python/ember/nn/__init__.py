"""ember.nn: modules, layers, losses (PyTorch's torch.nn)."""

from .. import _C
from .parameter import Buffer, Parameter  # noqa: F401
from .modules.module import Module  # noqa: F401
from .modules.container import ModuleDict, ModuleList, Sequential  # noqa: F401
from . import functional, init, utils  # noqa: F401
# tf.nn-style functions (relu, softmax, sparse_softmax_cross_entropy_with_logits, ...).
from .tf_functions import *  # noqa: F401,F403

_cnn = _C.nn
Linear = _cnn.Linear
Bilinear = _cnn.Bilinear
Identity = _cnn.Identity
Flatten = _cnn.Flatten
Unflatten = _cnn.Unflatten
ReLU = _cnn.ReLU
LeakyReLU = _cnn.LeakyReLU
ELU = _cnn.ELU
GELU = _cnn.GELU
Softplus = _cnn.Softplus
Softmax = _cnn.Softmax
LogSoftmax = _cnn.LogSoftmax
SiLU = _cnn.SiLU
Sigmoid = _cnn.Sigmoid
Tanh = _cnn.Tanh
MSELoss = _cnn.MSELoss
L1Loss = _cnn.L1Loss
SmoothL1Loss = _cnn.SmoothL1Loss
HuberLoss = _cnn.HuberLoss
CrossEntropyLoss = _cnn.CrossEntropyLoss
NLLLoss = _cnn.NLLLoss
BCELoss = _cnn.BCELoss
BCEWithLogitsLoss = _cnn.BCEWithLogitsLoss
KLDivLoss = _cnn.KLDivLoss
RNNBase = _cnn.RNNBase
RNN = _cnn.RNN
LSTM = _cnn.LSTM
GRU = _cnn.GRU
MultiheadAttention = _cnn.MultiheadAttention
TransformerEncoderLayer = _cnn.TransformerEncoderLayer
BatchNorm1d = _cnn.BatchNorm1d
BatchNorm2d = _cnn.BatchNorm2d
LayerNorm = _cnn.LayerNorm
GroupNorm = _cnn.GroupNorm
Dropout = _cnn.Dropout
Embedding = _cnn.Embedding
Conv1d = _cnn.Conv1d
Conv2d = _cnn.Conv2d
ConvTranspose2d = _cnn.ConvTranspose2d
MaxPool2d = _cnn.MaxPool2d
AvgPool2d = _cnn.AvgPool2d
AdaptiveAvgPool2d = _cnn.AdaptiveAvgPool2d

# PyTorch module names composed in Python, grouped by theme.
from .modules.activation import *  # noqa: E402,F401,F403
from .modules.distance_loss import *  # noqa: E402,F401,F403
from .modules.parameter_containers import *  # noqa: E402,F401,F403
from .modules.rnn_cell import *  # noqa: E402,F401,F403
from .modules.transformer import *  # noqa: E402,F401,F403
from .modules.vision import *  # noqa: E402,F401,F403
from .modules import rnn as _rnn_packed  # noqa: E402,F401  (RNNs accept PackedSequence)
from .modules.transformer_decoder import *  # noqa: E402,F401,F403
from .modules.conv import *  # noqa: E402,F401,F403
from .modules.sparse import *  # noqa: E402,F401,F403
