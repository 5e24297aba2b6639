"""kernel_test: a kernel test, run on each CPU kernel variant."""

def kernel_test(name, deps):
    """Declares `name` (the best CPU kernels of the machine) and
    `name`_baseline (the x86-64 baseline build, through $MDENAS_CPU_KERNELS).

    Args:
      name: the test; its source is `name`.cc.
      deps: its dependencies.
    """
    for suffix, env in [("", {}), ("_baseline", {"MDENAS_CPU_KERNELS": "baseline"})]:
        native.cc_test(
            name = name + suffix,
            size = "small",
            srcs = [name + ".cc"],
            env = env,
            deps = deps,
        )
