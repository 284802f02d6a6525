"""The classic PyTorch training script, with only the import lines changed."""

import ember as torch
import ember.nn as nn
import ember.optim as optim


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(10, 32)
        self.fc2 = nn.Linear(32, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        return self.fc2(x)


def test_classic_script_trains():
    torch.manual_seed(0)
    x = torch.randn(64, 10)
    w = torch.randn(10, 1)
    y = x @ w + 0.1 * torch.randn(64, 1)
    model = Net()
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for epoch in range(60):
        optimizer.zero_grad()
        output = model(x)
        loss = criterion(output, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
