#include <chrono>
#include <iostream>
#include <random>
#include <torch/torch.h>
#include "mdenas/space/supernet.h"
using namespace mdenas;
int main(int argc, char** argv) {
  int layers = std::atoi(argv[1]), c = std::atoi(argv[2]), batch = std::atoi(argv[3]);
  at::set_num_threads(2);
  torch::manual_seed(0);
  Supernet net(SupernetOptions().layers(layers).init_channels(c));
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.025).momentum(0.9));
  std::mt19937 rng(0);
  auto images = torch::randn({batch, 3, 32, 32});
  auto labels = torch::randint(10, {batch});
  for (int rep = 0; rep < 2; ++rep) {
  double train = 0, eval = 0;
  for (int s = 0; s < 10; ++s) {
    std::vector<int> path(28); for (int& p : path) p = rng() % 8;
    auto t0 = std::chrono::steady_clock::now();
    for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
    auto loss = torch::nn::functional::cross_entropy(net->forward(images, path), labels);
    loss.backward(); opt.step();
    auto t1 = std::chrono::steady_clock::now();
    { torch::NoGradGuard ng; net->eval(); net->forward(images, path); net->train(); }
    auto t2 = std::chrono::steady_clock::now();
    train += std::chrono::duration<double>(t1 - t0).count();
    eval += std::chrono::duration<double>(t2 - t1).count();
  }
  std::cout << "train img/s " << 10 * batch / train << " eval img/s " << 10 * batch / eval << "\n";
  }
}
