"""ember.nn.init (torch.nn.init): in-place initializers, run in C++."""

from .. import _C

_i = _C.nn.init
calculate_gain = _i.calculate_gain
uniform_ = _i.uniform_
normal_ = _i.normal_
constant_ = _i.constant_
zeros_ = _i.zeros_
ones_ = _i.ones_
xavier_uniform_ = _i.xavier_uniform_
xavier_normal_ = _i.xavier_normal_
kaiming_uniform_ = _i.kaiming_uniform_
kaiming_normal_ = _i.kaiming_normal_
orthogonal_ = _i.orthogonal_
