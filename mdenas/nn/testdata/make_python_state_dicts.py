"""Writes the Python-saved state dicts weights_file_test reads.

Run with Debian's python3-torch (1.13): /usr/bin/python3 make_python_state_dicts.py
"""
import torch

net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 1, bias=False), torch.nn.BatchNorm2d(2))
with torch.no_grad():
    net[0].weight.copy_(torch.tensor([1.5, -2.0]).view(2, 1, 1, 1))
    net[1].running_mean.copy_(torch.tensor([0.25, 0.5]))
    net[1].num_batches_tracked.fill_(7)
torch.save(net.state_dict(), "python_state_dict.pt")
torch.save(net.state_dict(), "python_state_dict_protocol4.pt", pickle_protocol=4)
