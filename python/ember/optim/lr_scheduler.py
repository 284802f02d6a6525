"""ember.optim.lr_scheduler (torch.optim.lr_scheduler): schedules computed in C++."""

from .. import _C

LRScheduler = _C.optim.LRScheduler
StepLR = _C.optim.StepLR
MultiStepLR = _C.optim.MultiStepLR
ExponentialLR = _C.optim.ExponentialLR
CosineAnnealingLR = _C.optim.CosineAnnealingLR
LambdaLR = _C.optim.LambdaLR
LinearLR = _C.optim.LinearLR
OneCycleLR = _C.optim.OneCycleLR
ReduceLROnPlateau = _C.optim.ReduceLROnPlateau
