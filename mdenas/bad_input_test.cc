// Drives the real binaries with bad input, as a user would meet it: each case
// must end with a non-zero exit (no crash signal), a message that names the
// problem and where it is, and nothing already in the output directory
// changed.

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

constexpr char kFashionMnist[] = "/usr/share/datasets/fashion-mnist";

// Every file under `dir` with its contents.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  const absl::StatusOr<std::vector<std::string>> names = ListDirectory(dir);
  if (!names.ok()) return files;
  for (const std::string& name : *names) {
    const std::string path = JoinPath(dir, name);
    if (IsDirectory(path)) {
      for (const auto& [inner, contents] : Snapshot(path)) {
        files[JoinPath(name, inner)] = contents;
      }
    } else {
      files[name] = ReadFile(path).value_or("<unreadable>");
    }
  }
  return files;
}

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cifar_ = new std::string(WriteCifar10Fixture("cifar", 8));
    // A finished two-epoch search whose run directory the checkpoint cases
    // resume (and must leave alone).
    run_ = new std::string(MakeTestDir("finished_run"));
    const ProcessResult result = RunProcess(
        {Binary("mdenas/search"), "--data_dir=" + *cifar_, "--epochs=2",
         "--batch_size=8", "--threads=1", "--out=" + *run_,
         "--set=space.darts.layers=3,space.darts.init_channels=4"});
    ASSERT_TRUE(result.exited && result.exit_code == 0) << result.output;
  }

  static std::string Binary(const std::string& name) {
    return RunfilePath(nullptr, name).value_or(name);
  }

  // Runs `binary` with `args`; expects a clean failure whose output contains
  // `message`, with `protected_dir` (if any) unchanged.
  static void ExpectCleanFailure(const std::string& binary,
                                 const std::vector<std::string>& args,
                                 const std::string& message,
                                 const std::string& protected_dir = "") {
    const std::map<std::string, std::string> before = Snapshot(protected_dir);
    std::vector<std::string> argv = {Binary(binary)};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult result = RunProcess(argv);
    EXPECT_TRUE(result.exited) << "ended by signal " << result.signal << "\n"
                               << result.output;
    EXPECT_NE(result.exit_code, 0) << result.output;
    EXPECT_THAT(result.output, HasSubstr(message));
    if (!protected_dir.empty()) {
      EXPECT_TRUE(Snapshot(protected_dir) == before)
          << protected_dir << " changed";
    }
  }

  // A search spec file holding `text`.
  static std::string SpecFile(const std::string& name, const std::string& text) {
    const std::string path = JoinPath(MakeTestDir("specs_" + name), "spec.textproto");
    WriteTestFile(path, text);
    return path;
  }

  static std::string* cifar_;
  static std::string* run_;
};

std::string* BadInputTest::cifar_ = nullptr;
std::string* BadInputTest::run_ = nullptr;

// --- Specs ---------------------------------------------------------------

TEST_F(BadInputTest, SpecUnknownField) {
  const std::string spec = SpecFile("unknown", "epochs: 3\noptimizer {\n  lr: 0.1\n}\n");
  ExpectCleanFailure("mdenas/search", {"--spec=" + spec},
                     spec + ":3:5: field 'optimizer.lr': Message type "
                            "\"mdenas.OptimizerSpec\" has no field named \"lr\"");
}

TEST_F(BadInputTest, SpecWrongType) {
  const std::string spec = SpecFile("type", "space {\n  darts {\n    layers: \"eight\"\n  }\n}\n");
  ExpectCleanFailure("mdenas/search", {"--spec=" + spec},
                     spec + ":3:13: field 'space.darts.layers': Expected integer");
}

TEST_F(BadInputTest, SpecUnknownEnumValue) {
  const std::string spec = SpecFile("enum", "data { dataset: CIFAR11 }\n");
  ExpectCleanFailure("mdenas/search", {"--spec=" + spec},
                     "field 'data.dataset': Unknown enumeration value of "
                     "\"CIFAR11\"");
}

TEST_F(BadInputTest, SpecNegativeLearningRate) {
  const std::string spec = SpecFile("lr", "optimizer { learning_rate: -0.1 }\n");
  ExpectCleanFailure("mdenas/search", {"--spec=" + spec},
                     spec + ":1:13: field 'optimizer.learning_rate': -0.1 is out "
                            "of range: must be > 0");
}

TEST_F(BadInputTest, SpecSplitFractionOutsideTheOpenInterval) {
  const std::string spec = SpecFile("split", "train_fraction: 1\n");
  ExpectCleanFailure("mdenas/search", {"--spec=" + spec},
                     "field 'train_fraction': 1 is out of range: must be > 0 "
                     "and < 1");
}

TEST_F(BadInputTest, SpecContradictoryLearningRates) {
  const std::string spec = SpecFile(
      "rates", "optimizer { learning_rate: 0.01 learning_rate_min: 0.1 }\n");
  ExpectCleanFailure("mdenas/search", {"--spec=" + spec},
                     "'optimizer.learning_rate_min': 0.1 is above learning_rate");
}

TEST_F(BadInputTest, SpecWarmUpLongerThanTheSearch) {
  ExpectCleanFailure("mdenas/search",
                     {"--epochs=3", "--set=learner.warmup_epochs=3",
                      "--data_dir=" + *cifar_},
                     "flag --set: field 'learner.warmup_epochs': 3 warm-up "
                     "epochs leave none of the 3 epochs");
}

TEST_F(BadInputTest, FlagZeroEpochsAndUnknownDevice) {
  ExpectCleanFailure("mdenas/search", {"--epochs=0", "--device=tpu"},
                     "flag --epochs: field 'epochs': 0 is out of range");
  ExpectCleanFailure("mdenas/search", {"--device=tpu"},
                     "flag --device: field 'runtime.device': 'tpu' is not a "
                     "device");
}

TEST_F(BadInputTest, FlagUnknownKernels) {
  ExpectCleanFailure("mdenas/search", {"--kernels=gpu"},
                     "flag --kernels: field 'runtime.kernels': cannot read "
                     "'GPU' as a value of type enum mdenas.RuntimeSpec.Kernels");
}

// A GPU that is not there stops the run before its directory is made (on
// hosts with GPUs too: no host has a hundred).
TEST_F(BadInputTest, UnusableDeviceLeavesNoRunDirectory) {
  const std::string out = JoinPath(MakeTestDir("unusable_device"), "run");
  ExpectCleanFailure("mdenas/search",
                     {"--device=cuda:99", "--kernels=aten", "--out=" + out,
                      "--data_dir=" + *cifar_},
                     "runtime.device is 'cuda:99', but this libtorch sees");
  EXPECT_FALSE(std::filesystem::exists(out));
}

// A NAS-Bench-201 table that cannot be read stops the search before its
// directory is made; so does a space that does not exist.
TEST_F(BadInputTest, Nb201TableMissingOrSpaceUnknown) {
  const std::string dir = MakeTestDir("nb201_table");
  const std::string out = JoinPath(dir, "run");
  const std::string table = JoinPath(dir, "absent.csv");
  ExpectCleanFailure("mdenas/search",
                     {"--nb201_table=" + table, "--out=" + out, "--data_dir=" + *cifar_},
                     "space.nb201.table: NAS-Bench-201 table: " + table + ": cannot open");
  EXPECT_FALSE(std::filesystem::exists(out));
  ExpectCleanFailure("mdenas/search", {"--space=nas", "--out=" + out, "--data_dir=" + *cifar_},
                     "flag --space: mdenas.SearchSpaceSpec has no field 'nas' (it has: darts, "
                     "nb201, mobile)");
  EXPECT_FALSE(std::filesystem::exists(out));
}

// The step benchmark checks --device as the search checks runtime.device.
TEST_F(BadInputTest, StepBenchmarkDevices) {
  ExpectCleanFailure("benchmarks/search_step",
                     {"--device=tpu", "--configurations=aten_nchw"},
                     "flag --device: field 'runtime.device': 'tpu' is not a device");
  ExpectCleanFailure("benchmarks/search_step",
                     {"--precision=bfloat16", "--configurations=fast"},
                     "flag --configurations: none of fast applies to --space=darts "
                     "--precision=bfloat16");
  ExpectCleanFailure("benchmarks/search_step", {"--precision=half", "--configurations=fast"},
                     "flag --precision: \"half\" is neither float32 nor bfloat16");
  ExpectCleanFailure("benchmarks/search_step",
                     {"--device=cuda:99", "--configurations=aten_nchw"},
                     "flag --device: runtime.device is 'cuda:99', but this libtorch sees");
}

TEST_F(BadInputTest, FlagSetWithoutAValue) {
  ExpectCleanFailure("mdenas/search", {"--set=epochs"},
                     "flag --set: 'epochs' is not of the form field.path=value");
}

TEST_F(BadInputTest, MissingSpecFile) {
  ExpectCleanFailure("mdenas/search", {"--spec=/nonexistent/spec.textproto"},
                     "spec file /nonexistent/spec.textproto: cannot open");
}

TEST_F(BadInputTest, EverySpecProblemAtOnce) {
  ExpectCleanFailure("mdenas/search",
                     {"--epochs=0", "--batch_size=-1", "--data_dir=/nonexistent"},
                     "flag --batch_size: field 'batch_size': -1 is out of "
                     "range");
  ExpectCleanFailure("mdenas/search",
                     {"--epochs=0", "--batch_size=-1", "--data_dir=/nonexistent"},
                     "flag --data_dir: data.path: /nonexistent is not a "
                     "directory");
}

TEST_F(BadInputTest, RetrainingSpecProblems) {
  ExpectCleanFailure("eval/train",
                     {"--set=network.darts.drop_path_prob=1", "--data_dir=" + *cifar_},
                     "flag --set: field 'network.darts.drop_path_prob': 1 is out of "
                     "range");
}

// --- Architectures -------------------------------------------------------

TEST_F(BadInputTest, ArchitectureUnknownOperation) {
  const std::string file = JoinPath(MakeTestDir("op"), "genotype.txt");
  WriteTestFile(file,
                "Genotype(normal=[('conv_9x9', 0), ('skip_connect', 1)], "
                "normal_concat=[2], reduce=[('skip_connect', 0), "
                "('skip_connect', 1)], reduce_concat=[2])");
  ExpectCleanFailure("eval/params", {"--architecture=" + file},
                     file + ": normal cell, edge 0 (node 2): unknown "
                            "operation 'conv_9x9'");
}

TEST_F(BadInputTest, ArchitectureInputOutOfRange) {
  ExpectCleanFailure(
      "eval/params",
      {"--architecture=Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 2)], "
       "normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect', 1)], "
       "reduce_concat=[2])"},
      "normal cell, edge 1 (node 2): input 2 is out of range");
}

TEST_F(BadInputTest, ArchitectureWrongArity) {
  ExpectCleanFailure(
      "eval/params",
      {"--architecture=Genotype(normal=[('sep_conv_3x3', 0)], normal_concat=[2], "
       "reduce=[('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[2])"},
      "normal cell has 1 edges; every intermediate node takes exactly 2");
}

TEST_F(BadInputTest, ArchitectureGarbageText) {
  const std::string file = JoinPath(MakeTestDir("garbage"), "genotype.txt");
  WriteTestFile(file, "\x7f\x45\x4c\x46 not a genotype at all");
  ExpectCleanFailure("eval/train", {"--architecture=" + file, "--data_dir=" + *cifar_},
                     "flag --architecture: architecture: " + file +
                         ": genotype text, line 1, column 1: expected "
                         "'Genotype('");
}

TEST_F(BadInputTest, ArchitectureUnknownName) {
  ExpectCleanFailure("eval/params", {"--architecture=DARTS_V9"},
                     "flag --architecture: darts architecture 'DARTS_V9' is neither a "
                     "built-in (DARTS_V1, DARTS_V2, MDENAS)");
}

TEST_F(BadInputTest, ArchitectureMobileGenes) {
  ExpectCleanFailure("eval/params", {"--space=mobile", "--architecture=gpu [(7, 6), (4, 6)]"},
                     "flag --architecture: mobile architecture, gene 2: kernel 4 is not one of "
                     "3, 5, 7");
  ExpectCleanFailure("eval/params", {"--space=mobile", "--architecture=cpu [(7, 6)]"},
                     "mobile architecture: 1 genes for the cpu skeleton's 20 slots");
}

TEST_F(BadInputTest, ParamsBadFlags) {
  ExpectCleanFailure("eval/params", {"--dataset=mnist"},
                     "flag --dataset: 'mnist' is neither cifar10 nor imagenet");
  ExpectCleanFailure("eval/params", {"--space=nasnet"},
                     "flag --space: no search space 'nasnet'; spaces: darts");
  ExpectCleanFailure("eval/params", {"--set=network.darts.layers=0"},
                     "flag --set: field 'network.darts.layers': 0 is out of range");
  ExpectCleanFailure("eval/params", {"--set=network.darts.cells=3"},
                     "flag --set: mdenas.DartsNetworkSpec has no field 'cells'");
}

// --- Data ----------------------------------------------------------------

TEST_F(BadInputTest, DataFolderMissing) {
  ExpectCleanFailure("data/inspect", {"--data=/nonexistent/cifar"},
                     "/nonexistent/cifar: no such folder");
  ExpectCleanFailure("mdenas/search", {"--data_dir=/nonexistent/cifar"},
                     "flag --data_dir: data.path: /nonexistent/cifar is not a "
                     "directory");
}

TEST_F(BadInputTest, DataFolderEmpty) {
  const std::string empty = MakeTestDir("empty_data");
  ExpectCleanFailure("data/inspect", {"--data=" + empty},
                     empty + ": holds no data set");
}

TEST_F(BadInputTest, DataOfAnotherKind) {
  ExpectCleanFailure("mdenas/search", {"--data_dir=" + std::string(kFashionMnist)},
                     "fashion-mnist: holds idx data, which is not how CIFAR10 "
                     "is stored");
}

TEST_F(BadInputTest, DataTruncatedBinaryFile) {
  const std::string dir = WriteCifar10Fixture("truncated", 2);
  const std::string file = JoinPath(dir, "data_batch_3.bin");
  WriteTestFile(file, ReadFile(file)->substr(0, 5000));
  ExpectCleanFailure("data/inspect", {"--data=" + dir},
                     file + ": 5000 bytes is not a whole number of 3073-byte "
                            "records: record 1 (byte offset 3073)");
}

TEST_F(BadInputTest, DataOversizedBinaryFile) {
  const std::string dir = WriteCifar10Fixture("oversized", 2);
  const std::string file = JoinPath(dir, "test_batch.bin");
  WriteTestFile(file, *ReadFile(file) + "xyz");
  ExpectCleanFailure("data/inspect", {"--data=" + dir},
                     file + ": 6149 bytes is not a whole number");
}

TEST_F(BadInputTest, DataLabelOutOfRange) {
  const std::string dir = WriteCifar10Fixture("label", 2);
  const std::string file = JoinPath(dir, "data_batch_2.bin");
  std::string bytes = *ReadFile(file);
  bytes[3073] = 10;  // The second record's label.
  WriteTestFile(file, bytes);
  ExpectCleanFailure("data/inspect", {"--data=" + dir},
                     file + ": record 1 (byte offset 3073): label 10 is out "
                            "of range for 10 classes");
}

TEST_F(BadInputTest, DataCorruptJpeg) {
  const std::string root = MakeTestDir("corrupt_jpeg");
  for (const char* split : {"train", "test"}) {
    WriteJpegClass(JoinPath(root, split), "cat", 2, 32, 32, 3);
  }
  const std::string bad = JoinPath(root, "train/cat/0001.jpg");
  std::string bytes = *ReadFile(bad);
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i) bytes[i] = 0x55;
  WriteTestFile(bad, bytes);
  ExpectCleanFailure("data/inspect", {"--data=" + root}, bad);
}

TEST_F(BadInputTest, DataTruncatedJpeg) {
  const std::string root = MakeTestDir("truncated_jpeg");
  for (const char* split : {"train", "test"}) {
    WriteJpegClass(JoinPath(root, split), "cat", 2, 32, 32, 3);
  }
  const std::string bad = JoinPath(root, "test/cat/0000.jpg");
  WriteTestFile(bad, ReadFile(bad)->substr(0, 200));
  ExpectCleanFailure("data/inspect", {"--data=" + root}, bad);
}

TEST_F(BadInputTest, DataImageOfTheWrongSize) {
  const std::string root = MakeTestDir("mixed_sizes");
  WriteJpegClass(JoinPath(root, "train"), "cat", 2, 32, 32, 3);
  WriteJpegClass(JoinPath(root, "train"), "dog", 1, 24, 32, 3);
  WriteJpegClass(JoinPath(root, "test"), "cat", 1, 32, 32, 3);
  WriteJpegClass(JoinPath(root, "test"), "dog", 1, 32, 32, 3);
  // CIFAR-10 as JPEG folders: every image must be 32x32 RGB.
  ExpectCleanFailure("mdenas/search", {"--data_dir=" + root},
                     JoinPath(root, "train/dog/0000.jpg"));
}

TEST_F(BadInputTest, DataWrongChannelCount) {
  const std::string root = MakeTestDir("grey_in_rgb");
  WriteJpegClass(JoinPath(root, "train"), "cat", 2, 32, 32, 3);
  WriteJpegClass(JoinPath(root, "train"), "dog", 1, 32, 32, 1);
  WriteJpegClass(JoinPath(root, "test"), "cat", 1, 32, 32, 3);
  WriteJpegClass(JoinPath(root, "test"), "dog", 1, 32, 32, 3);
  ExpectCleanFailure("mdenas/search", {"--data_dir=" + root},
                     JoinPath(root, "train/dog/0000.jpg"));
}

TEST_F(BadInputTest, DataIdxHeaderDisagreesWithSize) {
  const std::string dir = MakeTestDir("idx");
  WriteTestFile(JoinPath(dir, "train-images-idx3-ubyte"),
                IdxFile({4, 2, 2}, std::vector<uint8_t>(12, 7)));
  WriteTestFile(JoinPath(dir, "train-labels-idx1-ubyte"),
                IdxFile({4}, {1, 2, 3, 4}));
  ExpectCleanFailure("data/inspect", {"--data=" + dir},
                     JoinPath(dir, "train-images-idx3-ubyte"));
}

TEST_F(BadInputTest, ConvertIntoAFolderThatHoldsFiles) {
  const std::string to = MakeTestDir("convert_target");
  WriteTestFile(JoinPath(to, "keep.txt"), "precious");
  ExpectCleanFailure("data/convert",
                     {"--from=" + *cifar_, "--to=" + to, "--format=cifar-bin"},
                     to, to);
}

TEST_F(BadInputTest, ConvertUnknownFormat) {
  ExpectCleanFailure("data/convert",
                     {"--from=" + *cifar_, "--to=" + MakeTestDir("convert_fmt"),
                      "--format=tfrecord"},
                     "unknown output format \"tfrecord\"");
}

// --- Checkpoints ---------------------------------------------------------

// A copy of the finished run with its checkpoint replaced by `bytes`.
std::string RunWithCheckpoint(const std::string& run, const std::string& name,
                              const std::string& bytes) {
  const std::string copy = MakeTestDir(name);
  for (const auto& [file, contents] : Snapshot(run)) {
    WriteTestFile(JoinPath(copy, file), contents);
  }
  WriteTestFile(JoinPath(copy, "checkpoint.bin"), bytes);
  return copy;
}

TEST_F(BadInputTest, CheckpointTruncated) {
  const std::string checkpoint = *ReadFile(JoinPath(*run_, "checkpoint.bin"));
  const std::string run = RunWithCheckpoint(
      *run_, "truncated_run", checkpoint.substr(0, checkpoint.size() / 3));
  ExpectCleanFailure("mdenas/search", {"--resume=" + run},
                     JoinPath(run, "checkpoint.bin") + ": truncated", run);
}

TEST_F(BadInputTest, CheckpointRandomBytes) {
  std::string noise(4096, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>(i * 131 + 7);
  const std::string run = RunWithCheckpoint(*run_, "noise_run", noise);
  ExpectCleanFailure("mdenas/search", {"--resume=" + run},
                     "not a MDNSCKPT file (wrong magic)", run);
}

TEST_F(BadInputTest, CheckpointOfAnotherSpec) {
  ExpectCleanFailure("mdenas/search", {"--resume=" + *run_, "--epochs=5"},
                     "the checkpoint belongs to another spec", *run_);
}

TEST_F(BadInputTest, CheckpointOfAnotherKind) {
  // A search checkpoint handed to the retraining.
  ExpectCleanFailure("eval/train", {"--resume=" + *run_},
                     "the checkpoint holds a search, not a retraining", *run_);
}

TEST_F(BadInputTest, ResumeWithoutACheckpoint) {
  const std::string started = MakeTestDir("started_run");
  WriteTestFile(JoinPath(started, "spec.textproto"), "epochs: 2\n");
  ExpectCleanFailure("mdenas/search", {"--resume=" + started},
                     "holds no checkpoint.bin: there is nothing to resume",
                     started);
}

// --- Output directories --------------------------------------------------

TEST_F(BadInputTest, OutputUnderAFile) {
  const std::string file = JoinPath(MakeTestDir("out_file"), "plain");
  WriteTestFile(file, "x");
  ExpectCleanFailure("mdenas/search",
                     {"--data_dir=" + *cifar_, "--out=" + file + "/run"},
                     "output directory " + file + "/run: " + file +
                         " is not a directory");
}

TEST_F(BadInputTest, ExistingRunWithoutResume) {
  ExpectCleanFailure("mdenas/search", {"--data_dir=" + *cifar_, "--out=" + *run_},
                     *run_ + " already holds a run (checkpoint.bin); continue "
                             "it with --resume=",
                     *run_);
  ExpectCleanFailure("eval/train", {"--data_dir=" + *cifar_, "--out=" + *run_},
                     "already holds a run", *run_);
}

}  // namespace
}  // namespace mdenas
