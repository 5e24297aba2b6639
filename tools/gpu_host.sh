#!/bin/bash
# The CMake build and its tests on a GPU host that has CUDA, CMake, ninja and
# PyTorch but neither Bazel nor a package mirror (the lent H100/H200
# machines): the C++ libraries the build needs besides libtorch travel along
# as Debian 12 packages and are unpacked into a prefix, never into /.
#
#   on a Debian 12 machine:  tools/gpu_host.sh fetch     # -> build/debs
#   (carry the tree, build/debs included, to the GPU host)
#   on the GPU host:         tools/gpu_host.sh build [ctest arguments]
#   and, to run its programs: eval "$(tools/gpu_host.sh env)"
#
# `build` configures build/ with the CUDA kernels, builds everything and runs
# ctest. Fashion-MNIST, which the data tests read, goes to
# /usr/share/datasets/fashion-mnist (Debian's place for it) where it is
# missing and that folder is writable.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=build/debs
PREFIX=${MDENAS_DEPS_PREFIX:-/tmp/mdenas-deps}
# valgrind for its callgrind.h alone; dataset-fashion-mnist for the tests;
# Graphviz's layout library without the cairo and gd renderers (their
# libraries would not fit the device tool's 64 MiB): the reports' SVG
# drawings work, PNG ones (TensorBoard's) do not.
PACKAGES=(libabsl-dev libabsl20220623 libprotobuf-dev libprotobuf32
          libprotoc32 protobuf-compiler googletest libgtest-dev libgmock-dev
          libbenchmark-dev libbenchmark1debian libjpeg62-turbo-dev
          libjpeg62-turbo zlib1g-dev libgloo-dev valgrind dataset-fashion-mnist
          libgraphviz-dev libgvc6 libcgraph6 libcdt5 libpathplan4 libxdot4 libltdl7)
# Graphviz finds its plugins through the config6a that `dot -c` writes at
# install; unpacked into a prefix it has none. The fetching machine's, cut
# to the plugins that need nothing more (core: SVG; dot_layout), goes along.
GRAPHVIZ_CONFIG=/usr/lib/x86_64-linux-gnu/graphviz/config6a

# The environment the programs built against the prefix run in: its
# libraries, and Graphviz's plugins with their config.
runtime_env() {
  printf 'export LD_LIBRARY_PATH=%q\n' \
    "$PREFIX/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  printf 'export GVBINDIR=%q\n' "$PREFIX/usr/lib/x86_64-linux-gnu/graphviz"
}

case "${1:-}" in
  env)
    runtime_env
    ;;
  fetch)
    mkdir -p "$DEBS"
    (cd "$DEBS" && apt-get download "${PACKAGES[@]}")
    awk '/^libgvplugin_(core|dot_layout)\.so\.6 /{keep=1} keep{print} /^}/{keep=0}' \
      "$GRAPHVIZ_CONFIG" > "$DEBS/graphviz-config6a"
    ;;
  build)
    shift
    mkdir -p "$PREFIX"
    for deb in "$DEBS"/*.deb; do dpkg -x "$deb" "$PREFIX"; done
    FASHION=/usr/share/datasets/fashion-mnist
    if [ ! -d "$FASHION" ] && mkdir -p "$FASHION" 2>/dev/null; then
      cp "$PREFIX$FASHION"/* "$FASHION"/
    fi
    eval "$(runtime_env)"
    cp "$DEBS/graphviz-config6a" "$GVBINDIR/config6a"
    # Debian keeps jconfig.h in the multiarch folder: without it here, the
    # host's own jconfig.h would pair with these jpeglib.h headers.
    cmake -S . -B build -G Ninja -DMDENAS_CUDA=ON \
      -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)');$PREFIX/usr" \
      -DCMAKE_CXX_FLAGS="-isystem $PREFIX/usr/include/x86_64-linux-gnu" \
      -DProtobuf_PROTOC_EXECUTABLE="$PREFIX/usr/bin/protoc"
    cmake --build build
    cd build && ctest --output-on-failure "$@"
    ;;
  *)
    echo "usage: tools/gpu_host.sh fetch | build [ctest arguments] | env" >&2
    exit 2
    ;;
esac
