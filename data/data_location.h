// Where a job finds its data when its spec does not say: $MDENAS_DATA, then
// the project's shared CIFAR-10 beside the workspace, then Fashion-MNIST,
// which Debian's dataset-fashion-mnist package installs everywhere, so that
// the default runs work on any machine.

#ifndef MDENAS_DATA_DATA_LOCATION_H_
#define MDENAS_DATA_DATA_LOCATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mdenas/proto/training.pb.h"

namespace mdenas {

// Where Debian's dataset-fashion-mnist package puts the IDX files.
inline constexpr char kDebianFashionMnist[] =
    "/usr/share/datasets/fashion-mnist";

// Where a file or folder of the project's shared data sets (../shared/data,
// see its README.md) may be, in the order to try: under $MDENAS_SHARED_DATA,
// then beside the workspace under `bazel run`. `relative` is its path inside
// the shared data ("nb201/nb201_accuracy.csv").
std::vector<std::string> SharedDataCandidates(absl::string_view relative);

// Makes data->path() absolute and checks that it is a folder, or, where it
// is empty, fills it in: $MDENAS_DATA; for CIFAR-10, the shared copy
// ($MDENAS_SHARED_DATA/cifar10-jpeg, or ../shared/data/cifar10-jpeg beside
// the workspace under `bazel run`); failing those, Fashion-MNIST, switching
// data->dataset() and saying so in `*notice`. `path_origin` names where a
// given path came from, for errors ("flag --data_dir").
absl::Status LocateData(absl::string_view path_origin, DataSpec* data,
                        std::string* notice);

}  // namespace mdenas

#endif  // MDENAS_DATA_DATA_LOCATION_H_
