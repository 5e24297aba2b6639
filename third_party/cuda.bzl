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

def _workspace_headers_impl(ctx):
    headers = [
        header
        for dep in ctx.attr.deps
        for header in dep[CcInfo].compilation_context.headers.to_list()
        if header.owner.workspace_name == ""
    ]
    return [DefaultInfo(files = depset(headers))]

# The headers of `deps` (transitively) from this workspace: what nvcc may
# include besides the library's own. External ones (the CUDA toolkit's) it
# finds by itself.
_workspace_headers = rule(
    implementation = _workspace_headers_impl,
    attrs = {"deps": attr.label_list(providers = [CcInfo])},
)

def cuda_library(name, cu_srcs, srcs = [], hdrs = [], deps = [], visibility = None):
    """Declares `name`, a cc_library with `cu_srcs` compiled by nvcc.

    Args:
      name: the cc_library to define.
      cu_srcs: .cu files; they may include `hdrs`, this workspace's headers of
        `deps`, and the CUDA headers.
      srcs: ordinary C++ sources of the library.
      hdrs: headers of the library.
      deps: C++ dependencies.
      visibility: visibility of the library.
    """
    dep_headers = "_%s_dep_headers" % name
    _workspace_headers(
        name = dep_headers,
        deps = deps,
        target_compatible_with = CUDA_ONLY,
    )
    objects = []
    for src in cu_srcs:
        obj = "_%s_%s.o" % (name, src[:-len(".cu")].replace("/", "_"))
        native.genrule(
            name = obj + "_nvcc",
            srcs = [src, dep_headers] + hdrs,
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
