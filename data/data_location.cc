#include "data/data_location.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

std::string Environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

std::vector<std::string> SharedDataCandidates(absl::string_view relative) {
  std::vector<std::string> candidates;
  if (const std::string shared = Environment("MDENAS_SHARED_DATA"); !shared.empty()) {
    candidates.push_back(JoinPath(shared, relative));
  }
  if (const std::string workspace = Environment("BUILD_WORKSPACE_DIRECTORY");
      !workspace.empty()) {
    candidates.push_back(JoinPath(JoinPath(workspace, "../shared/data"), relative));
  }
  return candidates;
}

absl::Status LocateData(absl::string_view path_origin, DataSpec* data,
                        std::string* notice) {
  if (!data->path().empty()) {
    data->set_path(UserPath(data->path()));
    if (!IsDirectory(data->path())) {
      return absl::NotFoundError(absl::StrCat(
          path_origin, path_origin.empty() ? "" : ": ", "data.path: ",
          data->path(), " is not a directory"));
    }
    return absl::OkStatus();
  }
  if (const std::string env = Environment("MDENAS_DATA"); !env.empty()) {
    if (!IsDirectory(env)) {
      return absl::NotFoundError(
          absl::StrCat("$MDENAS_DATA: ", env, " is not a directory"));
    }
    data->set_path(env);
    return absl::OkStatus();
  }
  if (data->dataset() != DataSpec::CIFAR10) {
    return absl::InvalidArgumentError(absl::StrCat(
        "data.path is empty: say where the ",
        DataSpec::Dataset_Name(data->dataset()),
        " files are with --data_dir or $MDENAS_DATA"));
  }
  const std::vector<std::string> candidates = SharedDataCandidates("cifar10-jpeg");
  for (const std::string& candidate : candidates) {
    if (IsDirectory(candidate)) {
      data->set_path(candidate);
      return absl::OkStatus();
    }
  }
  data->set_dataset(DataSpec::FASHION_MNIST);
  data->set_path(kDebianFashionMnist);
  *notice = absl::StrCat(
      "note: no CIFAR-10 found (",
      candidates.empty() ? "no --data_dir, no $MDENAS_DATA"
                         : absl::StrCat("looked in ", absl::StrJoin(candidates, ", ")),
      "); using Fashion-MNIST from ", kDebianFashionMnist);
  return absl::OkStatus();
}

}  // namespace mdenas
