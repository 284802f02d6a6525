"""ember.cuda: CUDA devices and memory, named as in torch.cuda.

Everything here is safe to call on a machine without a GPU or without a CUDA build:
is_available() is False and device_count() is 0 there; moving a tensor to 'cuda' raises a
RuntimeError that says why.
"""

from . import _C

__all__ = [
    "is_available", "is_built", "device_count", "current_device", "synchronize",
    "memory_allocated", "max_memory_allocated", "memory_reserved", "memory_stats",
    "reset_peak_memory_stats", "empty_cache", "unavailable_reason", "kernel_names",
]


def is_available():
    """True when the CUDA backend loaded and at least one GPU is present."""
    return _C._cuda_is_available()


def is_built():
    """True when this build of ember has the CUDA backend (it may still find no GPU)."""
    return _C._cuda_is_built()


def device_count():
    return _C._cuda_device_count()


def current_device():
    """Ember has no per-thread current device yet: 'cuda' means cuda:0."""
    return 0


def unavailable_reason():
    """Why is_available() is False ('' when it is True)."""
    if is_available():
        return ""
    err = _C._cuda_backend_error()
    return err or "no CUDA device found"


def synchronize(device=None):
    """Waits for all queued work on the device (kernels run asynchronously)."""
    _C._cuda_synchronize(device)


def memory_stats(device=None):
    """{'allocated_bytes', 'reserved_bytes', 'peak_allocated_bytes', 'num_device_allocs'}."""
    return dict(_C._cuda_memory_stats(device))


def memory_allocated(device=None):
    """Bytes held by live tensors on the device."""
    return memory_stats(device)["allocated_bytes"]


def max_memory_allocated(device=None):
    """Peak of memory_allocated() since start or reset_peak_memory_stats()."""
    return memory_stats(device)["peak_allocated_bytes"]


def memory_reserved(device=None):
    """Bytes held from the driver by the caching allocator (live + cached blocks)."""
    return memory_stats(device)["reserved_bytes"]


def reset_peak_memory_stats(device=None):
    _C._cuda_reset_peak_memory_stats(device)


def empty_cache(device=None):
    """Returns cached, unused blocks to the driver (a no-op without a GPU)."""
    _C._cuda_empty_cache(device)


def kernel_names():
    """Names of the ops with a CUDA kernel in this build (empty without the backend)."""
    return list(_C._cuda_kernel_names())


def manual_seed(seed):
    """torch.cuda.manual_seed: ember has one random stream for every device, so this seeds it
    (as ember.manual_seed does)."""
    _C.manual_seed(int(seed))


def manual_seed_all(seed):
    """torch.cuda.manual_seed_all: see manual_seed."""
    _C.manual_seed(int(seed))
