"""cuda_library: a C++ library whose sources include .cu files for nvcc.

Under --config=cuda each .cu file is compiled by /usr/local/cuda/bin/nvcc into
a position-independent object that the cc_library links with the CUDA runtime.
In any other build the library (and everything that needs it) is skipped as
incompatible, so machines without CUDA build and test the rest.
"""

CUDA_ONLY = select({
    "//third_party:cuda_enabled": [],
    "//conditions:default": ["//third_party:incompatible"],
})

def cuda_library(name, cu_srcs, srcs = [], hdrs = [], deps = [], visibility = None):
    """Declares `name`, a cc_library with `cu_srcs` compiled by nvcc.

    Args:
      name: the cc_library to define.
      cu_srcs: .cu files; they may include `hdrs` and the CUDA headers.
      srcs: ordinary C++ sources of the library.
      hdrs: headers of the library.
      deps: C++ dependencies.
      visibility: visibility of the library.
    """
    objects = []
    for src in cu_srcs:
        obj = "_%s_%s.o" % (name, src[:-len(".cu")].replace("/", "_"))
        native.genrule(
            name = obj + "_nvcc",
            srcs = [src] + hdrs,
            outs = [obj],
            # nvcc finds its headers and tools relative to its real location,
            # so it runs from there rather than through a symlink.
            cmd = ("/usr/local/cuda/bin/nvcc -std=c++17 -O3 -Xcompiler -fPIC " +
                   "-I. -I$(GENDIR) -c $(location %s) -o $@") % src,
            target_compatible_with = CUDA_ONLY,
        )
        objects.append(obj)
    native.cc_library(
        name = name,
        srcs = srcs + select({
            "//third_party:cuda_enabled": objects,
            "//conditions:default": [],
        }),
        hdrs = hdrs,
        deps = deps + select({
            "//third_party:cuda_enabled": ["@cuda//:cudart"],
            "//conditions:default": [],
        }),
        target_compatible_with = CUDA_ONLY,
        visibility = visibility,
    )
