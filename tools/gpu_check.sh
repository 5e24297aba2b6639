#!/bin/bash
# The GPU path checked on a lent GPU host (one H100/H200 with its own
# PyTorch, CUDA, CMake and ninja, no Bazel), written to finish in 8 minutes:
# the CMake build and every test (the CUDA ones included), search_step on
# the GPU, and a timed slice of the paper-preset search, whose epoch time
# extrapolates to the full search's minutes; search_step and the slice each
# in float32 and in bfloat16 autocast. One JSON holds every figure.
#
#   on a Debian 12 machine:  tools/gpu_check.sh prepare
#       Debian packages for the build (tools/gpu_host.sh fetch) and a slice
#       of CIFAR-10's training images (../shared/data/cifar10-jpeg, 500 per
#       class: the device tool carries 64 MiB) into build/.
#   on the GPU host:         tools/gpu_check.sh run OUT_DIR
#       -> OUT_DIR/gpu_check.json (and each step's log beside it)
#
# Every step must pass: the first that fails ends the script with a non-zero
# exit, and the JSON names it. A test skipped for want of a CUDA device fails
# the check (the host has one); one that needs two GPUs is listed as skipped.
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
    : > "$figures"
    finish() {
      local status=$?
      python3 - "$out" "$figures" "$step" "$status" "$(( $(date +%s) - started ))" <<'PY'
import glob, json, sys, xml.etree.ElementTree as ET
out, figures, step, status, seconds = sys.argv[1:]
result = {"failed_step": None if status == "0" else step, "exit_status": int(status),
          "seconds": int(seconds)}
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
             "search_slice_bfloat16"):
    path = f"{out}/{name}.json"
    try:
        result[name] = json.load(open(path))
    except (OSError, ValueError):
        pass
json.dump(result, open(f"{out}/gpu_check.json", "w"), indent=2)
print(json.dumps(result, indent=2)[:4000])
PY
      if [[ $status != 0 ]]; then echo "gpu_check: FAILED at step '$step' (exit $status)" >&2; fi
    }
    trap finish EXIT

    step=torch_version
    torch_version=$(python3 -c 'import torch; print(torch.__version__)')
    echo "torch_version=\"$torch_version\"" >> "$figures"
    echo "expected_torch_version=\"$EXPECTED_TORCH\"" >> "$figures"
    [[ $torch_version == "$EXPECTED_TORCH" ]] ||
      echo "gpu_check: PyTorch $torch_version here, not $EXPECTED_TORCH; building against it" >&2

    step=gpu
    gpu=$(nvidia-smi --id=0 --query-gpu=name,driver_version --format=csv,noheader)
    echo "gpu=\"$gpu\"" >> "$figures"

    step=build_and_test
    mkdir -p "$out/gtest"
    build_started=$(date +%s)
    # Every gtest binary writes its cases, skips included, for the JSON.
    GTEST_OUTPUT="xml:$out/gtest/" tools/gpu_host.sh build -j "$(nproc)" \
      > "$out/build_and_test.log" 2>&1 || { tail -n 60 "$out/build_and_test.log"; exit 1; }
    echo "build_and_test_seconds=$(( $(date +%s) - build_started ))" >> "$figures"
    step=no_cuda_test_skipped
    if grep -l 'no CUDA device' "$out"/gtest/*.xml; then
      echo "gpu_check: CUDA tests were skipped on a GPU host" >&2
      exit 1
    fi

    for precision in float32 bfloat16; do
      step=search_step_$precision
      # The fast kernels compute in float32.
      configurations=aten_nchw,aten_channels_last
      [[ $precision == float32 ]] && configurations+=,fast
      build/benchmarks/search_step --device=cuda --batch_size=512 --threads="$(nproc)" \
        --precision=$precision --configurations="$configurations" \
        --out="$out/$step.json" > "$out/$step.log" 2>&1 || { tail -n 40 "$out/$step.log"; exit 1; }
    done

    for precision in float32 bfloat16; do
      step=search_slice_$precision
      build/mdenas/search --spec=benchmarks/specs/cifar10_paper.textproto --device=cuda \
        --kernels=aten --precision=$precision --data_dir="$SLICE" --epochs="$SLICE_EPOCHS" \
        --out="$out/$step" > "$out/$step.log" 2>&1 || { tail -n 40 "$out/$step.log"; exit 1; }
      # The paper's search: 100 epochs of 25k training and 25k validation
      # images; its epoch time is this slice's (first epoch aside: warm-up),
      # scaled by images.
      python3 - "$out/$step/result.json" "$SLICE_PER_CLASS" > "$out/$step.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
epochs = result["epochs"]
steady = [e["seconds"] for e in epochs[1:]] or [epochs[0]["seconds"]]
slice_images = 10 * int(sys.argv[2])  # its training and validation halves
epoch_seconds = sum(steady) / len(steady)
print(json.dumps({
    "device": result.get("device"), "precision": result.get("precision"),
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
