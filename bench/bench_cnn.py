"""CNN: one eager LeNet-5 training step (forward, backward, SGD) on a float32 batch of 64
28x28 images: conv 6@5x5, max-pool, conv 16@5x5, max-pool, fc 120, 84, 10"""

import numpy as np

from common import Case, need, need_ember, need_op

BATCH = 64


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, BATCH).astype(np.int64)
    return x, y


def _lenet(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def _step(model, opt, loss_fn, x, y):
    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def _train_step():
    def ember_impl():
        ember = need_ember()
        need_op(ember.nn, "Conv2d")
        model = _lenet(ember.nn)
        opt = ember.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x, y = (ember.from_numpy(a) for a in _data())
        return _step(model, opt, ember.nn.CrossEntropyLoss(), x, y)

    def torch_impl():
        torch = need("torch")
        model = _lenet(torch.nn)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x, y = (torch.from_numpy(a) for a in _data())
        return _step(model, opt, torch.nn.CrossEntropyLoss(), x, y)

    return {"ember": ember_impl, "torch": torch_impl}


def _forward(name):
    """Inference only: the conv/pool kernels without autograd bookkeeping."""
    def ember_impl():
        ember = need_ember()
        need_op(ember.nn, "Conv2d")
        model = _lenet(ember.nn)
        x = ember.from_numpy(_data()[0])

        def run():
            with ember.no_grad():
                return model(x)
        return run

    def torch_impl():
        torch = need("torch")
        model = _lenet(torch.nn)
        x = torch.from_numpy(_data()[0])

        def run():
            with torch.no_grad():
                return model(x)
        return run

    return {"ember": ember_impl, "torch": torch_impl}


# conv1 + conv2 forward: 2 * (64*6*24*24*25 + 64*16*8*8*150) multiply-adds
_CONV_FLOPS = 2 * (BATCH * 6 * 24 * 24 * 25 + BATCH * 16 * 8 * 8 * 150)

CASES = [
    Case("lenet5 train step, batch 64, 28x28", _train_step(), flops=3 * _CONV_FLOPS),
    Case("lenet5 forward (no_grad), batch 64", _forward("fwd"), flops=_CONV_FLOPS),
]
