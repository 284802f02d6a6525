#include "trace/function.h"

#include <cstdio>

#include "core/dispatch.h"
#include "trace/tracer.h"

namespace ember::trace {

Function::Function(Fn fn, FunctionOptions options) : fn_(std::move(fn)), opts_(std::move(options)) {
  warn_ = [](const std::string& m) { std::fprintf(stderr, "ember: %s\n", m.c_str()); };
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
    if (eager_outputs) *eager_outputs = outs;
    effects.grad_writes = tracer.grad_writes();
    c->traced = std::make_shared<Graph>(tracer.graph());
  }
  ++traces_;
  Graph optimized = *c->traced;
  std::vector<ValueId> keep;
  for (auto& [leaf, grad] : effects.grad_writes) {
    keep.push_back(leaf);
    if (grad >= 0) keep.push_back(grad);
  }
  run_passes(optimized, keep, opts_.passes, &c->pass_log);
  c->optimized = std::make_shared<Graph>(std::move(optimized));
  c->executor = std::make_unique<Executor>(c->optimized, std::move(effects));
  return c;
}

std::vector<Tensor> Function::operator()(const std::vector<Tensor>& args,
                                         const std::string& static_key) {
  // Called while an outer function traces: run inline so the outer graph records the ops.
  if (trace_hook()) return fn_(args);
  CallSignature sig = signature_of(args, opts_.dynamic_dims, static_key);
  Entry* e = find(sig);
  if (!e) {
    note_retrace(sig);
    if (cache_.size() >= opts_.max_cache_size) {
      warn_(fmt::format("{}: the signature cache is full ({} entries); running this call "
                        "eagerly. New signature: {}", opts_.name, cache_.size(), log_.back()));
      return fn_(args);
    }
    cache_.push_front(Entry{sig, 0, nullptr});
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
    return outs;
  }
  return e->compiled->executor->run(args);
}

std::shared_ptr<const Graph> Function::graph(const std::vector<Tensor>& args,
                                             const std::string& static_key) {
  CallSignature sig = signature_of(args, opts_.dynamic_dims, static_key);
  Entry* e = find(sig);
  if (!e || !e->compiled) {
    if (!e) {
      note_retrace(sig);
      cache_.push_front(Entry{sig, opts_.warmup_calls, nullptr});
      e = &cache_.front();
    }
    e->compiled = trace(args, nullptr);
  }
  return e->compiled->optimized;
}

}  // namespace ember::trace
