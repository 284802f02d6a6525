#pragma once
// The Keras progress display: verbose=1 a bar redrawn per batch on a terminal (one line per
// epoch elsewhere), verbose=2 one line per epoch. Same format as the Python ember.keras.
#include <chrono>
#include <cstdio>

#include "keras_like/callbacks.h"

namespace ember::keras {

class ProgbarLogger : public Callback {
 public:
  explicit ProgbarLogger(std::FILE* out = stdout) : out_(out) {}
  void on_epoch_begin(int epoch, const Logs&) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;

  // "12/45 ━━━━━───── 1s 20ms/step - loss: 0.1234" (exposed for tests).
  static std::string line(int verbose, int64_t step, int64_t steps, double elapsed_s,
                          const Logs& logs, bool final);

 private:
  bool is_terminal() const;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  int64_t last_step_ = 0;
};

}  // namespace ember::keras
