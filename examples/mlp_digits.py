"""Trains an MLP on the bundled 8x8 digits, eagerly, the PyTorch way.

    python examples/mlp_digits.py
"""

import time

import ember
from ember import nn, optim
from ember.utils.data import DataLoader, TensorDataset


def main(epochs=30, seed=0, verbose=True):
    ember.manual_seed(seed)
    x_train, y_train, x_test, y_test = ember.datasets.load_digits()
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True, seed=seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    opt = optim.Adam(model.parameters(), lr=2e-3)
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
        if verbose and (epoch % 5 == 0 or epoch == epochs - 1):
            print(f"epoch {epoch:2d}  loss {total / len(x_train):.4f}")
    model.eval()
    with ember.no_grad():
        acc = (model(x_test).argmax(dim=1) == y_test).float().mean().item()
    if verbose:
        print(f"test accuracy {acc:.4f}  ({time.perf_counter() - start:.1f} s)")
    return acc


if __name__ == "__main__":
    main()
