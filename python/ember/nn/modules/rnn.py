"""RNN, LSTM and GRU (C++ layers) taking a PackedSequence as input, as in torch.nn: the
dense forward is C++; a packed input is run by nn.utils.rnn.rnn_forward_packed."""

from ... import _C
from ..utils.rnn import PackedSequence, rnn_forward_packed

_dense_forward = _C.nn.RNNBase.forward


def _forward(self, input, hx=None):
    if isinstance(input, PackedSequence):
        return rnn_forward_packed(self, _dense_forward, input, hx)
    return _dense_forward(self, input, hx)


_forward.__doc__ = _dense_forward.__doc__
_C.nn.RNNBase.forward = _forward
