"""Linear regression trained eagerly with Ember's autograd.

Generates data from y = x @ w_true + b_true + noise, then fits w and b by gradient descent
on the mean squared error, written with plain tensor ops. Prints the loss as it falls and
exits non-zero if the fit failed.

    python examples/train_regression.py
"""

import sys

import ember


def main():
    ember.manual_seed(0)
    n, d = 512, 8

    # Data: the model has to recover w_true and b_true from noisy samples.
    x = ember.randn(n, d)
    w_true = ember.randn(d, 1)
    b_true = 0.5
    y = x @ w_true + b_true + 0.05 * ember.randn(n, 1)

    # Parameters: leaves that autograd computes gradients for.
    w = ember.zeros(d, 1, requires_grad=True)
    b = ember.zeros(1, requires_grad=True)

    lr = 0.1
    first = None
    for step in range(101):
        pred = x @ w + b
        loss = ((pred - y) ** 2).mean()
        loss.backward()  # fills w.grad and b.grad

        with ember.no_grad():  # the update itself must not be recorded
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None

        if first is None:
            first = loss.item()
        if step % 10 == 0:
            print(f"step {step:3d}   loss {loss.item():.6f}")

    err = (w.detach() - w_true).abs().max().item()
    print(f"final loss {loss.item():.6f} (from {first:.6f}); "
          f"max |w - w_true| = {err:.4f}, b = {b.item():.4f} (true {b_true})")
    if not loss.item() < first / 100:
        print("the loss did not fall as expected", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
