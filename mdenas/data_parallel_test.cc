// Data-parallel searches and retrainings as users start them: real
// processes over loopback with Gloo, started by the binaries' own
// --processes and by torchrun. An N-process run must compute what one
// process computes with micro_batches: N; a rank that dies stops the other
// with an error, and the run resumes to the end an uninterrupted one
// reaches.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/distributed/local_address.h"
#include "mdenas/distributed/ranks_test_util.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/run/checkpoint.h"
#include "mdenas/run/run_directory.h"

namespace mdenas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string Binary(const std::string& name) {
  const absl::StatusOr<std::string> found = RunfilePath(nullptr, name);
  EXPECT_TRUE(found.ok()) << found.status();
  return found.value_or(name);
}

// Runs `argv`, which must succeed; its output.
std::string RunOk(const std::vector<std::string>& argv) {
  const ProcessResult result = RunProcess(argv);
  EXPECT_TRUE(result.exited && result.exit_code == 0) << absl::StrJoin(argv, " ") << "\n"
                                                      << result.output;
  return result.output;
}

std::vector<std::string> Command(const std::string& binary, const std::string& out,
                                 const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {binary, "--out=" + out};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return argv;
}

RunResult Result(const std::string& run) {
  RunResult result;
  const absl::StatusOr<std::string> json = ReadFile(JoinPath(run, kResultFile));
  EXPECT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json.value_or("{}"), &result).ok());
  return result;
}

TensorMapProto Weights(const std::string& run) {
  const absl::StatusOr<RunDirectory> directory = RunDirectory::Open(run);
  EXPECT_TRUE(directory.ok()) << directory.status();
  const absl::StatusOr<Checkpoint> checkpoint = ReadCheckpoint(*directory);
  EXPECT_TRUE(checkpoint.ok()) << checkpoint.status();
  return checkpoint.ok() ? checkpoint->training().network() : TensorMapProto();
}

// The largest difference between two runs' float tensors, which must have
// the same names and shapes; integer tensors must be equal.
double MaxWeightDifference(const std::string& run_a, const std::string& run_b) {
  const TensorMapProto a = Weights(run_a), b = Weights(run_b);
  EXPECT_EQ(a.tensors_size(), b.tensors_size());
  EXPECT_GT(a.tensors_size(), 0);
  double most = 0;
  for (int t = 0; t < std::min(a.tensors_size(), b.tensors_size()); ++t) {
    const TensorProto& x = a.tensors(t);
    const TensorProto& y = b.tensors(t);
    EXPECT_EQ(x.name(), y.name());
    EXPECT_EQ(x.data().size(), y.data().size()) << x.name();
    if (x.data().size() != y.data().size()) return INFINITY;
    if (x.dtype() != TensorProto::FLOAT32) {
      EXPECT_EQ(x.data(), y.data()) << x.name();
      continue;
    }
    for (size_t i = 0; i < x.data().size(); i += sizeof(float)) {
      float u, v;
      std::memcpy(&u, x.data().data() + i, sizeof(float));
      std::memcpy(&v, y.data().data() + i, sizeof(float));
      most = std::max(most, static_cast<double>(std::fabs(u - v)));
    }
  }
  return most;
}

// The same run as far as the search is concerned: the same paths, the same
// accuracies, the same distributions, the same architecture, nearly the
// same weights and losses (float sums in another order).
void ExpectSameSearch(const std::string& run_a, const std::string& run_b) {
  const RunResult a = Result(run_a), b = Result(run_b);
  EXPECT_EQ(a.architecture(), b.architecture());
  EXPECT_EQ(a.distribution().SerializeAsString(), b.distribution().SerializeAsString());
  ASSERT_EQ(a.epochs_size(), b.epochs_size());
  for (int e = 0; e < a.epochs_size(); ++e) {
    EXPECT_EQ(a.epochs(e).sampled_ops().size(), b.epochs(e).sampled_ops().size());
    EXPECT_TRUE(std::equal(a.epochs(e).sampled_ops().begin(), a.epochs(e).sampled_ops().end(),
                           b.epochs(e).sampled_ops().begin()))
        << "epoch " << e + 1;
    EXPECT_NEAR(a.epochs(e).train_loss(), b.epochs(e).train_loss(), 1e-5) << "epoch " << e + 1;
    EXPECT_EQ(a.epochs(e).train_top1(), b.epochs(e).train_top1()) << "epoch " << e + 1;
    EXPECT_EQ(a.epochs(e).valid_top1(), b.epochs(e).valid_top1()) << "epoch " << e + 1;
  }
  EXPECT_LT(MaxWeightDifference(run_a, run_b), 1e-5);
}

class DataParallelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { data_ = new std::string(WriteCifar10Fixture("cifar", 8)); }

  // A tiny search of 40 training images in batches of 7: the shards of
  // every batch differ in size (4 and 3, the last batch's 3 and 2).
  static std::vector<std::string> SearchFlags(const std::string& sampling, int epochs = 3) {
    return {"--data_dir=" + *data_, absl::StrCat("--epochs=", epochs), "--batch_size=7",
            "--seed=11",
            "--set=space.darts.layers=3,space.darts.init_channels=4,learner.warmup_epochs=0,"
            "learner.sampling=" +
                sampling};
  }

  static std::string* data_;
};
std::string* DataParallelTest::data_ = nullptr;

TEST_F(DataParallelTest, TwoProcessSearchIsTheOneProcessSearchWithTwoMicroBatches) {
  const std::string search = Binary("mdenas/search");
  for (const std::string sampling : {"PER_EPOCH", "PER_BATCH"}) {
    SCOPED_TRACE(sampling);
    const std::string one = MakeTestDir("one_" + sampling);
    const std::string two = MakeTestDir("two_" + sampling);
    std::vector<std::string> flags = SearchFlags(sampling);
    flags.push_back("--threads=1");
    flags.push_back("--set=optimizer.micro_batches=2");
    RunOk(Command(search, one, flags));
    flags = SearchFlags(sampling);
    flags.push_back("--processes=2");
    const std::string output = RunOk(Command(search, two, flags));
    EXPECT_THAT(output, HasSubstr("processes: 2 (from torchrun's variables)"));
    // Rank 0 alone prints: one progress line per epoch.
    EXPECT_EQ(output.find("epoch   1/3"), output.rfind("epoch   1/3")) << output;
    ExpectSameSearch(one, two);
    const RunResult result = Result(two);
    EXPECT_EQ(result.processes(), 2);
    EXPECT_NEAR(result.device_hours(), 2 * result.wall_seconds() / 3600, 1e-12);
    EXPECT_EQ(Result(one).processes(), 1);
  }
}

TEST_F(DataParallelTest, TwoProcessRetrainingIsTheOneProcessRetrainingWithTwoMicroBatches) {
  const std::string train = Binary("eval/train");
  // Drop-path, dropout and the auxiliary head on: a split batch draws its
  // random numbers part by part, whichever process trains the part.
  const std::vector<std::string> flags = {
      "--data_dir=" + *data_,
      "--architecture=DARTS_V2",
      "--epochs=2",
      "--batch_size=7",
      "--seed=4",
      "--set=network.darts.layers=3,network.darts.init_channels=4,network.darts.auxiliary=true,"
      "network.darts.drop_path_prob=0.3,network.darts.classifier_dropout=0.2"};
  const std::string one = MakeTestDir("retrain_one");
  const std::string two = MakeTestDir("retrain_two");
  std::vector<std::string> argv = Command(train, one, flags);
  argv.push_back("--threads=1");
  argv.push_back("--set=optimizer.micro_batches=2");
  RunOk(argv);
  argv = Command(train, two, flags);
  argv.push_back("--processes=2");
  RunOk(argv);
  const RunResult a = Result(one), b = Result(two);
  ASSERT_EQ(a.epochs_size(), 2);
  ASSERT_EQ(b.epochs_size(), 2);
  for (int e = 0; e < 2; ++e) {
    EXPECT_NEAR(a.epochs(e).train_loss(), b.epochs(e).train_loss(), 1e-5);
    EXPECT_EQ(a.epochs(e).valid_top1(), b.epochs(e).valid_top1());
  }
  EXPECT_EQ(a.test_top5(), b.test_top5());
  EXPECT_LT(MaxWeightDifference(one, two), 1e-5);
  EXPECT_EQ(b.processes(), 2);
  // weights.pt is rank 0's, written once.
  EXPECT_TRUE(PathExists(JoinPath(two, kWeightsFile)));
}

// The torchrun of the PyTorch this build links (TorchPython). Debian's
// (python3-torch 1.13) under Python 3.11 needs --redirects and --tee with a
// value other than 0 and 3: its Std flags enumerate without them and it
// fails before starting any process.
TEST_F(DataParallelTest, TorchrunStartsTheSameRunAsTheBuiltInLauncher) {
  const std::string search = Binary("mdenas/search");
  const std::string launched = MakeTestDir("launched");
  const std::string torchrun = MakeTestDir("torchrun");
  std::vector<std::string> flags = SearchFlags("PER_EPOCH");
  flags.push_back("--processes=2");
  RunOk(Command(search, launched, flags));
  const absl::StatusOr<int> port = FreeLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.status();
  std::vector<std::string> argv = {TorchPython(),
                                   "-m",
                                   "torch.distributed.run",
                                   "--redirects=1",
                                   "--tee=1",
                                   "--nproc_per_node=2",
                                   absl::StrCat("--master_port=", *port),
                                   "--no_python",
                                   search,
                                   "--out=" + torchrun};
  const std::vector<std::string> spec_flags = SearchFlags("PER_EPOCH");
  argv.insert(argv.end(), spec_flags.begin(), spec_flags.end());
  const std::string output = RunOk(argv);
  EXPECT_THAT(output, HasSubstr("processes: 2 (from torchrun's variables)"));
  ExpectSameSearch(launched, torchrun);
  EXPECT_EQ(MaxWeightDifference(launched, torchrun), 0);
}

// The rank of a child of `launcher` (its RANK variable), or -1.
int RankOf(pid_t pid) {
  const absl::StatusOr<std::string> environment = ReadFile(absl::StrCat("/proc/", pid, "/environ"));
  if (!environment.ok()) return -1;
  for (absl::string_view variable : absl::StrSplit(*environment, '\0')) {
    if (absl::ConsumePrefix(&variable, "RANK=")) return std::stoi(std::string(variable));
  }
  return -1;
}

// The child of `parent` with RANK=`rank`, or -1.
pid_t ChildWithRank(pid_t parent, int rank) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const absl::StatusOr<std::string> stat = ReadFile(JoinPath(entry.path().string(), "stat"));
    if (!stat.ok()) continue;
    // pid (comm) state ppid ...: the command may hold spaces; read after ')'.
    const std::vector<std::string> fields = absl::StrSplit(stat->substr(stat->rfind(')') + 2), ' ');
    if (fields.size() > 1 && std::stoi(fields[1]) == parent) {
      const pid_t pid = std::stoi(name);
      if (RankOf(pid) == rank) return pid;
    }
  }
  return -1;
}

// Starts `argv` with its output to the file `log`; its process id.
pid_t StartLogged(const std::vector<std::string>& argv, const std::string& log) {
  std::string shell = "exec";
  for (const std::string& arg : argv) absl::StrAppend(&shell, " '", arg, "'");
  absl::StrAppend(&shell, " > '", log, "' 2>&1");
  return StartProcess({"/bin/sh", "-c", shell});
}

// Waits until the run in `run` has written its first checkpoint.
void WaitForCheckpoint(const std::string& run) {
  const auto start = std::chrono::steady_clock::now();
  while (!PathExists(JoinPath(run, kCheckpointFile))) {
    ASSERT_LT(std::chrono::steady_clock::now() - start, std::chrono::minutes(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST_F(DataParallelTest, AKilledRankStopsTheOtherAndTheRunResumesToTheSameEnd) {
  const std::string search = Binary("mdenas/search");
  std::vector<std::string> flags = SearchFlags("PER_EPOCH", 6);
  flags.push_back("--processes=2");
  const std::string whole = MakeTestDir("uninterrupted");
  RunOk(Command(search, whole, flags));

  const std::string run = MakeTestDir("killed");
  const std::string log = JoinPath(MakeTestDir("killed_log"), "output");
  std::vector<std::string> argv = Command(search, run, flags);
  argv.push_back("--rank_timeout=60s");
  const pid_t launcher = StartLogged(argv, log);
  ASSERT_GT(launcher, 0);
  WaitForCheckpoint(run);
  const pid_t rank1 = ChildWithRank(launcher, 1);
  ASSERT_GT(rank1, 0);
  ASSERT_EQ(::kill(rank1, SIGKILL), 0);
  const auto killed = std::chrono::steady_clock::now();
  int status = 0;
  ASSERT_EQ(::waitpid(launcher, &status, 0), launcher);
  // Within the timeout, and much sooner: Gloo sees the connection close.
  EXPECT_LT(std::chrono::steady_clock::now() - killed, std::chrono::seconds(60));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  const std::string output = ReadFile(log).value_or("");
  EXPECT_THAT(output, AllOf(HasSubstr("failed on rank 0 of 2"),
                            HasSubstr("rank 1 has probably exited or stopped"),
                            HasSubstr("the last complete epoch is "),
                            HasSubstr("--resume=" + run + " continues the run")));

  // Resumed by both processes, it ends where the uninterrupted run ended.
  const std::string resumed = RunOk({search, "--resume=" + run, "--processes=2"});
  EXPECT_THAT(resumed, HasSubstr("resuming after epoch"));
  ExpectSameSearch(whole, run);
}

// A rank that stops (SIGSTOP) without exiting: the other waits
// --rank_timeout at its next exchange, then stops naming it; the launcher
// ends the stopped one.
TEST_F(DataParallelTest, AStalledRankStopsTheOtherAfterTheTimeout) {
  const std::string search = Binary("mdenas/search");
  std::vector<std::string> flags = SearchFlags("PER_EPOCH", 20);
  flags.push_back("--processes=2");
  flags.push_back("--rank_timeout=4s");
  const std::string run = MakeTestDir("stalled");
  const std::string log = JoinPath(MakeTestDir("stalled_log"), "output");
  const pid_t launcher = StartLogged(Command(search, run, flags), log);
  ASSERT_GT(launcher, 0);
  WaitForCheckpoint(run);
  const pid_t rank1 = ChildWithRank(launcher, 1);
  ASSERT_GT(rank1, 0);
  ASSERT_EQ(::kill(rank1, SIGSTOP), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(launcher, &status, 0), launcher);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  const std::string output = ReadFile(log).value_or("");
  EXPECT_THAT(output, AllOf(HasSubstr("failed on rank 0 of 2 after 4."), HasSubstr("(timeout 4s)"),
                            HasSubstr("rank 1 has probably exited or stopped"),
                            HasSubstr("launcher: a rank failed; stopping the 1 still running")));
  EXPECT_TRUE(PathExists(JoinPath(run, kCheckpointFile)));
}

// The global batch stays; how many processes share it may change.
TEST_F(DataParallelTest, AOneProcessRunResumesOnTwoProcesses) {
  const std::string search = Binary("mdenas/search");
  const std::string run = MakeTestDir("grows");
  std::vector<std::string> flags = SearchFlags("PER_EPOCH", 6);
  const pid_t single =
      StartLogged(Command(search, run, flags), JoinPath(MakeTestDir("grows_log"), "output"));
  ASSERT_GT(single, 0);
  WaitForCheckpoint(run);
  ASSERT_EQ(::kill(single, SIGKILL), 0);
  ASSERT_EQ(::waitpid(single, nullptr, 0), single);
  RunOk({search, "--resume=" + run, "--processes=2"});
  const RunResult result = Result(run);
  EXPECT_EQ(result.epochs_size(), 6);
  EXPECT_EQ(result.processes(), 2);
}

TEST_F(DataParallelTest, RanksWithDifferentSpecsAreRefused) {
  const std::string search = Binary("mdenas/search");
  const absl::StatusOr<int> port = FreeLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.status();
  std::vector<ProcessResult> ranks(2);
  std::vector<std::thread> threads;
  for (int rank = 0; rank < 2; ++rank) {
    std::vector<std::string> argv = {"/usr/bin/env",
                                     absl::StrCat("RANK=", rank),
                                     "WORLD_SIZE=2",
                                     "MASTER_ADDR=127.0.0.1",
                                     absl::StrCat("MASTER_PORT=", *port),
                                     search,
                                     "--out=" + MakeTestDir(absl::StrCat("refused", rank)),
                                     "--rank_timeout=30s"};
    const std::vector<std::string> flags = SearchFlags("PER_EPOCH");
    argv.insert(argv.end(), flags.begin(), flags.end());
    if (rank == 1) argv.push_back("--seed=12");
    threads.emplace_back([argv, rank, &ranks] { ranks[rank] = RunProcess(argv); });
  }
  for (std::thread& thread : threads) thread.join();
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_EQ(ranks[rank].exit_code, 1) << ranks[rank].output;
    EXPECT_THAT(ranks[rank].output,
                AllOf(HasSubstr(absl::StrCat("rank ", rank,
                                             " of 2: the ranks were started with "
                                             "different agreement keys")),
                      HasSubstr("rank 0: \"spec "), HasSubstr("rank 1: \"spec ")));
  }
}

TEST_F(DataParallelTest, ProcessesUnderALauncherIsAnError) {
  const ProcessResult result =
      RunProcess({"/usr/bin/env", "RANK=0", "WORLD_SIZE=1", "MASTER_ADDR=127.0.0.1",
                  "MASTER_PORT=1", Binary("mdenas/search"), "--processes=2"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("--processes=2 under torchrun (rank 0 of 1): the "
                                       "launcher starts the processes; leave --processes out"));
}

}  // namespace
}  // namespace mdenas
