#pragma once
// Rebuilds ops from (name, attributes), so a saved graph can be loaded without a list of
// op classes anywhere else. Each op's .cpp registers itself with EMBER_REGISTER_OP(Class);
// the class needs `static constexpr std::string_view kName` and, if it has attributes,
// `explicit Class(const Attrs&)`.
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "core/op.h"

namespace ember {

using OpFactory = std::unique_ptr<Op> (*)(const Attrs&);

void register_op(std::string_view name, OpFactory factory);
std::unique_ptr<Op> make_op(std::string_view name, const Attrs& attrs);  // raises if unknown
bool has_op(std::string_view name);
std::vector<std::string> registered_op_names();

namespace detail {
template <class T>
struct OpRegistrar {
  OpRegistrar() {
    register_op(T::kName, [](const Attrs& a) -> std::unique_ptr<Op> {
      if constexpr (std::is_constructible_v<T, const Attrs&>) {
        return std::make_unique<T>(a);
      } else {
        return std::make_unique<T>();  // attribute-free op
      }
    });
  }
};
}  // namespace detail

}  // namespace ember

#define EMBER_OP_CONCAT2_(a, b) a##b
#define EMBER_OP_CONCAT_(a, b) EMBER_OP_CONCAT2_(a, b)
#define EMBER_REGISTER_OP(Class)                                   \
  static const ::ember::detail::OpRegistrar<Class> EMBER_OP_CONCAT_( \
      ember_op_registrar_, __COUNTER__)
