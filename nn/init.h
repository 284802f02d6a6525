#pragma once
// Parameter initialization, as torch.nn.init: each fills a tensor in place (no autograd)
// and returns it. Random draws use the calling thread's generator (ember::manual_seed).
#include <string_view>

#include "core/tensor.h"

namespace ember::nn::init {

// (fan_in, fan_out) of a weight: dims 1 and 0, times the receptive field for convolutions.
std::pair<int64_t, int64_t> fan_in_and_fan_out(const Tensor& t);
double calculate_gain(std::string_view nonlinearity, double param = 0.01);

const Tensor& uniform_(const Tensor& t, double a = 0.0, double b = 1.0);
const Tensor& normal_(const Tensor& t, double mean = 0.0, double std = 1.0);
const Tensor& constant_(const Tensor& t, double value);
const Tensor& zeros_(const Tensor& t);
const Tensor& ones_(const Tensor& t);
const Tensor& xavier_uniform_(const Tensor& t, double gain = 1.0);
const Tensor& xavier_normal_(const Tensor& t, double gain = 1.0);
// mode: "fan_in" | "fan_out"; nonlinearity: "leaky_relu" | "relu" | ...
const Tensor& kaiming_uniform_(const Tensor& t, double a = 0.0, std::string_view mode = "fan_in",
                               std::string_view nonlinearity = "leaky_relu");
const Tensor& kaiming_normal_(const Tensor& t, double a = 0.0, std::string_view mode = "fan_in",
                              std::string_view nonlinearity = "leaky_relu");
const Tensor& orthogonal_(const Tensor& t, double gain = 1.0);

}  // namespace ember::nn::init
