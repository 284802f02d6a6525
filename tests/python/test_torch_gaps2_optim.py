"""optim.LBFGS, optim.swa_utils and set_printoptions against PyTorch."""

import numpy as np
import pytest

import ember
from helpers import requires_torch, torch


def _e(t):
    return ember.tensor(t.detach().numpy())


def _n(t):
    return t.detach().numpy()


def _least_squares(lib, line_search_fn, steps, **kw):
    """LBFGS on a small float64 least-squares problem with an L2 term; returns the iterates
    after each step and the optimizer's counters."""
    rng = np.random.default_rng(3)
    A = lib.tensor(rng.standard_normal((12, 5)))
    b = lib.tensor(rng.standard_normal(12))
    w = lib.tensor(np.zeros(5), requires_grad=True)
    c = lib.tensor(np.ones(1), requires_grad=True)
    opt = lib.optim.LBFGS([w, c], line_search_fn=line_search_fn, **kw)

    def closure():
        opt.zero_grad()
        r = lib.matmul(A, w) + c - b
        loss = (r * r).sum() + 0.1 * (w * w).sum() + (c * c * c * c).sum()
        loss.backward()
        return loss

    path = []
    for _ in range(steps):
        opt.step(closure)
        path.append(np.concatenate([_n(w), _n(c)]))
    state = opt.state[w]
    return np.array(path), state["func_evals"], state["n_iter"]


@requires_torch
@pytest.mark.parametrize("line_search_fn,kw", [
    (None, {}),
    ("strong_wolfe", {}),
    (None, dict(lr=0.5, max_iter=4, history_size=2)),
    ("strong_wolfe", dict(max_iter=3, history_size=3)),
])
def test_lbfgs_matches_torch(line_search_fn, kw):
    ours, evals, iters = _least_squares(ember, line_search_fn, 3, **kw)
    ref, t_evals, t_iters = _least_squares(torch, line_search_fn, 3, **kw)
    np.testing.assert_allclose(ours, ref, rtol=1e-8, atol=1e-10)
    assert (evals, iters) == (t_evals, t_iters)


def test_lbfgs_reaches_the_minimum_of_a_quadratic():
    """Without PyTorch: the minimizer of 0.5 x'Qx - p'x solves Qx = p."""
    rng = np.random.default_rng(0)
    m = rng.standard_normal((6, 6))
    Q, p = m @ m.T + 6 * np.eye(6), rng.standard_normal(6)
    x = ember.zeros(6, dtype=ember.float64, requires_grad=True)
    opt = ember.optim.LBFGS([x], line_search_fn="strong_wolfe", tolerance_grad=1e-12,
                            tolerance_change=1e-20)
    Qe, pe = ember.tensor(Q), ember.tensor(p)

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x * ember.matmul(Qe, x)).sum() - (pe * x).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(Q, p), rtol=1e-8, atol=1e-10)


def test_lbfgs_errors():
    w = ember.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"\[LBFGS\] line_search_fn must be None or "
                                         r"'strong_wolfe', got 'armijo'"):
        ember.optim.LBFGS([w], line_search_fn="armijo")
    with pytest.raises(ValueError, match=r"\[LBFGS\] step\(\) needs a closure"):
        ember.optim.LBFGS([w]).step(None)
    with pytest.raises(ValueError, match=r"\[LBFGS\] doesn't support per-parameter options"):
        ember.optim.LBFGS([{"params": [w]}, {"params": [ember.zeros(1, requires_grad=True)]}])


def _bn_net(nn):
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))


@requires_torch
@pytest.mark.parametrize("ema", [False, True], ids=["swa", "ema"])
def test_swa_utils_match_torch(ema):
    tm, em = _bn_net(torch.nn).double(), _bn_net(ember.nn).to(ember.float64)
    em.load_state_dict({k: _e(v) for k, v in tm.state_dict().items()})
    tsu, esu = torch.optim.swa_utils, ember.optim.swa_utils
    tkw = dict(multi_avg_fn=tsu.get_ema_multi_avg_fn(0.9), use_buffers=True) if ema else {}
    ekw = dict(multi_avg_fn=esu.get_ema_multi_avg_fn(0.9), use_buffers=True) if ema else {}
    tswa, eswa = tsu.AveragedModel(tm, **tkw), esu.AveragedModel(em, **ekw)
    topt = torch.optim.SGD(tm.parameters(), lr=0.1)
    eopt = ember.optim.SGD(em.parameters(), lr=0.1)
    tsched = tsu.SWALR(topt, swa_lr=0.02, anneal_epochs=3)
    esched = esu.SWALR(eopt, swa_lr=0.02, anneal_epochs=3)
    rng = np.random.default_rng(0)
    for _ in range(6):
        x = torch.tensor(rng.standard_normal((8, 3)))
        topt.zero_grad()
        tm(x).square().mean().backward()
        topt.step()
        eopt.zero_grad()
        em(_e(x)).square().mean().backward()
        eopt.step()
        tswa.update_parameters(tm)
        eswa.update_parameters(em)
        tsched.step()
        esched.step()
        assert esched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)
    batches = [torch.tensor(rng.standard_normal((8, 3))) for _ in range(3)]
    tsu.update_bn(batches, tswa)
    esu.update_bn([_e(b) for b in batches], eswa)
    tsd, esd = tswa.state_dict(), eswa.state_dict()
    assert sorted(esd) == sorted(tsd)
    for k, v in tsd.items():
        np.testing.assert_allclose(_n(esd[k]), _n(v), rtol=1e-10, atol=1e-12)
    x = torch.tensor(rng.standard_normal((5, 3)))
    tswa.eval()
    eswa.eval()
    np.testing.assert_allclose(_n(eswa(_e(x))), _n(tswa(x)), rtol=1e-10, atol=1e-12)


def test_swa_average_without_torch():
    model = ember.nn.Linear(2, 1)
    swa = ember.optim.swa_utils.AveragedModel(model)
    seen = []
    for k in range(3):
        with ember.no_grad():
            model.weight.fill_(float(k))
        seen.append(float(k))
        swa.update_parameters(model)
    assert swa.module.weight.tolist() == [[np.mean(seen)] * 2] and int(swa.n_averaged) == 3
    with pytest.raises(ValueError, match=r"\[SWALR\] anneal_strategy must be 'cos' or "
                                         r"'linear'"):
        ember.optim.swa_utils.SWALR(ember.optim.SGD(model.parameters(), lr=0.1), 0.05,
                                    anneal_strategy="exp")


PRINT_ARRAYS = [
    np.random.default_rng(0).standard_normal((3, 4)),
    np.random.default_rng(1).standard_normal(2000) * 100,
    np.array([1e-5, 1.0, 100.0]),
    np.arange(12.0).reshape(3, 4),
    np.array([1e9, 1.0]),
    np.random.default_rng(2).standard_normal((4, 5, 6)) * 1e3,
    np.array([0.0, np.nan, np.inf]),
    np.array(3.25),
    np.zeros((2, 0)),
    np.random.default_rng(3).integers(-1000, 1000, (40, 50)),
    np.array([True, False]),
]
PRINT_OPTIONS = [dict(precision=2), dict(precision=8, sci_mode=True),
                 dict(threshold=5, edgeitems=2), dict(linewidth=40, sci_mode=False),
                 dict(profile="short"), dict(profile="full", linewidth=200),
                 dict(edgeitems=0, threshold=3)]


@pytest.fixture
def restore_printoptions():
    yield
    ember.set_printoptions(profile="default")
    if torch is not None:
        torch.set_printoptions(profile="default")


@requires_torch
@pytest.mark.parametrize("options", PRINT_OPTIONS, ids=str)
def test_printoptions_match_torch(options, restore_printoptions):
    torch.set_printoptions(**options)
    ember.set_printoptions(**options)
    for a in PRINT_ARRAYS:
        for arr in ([a.astype(np.float32), a] if a.dtype.kind == "f" else [a]):
            expected = repr(torch.tensor(arr)).replace("torch.", "ember.")
            assert repr(ember.tensor(arr)) == expected


@requires_torch
def test_printoptions_suffixes_match_torch(restore_printoptions):
    ember.set_printoptions(precision=3)
    torch.set_printoptions(precision=3)
    x = np.linspace(-1, 1, 7)
    t = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    e = ember.tensor(x, dtype=ember.float32, requires_grad=True)
    assert repr(e) == repr(t)
    assert repr(e * 2) == repr(t * 2)
    assert repr(ember.nn.Parameter(e.detach())) == repr(torch.nn.Parameter(t.detach()))


def test_printoptions_without_torch(restore_printoptions):
    ember.set_printoptions(precision=2)
    assert repr(ember.tensor([1.23456, 2.0])) == "tensor([1.23, 2.00])"
    assert ember.get_printoptions()["precision"] == 2
    ember.set_printoptions(threshold=4, edgeitems=1)
    assert repr(ember.arange(10.0)) == "tensor([0.,  ..., 9.])"   # PyTorch pads " ..."
    ember.set_printoptions(profile="default", sci_mode=True)
    assert repr(ember.tensor([1.5])) == "tensor([1.5000e+00])"
    with pytest.raises(ValueError, match=r"\[set_printoptions\] profile must be one of"):
        ember.set_printoptions(profile="long")


@requires_torch
def test_python_formatter_matches_torch_at_defaults():
    """The Python formatter (used while options differ from the defaults) prints what
    PyTorch prints at the defaults too, including the grad suffixes."""
    from ember._printoptions import tensor_repr
    for a in PRINT_ARRAYS:
        arr = a.astype(np.float32) if a.dtype.kind == "f" else a
        assert tensor_repr(ember.tensor(arr)) == repr(torch.tensor(arr))
    t = torch.ones(3, requires_grad=True)
    e = ember.ones(3, requires_grad=True)
    assert tensor_repr(e) == repr(t) and tensor_repr(e * 2) == repr(t * 2)
