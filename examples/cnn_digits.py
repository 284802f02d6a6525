"""Trains a small CNN on the bundled 8x8 digits, eagerly, the PyTorch way.

    python examples/cnn_digits.py
"""

import time

import ember
from ember import nn, optim
from ember.utils.data import DataLoader, TensorDataset


def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),        # 32 x 8 x 8
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),       # 32 x 8 x 8
        nn.MaxPool2d(2),                                  # 32 x 4 x 4
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 10))


def main(epochs=10, seed=0, verbose=True):
    ember.manual_seed(seed)
    x_train, y_train, x_test, y_test = ember.datasets.load_digits(flatten=False)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=16, shuffle=True, seed=seed)
    model = make_model()
    opt = optim.Adam(model.parameters(), lr=3e-3)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        sched.step()
        if verbose and (epoch % 3 == 0 or epoch == epochs - 1):
            print(f"epoch {epoch:2d}  loss {total / len(x_train):.4f}")
    model.eval()
    with ember.no_grad():
        acc = (model(x_test).argmax(dim=1) == y_test).float().mean().item()
    if verbose:
        print(f"test accuracy {acc:.4f}  ({time.perf_counter() - start:.1f} s)")
    return acc


if __name__ == "__main__":
    main()
