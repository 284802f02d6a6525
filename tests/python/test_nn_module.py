"""nn.Module: registration by attribute, traversal, modes, state dicts, hooks, containers."""

import pytest

import ember
from ember import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(3, 2)
        self.register_buffer("steps", ember.zeros(1))
        self.scale = 2.0

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


class OldStyle(nn.Module):
    def __init__(self):
        super(OldStyle, self).__init__()
        self.w = nn.Parameter(ember.ones(2))

    def forward(self, x):
        return x * self.w


def test_registration_by_assignment_and_order():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [n for n, _ in net.named_buffers()] == ["steps"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert len(list(net.modules())) == 4
    assert net.scale == 2.0
    assert isinstance(net.fc1.weight, nn.Parameter)
    assert net.fc1.weight is net.fc1.weight
    assert all(p.requires_grad for p in net.parameters())


def test_forward_backward_through_python_module():
    net = Net()
    y = net(ember.ones(5, 4))
    assert y.shape == (5, 2)
    y.sum().backward()
    assert net.fc1.weight.grad.shape == (3, 4)


def test_super_with_class_argument():
    m = OldStyle()
    assert m(ember.ones(2)).tolist() == [1.0, 1.0]


def test_train_eval_propagates():
    net = Net()
    assert net.training
    assert net.eval() is net
    assert not net.training and not net.fc1.training
    net.train()
    assert net.fc2.training


def test_zero_grad_sets_none():
    net = Net()
    net(ember.ones(1, 4)).sum().backward()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_roundtrip_and_errors():
    a, b = Net(), Net()
    b.load_state_dict(a.state_dict())
    assert b.fc1.weight.tolist() == a.fc1.weight.tolist()
    sd = a.state_dict()
    assert list(sd) == ["steps", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"] or \
        set(sd) == {"steps", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
    del sd["fc2.bias"]
    sd["extra"] = ember.zeros(1)
    with pytest.raises(RuntimeError) as e:
        b.load_state_dict(sd)
    assert "fc2.bias" in str(e.value) and "extra" in str(e.value)
    result = b.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["fc2.bias"] and result.unexpected_keys == ["extra"]


def test_loading_another_models_state_names_shapes():
    other = nn.Sequential(nn.Linear(4, 5))
    with pytest.raises(RuntimeError, match=r"size mismatch for 0\.weight"):
        nn.Sequential(nn.Linear(4, 3)).load_state_dict(other.state_dict())


def test_assigning_tensor_to_parameter_slot_is_type_error():
    net = Net()
    with pytest.raises(TypeError, match="Parameter"):
        net.fc1.weight = ember.zeros(3, 4)
    net.fc1.weight = nn.Parameter(ember.zeros(3, 4))
    assert net.fc1.weight.tolist()[0] == [0.0] * 4


def test_forward_hooks():
    net = Net()
    seen = []
    h = net.fc1.register_forward_hook(lambda m, inp, out: seen.append(tuple(out.shape)))
    net(ember.ones(2, 4))
    h.remove()
    net(ember.ones(2, 4))
    assert seen == [(2, 3)]


def test_repr_like_pytorch():
    assert repr(nn.Linear(4, 3)) == "Linear(in_features=4, out_features=3, bias=True)"
    r = repr(Net())
    assert r.startswith("Net(\n  (fc1): Linear(in_features=4, out_features=3, bias=True)")


def test_sequential_indexing_and_python_children():
    seq = nn.Sequential(nn.Linear(4, 3), OldStyle.__new__(OldStyle) if False else nn.ReLU())
    assert len(seq) == 2
    assert isinstance(seq[0], nn.Linear)
    assert isinstance(seq[-1], nn.ReLU)
    assert seq(ember.ones(1, 4)).shape == (1, 3)
    with pytest.raises(IndexError):
        seq[5]


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(ml) == 3 and len(list(ml.parameters())) == 6
    ml.append(nn.ReLU())
    assert isinstance(ml[3], nn.ReLU)
    md = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.ReLU()})
    assert "a" in md and list(md.keys()) == ["a", "b"]
    assert isinstance(md["b"], nn.ReLU)


def test_shared_parameters_listed_once():
    a = nn.Linear(2, 2)
    seq = nn.Sequential(a, a)
    assert len(list(seq.parameters())) == 2


def test_to_dtype_keeps_parameter_identity():
    m = nn.Linear(2, 2)
    w = m.weight
    m.double()
    assert m.weight.dtype == ember.float64
    assert w.dtype == ember.float64


def test_wrong_input_features_names_module_and_shapes():
    with pytest.raises(ValueError, match=r"\[Linear\].*4 features.*\[2, 5\]"):
        nn.Linear(4, 3)(ember.ones(2, 5))


def test_missing_forward():
    class NoForward(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="NoForward"):
        NoForward()(ember.ones(1))


def test_apply_and_requires_grad_():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and "Linear" in seen
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_linear_without_bias_has_bias_none_like_torch():
    lin = ember.nn.Linear(3, 2, bias=False)
    assert lin.bias is None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    assert list(lin.state_dict()) == ["weight"]
    assert ember.nn.Bilinear(2, 2, 3, bias=False).bias is None


def test_deleted_parameter_raises_attribute_error_not_a_crash():
    lin = ember.nn.Linear(3, 2)
    w = lin.weight
    del lin.weight
    assert not hasattr(lin, "weight")
    with pytest.raises(AttributeError, match=r"\[Linear\] parameter 'weight' was removed"):
        lin(ember.ones(1, 3))
    lin.weight = ember.nn.Parameter(w.detach())  # the reparametrization idiom
    assert lin(ember.ones(1, 3)).shape == (1, 2)
