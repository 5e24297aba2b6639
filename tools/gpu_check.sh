#!/bin/bash
# The GPU path checked on a lent GPU host (one H100/H200 with its own
# PyTorch, CUDA, CMake and ninja, no Bazel), written to finish in 8 minutes:
# the CMake build and every test (the CUDA ones included), search_step on
# the GPU, and a timed slice of the paper-preset search, whose epoch time
# extrapolates to the full search's minutes; search_step and the slice each
# in float32 and in bfloat16 autocast, the slice also in float32 without
# CUDA graphs (runtime.cuda_graphs). One JSON holds every figure.
#
#   on a Debian 12 machine:  tools/gpu_check.sh prepare
#       Debian packages for the build (tools/gpu_host.sh fetch) and a slice
#       of CIFAR-10's training images (../shared/data/cifar10-jpeg, 500 per
#       class: the device tool carries 64 MiB) into build/.
#   on the GPU host:         tools/gpu_check.sh run OUT_DIR
#       -> OUT_DIR/gpu_check.json (and each step's log beside it)
#
# Every step must pass: a failing one is named in the JSON's failed_steps and
# the script exits non-zero; the steps after it still run where they can (a
# failing test costs no GPU figure), but nothing runs after a failed build.
# A test skipped for want of a CUDA device fails the check (the host has
# one); one that needs two GPUs is listed as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

# The lent hosts' PyTorch. Another version still builds (the CMake build
# compiles against whatever torch the host has); the JSON records both.
EXPECTED_TORCH=2.11.0+cu130
SLICE=build/gpu_check/cifar10
SLICE_PER_CLASS=500
SLICE_EPOCHS=3

case "${1:-}" in
  prepare)
    tools/gpu_host.sh fetch
    rm -rf "$SLICE"
    # The search reads train/ only, but a data folder has a test/ too.
    for split in train test; do
      count=$([[ $split == train ]] && echo "$SLICE_PER_CLASS" || echo 10)
      for class_dir in ../shared/data/cifar10-jpeg/$split/*/; do
        class=$(basename "$class_dir")
        mkdir -p "$SLICE/$split/$class"
        find "$class_dir" -name '*.jpg' | sort | head -n "$count" |
          xargs cp -t "$SLICE/$split/$class"
      done
    done
    du -sh build/debs "$SLICE"
    ;;
  run)
    out=$(mkdir -p "${2:?usage: tools/gpu_check.sh run OUT_DIR}" && cd "$2" && pwd)
    step=none
    started=$(date +%s)
    figures="$out/figures.txt"  # key=value lines, gathered into the JSON
    failed="$out/failed_steps.txt"
    : > "$figures"
    : > "$failed"
    finish() {
      local status=$?
      # An early stop (set -e, or a step nothing can follow) is a failure too.
      [[ $status == 0 || -s $failed ]] || echo "$step" >> "$failed"
      python3 - "$out" "$figures" "$failed" "$(( $(date +%s) - started ))" <<'PY'
import glob, json, sys, xml.etree.ElementTree as ET
out, figures, failed, seconds = sys.argv[1:]
result = {"failed_steps": open(failed).read().split(), "seconds": int(seconds)}
for line in open(figures):
    key, _, value = line.rstrip("\n").partition("=")
    try:
        result[key] = json.loads(value)
    except ValueError:
        result[key] = value
tests = {"cases": 0, "failed": [], "skipped": []}
for report in glob.glob(f"{out}/gtest/*.xml"):
    for case in ET.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname')}.{case.get('name')}"
        tests["cases"] += 1
        if case.find("failure") is not None:
            tests["failed"].append(name)
        skipped = case.find("skipped")
        if skipped is not None or case.get("result") == "skipped":
            message = skipped.get("message", "") if skipped is not None else ""
            tests["skipped"].append({"test": name, "why": message})
result["tests"] = tests
for name in ("search_step_float32", "search_step_bfloat16", "search_slice_float32",
             "search_slice_bfloat16", "search_slice_float32_eager"):
    path = f"{out}/{name}.json"
    try:
        result[name] = json.load(open(path))
    except (OSError, ValueError):
        pass
json.dump(result, open(f"{out}/gpu_check.json", "w"), indent=2)
print(json.dumps(result, indent=2)[:4000])
PY
      if [[ -s $failed ]]; then
        echo "gpu_check: FAILED steps: $(tr '\n' ' ' < "$failed")" >&2
        exit 1
      fi
    }
    trap finish EXIT
    # Runs step $1 (the command after it), its output in OUT/$1.log; a
    # failure is recorded and the check goes on to the steps that do not
    # need this one, so that one failing test costs no GPU figure.
    run_step() {
      step=$1
      shift
      if ! "$@" > "$out/$step.log" 2>&1; then
        echo "$step" >> "$failed"
        echo "gpu_check: step $step failed; the end of $out/$step.log:" >&2
        tail -n 30 "$out/$step.log" >&2
      fi
    }

    step=torch_version
    torch_version=$(python3 -c 'import torch; print(torch.__version__)')
    echo "torch_version=\"$torch_version\"" >> "$figures"
    echo "expected_torch_version=\"$EXPECTED_TORCH\"" >> "$figures"
    [[ $torch_version == "$EXPECTED_TORCH" ]] ||
      echo "gpu_check: PyTorch $torch_version here, not $EXPECTED_TORCH; building against it" >&2

    step=gpu
    gpu=$(nvidia-smi --id=0 --query-gpu=name,driver_version --format=csv,noheader)
    echo "gpu=\"$gpu\"" >> "$figures"

    # The build itself must succeed: every later step runs its programs.
    # (ctest -N only lists the tests.)
    step=build
    build_started=$(date +%s)
    tools/gpu_host.sh build -N > "$out/build.log" 2>&1 || { tail -n 60 "$out/build.log"; exit 1; }
    echo "build_seconds=$(( $(date +%s) - build_started ))" >> "$figures"
    # The programs find the Debian libraries where gpu_host.sh unpacked them,
    # Graphviz its plugins.
    eval "$(tools/gpu_host.sh env)"

    mkdir -p "$out/gtest"
    tests_started=$(date +%s)
    # Every gtest binary writes its cases, skips included, for the JSON.
    run_step tests env GTEST_OUTPUT="xml:$out/gtest/" \
      ctest --test-dir build -j "$(nproc)" --output-on-failure
    echo "tests_seconds=$(( $(date +%s) - tests_started ))" >> "$figures"
    if grep -l 'no CUDA device' "$out"/gtest/*.xml; then
      echo "no_cuda_test_skipped" >> "$failed"
      echo "gpu_check: CUDA tests were skipped on a GPU host" >&2
    fi

    for precision in float32 bfloat16; do
      # The fast kernels compute in float32.
      configurations=aten_nchw,aten_channels_last
      [[ $precision == float32 ]] && configurations+=,fast
      run_step search_step_$precision build/benchmarks/search_step --device=cuda \
        --batch_size=512 --threads="$(nproc)" --precision=$precision \
        --configurations="$configurations" --out="$out/search_step_$precision.json"
    done

    for variant in float32 bfloat16 float32_eager; do
      slice=search_slice_$variant
      graphs=$([[ $variant == *_eager ]] && echo false || echo true)
      run_step $slice build/mdenas/search --spec=benchmarks/specs/cifar10_paper.textproto \
        --device=cuda --kernels=aten --precision="${variant%_eager}" --data_dir="$SLICE" \
        --epochs="$SLICE_EPOCHS" --set=runtime.cuda_graphs=$graphs --out="$out/$slice"
      [[ -f $out/$slice/result.json ]] || continue
      # The paper's search: 100 epochs of 25k training and 25k validation
      # images; its epoch time is this slice's (first epoch aside: warm-up),
      # scaled by images.
      python3 - "$out/$slice/result.json" "$SLICE_PER_CLASS" > "$out/$slice.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
epochs = result["epochs"]
steady = [e["seconds"] for e in epochs[1:]] or [epochs[0]["seconds"]]
slice_images = 10 * int(sys.argv[2])  # its training and validation halves
epoch_seconds = sum(steady) / len(steady)
print(json.dumps({
    "device": result.get("device"), "precision": result.get("precision"),
    "cuda_graphs": result.get("cuda_graphs"),
    "graph_steps": [e.get("graph_steps", 0) for e in epochs],
    "epochs": len(epochs), "epoch_seconds": [e["seconds"] for e in epochs],
    "images_per_second": result.get("images_per_second"),
    "device_hours": result.get("device_hours"),
    "valid_top1": [e.get("valid_top1") for e in epochs],
    "paper_search_minutes_extrapolated": epoch_seconds * 50000 / slice_images * 100 / 60,
}, indent=2))
PY
    done
    step=done
    ;;
  *)
    echo "usage: tools/gpu_check.sh prepare | run OUT_DIR" >&2
    exit 2
    ;;
esac
