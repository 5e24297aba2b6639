#!/bin/bash
# The CPU kernel variants must not share code with each other or with the
# rest of the program (simd.h says why). For each variant's library or
# object file given:
#  - every global symbol it defines in namespace mdenas is in
#    mdenas::<variant>;
#  - every global function it defines outside that namespace (library
#    code it instantiates: std::vector<float>::resize, c10::str, ...) is
#    free of VEX- and EVEX-encoded (AVX, AVX-512) instructions, so that
#    whichever variant's copy the linker keeps runs on any x86-64 machine.
# Local symbols cannot be merged across files and are not checked.
set -euo pipefail

if (($# == 0)); then
  echo "usage: $0 <variant library>..." >&2
  exit 2
fi

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

for library in "$@"; do
  # The path names the variant: Bazel's libcpu_kernels_<variant>.a (.pic.a,
  # .so), CMake's mdenas_cpu_kernels_<variant>.dir/.../cpu_kernels_<family>.cc.o.
  variant=$(grep -oE 'cpu_kernels_[a-z0-9]+(\.a|\.pic\.a|\.so|\.dir/)' <<<"${library}" | tail -n 1 || true)
  variant=${variant#cpu_kernels_}
  variant=${variant%%.*}
  if [[ -z "${variant}" ]]; then
    fail "${library}: no cpu_kernels_<variant> in the path"
    continue
  fi
  name="$(basename "${library}") (${variant})"
  # Itanium mangling of a name in namespace mdenas::<variant>.
  inside="_ZN(K)?6mdenas${#variant}${variant}"
  defined=$(nm --defined-only "${library}" | awk 'NF == 3 && $2 ~ /^[A-Zu]$/ {print $2, $3}')
  if [[ -z "${defined}" ]]; then
    fail "${name}: defines no symbols"
    continue
  fi
  if ! grep -Eq " ${inside}" <<<"${defined}"; then
    fail "${name}: nothing in namespace mdenas::${variant}"
  fi
  while read -r symbol; do
    fail "${name}: $(c++filt "${symbol}") is in namespace mdenas but not in mdenas::${variant}"
  done < <(awk '{print $2}' <<<"${defined}" | grep -E '^_ZN(K)?6mdenas' | grep -Ev "^${inside}" || true)
  # Functions whose names do not mention the variant's namespace at all;
  # the others are the variant's own code or library templates
  # instantiated on its types.
  while read -r symbol; do
    avx=$(objdump -d --no-show-raw-insn --disassemble="${symbol}" "${library}" |
      grep -E $'^ +[0-9a-f]+:\t(v[a-z0-9]+|k[a-z0-9]+) ' | head -n 3 || true)
    if [[ -n "${avx}" ]]; then
      fail "${name}: $(c++filt "${symbol}") has AVX instructions:"$'\n'"${avx}"
    fi
  done < <(awk '$1 ~ /^[TW]$/ {print $2}' <<<"${defined}" |
    grep -v "${#variant}${variant}" | sort -u || true)
  echo "checked ${name}"
done

if ((failures > 0)); then
  echo "${failures} failure(s)" >&2
  exit 1
fi
echo "PASS"
