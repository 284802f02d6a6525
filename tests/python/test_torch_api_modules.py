"""nn modules with PyTorch names composed in Python: reprs as torch prints them, forward and
gradients against torch, PyTorch state dicts loading, tracing under ember.function."""

import numpy as np
import pytest

import ember
import ember.nn as nn
from helpers import rand, requires_torch, torch
from torch_compare import compare

pytestmark = requires_torch

SAME_ARGS = [
    ("Mish", ()), ("Hardswish", ()), ("Hardsigmoid", ()), ("Softsign", ()), ("Tanhshrink", ()),
    ("LogSigmoid", ()), ("SELU", ()), ("CELU", (0.5,)), ("GLU", ()), ("GLU", (1,)),
    ("Softmin", (1,)), ("Threshold", (0.1, 20.0)), ("Softmax2d", ()), ("PReLU", ()),
    ("PReLU", (4,)), ("Upsample", (None, 2)), ("Upsample", ((6, 8), None, "bilinear", True)),
    ("PixelShuffle", (2,)), ("PixelUnshuffle", (2,)), ("ZeroPad2d", (1,)),
    ("ZeroPad2d", ((1, 0, 2, 1),)), ("ConstantPad2d", (2, 0.5)), ("ReflectionPad2d", (1,)),
    ("ReplicationPad2d", ((1, 2, 0, 1),)), ("Dropout2d", (0.3,)), ("Dropout1d", (0.2,)),
    ("ZeroPad1d", (2,)),
    ("ConstantPad1d", ((1, 2), 0.5)), ("ReflectionPad1d", (1,)), ("ReplicationPad1d", ((0, 2),)),
    ("MaxPool1d", (3,)), ("MaxPool1d", (3, 2, 1)), ("AvgPool1d", (3,)), ("AvgPool1d", (2, 1)),
    ("AdaptiveAvgPool1d", (3,)), ("AdaptiveMaxPool2d", ((2, 2),)), ("InstanceNorm2d", (4,)),
    ("InstanceNorm2d", (4, 1e-3, 0.2, True, True)), ("CosineSimilarity", ()),
    ("PairwiseDistance", ()), ("TripletMarginLoss", ()), ("MarginRankingLoss", (0.2,)),
    ("CosineEmbeddingLoss", ()), ("LSTMCell", (3, 5)), ("GRUCell", (3, 5, False)),
    ("RNNCell", (3, 5)), ("Unfold", (2,)), ("Fold", ((4, 5), 2)), ("PoissonNLLLoss", ()),
    ("MultiMarginLoss", ()), ("Hardtanh", ()), ("Hardtanh", (-2.0, 3.0, True)), ("ReLU6", ()),
    ("Softshrink", ()), ("Hardshrink", (0.3,)), ("RMSNorm", (8,)), ("RMSNorm", ((2, 8), 1e-5)),
]


@pytest.mark.parametrize("name,args", SAME_ARGS, ids=[f"{n}{a}" for n, a in SAME_ARGS])
def test_repr_matches_torch(name, args):
    e, t = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(e) == repr(t)


IMAGE_MODULES = ["Mish", "Hardswish", "Hardsigmoid", "Softsign", "Tanhshrink", "LogSigmoid",
                 "SELU", "Softmax2d"]


@pytest.mark.parametrize("name", IMAGE_MODULES)
def test_activation_module_forward_backward(name):
    compare(getattr(nn, name)(), getattr(torch.nn, name)(), rand(2, 4, 3, 3, low=-4, high=4))


@pytest.mark.parametrize("name,args,shape", [
    ("CELU", (0.5,), (2, 4)), ("GLU", (1,), (2, 4)), ("Softmin", (1,), (2, 4)),
    ("Threshold", (0.1, 20.0), (2, 4)), ("Upsample", (None, 2), (1, 2, 3, 3)),
    ("Upsample", ((5, 4), None, "bilinear", False), (1, 2, 3, 3)),
    ("PixelShuffle", (2,), (1, 8, 2, 3)), ("ZeroPad2d", ((1, 0, 2, 1),), (1, 2, 3, 3)),
    ("ConstantPad2d", (2, 0.5), (1, 2, 3, 3)), ("ReflectionPad2d", (1,), (1, 2, 3, 3)),
    ("ReplicationPad2d", ((1, 2, 0, 1),), (1, 2, 3, 3)), ("ZeroPad1d", (2,), (2, 3, 4)),
    ("ConstantPad1d", ((1, 2), 0.5), (2, 3, 4)), ("ReflectionPad1d", (2,), (2, 3, 4)),
    ("ReplicationPad1d", ((0, 2),), (2, 3, 4)),
    ("MaxPool1d", (3, 2, 1), (2, 3, 8)), ("AvgPool1d", (3, 2), (2, 3, 8)),
    ("AdaptiveAvgPool1d", (4,), (2, 3, 8)), ("AdaptiveMaxPool2d", ((2, 1),), (2, 3, 4, 4)),
    ("InstanceNorm2d", (3,), (2, 3, 4, 4)), ("InstanceNorm2d", (3,), (3, 4, 4)),
    ("Hardtanh", (-0.5, 0.7), (2, 5)), ("ReLU6", (), (2, 5)), ("Softshrink", (0.4,), (2, 5)),
    ("Hardshrink", (0.4,), (2, 5)), ("RMSNorm", (5,), (2, 5)),
    ("RMSNorm", ((3, 5), 1e-3), (2, 3, 5)),
])
def test_module_forward_backward(name, args, shape):
    compare(getattr(nn, name)(*args), getattr(torch.nn, name)(*args), rand(*shape))


def _load_from_torch(e, t):
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})


def test_rms_norm_loads_torch_weight():
    t = torch.nn.RMSNorm(6).double()
    with torch.no_grad():
        t.weight.uniform_(0.5, 1.5)
    e = nn.RMSNorm(6).double()
    _load_from_torch(e, t)
    compare(e, t, rand(3, 6))


def test_prelu_and_instance_norm_affine_load_torch_weights():
    tp = torch.nn.PReLU(3, init=0.1).double()
    ep = nn.PReLU(3, init=0.1).double()
    assert list(ep.state_dict()) == list(tp.state_dict()) == ["weight"]
    compare(ep, tp, rand(2, 3, 4))
    ti = torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True).double()
    ei = nn.InstanceNorm2d(3, affine=True, track_running_stats=True).double()
    assert sorted(ei.state_dict()) == sorted(k for k in ti.state_dict()
                                             if k != "num_batches_tracked")
    x = rand(2, 3, 4, 4)
    compare(ei, ti, x)
    np.testing.assert_allclose(ei.running_mean.numpy(), ti.running_mean.numpy(), rtol=1e-10)
    ei.eval()
    ti.eval()
    compare(ei, ti, x)


@pytest.mark.parametrize("cell", ["LSTMCell", "GRUCell", "RNNCell"])
@pytest.mark.parametrize("bias", [True, False])
def test_rnn_cells_load_torch_state_dict(cell, bias):
    torch.manual_seed(0)
    t = getattr(torch.nn, cell)(3, 5, bias=bias).double()
    e = getattr(nn, cell)(3, 5, bias=bias).double()
    assert list(e.state_dict()) == list(t.state_dict())
    _load_from_torch(e, t)
    x, h = rand(4, 3), rand(4, 5, seed=1)
    if cell == "LSTMCell":
        c = rand(4, 5, seed=2)
        compare(lambda a, b, cc: e(a, (b, cc)), lambda a, b, cc: t(a, (b, cc)), x, h, c)
        compare(lambda a: e(a), lambda a: t(a), rand(3))  # unbatched, zero state
    else:
        compare(lambda a, b: e(a, b), lambda a, b: t(a, b), x, h)
        compare(lambda a: e(a), lambda a: t(a), rand(3))
    with pytest.raises(ValueError, match=rf"\[{cell}\] expects input \(batch, 3\).*\(4, 7\)"):
        e(ember.ones(4, 7, dtype=ember.float64))


def test_transformer_encoder_matches_torch():
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True)
    tenc = torch.nn.TransformerEncoder(tl, 3, norm=torch.nn.LayerNorm(8),
                                       enable_nested_tensor=False).double().eval()
    el = nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True)
    eenc = nn.TransformerEncoder(el, 3, norm=nn.LayerNorm(8)).double().eval()
    assert list(eenc.state_dict()) == list(tenc.state_dict())
    _load_from_torch(eenc, tenc)
    x = rand(2, 5, 8)
    compare(eenc, tenc, x, rtol=1e-5)
    mask = np.triu(np.full((5, 5), -np.inf), 1)
    compare(lambda a, m: eenc(a, mask=m), lambda a, m: tenc(a, mask=m), x, mask,
            grad=[True, False], rtol=1e-5)
    # layers are copies, not one shared layer
    assert eenc.layers[0].linear1.weight is not eenc.layers[1].linear1.weight


def test_parameter_list_and_dict():
    pl = nn.ParameterList([nn.Parameter(ember.ones(2)), ember.zeros(3)])
    pl.append(nn.Parameter(ember.ones(1)))
    tl = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2)), torch.zeros(3),
                                 torch.nn.Parameter(torch.ones(1))])
    assert len(pl) == 3 and list(pl.state_dict()) == list(tl.state_dict())
    assert [tuple(p.shape) for p in pl] == [(2,), (3,), (1,)]
    assert all(p.requires_grad for p in pl.parameters())
    assert tuple(pl[-1].shape) == (1,) and len(pl[1:]) == 2
    with pytest.raises(IndexError, match=r"\[ParameterList\] index 5"):
        pl[5]
    pd = nn.ParameterDict({"a": nn.Parameter(ember.ones(2))})
    pd["b"] = nn.Parameter(ember.zeros(1))
    assert list(pd.keys()) == ["a", "b"] and "a" in pd and list(pd.state_dict()) == ["a", "b"]
    assert len(list(pd.parameters())) == 2 and pd.get("c") is None
    with pytest.raises(KeyError, match=r"\[ParameterDict\] no parameter named 'c'"):
        pd["c"]

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([nn.Parameter(ember.ones(2, 2)) for _ in range(2)])

        def forward(self, x):
            for w in self.ws:
                x = x @ w
            return x
    h = Holder()
    assert list(h.state_dict()) == ["ws.0", "ws.1"]
    h(ember.ones(1, 2)).sum().backward()
    assert all(p.grad is not None for p in h.parameters())


class Net(nn.Module):
    """A model built only from the new layers, for the tracing check."""

    def __init__(self):
        super().__init__()
        self.pad = nn.ReflectionPad2d(1)
        self.conv = nn.Conv2d(3, 8, 3)
        self.norm = nn.InstanceNorm2d(8, affine=True)
        self.act = nn.Hardswish()
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.shuffle = nn.PixelShuffle(2)
        self.pool = nn.AdaptiveMaxPool2d(2)
        self.prelu = nn.PReLU()
        self.cell = nn.GRUCell(8, 6)

    def forward(self, x):
        y = self.act(self.norm(self.conv(self.pad(x))))
        y = self.pool(self.shuffle(self.up(y)).repeat(1, 4, 1, 1))
        return self.cell(self.prelu(y.mean((2, 3)) + ember.einsum("ncij->nc", y)))


def test_module_with_new_layers_traces_equal_to_eager():
    ember.manual_seed(0)
    net = Net()
    x = ember.randn(2, 3, 6, 6)
    with ember.no_grad():
        eager = net(x)
    traced = ember.function(lambda t: net(t))
    with ember.no_grad():
        for _ in range(3):
            np.testing.assert_allclose(traced(x).numpy(), eager.numpy(), rtol=1e-5, atol=1e-6)
    assert traced.num_traces == 1
    out = net(x)
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
