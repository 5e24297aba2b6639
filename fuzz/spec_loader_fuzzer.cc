// Fuzzes the spec loader: text format with error locations, validation, and
// the resolved spec, which must read back to the same spec.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/spec/spec_loader.h"
#include "mdenas/spec/spec_validation.h"

namespace {

template <typename Spec>
void Check(const std::string& text) {
  Spec spec;
  mdenas::SpecOrigins origins;
  if (!mdenas::ParseSpecText(text, "fuzz", &spec, &origins).ok()) return;
  (void)mdenas::ValidateSpec(spec, origins);
  Spec resolved;
  mdenas::SpecOrigins resolved_origins;
  if (!mdenas::ParseSpecText(mdenas::ResolvedSpecText(spec), "resolved",
                             &resolved, &resolved_origins)
           .ok()) {
    std::abort();
  }
  mdenas::FillDefaults(&spec);
  if (resolved.SerializeAsString() != spec.SerializeAsString()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Check<mdenas::SearchSpec>(text);
  Check<mdenas::EvalSpec>(text);
  return 0;
}
