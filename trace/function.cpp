#include "trace/function.h"

#include <cstdio>

#include <cmath>
#include <cstdlib>

#include "core/cpu/copy.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "eager/autograd.h"
#include "core/random/generator.h"
#include "trace/cuda_graph_replay.h"
#include "trace/gradient_check.h"
#include "trace/serialize.h"
#include "trace/tracer.h"

namespace ember::trace {

Function::Function(Fn fn, FunctionOptions options) : fn_(std::move(fn)), opts_(std::move(options)) {
  warn_ = [](const std::string& m) { std::fprintf(stderr, "ember: %s\n", m.c_str()); };
  if (opts_.check_calls < 0) {
    const char* env = std::getenv("EMBER_FUNCTION_CHECK");
    opts_.check_calls = env ? std::max(0, std::atoi(env)) : 0;
  }
}

namespace {

// First difference between two tensors beyond tolerance, as text; empty if close.
std::string difference(const Tensor& a, const Tensor& b, double rtol, double atol) {
  if (a.shape() != b.shape()) {
    return fmt::format("shape {} vs {}", shape_str(a.shape()), shape_str(b.shape()));
  }
  if (a.dtype() != b.dtype()) {
    return fmt::format("dtype {} vs {}", dtype_name(a.dtype()), dtype_name(b.dtype()));
  }
  for (int64_t i = 0; i < a.numel(); ++i) {
    double x = read_as_double(a, i), y = read_as_double(b, i);
    if (std::isnan(x) && std::isnan(y)) continue;
    if (std::abs(x - y) > atol + rtol * std::abs(x)) {
      return fmt::format("element {}: eager {} vs traced {}", i, x, y);
    }
  }
  return "";
}

}  // namespace

std::vector<Tensor> Function::run_checked(Entry& e, const std::vector<Tensor>& args) {
  const Graph& g = e.compiled->executor->graph();
  std::vector<Tensor> before;
  for (const Tensor& c : g.captures()) before.push_back(clone_raw(c));
  auto rng = default_generator().get_state();
  std::vector<Tensor> eager = fn_(args);
  std::vector<Tensor> eager_state;
  for (const Tensor& c : g.captures()) eager_state.push_back(clone_raw(c));
  for (size_t i = 0; i < before.size(); ++i) copy_into(g.captures()[i], before[i]);
  default_generator().set_state(rng);
  std::vector<Tensor> traced = e.compiled->executor->run(args);
  std::vector<std::string> problems;
  if (eager.size() != traced.size()) {
    problems.push_back(fmt::format("{} outputs eagerly, {} traced", eager.size(), traced.size()));
  }
  for (size_t i = 0; i < std::min(eager.size(), traced.size()); ++i) {
    std::string d = difference(eager[i], traced[i], opts_.check_rtol, opts_.check_atol);
    if (!d.empty()) problems.push_back(fmt::format("output {}: {}", i, d));
  }
  for (size_t i = 0; i < eager_state.size(); ++i) {
    std::string d = difference(eager_state[i], g.captures()[i], opts_.check_rtol, opts_.check_atol);
    if (!d.empty()) {
      const std::string& name = g.value(g.capture_values()[i]).name;
      problems.push_back(fmt::format("captured state {}{}: {}", i, name.empty() ? "" : " (" + name + ")", d));
    }
  }
  if (!problems.empty()) {
    raise<Error>("[{} check] the traced graph disagrees with eager execution: {}", opts_.name,
                 fmt::join(problems, "; "));
  }
  ++e.checked_calls;
  return traced;
}

Function::Entry* Function::find(const CallSignature& sig) {
  for (auto it = cache_.begin(); it != cache_.end(); ++it) {
    if (matches(it->sig, sig)) {
      cache_.splice(cache_.begin(), cache_, it);  // most recently used first
      return &cache_.front();
    }
  }
  return nullptr;
}

void Function::note_retrace(const CallSignature& sig) {
  std::string why = cache_.empty()
                        ? std::string("first call")
                        : explain_mismatch(cache_.front().sig, sig, opts_.arg_names);
  log_.push_back(why);
  const size_t limit = 5;
  if (log_.size() == limit + 1) {
    std::string recent;
    for (size_t i = log_.size() - limit; i < log_.size(); ++i) recent += "\n  - " + log_[i];
    warn_(fmt::format("{} was traced {} times; recent reasons:{}\nDeclare varying dims dynamic "
                      "(input_signature / dynamic=) or pass changing numbers as tensors.",
                      opts_.name, log_.size(), recent));
  }
}


std::shared_ptr<Function::Compiled> Function::trace(const std::vector<Tensor>& args,
                                                   std::vector<Tensor>* eager_outputs) {
  auto c = std::make_shared<Compiled>();
  SideEffects effects;
  {
    Tracer tracer;
    for (size_t i = 0; i < args.size(); ++i) {
      tracer.add_input(args[i], i < opts_.arg_names.size() ? opts_.arg_names[i] : "");
    }
    std::vector<Tensor> outs = fn_(args);
    tracer.set_outputs(outs);
    std::vector<ValueId> state = tracer.escaped_state(outs);
    if (!state.empty()) {
      std::vector<std::string> what;
      for (ValueId v : state) what.push_back(meta_str(tracer.graph().value(v).meta));
      raise<Error>("[{}] {} tensor(s) created while tracing ({}) are kept after the call as "
                   "state (referenced from outside the function, like optimizer moments made "
                   "on the first step); a replay would remake them on every call instead of "
                   "carrying them over. Let the first call run eagerly (warmup=1, the default) "
                   "or create the state before the first traced call.",
                   opts_.name, state.size(), fmt::join(what, ", "));
    }
    if (eager_outputs) *eager_outputs = outs;
    effects.grad_writes = tracer.grad_writes();
    c->traced = std::make_shared<Graph>(tracer.graph());
    // Grad mode on: also record the backward, so replays can carry autograd history. A body
    // that calls backward() itself (a training step) keeps replaying its own .grad writes.
    if (is_grad_enabled() && effects.grad_writes.empty()) {
      c->grad = DifferentiableReplay::record(tracer, args, outs, opts_.passes, dynamic_size(args));
    }
  }
  ++traces_;
  c->executor = compile_graph(*c->traced, effects, opts_.passes, &c->pass_log);
  c->optimized = std::make_shared<Graph>(c->executor->graph());
  return c;
}

int64_t Function::dynamic_size(const std::vector<Tensor>& args) const {
  int64_t size = -1;
  for (size_t i = 0; i < args.size() && i < opts_.dynamic_dims.size(); ++i) {
    for (int64_t d : opts_.dynamic_dims[i]) {
      if (d < 0 || d >= args[i].dim()) continue;
      int64_t s = args[i].shape()[d];
      if (size >= 0 && s != size) return -1;
      size = s;
    }
  }
  return size;
}

void Function::fit_dynamic(Compiled& c, const std::vector<Tensor>& args, int64_t size) {
  // A second trace at another size, from the same state: snapshot what the run changes.
  const Graph& g1 = *c.traced;
  const SideEffects& fx = c.executor->effects();
  std::vector<Tensor> saved;
  for (const Tensor& t : g1.captures()) saved.push_back(clone_raw(t));
  std::vector<Tensor> grads;
  for (auto& [leaf, grad] : fx.grad_writes) grads.push_back(grad_of(g1.captures()[g1.value(leaf).index]));
  auto rng = default_generator().get_state();
  const int64_t size2 = size > 1 ? size - 1 : 2;
  std::vector<Tensor> args2;
  for (size_t i = 0; i < args.size(); ++i) {
    Tensor t = args[i];
    if (i < opts_.dynamic_dims.size()) {
      for (int64_t d : opts_.dynamic_dims[i]) {
        if (d < 0 || d >= t.dim()) continue;
        if (size2 < t.shape()[d]) {
          Shape sh = t.shape();
          sh[d] = size2;
          t = make_view(t, sh, t.strides(), t.offset());
        } else {
          const Tensor parts[] = {t, t};
          t = cat(parts, d);
        }
      }
    }
    // A view is a fresh leaf: it must require grad as the argument does, or the recording
    // at size2 differentiates by fewer arguments and the two sizes cannot be fitted.
    if (args[i].defined() && args[i].requires_grad() && !t.requires_grad()) {
      set_requires_grad(t, true);
    }
    args2.push_back(t);
  }
  std::string why;
  std::optional<ShapeParams> params;
  try {
    Tracer tracer;
    for (size_t i = 0; i < args2.size(); ++i) tracer.add_input(args2[i]);
    std::vector<Tensor> outs2 = fn_(args2);
    tracer.set_outputs(outs2);
    params = fit_shape_params(g1, size, tracer.graph(), size2, &why);
    if (params && c.grad) c.grad->fit_sizes(tracer, args2, outs2, opts_.passes, size, size2);
  } catch (const std::exception& e) {
    why = std::string("tracing at size ") + std::to_string(size2) + " failed: " + e.what();
  }
  for (size_t i = 0; i < saved.size(); ++i) copy_into(g1.captures()[i], saved[i]);
  for (size_t i = 0; i < grads.size(); ++i) {
    set_grad(g1.captures()[g1.value(fx.grad_writes[i].first).index], grads[i]);
  }
  default_generator().set_state(rng);
  c.traced_size = size;
  c.params = std::move(params);
  if (!c.params) {
    dynamic_unsupported_ = true;
    log_.push_back(fmt::format("dynamic dims: graphs are specialized per size, because {}", why));
  }
}

Executor& Function::executor_for(Entry& e, const std::vector<Tensor>& args) {
  Compiled& c = *e.compiled;
  if (!c.params) return *c.executor;
  int64_t size = dynamic_size(args);
  if (size == c.traced_size || size < 0) return *c.executor;
  auto it = c.by_size.find(size);
  if (it == c.by_size.end()) {
    if (c.by_size.size() >= 16) c.by_size.erase(c.by_size.begin());
    Graph g = specialize(*c.traced, *c.params, size);
    it = c.by_size.emplace(size, compile_graph(g, c.executor->effects(), opts_.passes)).first;
  }
  return *it->second;
}

std::vector<Tensor> Function::operator()(const std::vector<Tensor>& args,
                                         const std::string& static_key) {
  // Called while an outer function traces: run inline so the outer graph records the ops.
  if (trace_hook()) return fn_(args);
  static const std::vector<std::vector<int64_t>> kNoDynamic;
  const auto& dynamic = dynamic_unsupported_ ? kNoDynamic : opts_.dynamic_dims;
  // The common case, a replay of the most recent signature, is checked without building the
  // call's signature.
  if (!cache_.empty() && cache_.front().compiled && matches(cache_.front().sig, args, dynamic, static_key)) {
    return replay(cache_.front(), args);
  }
  CallSignature sig = signature_of(args, dynamic, static_key);
  Entry* e = find(sig);
  if (!e) {
    note_retrace(sig);
    if (cache_.size() >= opts_.max_cache_size) {
      warn_(fmt::format("{}: the signature cache is full ({} entries); running this call "
                        "eagerly. New signature: {}", opts_.name, cache_.size(), log_.back()));
      return fn_(args);
    }
    cache_.push_front(Entry{sig, 0, 0, nullptr});
    e = &cache_.front();
  }
  if (!e->compiled) {
    if (e->eager_calls < opts_.warmup_calls) {
      ++e->eager_calls;
      return fn_(args);
    }
    // Tracing runs the callable (eagerly, on the real tensors): its results are this call's.
    std::vector<Tensor> outs;
    e->compiled = trace(args, &outs);
    int64_t size = dynamic_size(args);
    if (!opts_.dynamic_dims.empty() && !dynamic_unsupported_ && size > 0) {
      fit_dynamic(*e->compiled, args, size);
      if (!e->compiled->params) e->sig = signature_of(args, kNoDynamic, static_key);
    }
    return outs;
  }
  return replay(*e, args);
}

std::optional<std::vector<Tensor>> Function::try_replay(const std::vector<Tensor>& args,
                                                        const std::string& static_key) {
  if (trace_hook() || cache_.empty() || !cache_.front().compiled) return std::nullopt;
  static const std::vector<std::vector<int64_t>> kNoDynamic;
  const auto& dynamic = dynamic_unsupported_ ? kNoDynamic : opts_.dynamic_dims;
  if (!matches(cache_.front().sig, args, dynamic, static_key)) return std::nullopt;
  return replay(cache_.front(), args);
}

std::vector<Tensor> Function::replay(Entry& e, const std::vector<Tensor>& args) {
  if (e.compiled->grad && e.compiled->grad->needs_grad(args)) return run_differentiable(e, args);
  if (e.checked_calls < opts_.check_calls) return run_checked(e, args);
  if (opts_.cuda_graph) {
    return run_with_cuda_graph(e.compiled->cuda_graphs, executor_for(e, args), args, cuda_graph_log_);
  }
  return executor_for(e, args).run(args);
}

std::vector<Tensor> Function::run_differentiable(Entry& e, const std::vector<Tensor>& args) {
  DifferentiableReplay& g = *e.compiled->grad;
  auto plain = [&]() -> const Executor& { return executor_for(e, args); };
  if (e.checked_calls < opts_.check_calls) {
    const Graph& fg = e.compiled->executor->graph();
    GradientCheck check{fn_, [&](const std::vector<Tensor>& a) {
                          auto plain_a = [&]() -> const Executor& { return executor_for(e, a); };
                          return g.try_run(a, dynamic_size(a), plain_a);
                        }, fg.captures(), {}, opts_.check_rtol, opts_.check_atol, opts_.name};
    for (ValueId v : fg.capture_values()) check.state_names.push_back(fg.value(v).name);
    if (check_gradients(check, args)) ++e.checked_calls;
  }
  if (auto outs = g.try_run(args, dynamic_size(args), plain)) return *outs;
  if (!g.unsupported().empty()) {
    if (!warned_grad_args_) {
      warned_grad_args_ = true;
      warn_(fmt::format("{}: gradients cannot flow through replays of this function ({}); calls "
                        "that need gradients run eagerly.", opts_.name, g.unsupported()));
    }
    return fn_(args);
  }
  // A new size, or captured tensors whose requires_grad changed: record graphs for them
  // (tracing runs the callable: its results are this call's).
  log_.push_back("gradients needed for a new size or new requires_grad of captured tensors");
  std::vector<Tensor> outs;
  std::shared_ptr<Compiled> again = trace(args, &outs);
  if (again->grad) g.adopt(*again->grad);
  return outs;
}

std::shared_ptr<const Graph> Function::graph(const std::vector<Tensor>& args,
                                             const std::string& static_key) {
  CallSignature sig = signature_of(args, opts_.dynamic_dims, static_key);
  Entry* e = find(sig);
  if (!e || !e->compiled) {
    if (!e) {
      note_retrace(sig);
      cache_.push_front(Entry{sig, opts_.warmup_calls, 0, nullptr});
      e = &cache_.front();
    }
    e->compiled = trace(args, nullptr);
  }
  return e->compiled->optimized;
}

}  // namespace ember::trace

namespace ember::trace {

std::string Function::memory_plan(const std::vector<Tensor>& args, const std::string& static_key) {
  graph(args, static_key);
  Entry* e = find(signature_of(args, dynamic_unsupported_ ? std::vector<std::vector<int64_t>>{}
                                                          : opts_.dynamic_dims, static_key));
  if (!e || !e->compiled) raise<Error>("[{}] no compiled graph for these arguments", opts_.name);
  const Executor& ex = executor_for(*e, args);
  return ex.memory_plan().str(ex.graph());
}

void Function::save(const std::string& path, const std::vector<Tensor>& args,
                    const std::string& static_key) {
  graph(args, static_key);
  Entry* e = find(signature_of(args, opts_.dynamic_dims, static_key));
  save_function(path, *e->compiled->traced, e->compiled->executor->effects());
}

}  // namespace ember::trace
