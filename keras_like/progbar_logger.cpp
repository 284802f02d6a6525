#include "keras_like/progbar_logger.h"

#include <unistd.h>

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace ember::keras {
namespace {

constexpr int kWidth = 20;

std::string fmt_value(double v) {
  return v != 0 && std::abs(v) < 1e-3 ? fmt::format("{:.4e}", v) : fmt::format("{:.4f}", v);
}

std::string fmt_time(double s) {
  if (s >= 3600) {
    return fmt::format("{}:{:02d}:{:02d}", int(s / 3600), int(std::fmod(s, 3600) / 60),
                       int(std::fmod(s, 60)));
  }
  if (s >= 60) return fmt::format("{}:{:02d}", int(s / 60), int(std::fmod(s, 60)));
  return fmt::format("{}s", int(std::nearbyint(s)));  // half to even, as Python
}

std::string fmt_per_step(double s) {
  if (s >= 1) return fmt::format("{:.0f}s/step", s);
  if (s >= 1e-3) return fmt::format("{:.0f}ms/step", s * 1e3);
  return fmt::format("{:.0f}us/step", s * 1e6);
}

}  // namespace

std::string ProgbarLogger::line(int verbose, int64_t step, int64_t steps, double elapsed,
                                const Logs& logs, bool final) {
  if (steps <= 0) steps = step;
  double per_step = elapsed / double(std::max<int64_t>(step, 1));
  std::string tail;
  for (const auto& [k, v] : logs) tail += fmt::format(" - {}: {}", k, fmt_value(v));
  if (verbose == 2) {
    return fmt::format("{}/{} - {} - {}{}", step, steps, fmt_time(elapsed), fmt_per_step(per_step),
                       tail);
  }
  int done = steps ? int(kWidth * step / steps) : kWidth;
  std::string bar;
  for (int i = 0; i < kWidth; ++i) bar += i < done ? "\u2501" : "\u2500";
  std::string when = final ? fmt_time(elapsed) : fmt_time(per_step * double(steps - step));
  int width = int(std::to_string(steps).size());
  return fmt::format("{:>{}}/{} {} {} {}{}", step, width, steps, bar, when,
                     fmt_per_step(per_step), tail);
}

bool ProgbarLogger::is_terminal() const { return isatty(fileno(out_)) != 0; }

void ProgbarLogger::on_epoch_begin(int epoch, const Logs&) {
  start_ = std::chrono::steady_clock::now();
  last_step_ = 0;
  if (params_.verbose) fmt::print(out_, "Epoch {}/{}\n", epoch + 1, params_.epochs);
}

void ProgbarLogger::on_train_batch_end(int64_t batch, const Logs& logs) {
  last_step_ = batch + 1;
  if (params_.verbose != 1 || !is_terminal()) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  fmt::print(out_, "\r{}", line(1, last_step_, params_.steps, elapsed, logs, false));
  std::fflush(out_);
}

void ProgbarLogger::on_epoch_end(int, const Logs& logs) {
  if (!params_.verbose) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const char* prefix = params_.verbose == 1 && is_terminal() ? "\r" : "";
  fmt::print(out_, "{}{}\n", prefix, line(params_.verbose, last_step_, params_.steps, elapsed,
                                          logs, true));
  std::fflush(out_);
}

}  // namespace ember::keras
