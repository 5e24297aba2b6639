"""cc_fuzz_target: a libFuzzer target and the test that replays its corpus.

Under --config=fuzz (clang, see .bazelrc) `name` is a libFuzzer binary:
  bazel run --config=fuzz //fuzz:genotype_parser_fuzzer -- -max_total_time=600
In every build `name_replay_test` feeds each file of the committed corpus to
the same LLVMFuzzerTestOneInput, so `bazel test //...` keeps every input that
once mattered (crashes found become corpus files) passing.
"""

def cc_fuzz_target(name, srcs, corpus, deps = []):
    """Declares `name` and `name_replay_test`.

    Args:
      name: the fuzz target.
      srcs: sources defining LLVMFuzzerTestOneInput.
      corpus: a folder of seed inputs, in this package.
      deps: libraries the sources use.
    """
    native.cc_library(
        name = name + "_function",
        srcs = srcs,
        deps = deps,
        alwayslink = True,
        testonly = True,
    )
    native.cc_binary(
        name = name,
        deps = [":" + name + "_function"] + select({
            "//third_party:fuzzing": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
        linkopts = select({
            "//third_party:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        testonly = True,
    )
    native.filegroup(
        name = name + "_corpus",
        srcs = native.glob([corpus + "/*"]),
        testonly = True,
        # Seeds that tests of the parsers read as real inputs.
        visibility = ["//:__subpackages__"],
    )
    native.cc_test(
        name = name + "_replay_test",
        size = "small",
        deps = [":" + name + "_function", "//fuzz:replay_main"],
        args = ["%s/%s" % (native.package_name(), corpus)],
        data = [":" + name + "_corpus"],
    )
