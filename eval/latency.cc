#include "eval/latency.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include <torch/torch.h>

namespace mdenas {

double MedianMilliseconds(const std::function<void()>& run, int warmup,
                          int repeats) {
  for (int i = 0; i < warmup; ++i) run();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  std::sort(times.begin(), times.end());
  const size_t middle = times.size() / 2;
  return times.size() % 2 == 1 ? times[middle]
                               : (times[middle - 1] + times[middle]) / 2;
}

Latency MeasureLatency(Network& network, int batch_size, int channels,
                       int height, int width, const torch::Device& device,
                       const std::string& device_name, int warmup,
                       int repeats) {
  torch::NoGradGuard no_grad;
  const bool was_training = network.is_training();
  network.eval();
  const torch::Tensor images =
      torch::zeros({batch_size, channels, height, width}, device);
  const double median = MedianMilliseconds(
      [&] {
        const torch::Tensor logits = network.forward(images).logits;
        // Waits for the device: item() copies a value to the host.
        logits.sum().item<float>();
      },
      warmup, repeats);
  network.train(was_training);
  Latency latency;
  latency.set_batch_size(batch_size);
  latency.set_median_ms(median);
  latency.set_repeats(repeats);
  latency.set_device(device_name);
  return latency;
}

}  // namespace mdenas
