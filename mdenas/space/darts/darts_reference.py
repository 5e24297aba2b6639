"""DARTS's NetworkCIFAR (quark0/darts, cnn/model.py) written afresh for
python_weights_test: the modules, and so the state_dict names, of the
reference, and its forward pass in evaluation mode.

  darts_reference.py --genotype="Genotype(...)" --dir=DIR

reads DIR/input.pt ({"input": images}) and DIR/weights.pt (written by C++),
prints nothing on success, and writes
  DIR/python_state.pt  torch.save(model.state_dict()) of a model of its own
  DIR/logits.pt        {"of_weights": logits with weights.pt,
                        "of_python_state": logits with python_state.pt}
"""

import argparse
import collections
import os

import torch
from torch import nn

Genotype = collections.namedtuple("Genotype", "normal normal_concat reduce reduce_concat")


class ReLUConvBN(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(), nn.Conv2d(c_in, c_out, 1, bias=False),
                                nn.BatchNorm2d(c_out))

    def forward(self, x):
        return self.op(x)


class FactorizedReduce(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = self.relu(x)
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1))


class Separable(nn.Module):
    """`repeats` times ReLU, depthwise, pointwise, BN: SepConv (2) and DilConv (1)."""

    def __init__(self, c, kernel, stride, dilation, repeats):
        super().__init__()
        layers = []
        for i in range(repeats):
            layers += [
                nn.ReLU(),
                nn.Conv2d(c, c, kernel, stride if i == 0 else 1, dilation * (kernel - 1) // 2,
                          dilation, groups=c, bias=False),
                nn.Conv2d(c, c, 1, bias=False),
                nn.BatchNorm2d(c),
            ]
        self.op = nn.Sequential(*layers)

    def forward(self, x):
        return self.op(x)


def make_op(name, c, stride):
    if name == "skip_connect":
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride, 1, count_include_pad=False)
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride, 1)
    kind, size = name.rsplit("_", 1)
    kernel = int(size.split("x")[0])
    if kind == "sep_conv":
        return Separable(c, kernel, stride, 1, 2)
    if kind == "dil_conv":
        return Separable(c, kernel, stride, 2, 1)
    raise ValueError("no operation " + name)


class Cell(nn.Module):
    def __init__(self, edges, concat, c_pp, c_p, c, reduction, reduction_prev):
        super().__init__()
        self.preprocess0 = FactorizedReduce(c_pp, c) if reduction_prev else ReLUConvBN(c_pp, c)
        self.preprocess1 = ReLUConvBN(c_p, c)
        self._ops = nn.ModuleList(
            make_op(name, c, 2 if reduction and source < 2 else 1) for name, source in edges)
        self.sources = [source for _, source in edges]
        self.concat = list(concat)

    def forward(self, s0, s1):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for node in range(len(self._ops) // 2):
            states.append(sum(self._ops[k](states[self.sources[k]])
                              for k in (2 * node, 2 * node + 1)))
        return torch.cat([states[i] for i in self.concat], dim=1)


class AuxiliaryHeadCIFAR(nn.Module):
    def __init__(self, c, classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.ReLU(), nn.AvgPool2d(5, 3, 0, count_include_pad=False),
            nn.Conv2d(c, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
            nn.Conv2d(128, 768, 2, bias=False), nn.BatchNorm2d(768), nn.ReLU())
        self.classifier = nn.Linear(768, classes)


class NetworkCIFAR(nn.Module):
    def __init__(self, c, classes, layers, auxiliary, genotype):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 3 * c, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(3 * c))
        c_pp = c_p = 3 * c
        reduction_prev = False
        self.cells = nn.ModuleList()
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c *= 2
            edges, concat = ((genotype.reduce, genotype.reduce_concat) if reduction else
                             (genotype.normal, genotype.normal_concat))
            self.cells.append(Cell(edges, concat, c_pp, c_p, c, reduction, reduction_prev))
            c_pp, c_p, reduction_prev = c_p, len(concat) * c, reduction
            if i == 2 * layers // 3:
                c_auxiliary = c_p
        if auxiliary:
            self.auxiliary_head = AuxiliaryHeadCIFAR(c_auxiliary, classes)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, classes)

    def forward(self, x):
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.classifier(self.global_pooling(s1).flatten(1))


def randomize_batch_norms(model):
    """Statistics and affine parameters away from their initial values, so that
    evaluation depends on every one of them."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
                module.num_batches_tracked.fill_(5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--genotype", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--layers", type=int, default=5)
    args = parser.parse_args()
    genotype = eval(args.genotype, {"Genotype": Genotype})  # The DARTS text form.
    images = torch.load(os.path.join(args.dir, "input.pt"), weights_only=False)["input"]

    def model():
        return NetworkCIFAR(args.channels, 10, args.layers, True, genotype).eval()

    with torch.no_grad():
        from_cc = model()
        from_cc.load_state_dict(
            torch.load(os.path.join(args.dir, "weights.pt"), weights_only=False))
        torch.manual_seed(1)
        own = model()
        randomize_batch_norms(own)
        torch.save(own.state_dict(), os.path.join(args.dir, "python_state.pt"))
        torch.save({"of_weights": from_cc(images), "of_python_state": own(images)},
                   os.path.join(args.dir, "logits.pt"))


if __name__ == "__main__":
    main()
