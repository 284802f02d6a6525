#pragma once
// Glue between Tensors and the plain kernel interface (kernel_args.h): operand packing with
// broadcasting and dim coalescing, the stream of a tensor's device, and raw (no autograd)
// device-side casts and copies that kernels compose.
#include <initializer_list>

#include <cuda_runtime.h>

#include "core/cuda/kernel_args.h"
#include "core/tensor.h"

namespace ember::cuda {

// Operands for an elementwise kernel over `shape`: operand 0 (the output) must have that
// shape; inputs broadcast to it. Adjacent dims that are contiguous in every operand merge,
// so most calls index with one dim. Raises past kMaxDims dims after merging.
ElementwiseArgs make_args(IntList shape, std::initializer_list<const Tensor*> operands,
                          std::string_view op);

cudaStream_t stream_of(const Tensor& t);
void* stream_ptr(const Tensor& t);

// Raw device helpers (no dispatch): t on device d (moves CPU scalars over), a contiguous
// copy in dtype `dtype` on t's device (t itself if nothing changes), dst = cast(src).
Tensor on_device(const Tensor& t, Device d);
// An input of an elementwise kernel on device d in dtype `dtype`: a CPU scalar stays on the
// host (cast there; make_args passes its value as a parameter), a device tensor keeps its
// strides unless it needs a cast.
Tensor as_operand(const Tensor& t, Device d, DType dtype);
Tensor contiguous_as(const Tensor& t, DType dtype);
void copy_on_device(const Tensor& dst, const Tensor& src);

// Dtype in which the elementwise kernels compute for values of dtype d: the kernels are
// instantiated for bool, int64 and the floats; uint8 and int32 compute in int64.
DType kernel_dtype(DType d);

}  // namespace ember::cuda
