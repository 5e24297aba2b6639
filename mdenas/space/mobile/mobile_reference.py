#!/usr/bin/env python3
"""Parameters and multiply-accumulates of the authors' mobile networks,
computed from their skeleton files by closed-form arithmetic (no PyTorch):
the independent values mobile_network_test.cc checks the C++ networks
against.

    python3 mdenas/space/mobile/mobile_reference.py ../shared/paper/mobile

Conventions (ProxylessNAS's MBInvertedConvLayer, the authors' code): a
slot's block is a 1x1 expansion to round(in x ratio) channels unless the
ratio is 1, a depthwise k x k of the slot's stride with padding k // 2, a
1x1 projection; each conv followed by BN (weight and bias); the classifier
is linear with bias. MACs count one multiply-add per weight use, of
convolutions and the classifier, at 224 x 224.
"""
import json
import sys

GENES = {
    "gpu": [(7, 6), (5, 6), (7, 3), (3, 6), (5, 6), (3, 1), (7, 3), (7, 6), (3, 3), (3, 6),
            (7, 3), (3, 3), (3, 3), (5, 6)],
    "cpu": [(5, 3), (7, 1), (3, 6), (5, 3), (5, 3), (5, 3), (5, 1), (5, 6), (5, 1), (5, 6),
            (7, 3), (5, 3), (7, 3), (7, 6), (3, 6), (5, 3), (7, 6), (7, 1), (3, 3), (3, 3)],
}


def conv_out(size, kernel, stride):
    return (size + 2 * (kernel // 2) - kernel) // stride + 1


def count(config, genes, size=224, classes=1000):
    params = macs = 0
    first = config["first_conv"]
    c_in, c = 3, first["out_channels"]
    size = conv_out(size, 3, first["stride"])
    params += c_in * c * 9 + 2 * c
    macs += size * size * c * c_in * 9
    slot = 0
    for block in config["blocks"]:
        layer = block["mobile_inverted_conv"]
        if layer["name"] != "MBInvertedConvLayer":
            continue
        kernel, ratio = genes[slot]
        slot += 1
        c_in, c_out, stride = layer["in_channels"], layer["out_channels"], layer["stride"]
        mid = round(c_in * ratio)
        if ratio != 1:
            params += c_in * mid + 2 * mid
            macs += size * size * c_in * mid
        size = conv_out(size, kernel, stride)
        params += mid * kernel * kernel + 2 * mid + mid * c_out + 2 * c_out
        macs += size * size * mid * (kernel * kernel + c_out)
    assert slot == len(genes), (slot, len(genes))
    mix = config["feature_mix_layer"]
    params += mix["in_channels"] * mix["out_channels"] + 2 * mix["out_channels"]
    macs += size * size * mix["in_channels"] * mix["out_channels"]
    features = config["classifier"]["in_features"]
    params += features * classes + classes
    macs += features * classes
    return params, macs


def main(folder):
    for name, genes in GENES.items():
        config = json.load(open(f"{folder}/{name}.config"))
        params, macs = count(config, genes)
        print(f"MDENAS_{name.upper()}: {params} parameters, {macs} MACs at 224 px")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/paper/mobile")
