// The folder a search or retraining run writes: what it was asked to do, what
// it found, and the checkpoint to continue from. Every file is replaced
// atomically, so a run killed at any moment leaves each file whole.
//
//   spec.textproto    the resolved spec: every value the run used
//   checkpoint.bin    the latest checkpoint
//   result.json       RunResult (mdenas/proto/run_result.proto) so far
//   architecture.txt  the (current) architecture in its space's text form
//   architecture.dot  the same drawn: Graphviz graphs (SearchSpace::ArchitectureDot)
//   epochs.csv        one row per epoch
//   weights.pt        retraining: the network's weights, for Python's
//                     torch.load (mdenas/space/network_weights.h)
//   distribution.csv  search: p, H^e and H^a of every choice of every
//                     decision after every epoch
//   report.html       all of the above for people (mdenas/reports)
//   events.out.tfevents.mdenas  the same for TensorBoard

#ifndef MDENAS_RUN_RUN_DIRECTORY_H_
#define MDENAS_RUN_RUN_DIRECTORY_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace mdenas {

inline constexpr char kSpecFile[] = "spec.textproto";
inline constexpr char kCheckpointFile[] = "checkpoint.bin";
inline constexpr char kResultFile[] = "result.json";
inline constexpr char kArchitectureFile[] = "architecture.txt";
inline constexpr char kEpochsFile[] = "epochs.csv";
inline constexpr char kDistributionFile[] = "distribution.csv";
inline constexpr char kArchitectureDotFile[] = "architecture.dot";
inline constexpr char kReportFile[] = "report.html";
inline constexpr char kWeightsFile[] = "weights.pt";

class RunDirectory {
 public:
  // A new run of `spec` in `path`, created with its parents, holding
  // spec.textproto: `spec` with every default filled in. An existing folder
  // is refused if it holds a checkpoint: that is a run to --resume.
  static absl::StatusOr<RunDirectory> Create(const std::string& path,
                                             const google::protobuf::Message& spec);

  // Whether Create(path) would succeed, checked without creating anything:
  // `path` holds no checkpoint, and it or its nearest existing parent is a
  // folder this process may write to.
  static absl::Status CheckCreatable(const std::string& path);

  // The run in `path`, to resume: it must hold a checkpoint. Removes the
  // temporary files of writes that a crash interrupted.
  static absl::StatusOr<RunDirectory> Open(const std::string& path);

  // The run in `path` that another process writes (rank 0 of a
  // data-parallel run), for messages: this process must not write to it.
  static RunDirectory WrittenElsewhere(std::string path) { return RunDirectory(std::move(path)); }

  // runs/<YYYYmmdd-HHMMSS> in the directory the user ran the binary from.
  static std::string DefaultPath();

  const std::string& path() const { return path_; }
  std::string File(absl::string_view name) const;

  // `contents` as they are, text or binary.
  absl::Status WriteText(absl::string_view name, absl::string_view contents) const;
  // `message` in protobuf's JSON form with the .proto's field names.
  absl::Status WriteJson(absl::string_view name, const google::protobuf::Message& message) const;

 private:
  explicit RunDirectory(std::string path) : path_(std::move(path)) {}

  std::string path_;
};

}  // namespace mdenas

#endif  // MDENAS_RUN_RUN_DIRECTORY_H_
