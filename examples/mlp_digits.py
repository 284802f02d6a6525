"""Trains an MLP on the bundled 8x8 handwritten digits, the PyTorch way: standardized
inputs, AdamW with a one-cycle schedule, label smoothing. The training step runs through
ember.function (traced once, then replayed) unless --eager is given.

    python examples/mlp_digits.py [--eager] [--epochs N]
"""

import argparse
import time

import ember
from ember import nn, optim
from ember.utils.data import DataLoader, TensorDataset


def main(epochs=30, seed=0, verbose=True, eager=False):
    ember.manual_seed(seed)
    x_train, y_train, x_test, y_test = ember.datasets.load_digits()
    mean, std = x_train.mean(dim=0), x_train.std(dim=0) + 0.1
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True, seed=seed)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    opt = optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * len(loader))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)

    def train_step(xb, yb):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    # dynamic=True: the batch dim may vary (the last batch is short) without retracing.
    step = train_step if eager else ember.function(train_step, dynamic=True)
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            loss = step(xb, yb)
            sched.step()  # changes the lr tensor the traced step reads: no retrace
            total += loss.item() * xb.shape[0]
        if verbose and (epoch % 5 == 0 or epoch == epochs - 1):
            print(f"epoch {epoch:2d}  loss {total / len(x_train):.4f}")
    model.eval()
    with ember.no_grad():
        acc = (model(x_test).argmax(dim=1) == y_test).float().mean().item()
    if verbose:
        print(f"test accuracy {acc:.4f}  ({time.perf_counter() - start:.1f} s)")
        if not eager:
            print("traces:", step.retrace_log())
    return acc


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eager", action="store_true", help="run the step eagerly")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    main(epochs=args.epochs, eager=args.eager)
