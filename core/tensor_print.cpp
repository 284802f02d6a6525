// Tensor::str(): PyTorch-style text, e.g. "tensor([[1., 2.],\n        [3., 4.]])".
#include <cmath>
#include <string>
#include <vector>

#include "core/device_copy.h"
#include "core/tensor.h"

namespace ember {
namespace {

constexpr int64_t kSummarizeAbove = 1000;
constexpr int64_t kEdgeItems = 3;

struct Formatter {
  bool floating = false;
  bool boolean = false;
  bool integer_valued = true;
  bool sci = false;
  int width = 1;

  std::string format(double v) const {
    if (boolean) return v != 0 ? "True" : "False";
    if (!floating) return fmt::format("{}", static_cast<int64_t>(v));
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (sci) return fmt::format("{:.4e}", v);
    if (integer_valued) return fmt::format("{:.0f}.", v);
    return fmt::format("{:.4f}", v);
  }
};

// Row-major element indices shown, with -1 marking "..." where the tensor is summarized.
std::vector<int64_t> shown_indices(int64_t n, bool summarize) {
  std::vector<int64_t> idx;
  if (summarize && n > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i) idx.push_back(i);
    idx.push_back(-1);
    for (int64_t i = n - kEdgeItems; i < n; ++i) idx.push_back(i);
  } else {
    for (int64_t i = 0; i < n; ++i) idx.push_back(i);
  }
  return idx;
}

class Printer {
 public:
  Printer(const Tensor& t, bool summarize, Device shown_device)
      : t_(t), summarize_(summarize), device_(shown_device) {}

  void collect(int64_t d, int64_t base) {
    if (d == t_.dim()) {
      values_.push_back(read_as_double(t_, base));
      return;
    }
    int64_t inner = 1;
    for (int64_t k = d + 1; k < t_.dim(); ++k) inner *= t_.shape()[k];
    for (int64_t i : shown_indices(t_.shape()[d], summarize_)) {
      if (i >= 0) collect(d + 1, base + i * inner);
    }
  }

  Formatter make_formatter() {
    Formatter f;
    f.floating = is_floating(t_.dtype());
    f.boolean = t_.dtype() == DType::Bool;
    double max_abs = 0, min_abs = INFINITY;
    for (double v : values_) {
      if (!std::isfinite(v)) continue;
      if (v != std::round(v)) f.integer_valued = false;
      max_abs = std::max(max_abs, std::abs(v));
      if (v != 0) min_abs = std::min(min_abs, std::abs(v));
    }
    if (f.floating && max_abs > 0 &&
        (max_abs >= 1e8 || (!f.integer_valued && (min_abs < 1e-4 || max_abs / min_abs > 1000)))) {
      f.sci = true;
    }
    for (double v : values_) f.width = std::max<int>(f.width, f.format(v).size());
    return f;
  }

  void emit(std::string& out, int64_t d, const Formatter& f, size_t& next, int indent) {
    if (d == t_.dim()) {
      std::string s = f.format(values_[next++]);
      out.append(f.width - s.size(), ' ');
      out += s;
      return;
    }
    out += '[';
    auto idx = shown_indices(t_.shape()[d], summarize_);
    for (size_t k = 0; k < idx.size(); ++k) {
      if (k > 0) {
        out += ',';
        if (d == t_.dim() - 1) {
          out += ' ';
        } else {
          out.append(static_cast<size_t>(t_.dim() - d - 1), '\n');
          out.append(indent + d + 1, ' ');
        }
      }
      if (idx[k] < 0) {
        out += "...";
      } else {
        emit(out, d + 1, f, next, indent);
      }
    }
    out += ']';
  }

  std::string run() {
    collect(0, 0);
    Formatter f = make_formatter();
    std::string out = "tensor(";
    size_t next = 0;
    if (t_.numel() == 0) {
      out += "[]";
    } else {
      emit(out, 0, f, next, 7);
    }
    bool default_dtype = t_.dtype() == DType::Float32 || t_.dtype() == DType::Int64 ||
                         t_.dtype() == DType::Bool;
    if (t_.numel() == 0 && t_.dim() != 1) out += fmt::format(", size={}", shape_str(t_.shape()));
    if (!default_dtype) out += fmt::format(", dtype=ember.{}", dtype_name(t_.dtype()));
    if (!device_.is_cpu()) out += fmt::format(", device='{}'", device_.str());
    out += ')';
    return out;
  }

 private:
  const Tensor& t_;
  bool summarize_;
  Device device_;  // the printed tensor's device (values come from a host copy)
  std::vector<double> values_;
};

}  // namespace

std::string Tensor::str() const {
  if (!defined()) return "tensor(undefined)";
  if (!device().is_cpu()) {
    // Print a host copy (the copy waits for the device), naming the tensor's device.
    const Tensor host = to_device_raw(*this, kCPU);
    return Printer(host, numel() > kSummarizeAbove, device()).run();
  }
  return Printer(*this, numel() > kSummarizeAbove, kCPU).run();
}

}  // namespace ember
