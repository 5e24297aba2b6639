#!/bin/bash
# A data-parallel search across two "machines" on this one: two network
# namespaces joined by a veth pair (10.77.0.1 and 10.77.0.2), one rank in
# each, talking over the pair as two hosts would (TCPStore rendezvous on
# rank 0's address, Gloo over the veth), then the same search in one process
# with micro_batches: 2 as the reference. Prints both runs' results and
# exits 0 only if the two-machine search is the same run: the same sampled
# paths, accuracies, distributions and architecture, losses within 1e-5.
#
#   sudo tools/two_machine_search.sh [search flags...]   # as root: ip netns
#
# The namespaces share this machine's file system, so rank 1 reads the same
# data as rank 0; only rank 0 writes the run directory. MDENAS_WORK (default
# a new temporary folder) keeps the runs.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "error: needs root for ip netns (run it with sudo)" >&2
  exit 2
fi
for tool in ip python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 2; }
done

./bazelw build //mdenas:search
SEARCH=$PWD/bazel-bin/mdenas/search
WORK=${MDENAS_WORK:-$(mktemp -d /tmp/two_machine_search.XXXXXX)}
mkdir -p "$WORK"
# As `bazel run` does, so that the search finds ../shared/data.
export BUILD_WORKSPACE_DIRECTORY=$PWD

FLAGS=(--epochs=3 --batch_size=32 --seed=7 --threads=1
       --set=data.max_train_images=1000,space.darts.layers=3,space.darts.init_channels=8,learner.warmup_epochs=0
       "$@")

HOSTS=(mdenas_host0 mdenas_host1)
ADDRESSES=(10.77.0.1 10.77.0.2)
cleanup() {
  for host in "${HOSTS[@]}"; do ip netns del "$host" 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
for i in 0 1; do
  ip netns add "${HOSTS[$i]}"
  ip -n "${HOSTS[$i]}" link set lo up
done
ip link add mdenas_veth0 netns "${HOSTS[0]}" type veth peer name mdenas_veth1 netns "${HOSTS[1]}"
for i in 0 1; do
  ip -n "${HOSTS[$i]}" addr add "${ADDRESSES[$i]}/24" dev "mdenas_veth$i"
  ip -n "${HOSTS[$i]}" link set "mdenas_veth$i" up
done
echo "== network: ${HOSTS[0]} ${ADDRESSES[0]} <-veth-> ${HOSTS[1]} ${ADDRESSES[1]}"

PORT=29555
pids=()
for rank in 0 1; do
  ip netns exec "${HOSTS[$rank]}" env RANK=$rank WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 \
    MASTER_ADDR="${ADDRESSES[0]}" MASTER_PORT=$PORT \
    "$SEARCH" --out="$WORK/two_machines" "${FLAGS[@]}" > "$WORK/rank$rank.log" 2>&1 &
  pids+=($!)
done
status=0
for rank in 0 1; do
  wait "${pids[$rank]}" || { status=$?; echo "rank $rank failed (exit $status):"; cat "$WORK/rank$rank.log"; }
done
[[ $status -eq 0 ]] || exit "$status"
echo "== rank 0 (${HOSTS[0]}):"
grep -E "^(data|processes|epoch)" "$WORK/rank0.log"
echo "== rank 1 (${HOSTS[1]}) printed:"
cat "$WORK/rank1.log"

echo "== reference: one process, micro_batches: 2"
"$SEARCH" --out="$WORK/one_process" "${FLAGS[@]}" --set=optimizer.micro_batches=2 \
  > "$WORK/one_process.log" 2>&1 || { cat "$WORK/one_process.log"; exit 1; }
grep -E "^epoch" "$WORK/one_process.log"

python3 - "$WORK/two_machines" "$WORK/one_process" <<'EOF'
import json, sys
two, one = (json.load(open(f"{run}/result.json")) for run in sys.argv[1:3])
problems = []
for key in ("architecture", "distribution"):
    if two[key] != one[key]:
        problems.append(f"{key} differs")
for a, b in zip(two["epochs"], one["epochs"]):
    for key in ("sampled_ops", "valid_top1", "train_top1", "mean_entropy"):
        if a.get(key) != b.get(key):
            problems.append(f"epoch {a['epoch']}: {key} {a.get(key)} vs {b.get(key)}")
    if abs(a["train_loss"] - b["train_loss"]) > 1e-5:
        problems.append(f"epoch {a['epoch']}: train_loss {a['train_loss']} vs {b['train_loss']}")
print(f"two machines: processes {two.get('processes')}, "
      f"{two['device_hours'] * 3600:.1f} device-seconds; architecture\n  {two['architecture']}")
print(f"one process:  processes {one.get('processes', 1)}; architecture\n  {one['architecture']}")
if problems:
    print("DIFFERENT:\n  " + "\n  ".join(problems))
    sys.exit(1)
print(f"SAME RUN: {len(two['epochs'])} epochs, the same paths, accuracies, distributions "
      "and architecture; losses within 1e-5")
EOF
