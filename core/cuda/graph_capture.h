#pragma once
// CUDA graph capture of a device's stream (the backend side of ember.function's
// cuda_graph=True; trace/cuda_graph_replay.h decides what to capture and replays it).
#include <memory>
#include <string_view>

#include "core/device_backend.h"

namespace ember::cuda {

class CachingAllocator;

// Routes the device's allocations into a new private pool of `alloc` and begins capturing
// its stream (thread-local mode: other threads' CUDA calls are not disturbed).
std::unique_ptr<CudaGraphCapture> start_graph_capture(CachingAllocator& alloc, int device);

// Whether `op_name` synchronizes: it runs through the host (cpu_fallback.cpp's list) or its
// device kernel reads a value back (nonzero, multinomial).
bool is_host_path_op(std::string_view op_name);

}  // namespace ember::cuda
