"""kernel_test: a kernel test, run on each CPU kernel variant."""

def kernel_test(name, deps):
    """Declares `name` (the best CPU kernels of the machine), `name`_avx2
    and `name`_baseline (those builds, through $MDENAS_CPU_KERNELS).

    `name`_avx2 skips, saying why, where the machine does not run AVX2 or
    where AVX2 is its best (`name` runs it then). The source is compiled
    once, into `name`_cases, which the three tests link.

    Args:
      name: the test; its source is `name`.cc.
      deps: its dependencies.
    """
    native.cc_library(
        name = name + "_cases",
        testonly = True,
        srcs = [name + ".cc"],
        deps = deps,
        alwayslink = True,
    )
    for suffix, env in [
        ("", {}),
        ("_avx2", {"MDENAS_CPU_KERNELS": "avx2"}),
        ("_baseline", {"MDENAS_CPU_KERNELS": "baseline"}),
    ]:
        native.cc_test(
            name = name + suffix,
            size = "small",
            env = env,
            deps = [
                name + "_cases",
                ":forced_variant_test_environment",
            ],
        )
