"""PyTorch training scripts as users write them, run with `import ember as torch`: a CNN on
the bundled digits with Dataset/DataLoader, schedules and clipping; checkpoint and resume;
a custom Module with containers, buffers, param groups and init; torch.compile and AMP
boilerplate. Where the numbers can be matched, the same script runs on real PyTorch with
the same weights and the results are compared."""

import numpy as np
import pytest

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.datasets import load_digits
from ember.utils.data import DataLoader, Dataset
from helpers import requires_torch
from helpers import torch as real_torch


# ---------------------------------------------------------------- (a) CNN on the digits

class DigitsDataset(Dataset):
    def __init__(self, x, y, transform=None):
        self.x, self.y, self.transform = x, y, transform

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        img = self.x[i]
        if self.transform is not None:
            img = self.transform(img)
        return img, self.y[i]


class DictDataset(Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"image": self.x[i], "label": int(self.y[i])}


def make_cnn(nn, dropout=0.25):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(16)
            self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.dropout = nn.Dropout(dropout)
            self.fc1 = nn.Linear(32 * 2 * 2, 64)
            self.fc2 = nn.Linear(64, 10)

        def forward(self, x):
            F = nn.functional
            x = self.pool(F.relu(self.bn1(self.conv1(x))))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.flatten(1)
            x = self.dropout(F.relu(self.fc1(x)))
            return self.fc2(x)

    return Net()


def test_digits_cnn_script_trains_and_evaluates():
    torch.manual_seed(0)
    xtr, ytr, xte, yte = load_digits(flatten=False)
    mean, std = xtr.mean(), xtr.std()
    norm = lambda img: (img - mean) / std  # noqa: E731  (a transforms-style callable)
    train_dl = DataLoader(DigitsDataset(xtr, ytr, norm), batch_size=64, shuffle=True,
                          drop_last=True, num_workers=0)
    test_dl = DataLoader(DigitsDataset(xte, yte, norm), batch_size=128, shuffle=False)
    assert len(train_dl) == len(xtr) // 64 and len(test_dl) == -(-len(xte) // 128)

    model = make_cnn(nn)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)

    def evaluate():
        model.eval()
        correct = total = 0
        with torch.no_grad():
            for x, y in test_dl:
                pred = model(x).argmax(dim=1)
                correct += pred.eq(y).sum().item()
                total += y.size(0)
        return correct / total

    acc0 = evaluate()
    epoch_losses = []
    for epoch in range(4):
        model.train()
        running = 0.0
        for x, y in train_dl:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            norm_before = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            assert norm_before.item() >= 0
            optimizer.step()
            running += loss.item() * x.size(0)
        scheduler.step()
        epoch_losses.append(running / (len(train_dl) * 64))
    acc = evaluate()
    assert scheduler.get_last_lr() == pytest.approx([0.05 * 0.25])
    assert epoch_losses[-1] < 0.5 * epoch_losses[0]
    assert acc > 0.9 and acc > acc0 + 0.5
    assert not model.training
    with torch.inference_mode():
        out = model(xte[:5])
        assert torch.is_inference_mode_enabled()
    assert not out.requires_grad and not torch.is_inference_mode_enabled()
    probs = F.softmax(out, dim=-1).sum(-1)
    np.testing.assert_allclose(probs.numpy(), np.ones(5), rtol=1e-5)


def test_dataloader_shuffles_every_index_and_collates_dicts():
    x = torch.arange(20).float().reshape(10, 2)
    y = torch.arange(10)
    dl = DataLoader(DictDataset(x, y), batch_size=4, shuffle=True, drop_last=False)
    seen = []
    for batch in dl:
        assert set(batch) == {"image", "label"}
        assert batch["label"].dtype == torch.int64 and batch["image"].shape[1:] == (2,)
        seen += batch["label"].tolist()
    assert sorted(seen) == list(range(10)) and len(dl) == 3
    assert [len(b["label"]) for b in DataLoader(DictDataset(x, y), 4, drop_last=True)] == [4, 4]


@requires_torch
def test_cnn_training_steps_match_pytorch():
    """Same weights, same batches: SGD with momentum, weight decay, clipping and BatchNorm in
    train mode give PyTorch's losses and weights."""
    torch.manual_seed(0)
    xtr, ytr, _, _ = load_digits(flatten=False)
    em = make_cnn(nn, dropout=0.0)
    th = make_cnn(real_torch.nn, dropout=0.0).double()
    em = em.double()
    th.load_state_dict({k: real_torch.tensor(v.numpy()) for k, v in em.state_dict().items()})
    opt_e = torch.optim.SGD(em.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    opt_t = real_torch.optim.SGD(th.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    for step in range(4):
        xb = xtr[step * 32:(step + 1) * 32].double()
        yb = ytr[step * 32:(step + 1) * 32]
        losses = []
        for model, opt, lib, x, y in ((em, opt_e, torch, xb, yb),
                                      (th, opt_t, real_torch, real_torch.tensor(xb.numpy()),
                                       real_torch.tensor(yb.numpy()))):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            opt.step()
            losses.append(loss.item())
        assert losses[0] == pytest.approx(losses[1], rel=1e-9)
    for (k, v), (k2, v2) in zip(em.state_dict().items(), th.state_dict().items()):
        assert k == k2
        np.testing.assert_allclose(v.numpy(), v2.numpy(), rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------- lr schedules vs PyTorch

def _lr_trace(lib, make_opt, make_sched, steps, metrics=None):
    p, q = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(2))
    opt = make_opt(lib, [{"params": [p]}, {"params": [q], "lr": 0.05}])
    sched = make_sched(lib, opt)
    lrs, moms = [], []
    for i in range(steps):
        opt.step()
        sched.step(metrics[i]) if metrics else sched.step()
        g = opt.param_groups[0]
        lrs.append([grp["lr"] for grp in opt.param_groups])
        moms.append(g["betas"][0] if "betas" in g.keys() else g["momentum"])
    return np.array(lrs), np.array(moms)


_SGD = lambda lib, ps: lib.optim.SGD(ps, lr=0.1, momentum=0.9)  # noqa: E731
_ADAM = lambda lib, ps: lib.optim.Adam(ps, lr=0.1)  # noqa: E731
_S = lambda lib: lib.optim.lr_scheduler  # noqa: E731
_SCHEDULES = {
    "StepLR": (_SGD, lambda m, o: _S(m).StepLR(o, 4, 0.5)),
    "MultiStepLR": (_SGD, lambda m, o: _S(m).MultiStepLR(o, [3, 10], 0.3)),
    "ExponentialLR": (_SGD, lambda m, o: _S(m).ExponentialLR(o, 0.9)),
    "CosineAnnealingLR": (_SGD, lambda m, o: _S(m).CosineAnnealingLR(o, T_max=10, eta_min=1e-3)),
    "LambdaLR": (_SGD, lambda m, o: _S(m).LambdaLR(o, lambda e: 0.95 ** e)),
    "LinearLR": (_SGD, lambda m, o: _S(m).LinearLR(o, start_factor=0.1, total_iters=8)),
    "OneCycleLR-epochs": (_SGD, lambda m, o: _S(m).OneCycleLR(o, max_lr=0.5, epochs=3,
                                                             steps_per_epoch=10)),
    "OneCycleLR-adam-3phase": (_ADAM, lambda m, o: _S(m).OneCycleLR(
        o, max_lr=0.5, total_steps=30, anneal_strategy="linear", three_phase=True)),
    "ReduceLROnPlateau": (_SGD, lambda m, o: _S(m).ReduceLROnPlateau(o, patience=2, factor=0.5,
                                                                     cooldown=1)),
    "ConstantLR": (_SGD, lambda m, o: _S(m).ConstantLR(o, factor=0.5, total_iters=4)),
    "PolynomialLR": (_SGD, lambda m, o: _S(m).PolynomialLR(o, total_iters=20, power=2.0)),
    "MultiplicativeLR": (_SGD, lambda m, o: _S(m).MultiplicativeLR(o, lambda e: 0.9)),
    "CosineAnnealingWarmRestarts": (_SGD, lambda m, o: _S(m).CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=0.01)),
    "SequentialLR-warmup-cosine": (_SGD, lambda m, o: _S(m).SequentialLR(
        o, [_S(m).LinearLR(o, start_factor=0.1, total_iters=5),
            _S(m).CosineAnnealingLR(o, T_max=20)], milestones=[5])),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(_SCHEDULES))
def test_lr_schedule_matches_pytorch(name):
    make_opt, make_sched = _SCHEDULES[name]
    metrics = [1.0, 0.9] + [0.95] * 5 + [0.8] * 22 if name == "ReduceLROnPlateau" else None
    # 29 steps: OneCycleLR's 30-step schedule ends there (PyTorch extrapolates past its end)
    lr_e, mom_e = _lr_trace(torch, make_opt, make_sched, 29, metrics)
    lr_t, mom_t = _lr_trace(real_torch, make_opt, make_sched, 29, metrics)
    np.testing.assert_allclose(lr_e, lr_t, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mom_e, mom_t, rtol=1e-12)


def test_second_schedule_scales_the_first_lr_not_the_warmed_up_one():
    p = nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0)
    torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3)
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    assert cos.base_lrs == [1.0] and opt.param_groups[0]["lr"] == 1.0


def test_onecycle_needs_total_steps_or_epochs():
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match="total_steps OR"):
        torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, epochs=3)
    opt = torch.optim.RMSprop([nn.Parameter(torch.zeros(1))], lr=0.1)
    opt.param_groups[0]  # RMSprop has momentum: cycling is allowed
    torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=5)


# ---------------------------------------------------------------- (b) checkpoint / resume

def _make_run():
    torch.manual_seed(1)
    m = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 2))
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    return m, opt, sched


def _train(m, opt, sched, X, Y, epochs):
    losses = []
    for _ in range(epochs):
        m.train()
        opt.zero_grad()
        loss = F.cross_entropy(m(X), Y)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    return losses


def test_checkpoint_resume_continues_exactly(tmp_path):
    torch.manual_seed(0)
    X, Y = torch.randn(32, 4), torch.randint(0, 2, (32,))
    full = _train(*_make_run(), X, Y, 10)

    m, opt, sched = _make_run()
    first = _train(m, opt, sched, X, Y, 5)
    path = tmp_path / "ckpt.pt"
    torch.save({"model": m.state_dict(), "optim": opt.state_dict(),
                "sched": sched.state_dict(), "epoch": 5, "losses": first,
                "best_acc": np.float32(0.75)}, path)
    del m, opt, sched

    ck = torch.load(path, map_location="cpu")
    assert ck["epoch"] == 5 and ck["losses"] == first and ck["best_acc"] == 0.75
    m2, opt2, sched2 = _make_run()
    result = m2.load_state_dict(ck["model"])
    assert result.missing_keys == [] and result.unexpected_keys == []
    opt2.load_state_dict(ck["optim"])
    sched2.load_state_dict(ck["sched"])
    assert sched2.last_epoch == 5 and opt2.param_groups[0]["lr"] == pytest.approx(5e-3)
    rest = _train(m2, opt2, sched2, X, Y, 5)
    assert rest == full[5:]


def test_load_state_dict_strict_and_non_strict():
    m, _, _ = _make_run()
    sd = dict(m.state_dict())
    assert "1.running_mean" in sd and "1.num_batches_tracked" in sd
    sd.pop("3.bias")
    sd["extra"] = torch.zeros(1)
    r = m.load_state_dict(sd, strict=False)
    assert r.missing_keys == ["3.bias"] and r.unexpected_keys == ["extra"]
    with pytest.raises(RuntimeError, match="Missing key.*3.bias.*Unexpected key.*extra"):
        m.load_state_dict(sd)


def test_saving_a_module_says_to_save_its_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"save its state_dict\(\)"):
        torch.save(nn.Linear(2, 2), tmp_path / "m.pt")


# ---------------------------------------------------------------- (c) custom Module

class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.lin = nn.Linear(d, d)
        self.norm = nn.LayerNorm(d)

    def forward(self, x):
        return x + torch.relu(self.lin(self.norm(x)))


class MultiHead(nn.Module):
    def __init__(self, d=8, n=3):
        super().__init__()
        self.blocks = nn.ModuleList([Block(d) for _ in range(n)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(d, 3), "reg": nn.Linear(d, 1)})
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(d)) for _ in range(n)])
        self.temp = nn.Parameter(torch.tensor(1.0))
        self.register_buffer("mean", torch.zeros(d))
        self.register_buffer("calls", torch.tensor(0), persistent=False)

    def forward(self, x):
        x = x - self.mean
        for blk, s in zip(self.blocks, self.scales):
            x = blk(x) * s
        self.calls += 1
        return {k: h(x) / self.temp for k, h in self.heads.items()}


def _init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight, gain=nn.init.calculate_gain("relu"))
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.constant_(m.bias, 0.0)


def test_custom_module_containers_groups_and_init():
    torch.manual_seed(0)
    net = MultiHead()
    net.apply(_init_weights)
    assert all(net.get_parameter(f"blocks.{i}.lin.bias").abs().sum().item() == 0
               for i in range(3))
    assert net.get_buffer("mean").shape == (8,)
    assert "calls" not in net.state_dict() and "mean" in net.state_dict()
    assert "ParameterList(\n    (0): Parameter containing" in repr(net)

    decay, no_decay = [], []
    for name, p in net.named_parameters():
        (no_decay if p.ndim <= 1 or name.endswith(".bias") else decay).append(p)
    assert len(decay) == 5 and len(decay) + len(no_decay) == len(list(net.parameters()))
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0, "lr": 3e-3}], lr=1e-3)
    assert [g["lr"] for g in opt.param_groups] == [1e-3, 3e-3]
    assert [g["weight_decay"] for g in opt.param_groups] == [0.1, 0.0]

    for p in net.blocks[0].parameters():
        p.requires_grad_(False)
    frozen = {n: p.detach().clone() for n, p in net.named_parameters() if "blocks.0" in n}
    x, y, t = torch.randn(16, 8), torch.randint(0, 3, (16,)), torch.randn(16, 1)
    losses = []
    for _ in range(40):
        out = net(x)
        loss = F.cross_entropy(out["cls"], y) + F.mse_loss(out["reg"], t)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    assert net.calls.item() == 40 and net.blocks[0].lin.weight.grad is None
    for n, p in net.named_parameters():
        if n in frozen:
            assert torch.equal(p, frozen[n])
    net.blocks.append(Block(8))
    net.heads["aux"] = nn.Identity()
    assert len(net.blocks) == 4 and list(net.heads.keys()) == ["cls", "reg", "aux"]
    vec = nn.utils.parameters_to_vector(net.parameters())
    assert vec.numel() == sum(p.numel() for p in net.parameters())
    nn.utils.vector_to_parameters(torch.zeros_like(vec), net.parameters())
    assert net.temp.item() == 0.0


@requires_torch
def test_custom_module_parameter_order_matches_pytorch():
    class TorchMultiHead(real_torch.nn.Module):
        def __init__(self, d=8, n=3):
            super().__init__()
            tnn = real_torch.nn
            self.blocks = tnn.ModuleList([tnn.Sequential() for _ in range(n)])
            for b in self.blocks:
                b.lin, b.norm = tnn.Linear(d, d), tnn.LayerNorm(d)
            self.heads = tnn.ModuleDict({"cls": tnn.Linear(d, 3), "reg": tnn.Linear(d, 1)})
            self.scales = tnn.ParameterList([tnn.Parameter(real_torch.ones(d)) for _ in range(n)])
            self.temp = tnn.Parameter(real_torch.tensor(1.0))
            self.register_buffer("mean", real_torch.zeros(d))
            self.register_buffer("calls", real_torch.tensor(0), persistent=False)

    em, th = MultiHead(), TorchMultiHead()
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in th.named_parameters()]
    assert [n for n, _ in em.named_buffers()] == [n for n, _ in th.named_buffers()]
    assert sorted(em.state_dict()) == sorted(th.state_dict())


# ---------------------------------------------------------------- (h) compile and AMP

def test_compile_and_amp_boilerplate_runs():
    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.set_float32_matmul_precision("high")
    torch.cuda.manual_seed_all(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 4))
    x, y = torch.randn(8, 16), torch.randint(0, 4, (8,))
    compiled = torch.compile(model)
    assert torch.allclose(compiled(x), model(x), atol=1e-6)
    step_model = torch.compile(model, mode="reduce-overhead", fullgraph=True, dynamic=False)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.cuda.amp.GradScaler(enabled=torch.cuda.is_available())
    device = "cuda" if torch.cuda.is_available() else "cpu"
    losses = []
    for _ in range(20):
        opt.zero_grad()
        with torch.autocast(device_type=device, dtype=torch.bfloat16):
            loss = F.cross_entropy(step_model(x), y)
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(opt)
        scaler.update()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    with torch.cuda.amp.autocast(), torch.amp.autocast("cpu"):
        pass

    @torch.compile
    def f(a, b):
        return torch.sin(a) + b.cos()

    np.testing.assert_allclose(f(x, x).numpy(), (torch.sin(x) + torch.cos(x)).numpy(),
                               rtol=1e-6)


def test_set_grad_enabled_is_a_function_and_a_context_manager():
    x = torch.ones(2, requires_grad=True)
    with torch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert torch.is_grad_enabled()
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(True)

    @torch.set_grad_enabled(False)
    def frozen(t):
        return t * 2

    assert torch.is_grad_enabled() and not frozen(x).requires_grad
    assert torch.autograd.set_grad_enabled is torch.set_grad_enabled


@requires_torch
def test_load_reads_a_pytorch_checkpoint_without_running_code(tmp_path):
    """A .pth file from torch.save (model, optimizer, epoch) resumes in ember."""
    th = real_torch.nn.Linear(3, 2)
    opt_t = real_torch.optim.Adam(th.parameters(), lr=1e-2)
    th(real_torch.ones(4, 3)).sum().backward()
    opt_t.step()
    path = tmp_path / "torch_ckpt.pth"
    real_torch.save({"model": th.state_dict(), "optim": opt_t.state_dict(), "epoch": 3,
                     "half": real_torch.ones(2, dtype=real_torch.bfloat16)}, path)
    ck = torch.load(path, map_location="cpu", weights_only=True)
    assert ck["epoch"] == 3 and ck["half"].dtype == torch.bfloat16
    em = nn.Linear(3, 2)
    em.load_state_dict(ck["model"])
    opt_e = torch.optim.Adam(em.parameters(), lr=1e-2)
    opt_e.load_state_dict(ck["optim"])
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
    for model, opt, lib in ((em, opt_e, torch), (th, opt_t, real_torch)):
        opt.zero_grad()
        (model(lib.tensor(x)) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(em.weight.detach().numpy(), th.weight.detach().numpy(),
                               rtol=1e-6, atol=1e-7)

    import fractions
    real_torch.save({"obj": fractions.Fraction(1, 3)}, path)  # not a weight type
    with pytest.raises(ValueError, match="weights_only=True\\) refuses"):
        torch.load(path)


def test_inference_mode_as_decorator_and_flag():
    @torch.inference_mode()
    def predict(t):
        return t * 2, torch.is_inference_mode_enabled()

    x = torch.ones(2, requires_grad=True)
    y, inside = predict(x)
    assert inside and not y.requires_grad and not torch.is_inference_mode_enabled()
    with torch.inference_mode(False):
        assert (x * 2).requires_grad and not torch.is_inference_mode_enabled()


def test_resume_with_shuffling_dropout_and_rng_state_is_identical(tmp_path):
    """Epoch-based training with a shuffled DataLoader and Dropout: saving the RNG state with
    the checkpoint makes the resumed epochs equal the uninterrupted run."""
    torch.manual_seed(0)
    X, Y = torch.randn(64, 4), torch.randint(0, 3, (64,))
    ds = torch.utils.data.TensorDataset(X, Y)

    def build():
        m = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
        opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        return m, opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6)

    def epochs(m, opt, sched, n):
        dl = DataLoader(ds, batch_size=16, shuffle=True)
        out = []
        for _ in range(n):
            m.train()
            for xb, yb in dl:
                opt.zero_grad()
                loss = F.cross_entropy(m(xb), yb)
                loss.backward()
                opt.step()
                out.append(loss.item())
            sched.step()
        return out

    torch.manual_seed(7)
    m, opt, sched = build()
    full = epochs(m, opt, sched, 6)

    torch.manual_seed(7)
    m, opt, sched = build()
    first = epochs(m, opt, sched, 3)
    torch.save({"model": m.state_dict(), "optim": opt.state_dict(),
                "sched": sched.state_dict(), "rng": torch.get_rng_state()}, tmp_path / "c.pt")

    torch.manual_seed(999)  # a fresh process would start elsewhere
    m2, opt2, sched2 = build()
    ck = torch.load(tmp_path / "c.pt")
    m2.load_state_dict(ck["model"])
    opt2.load_state_dict(ck["optim"])
    sched2.load_state_dict(ck["sched"])
    torch.set_rng_state(ck["rng"])
    assert first + epochs(m2, opt2, sched2, 3) == full


# ---------------------------------------------------------------- custom optimizer

def _make_lion(lib):
    class Lion(lib.optim.Optimizer):
        def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
            if lr <= 0:
                raise ValueError(f"Invalid learning rate: {lr}")
            super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

        @lib.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with lib.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    p.mul_(1 - group["lr"] * group["weight_decay"])
                    state = self.state[p]
                    if len(state) == 0:
                        state["exp_avg"] = lib.zeros_like(p)
                    exp_avg = state["exp_avg"]
                    b1, b2 = group["betas"]
                    update = exp_avg * b1 + p.grad * (1 - b1)
                    p.add_(lib.sign(update), alpha=-group["lr"])
                    exp_avg.mul_(b2).add_(p.grad, alpha=1 - b2)
            return loss

    return Lion


def _lion_run(lib, make_sched, steps=8, resume_at=None, tmp_path=None):
    w0 = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    x = lib.tensor(np.linspace(0, 1, 12, dtype=np.float32).reshape(4, 3))

    def build():
        w = lib.nn.Parameter(lib.tensor(w0))
        b = lib.nn.Parameter(lib.zeros(2))
        opt = _make_lion(lib)([{"params": [w], "weight_decay": 0.1}, {"params": [b]}], lr=0.01)
        return w, b, opt, make_sched(lib, opt)

    w, b, opt, sched = build()
    losses = []
    for i in range(steps):
        if i == resume_at:
            lib.save({"opt": opt.state_dict(), "sched": sched.state_dict(), "w": w.detach(),
                      "b": b.detach()}, tmp_path / "lion.pt")
            w, b, opt, sched = build()
            ck = lib.load(tmp_path / "lion.pt")
            with lib.no_grad():
                w.copy_(ck["w"])
                b.copy_(ck["b"])
            opt.load_state_dict(ck["opt"])
            sched.load_state_dict(ck["sched"])
        opt.zero_grad()
        loss = ((x @ w.T + b) ** 2).mean()
        loss.backward()
        opt.step()
        sched.step() if not isinstance(sched, lib.optim.lr_scheduler.ReduceLROnPlateau) \
            else sched.step(1.0)
        losses.append(loss.item())
    return np.array(losses), w.detach().numpy(), [g["lr"] for g in opt.param_groups]


_LION_SCHEDULES = {
    "StepLR": lambda m, o: m.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "OneCycleLR": lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, max_lr=0.05, total_steps=10),
    "ReduceLROnPlateau": lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, patience=1),
    "CosineAnnealingLR": lambda m, o: m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5),
}


@requires_torch
@pytest.mark.parametrize("sched", sorted(_LION_SCHEDULES))
def test_python_optimizer_subclass_with_schedules_matches_pytorch(sched):
    e = _lion_run(torch, _LION_SCHEDULES[sched])
    t = _lion_run(real_torch, _LION_SCHEDULES[sched])
    np.testing.assert_allclose(e[0], t[0], rtol=1e-5)
    np.testing.assert_allclose(e[1], t[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e[2], t[2], rtol=1e-12)


def test_python_optimizer_state_dict_resumes_exactly(tmp_path):
    make = _LION_SCHEDULES["StepLR"]
    full = _lion_run(torch, make)
    resumed = _lion_run(torch, make, resume_at=4, tmp_path=tmp_path)
    np.testing.assert_array_equal(full[0], resumed[0])
    np.testing.assert_array_equal(full[1], resumed[1])
    opt = _make_lion(torch)([nn.Parameter(torch.zeros(2))], lr=0.1)
    assert isinstance(opt, torch.optim.Optimizer) and opt.defaults["betas"] == (0.9, 0.99)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": opt.param_groups[0]["params"]})
    with pytest.raises(ValueError, match="different number"):
        opt.load_state_dict({"state": {}, "param_groups": []})


_EXTRA_OPTIMIZERS = [
    ("Adamax", dict(lr=0.01, weight_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adadelta", dict(lr=1.0, weight_decay=0.01)),
]


@requires_torch
@pytest.mark.parametrize("name,kwargs", _EXTRA_OPTIMIZERS)
def test_python_written_optimizers_match_pytorch(name, kwargs):
    w0 = np.linspace(-1, 1, 6).reshape(2, 3)
    res = []
    for lib in (torch, real_torch):
        w = lib.nn.Parameter(lib.tensor(w0))
        opt = getattr(lib.optim, name)([w], **kwargs)
        for _ in range(12):  # RAdam switches to its rectified update after 5 steps
            opt.zero_grad()
            ((w ** 3).sum() + (w * w).mean()).backward()
            opt.step()
        res.append(w.detach().numpy())
    # NAdam's running momentum product is float32 in PyTorch
    np.testing.assert_allclose(res[0], res[1], rtol=1e-8, atol=1e-9)


def test_python_written_optimizer_rejects_bad_arguments():
    p = [nn.Parameter(torch.zeros(2))]
    with pytest.raises(ValueError, match=r"\[NAdam\] invalid beta"):
        torch.optim.NAdam(p, betas=(1.5, 0.9))
    with pytest.raises(ValueError, match=r"\[Adadelta\] invalid rho"):
        torch.optim.Adadelta(p, rho=2.0)
