#include "core/attributes.h"

namespace ember {

bool Attrs::has(std::string_view name) const {
  for (auto& [k, v] : items_) {
    if (k == name) return true;
  }
  return false;
}

namespace {
struct AttrPrinter {
  std::string operator()(bool b) const { return b ? "true" : "false"; }
  std::string operator()(int64_t i) const { return fmt::format("{}", i); }
  std::string operator()(double d) const { return fmt::format("{}", d); }
  std::string operator()(const std::string& s) const { return fmt::format("'{}'", s); }
  std::string operator()(const std::vector<int64_t>& v) const {
    return fmt::format("[{}]", fmt::join(v, ", "));
  }
  std::string operator()(const std::vector<double>& v) const {
    return fmt::format("[{}]", fmt::join(v, ", "));
  }
  std::string operator()(DType d) const { return std::string(dtype_name(d)); }
  std::string operator()(const Scalar& s) const {
    if (s.is_bool()) return s.to<bool>() ? "true" : "false";
    if (s.is_int()) return fmt::format("{}", s.to_int());
    return fmt::format("{}", s.to_double());
  }
};
}  // namespace

std::string attrs_str(const Attrs& a) {
  std::string out;
  for (auto& [k, v] : a.items()) {
    if (!out.empty()) out += ", ";
    out += k + "=" + std::visit(AttrPrinter{}, v);
  }
  return out;
}

}  // namespace ember
