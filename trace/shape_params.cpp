#include "trace/shape_params.h"

#include <cmath>

#include "core/device_copy.h"
#include "core/op_registry.h"

namespace ember::trace {
namespace {

std::optional<LinearInt> fit(int64_t v1, int64_t s1, int64_t v2, int64_t s2) {
  if ((v1 - v2) % (s1 - s2) != 0) return std::nullopt;
  LinearInt f{(v1 - v2) / (s1 - s2), 0};
  f.c = v1 - f.a * s1;
  return f;
}

bool integral(double d) { return std::isfinite(d) && d == std::floor(d) && std::abs(d) < 1e15; }

// A 0-dim constant like `old` (dtype, device, wrapped-number flag) holding `value`. The value
// is written into host memory and then copied: a constant on a CUDA device has a device
// pointer, which the host must not write through.
Tensor specialized_constant(const Tensor& old, int64_t value) {
  Tensor host = Tensor::empty({}, old.dtype(), kCPU);
  EMBER_DISPATCH_ALL(old.dtype(), "specialize", [&]<class T>() {
    *static_cast<T*>(host.data_ptr()) = static_cast<T>(static_cast<acc_t<T>>(value));
  });
  Tensor t = old.device().is_cpu() ? host : to_device_raw(host, old.device());
  t.impl()->set_wrapped_number(old.impl()->is_wrapped_number());
  return t;
}

}  // namespace

std::optional<ShapeParams> fit_shape_params(const Graph& g1, int64_t s1, const Graph& g2,
                                            int64_t s2, std::string* why) {
  auto fail = [&](std::string reason) -> std::optional<ShapeParams> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  if (s1 == s2) return fail("both traces used the same size");
  if (g1.nodes().size() != g2.nodes().size() || g1.values().size() != g2.values().size()) {
    return fail(fmt::format("the function ran different ops at the two sizes ({} vs {} nodes)",
                            g1.nodes().size(), g2.nodes().size()));
  }
  if (g1.captures().size() != g2.captures().size()) {
    return fail(fmt::format("it read different outside tensors at the two sizes ({} vs {})",
                            g1.captures().size(), g2.captures().size()));
  }
  if (g1.constants().size() != g2.constants().size() || g1.inputs() != g2.inputs() ||
      g1.outputs() != g2.outputs()) {
    return fail("its inputs, outputs or constants differ between the two sizes");
  }
  ShapeParams p;
  for (size_t i = 0; i < g1.captures().size(); ++i) {
    if (!g1.captures()[i].is_same(g2.captures()[i])) return fail("it captured different tensors");
  }
  for (size_t v = 0; v < g1.values().size(); ++v) {
    const Value &a = g1.values()[v], &b = g2.values()[v];
    if (a.kind != b.kind || a.meta.dtype != b.meta.dtype || a.meta.shape.size() != b.meta.shape.size()) {
      return fail(fmt::format("value %{} differs in kind, dtype or rank", v));
    }
    for (size_t d = 0; d < a.meta.shape.size(); ++d) {
      if (a.meta.shape[d] == b.meta.shape[d]) continue;
      auto f = fit(a.meta.shape[d], s1, b.meta.shape[d], s2);
      if (!f) return fail(fmt::format("value %{} dim {} is not linear in the size", v, d));
      p.dims.push_back({static_cast<ValueId>(v), d, *f});
    }
  }
  for (size_t i = 0; i < g1.constants().size(); ++i) {
    const Tensor &a = g1.constants()[i], &b = g2.constants()[i];
    if (a.shape() != b.shape() || a.dtype() != b.dtype()) return fail("constants differ in shape or dtype");
    if (a.numel() != 1) {
      for (int64_t k = 0; k < a.numel(); ++k) {
        if (read_as_double(a, k) != read_as_double(b, k)) return fail("a non-scalar constant depends on the size");
      }
      continue;
    }
    double x = read_as_double(a, 0), y = read_as_double(b, 0);
    if (x == y) continue;
    if (!integral(x) || !integral(y)) return fail(fmt::format("constant {} (~{}) is not an integer function of the size", i, x));
    auto f = fit(static_cast<int64_t>(x), s1, static_cast<int64_t>(y), s2);
    if (!f) return fail(fmt::format("constant {} is not linear in the size", i));
    p.constants.push_back({i, *f});
  }
  for (size_t n = 0; n < g1.nodes().size(); ++n) {
    const Node &a = g1.nodes()[n], &b = g2.nodes()[n];
    if (a.op->name() != b.op->name() || a.inputs != b.inputs || a.outputs != b.outputs ||
        a.inplace != b.inplace) {
      return fail(fmt::format("node {} ({}) differs between the traces", n, a.op->name()));
    }
    Attrs x, y;
    a.op->attributes(x);
    b.op->attributes(y);
    if (x.items().size() != y.items().size()) return fail(fmt::format("node {} ({}) attributes differ", n, a.op->name()));
    for (size_t k = 0; k < x.items().size(); ++k) {
      const auto& [name, v1] = x.items()[k];
      const auto& [name2, v2] = y.items()[k];
      if (name != name2 || v1.index() != v2.index()) return fail(fmt::format("node {} attributes differ", n));
      if (v1 == v2) continue;
      if (name == "seed" || name == "offset") continue;  // random streams: fresh per replay anyway
      const std::string where = fmt::format("node {} ({}) attribute '{}'", n, a.op->name(), name);
      if (auto* i1 = std::get_if<int64_t>(&v1)) {
        auto f = fit(*i1, s1, std::get<int64_t>(v2), s2);
        if (!f) return fail(where + " is not linear in the size");
        p.attrs.push_back({static_cast<int>(n), name, -1, *f});
      } else if (auto* l1 = std::get_if<std::vector<int64_t>>(&v1)) {
        const auto& l2 = std::get<std::vector<int64_t>>(v2);
        if (l1->size() != l2.size()) return fail(where + " changes length");
        for (size_t e = 0; e < l1->size(); ++e) {
          if ((*l1)[e] == l2[e]) continue;
          auto f = fit((*l1)[e], s1, l2[e], s2);
          if (!f) return fail(where + " is not linear in the size");
          p.attrs.push_back({static_cast<int>(n), name, static_cast<int>(e), *f});
        }
      } else if (auto* c1 = std::get_if<Scalar>(&v1)) {
        double d1 = c1->to_double(), d2 = std::get<Scalar>(v2).to_double();
        if (!integral(d1) || !integral(d2)) return fail(where + " is not an integer function of the size");
        auto f = fit(static_cast<int64_t>(d1), s1, static_cast<int64_t>(d2), s2);
        if (!f) return fail(where + " is not linear in the size");
        p.attrs.push_back({static_cast<int>(n), name, -2, *f});
      } else {
        return fail(where + " depends on the size");
      }
    }
  }
  return p;
}

Graph specialize(const Graph& g, const ShapeParams& p, int64_t size) {
  Graph out = g;
  for (const auto& d : p.dims) out.mutable_values()[d.value].meta.shape[d.dim] = d.f.at(size);
  for (const auto& c : p.constants) {
    out.set_constant(c.index, specialized_constant(g.constants()[c.index], c.f.at(size)));
  }
  std::vector<Node> nodes = out.nodes();
  for (size_t i = 0; i < p.attrs.size();) {
    const int n = p.attrs[i].node;
    Attrs a;
    nodes[n].op->attributes(a);
    Attrs next;
    for (auto [name, v] : a.items()) {
      for (size_t j = i; j < p.attrs.size() && p.attrs[j].node == n; ++j) {
        const auto& q = p.attrs[j];
        if (q.name != name) continue;
        if (q.element == -1) {
          v = q.f.at(size);
        } else if (q.element == -2) {
          const Scalar& s = std::get<Scalar>(v);
          v = s.is_float() ? Scalar(static_cast<double>(q.f.at(size))) : Scalar(q.f.at(size));
        } else {
          std::get<std::vector<int64_t>>(v)[q.element] = q.f.at(size);
        }
      }
      next.set(name, v);
    }
    nodes[n].op = std::shared_ptr<const Op>(make_op(nodes[n].op->name(), next));
    while (i < p.attrs.size() && p.attrs[i].node == n) ++i;
  }
  out.set_nodes(std::move(nodes));
  return out;
}

}  // namespace ember::trace
