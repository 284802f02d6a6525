"""einsum and tensordot against torch (values and gradients), a float64 NumPy reference,
bad input, and tracing under ember.function."""

import numpy as np
import pytest

import ember
from helpers import rand, requires_torch, torch
from torch_compare import compare

CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij,jk->ik", [(3, 3, 2), (2, 4)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("...ij,...jk", [(2, 3, 4), (2, 4, 2)]),
    ("i,i->", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->ji", [(2, 3)]),
    ("ijk->", [(2, 3, 4)]),
    ("i...->...", [(2, 3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ab,cd,ac->bd", [(2, 3), (4, 5), (2, 4)]),
    ("ab,cd,bc,de->ae", [(2, 3), (4, 5), (3, 4), (5, 2)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("iji->j", [(3, 2, 3)]),
    ("ij,ij->i", [(3, 4), (3, 4)]),
    (" b i , b i -> b ", [(2, 3), (2, 3)]),
]


@requires_torch
@pytest.mark.parametrize("eq,shapes", CASES, ids=[c[0].replace(" ", "") for c in CASES])
def test_einsum_matches_torch(eq, shapes):
    arrays = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    compare(lambda *t: ember.einsum(eq, *t), lambda *t: torch.einsum(eq, *t), *arrays)


@pytest.mark.parametrize("eq,shapes", CASES[:8], ids=[c[0] for c in CASES[:8]])
def test_einsum_matches_numpy_float64(eq, shapes):
    arrays = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    got = ember.einsum(eq, *[ember.tensor(a, dtype=ember.float64) for a in arrays])
    np.testing.assert_allclose(got.numpy(), np.einsum(eq.replace(" ", ""), *arrays), rtol=1e-12)


@requires_torch
def test_einsum_list_and_sublist_forms():
    a, b = rand(2, 3), rand(3, 4, seed=1)
    compare(lambda x, y: ember.einsum("ij,jk->ik", [x, y]),
            lambda x, y: torch.einsum("ij,jk->ik", [x, y]), a, b)
    compare(lambda x, y: ember.einsum(x, [0, 1], y, [1, 2], [0, 2]),
            lambda x, y: torch.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b)


def test_einsum_bad_input_names_function_and_shapes():
    a, b = ember.ones(2, 3), ember.ones(4, 5)
    with pytest.raises(ValueError, match=r"\[einsum\].*size 3 and 4.*\(2, 3\), \(4, 5\)"):
        ember.einsum("ij,jk->ik", a, b)
    with pytest.raises(ValueError, match=r"\[einsum\].*2 operand subscripts but 1"):
        ember.einsum("ij,jk", a)
    with pytest.raises(ValueError, match=r"\[einsum\].*shape \(2, 3\).*names 3"):
        ember.einsum("ijk->i", a)
    with pytest.raises(ValueError, match=r"\[einsum\].*output label 'z'"):
        ember.einsum("ij->z", a)
    with pytest.raises(ValueError, match=r"\[einsum\].*invalid character '1'"):
        ember.einsum("i1->i", a)
    with pytest.raises(TypeError, match=r"\[einsum\] operand 0 must be a Tensor"):
        ember.einsum("ij->i", np.ones((2, 3)))


def test_einsum_traces_equal_to_eager():
    a = ember.tensor(rand(2, 3, 4, dtype=np.float32))
    b = ember.tensor(rand(2, 4, 5, dtype=np.float32, seed=3))
    c = ember.tensor(rand(5, dtype=np.float32, seed=4))

    def f(x, y, z):
        return ember.einsum("bij,bjk,k->bi", x, y, z) + ember.einsum("bii->b", x[:, :, :3]
                                                                     ).unsqueeze(1)
    traced = ember.function(f)
    eager = f(a, b, c)
    for _ in range(3):  # eager warm-up, trace, replay
        out = traced(a, b, c)
        np.testing.assert_allclose(out.numpy(), eager.numpy(), rtol=1e-6)
    assert traced.num_traces == 1


TENSORDOT = [(2, (3, 4, 5), (4, 5, 2)), (1, (3, 4, 5), (5, 2)), (0, (3, 2), (4,)),
             (([1, 0], [0, 1]), (3, 4, 5), (4, 3, 2)), (([2], [1]), (3, 4, 5), (4, 5, 2))]


@requires_torch
@pytest.mark.parametrize("dims,sa,sb", TENSORDOT)
def test_tensordot_matches_torch(dims, sa, sb):
    compare(lambda x, y: ember.tensordot(x, y, dims), lambda x, y: torch.tensordot(x, y, dims),
            rand(*sa), rand(*sb, seed=1))


def test_tensordot_bad_dims():
    with pytest.raises(ValueError, match=r"\[tensordot\].*shape \(2, 3\).*shape \(4, 5\)"):
        ember.tensordot(ember.ones(2, 3), ember.ones(4, 5), dims=1)
