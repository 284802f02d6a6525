#pragma once
// Out-of-range indices found by CUDA kernels. Checking indices on the host would cost a
// device-to-host copy and a stall per op, so kernels skip a bad element and record the first
// one in a small host-mapped block per device; the host raises it as an IndexError at the
// next point where it waits for the device anyway (synchronize, a copy to the host, item()).
// The error names the op, the dim, the bad value and the size, and says it was found late.
#include <string_view>

#include "core/cuda/kernel_args.h"

namespace ember::cuda {

// The device's error record (a device-visible pointer) for IndexedArgs::error.
DeviceIndexError* device_index_error(int device);
// A small stable code for op names, stored by the kernel instead of a string.
int index_error_code(std::string_view op);
// Raises IndexError for the error recorded on `device` since the last check, clearing it.
// Call only after the device's stream was synchronized.
void raise_pending_index_error(int device);

}  // namespace ember::cuda
