#include "core/device.h"

#include <charconv>

#include "core/error.h"

namespace ember {

Device::Device(std::string_view spec) {
  if (spec == "cpu") return;
  if (spec.starts_with("cuda")) {
    type = DeviceType::CUDA;
    if (spec.size() == 4) return;
    int i = -1;
    auto rest = spec.substr(4);
    if (rest.size() > 1 && rest[0] == ':') {
      auto [p, ec] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), i);
      if (ec == std::errc() && p == rest.data() + rest.size() && i >= 0 && i < 128) {
        index = static_cast<int8_t>(i);
        return;
      }
    }
  }
  raise<ValueError>("[device] expected 'cpu', 'cuda' or 'cuda:N', got '{}'", spec);
}

std::string Device::str() const {
  return is_cpu() ? std::string("cpu") : fmt::format("cuda:{}", index);
}

}  // namespace ember
