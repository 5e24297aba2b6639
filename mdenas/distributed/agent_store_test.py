"""Plays torchrun's agent for agent_store_test: hosts the TCPStore and starts
two workers with the variables that local_elastic_agent.py gives its workers
under the static rendezvous (TORCHELASTIC_USE_AGENT_STORE=True), then shows
that their keys are in this store under /worker/attempt_<restart count>/.

  python3 agent_store_test.py WORKER RESTART_COUNT
"""
import datetime
import os
import socket
import subprocess
import sys

import torch.distributed as dist


def main(worker, restart_count):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = dist.TCPStore("127.0.0.1", port, 3, True, datetime.timedelta(seconds=30),
                          wait_for_workers=False)
    workers = []
    for rank in range(2):
        env = dict(os.environ, RANK=str(rank), WORLD_SIZE="2", LOCAL_RANK=str(rank),
                   LOCAL_WORLD_SIZE="2", MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
                   TORCHELASTIC_USE_AGENT_STORE="True",
                   TORCHELASTIC_RESTART_COUNT=str(restart_count))
        workers.append(subprocess.Popen([worker, "--case=collectives", "--out=" +
                                         os.path.join(os.environ["TEST_TMPDIR"], "agent")],
                                        env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True))
    for rank, process in enumerate(workers):
        output, _ = process.communicate()
        print(f"rank {rank} exit {process.returncode}\n{output}")
    key = f"/worker/attempt_{restart_count}/mdenas/agreement/1"
    print(f"agent store holds {key}: {store.get(key).decode()}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
