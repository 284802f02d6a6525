#include <gtest/gtest.h>

#include "core/ops.h"
#include "eager/autograd.h"
#include "nn/containers.h"
#include "nn/linear.h"
#include "nn/loss.h"
#include "nn/activation.h"
#include "nn/optim/optimizers.h"

namespace ember::nn {
namespace {

TEST(Module, SequentialRegistersChildrenInOrder) {
  auto seq = std::make_shared<Sequential>();
  seq->append(std::make_shared<Linear>(4, 3));
  seq->append(std::make_shared<ReLU>());
  seq->append(std::make_shared<Linear>(3, 2));
  auto names = seq->named_parameters();
  ASSERT_EQ(names.size(), 4u);
  EXPECT_EQ(names[0].first, "0.weight");
  EXPECT_EQ(names[3].first, "2.bias");
  Tensor y = (*seq)(ones({5, 4}));
  EXPECT_EQ(y.shape(), (Shape{5, 2}));
}

TEST(Module, StateDictRoundTripAndErrors) {
  Linear a(4, 3), b(4, 3);
  b.load_state_dict(a.state_dict());
  EXPECT_DOUBLE_EQ(read_as_double(b.parameter("weight"), 5), read_as_double(a.parameter("weight"), 5));
  Linear c(5, 3);
  EXPECT_THROW(c.load_state_dict(a.state_dict()), Error);
  StateDict partial = {a.state_dict()[0]};
  EXPECT_THROW(b.load_state_dict(partial), Error);
  auto r = b.load_state_dict(partial, /*strict=*/false);
  EXPECT_EQ(r.missing_keys, std::vector<std::string>{"bias"});
}

TEST(Module, TrainEvalPropagates) {
  auto seq = std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
      std::make_shared<Linear>(2, 2), std::make_shared<Linear>(2, 2)});
  seq->eval();
  EXPECT_FALSE(seq->at(1)->is_training());
  seq->train();
  EXPECT_TRUE(seq->at(0)->is_training());
}

TEST(Module, TrainingLoopReducesLoss) {
  manual_seed(0);
  Tensor x = randn({64, 3});
  Tensor y = matmul(x, full({3, 1}, 0.5));
  auto model = std::make_shared<Linear>(3, 1);
  optim::SGD opt(model->parameters(), 0.1);
  MSELoss loss_fn;
  double first = 0, last = 0;
  for (int i = 0; i < 50; ++i) {
    opt.zero_grad();
    Tensor loss = loss_fn(model->forward(x), y);
    backward(loss);
    opt.step();
    (i == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.01 * first);
}

TEST(Module, ReprLikePyTorch) {
  EXPECT_EQ(Linear(4, 3).repr(), "Linear(in_features=4, out_features=3, bias=True)");
}

}  // namespace
}  // namespace ember::nn
