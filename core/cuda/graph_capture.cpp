// One captured CUDA graph: cudaStreamBeginCapture on the device's stream, the work queued by
// the caller, cudaStreamEndCapture and cudaGraphInstantiate. Blocks allocated meanwhile come
// from a private pool of the caching allocator, released when the graph is destroyed, so the
// addresses baked into the graph are never handed to another tensor while it may replay.
// A recorded copy whose source or destination is host memory is refused: a pinned staging
// buffer is reused by later copies, so a replay would read (or write) whatever is there then.
#include "core/cuda/graph_capture.h"

#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "core/cuda/caching_allocator.h"
#include "core/cuda/cuda_context.h"
#include "core/error.h"

namespace ember::cuda {
namespace {

bool is_host_memory(const void* p) {
  cudaPointerAttributes a{};
  if (cudaPointerGetAttributes(&a, p) != cudaSuccess) {
    cudaGetLastError();
    return true;  // unknown to CUDA: pageable host memory
  }
  return a.type == cudaMemoryTypeHost || a.type == cudaMemoryTypeUnregistered;
}

// Why the recorded graph cannot be replayed as is, or "".
std::string host_copies_in(cudaGraph_t graph) {
  size_t n = 0;
  check(cudaGraphGetNodes(graph, nullptr, &n), "cudaGraphGetNodes");
  std::vector<cudaGraphNode_t> nodes(n);
  check(cudaGraphGetNodes(graph, nodes.data(), &n), "cudaGraphGetNodes");
  for (cudaGraphNode_t node : nodes) {
    cudaGraphNodeType type{};
    check(cudaGraphNodeGetType(node, &type), "cudaGraphNodeGetType");
    if (type != cudaGraphNodeTypeMemcpy) continue;
    cudaMemcpy3DParms p{};
    check(cudaGraphMemcpyNodeGetParams(node, &p), "cudaGraphMemcpyNodeGetParams");
    if (p.kind == cudaMemcpyHostToDevice || p.kind == cudaMemcpyDeviceToHost ||
        is_host_memory(p.srcPtr.ptr) || is_host_memory(p.dstPtr.ptr)) {
      return "a copy between host and device was recorded (a CPU tensor reaches a kernel "
             "through a staging buffer, or a value is read back); a replay would copy stale "
             "host memory";
    }
  }
  return "";
}

class StreamGraph final : public CudaGraphCapture {
 public:
  StreamGraph(CachingAllocator& alloc, int device) : alloc_(alloc), device_(device) {
    set_device(device);
    pool_ = alloc_.begin_private_pool();
    const cudaError_t e = cudaStreamBeginCapture(stream(device), cudaStreamCaptureModeThreadLocal);
    if (e != cudaSuccess) {
      alloc_.end_private_pool();
      alloc_.release_private_pool(pool_);
      check(e, "cudaStreamBeginCapture");
    }
    capturing_ = true;
  }

  ~StreamGraph() override {
    if (capturing_) abort_capture();
    if (exec_) cudaGraphExecDestroy(exec_);
    // Replays still queued may use the pool's blocks: they finish before any later work on
    // the stream, and the pool's blocks are only reused by work queued after this point.
    alloc_.release_private_pool(pool_);
  }

  std::string end_capture() override {
    cudaGraph_t graph = nullptr;
    const cudaError_t e = cudaStreamEndCapture(stream(device_), &graph);
    capturing_ = false;
    alloc_.end_private_pool();
    if (e != cudaSuccess || graph == nullptr) {
      cudaGetLastError();
      return std::string("the capture failed (") + cudaGetErrorString(e) +
             "): some step synchronizes or calls an API that cannot be captured";
    }
    std::string why = host_copies_in(graph);
    if (why.empty()) {
      const cudaError_t ie = cudaGraphInstantiate(&exec_, graph, 0);
      if (ie != cudaSuccess) {
        cudaGetLastError();
        exec_ = nullptr;
        why = std::string("cudaGraphInstantiate failed: ") + cudaGetErrorString(ie);
      }
    }
    cudaGraphDestroy(graph);
    return why;
  }

  void abort_capture() override {
    if (!capturing_) return;
    cudaGraph_t graph = nullptr;
    cudaStreamEndCapture(stream(device_), &graph);
    if (graph) cudaGraphDestroy(graph);
    cudaGetLastError();
    capturing_ = false;
    alloc_.end_private_pool();
  }

  void launch() override {
    if (!exec_) raise<Error>("[cuda] launching a CUDA graph that was not captured");
    set_device(device_);
    check(cudaGraphLaunch(exec_, stream(device_)), "cudaGraphLaunch");
  }

 private:
  CachingAllocator& alloc_;
  int device_;
  int pool_ = -1;
  bool capturing_ = false;
  cudaGraphExec_t exec_ = nullptr;
};

}  // namespace

std::unique_ptr<CudaGraphCapture> start_graph_capture(CachingAllocator& alloc, int device) {
  return std::make_unique<StreamGraph>(alloc, device);
}

}  // namespace ember::cuda
