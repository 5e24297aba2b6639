#include "mdenas/nn/weights_file.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "mdenas/base/little_endian.h"

namespace mdenas {
namespace {

// What the unpickler's stack holds: only the kinds a dict of tensors and
// its metadata are made of.
struct Value {
  enum class Kind { kNone, kBool, kInt, kString, kGlobal, kTuple, kList, kDict, kTensor };
  Kind kind = Kind::kNone;
  int64_t number = 0;
  // kString: the string; kGlobal: "module.name".
  std::string text;
  // kTuple, kList: the elements; kDict: key, value, key, value, ...
  std::vector<std::shared_ptr<Value>> items;
  torch::Tensor tensor;
};
using ValuePtr = std::shared_ptr<Value>;

ValuePtr MakeValue(Value::Kind kind) {
  auto value = std::make_shared<Value>();
  value->kind = kind;
  return value;
}

const char* KindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNone:
      return "None";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kString:
      return "str";
    case Value::Kind::kGlobal:
      return "Python class or function";
    case Value::Kind::kTuple:
      return "tuple";
    case Value::Kind::kList:
      return "list";
    case Value::Kind::kDict:
      return "dict";
    case Value::Kind::kTensor:
      return "tensor";
  }
  return "?";
}

// The element type of torch.<name>, a storage class.
std::optional<torch::ScalarType> StorageType(absl::string_view name) {
  static const auto* const types = new std::map<std::string, torch::ScalarType, std::less<>>{
      {"torch.FloatStorage", torch::kFloat}, {"torch.DoubleStorage", torch::kDouble},
      {"torch.HalfStorage", torch::kHalf},   {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kLong},   {"torch.IntStorage", torch::kInt},
      {"torch.ShortStorage", torch::kShort}, {"torch.CharStorage", torch::kChar},
      {"torch.ByteStorage", torch::kByte},   {"torch.BoolStorage", torch::kBool}};
  const auto it = types->find(name);
  if (it == types->end()) return std::nullopt;
  return it->second;
}

// Runs the pickle `data` of `archive`: the opcodes of protocols 2 to 4
// that dicts, tuples, strings, integers and tensors need. The first fault
// stops it and is kept in status().
class PickleReader {
 public:
  PickleReader(absl::string_view data, caffe2::serialize::PyTorchStreamReader* archive)
      : data_(data), archive_(archive) {}

  ValuePtr Run() {
    while (status_.ok()) {
      if (pos_ >= data_.size()) {
        Fail("ends without STOP");
        break;
      }
      const unsigned char op = data_[pos_++];
      if (op == '.') return Pop();
      Step(op);
    }
    return MakeValue(Value::Kind::kNone);
  }

  const absl::Status& status() const { return status_; }

 private:
  void Fail(absl::string_view message) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(absl::StrCat("pickle byte ", pos_, ": ", message));
    }
  }

  absl::string_view Bytes(uint64_t count) {
    if (count > data_.size() - pos_) {
      Fail("the pickle ends early");
      pos_ = data_.size();
      return {};
    }
    const absl::string_view bytes = data_.substr(pos_, count);
    pos_ += count;
    return bytes;
  }

  // A little-endian unsigned integer of `count` bytes.
  uint64_t Unsigned(int count) {
    const absl::string_view bytes = Bytes(count);
    return ReadLittleEndian(bytes, static_cast<int>(bytes.size()));
  }

  std::string Line() {
    const size_t end = data_.find('\n', pos_);
    if (end == absl::string_view::npos) {
      Fail("a GLOBAL has no newline");
      return "";
    }
    std::string line(data_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return line;
  }

  void Push(ValuePtr value) { stack_.push_back(std::move(value)); }

  void PushInt(int64_t number) {
    ValuePtr value = MakeValue(Value::Kind::kInt);
    value->number = number;
    Push(std::move(value));
  }

  void PushText(Value::Kind kind, std::string text) {
    ValuePtr value = MakeValue(kind);
    value->text = std::move(text);
    Push(std::move(value));
  }

  void PushItems(Value::Kind kind, std::vector<ValuePtr> items) {
    ValuePtr value = MakeValue(kind);
    value->items = std::move(items);
    Push(std::move(value));
  }

  size_t Floor() const { return marks_.empty() ? 0 : marks_.back(); }

  ValuePtr Pop() {
    if (stack_.size() <= Floor()) {
      Fail("pops an empty stack");
      return MakeValue(Value::Kind::kNone);
    }
    ValuePtr value = std::move(stack_.back());
    stack_.pop_back();
    return value;
  }

  ValuePtr Top() {
    if (stack_.size() <= Floor()) {
      Fail("reads an empty stack");
      return MakeValue(Value::Kind::kNone);
    }
    return stack_.back();
  }

  std::vector<ValuePtr> PopItems(size_t count) {
    if (stack_.size() < Floor() + count) {
      Fail("pops an empty stack");
      return {};
    }
    std::vector<ValuePtr> items(stack_.end() - count, stack_.end());
    stack_.resize(stack_.size() - count);
    return items;
  }

  std::vector<ValuePtr> PopToMark() {
    if (marks_.empty()) {
      Fail("has no MARK");
      return {};
    }
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> items(stack_.begin() + mark, stack_.end());
    stack_.resize(mark);
    return items;
  }

  // Adds `items` to the container on top of the stack.
  void Extend(Value::Kind kind, std::vector<ValuePtr> items) {
    const ValuePtr container = Top();
    if (container->kind != kind || (kind == Value::Kind::kDict && items.size() % 2 != 0)) {
      return Fail(absl::StrCat("adds items to a ", KindName(container->kind)));
    }
    for (ValuePtr& item : items) container->items.push_back(std::move(item));
  }

  void Memoize(uint64_t index) { memo_[index] = Top(); }

  void Recall(uint64_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) return Fail(absl::StrCat("reads memo ", index, ", which is unset"));
    Push(it->second);
  }

  void Step(unsigned char op) {
    switch (op) {
      case 0x80:  // PROTO
        Bytes(1);
        break;
      case 0x95:  // FRAME
        Bytes(8);
        break;
      case '(':  // MARK
        marks_.push_back(stack_.size());
        break;
      case 'N':
        Push(MakeValue(Value::Kind::kNone));
        break;
      case 0x88:  // NEWTRUE
      case 0x89: {
        ValuePtr value = MakeValue(Value::Kind::kBool);
        value->number = op == 0x88;
        Push(std::move(value));
        break;
      }
      case 'K':  // BININT1
        PushInt(Unsigned(1));
        break;
      case 'M':  // BININT2
        PushInt(Unsigned(2));
        break;
      case 'J':  // BININT
        PushInt(static_cast<int32_t>(Unsigned(4)));
        break;
      case 0x8a: {  // LONG1: two's complement, little-endian
        const uint64_t count = Unsigned(1);
        if (count > 8) return Fail("an integer of more than 64 bits");
        uint64_t value = Unsigned(static_cast<int>(count));
        if (count > 0 && count < 8 && (value >> (8 * count - 1)) != 0) {
          value |= ~uint64_t{0} << (8 * count);
        }
        PushInt(static_cast<int64_t>(value));
        break;
      }
      case 'X':  // BINUNICODE
        PushText(Value::Kind::kString, std::string(Bytes(Unsigned(4))));
        break;
      case 0x8c:  // SHORT_BINUNICODE
        PushText(Value::Kind::kString, std::string(Bytes(Unsigned(1))));
        break;
      case 'c': {  // GLOBAL
        const std::string module = Line();
        PushText(Value::Kind::kGlobal, absl::StrCat(module, ".", Line()));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        const ValuePtr name = Pop();
        const ValuePtr module = Pop();
        PushText(Value::Kind::kGlobal, absl::StrCat(module->text, ".", name->text));
        break;
      }
      case ')':  // EMPTY_TUPLE
        PushItems(Value::Kind::kTuple, {});
        break;
      case 't':  // TUPLE
        PushItems(Value::Kind::kTuple, PopToMark());
        break;
      case 0x85:  // TUPLE1
      case 0x86:
      case 0x87:
        PushItems(Value::Kind::kTuple, PopItems(op - 0x84));
        break;
      case '}':  // EMPTY_DICT
        Push(MakeValue(Value::Kind::kDict));
        break;
      case ']':  // EMPTY_LIST
        Push(MakeValue(Value::Kind::kList));
        break;
      case 's':  // SETITEM
        Extend(Value::Kind::kDict, PopItems(2));
        break;
      case 'u':  // SETITEMS
        Extend(Value::Kind::kDict, PopToMark());
        break;
      case 'a':  // APPEND
        Extend(Value::Kind::kList, PopItems(1));
        break;
      case 'e':  // APPENDS
        Extend(Value::Kind::kList, PopToMark());
        break;
      case 'q':  // BINPUT
        Memoize(Unsigned(1));
        break;
      case 'r':  // LONG_BINPUT
        Memoize(Unsigned(4));
        break;
      case 0x94:  // MEMOIZE
        Memoize(memo_.size());
        break;
      case 'h':  // BINGET
        Recall(Unsigned(1));
        break;
      case 'j':  // LONG_BINGET
        Recall(Unsigned(4));
        break;
      case 'Q':  // BINPERSID
        Push(Storage(*Pop()));
        break;
      case 'R': {  // REDUCE
        const ValuePtr args = Pop();
        const ValuePtr callable = Pop();
        Push(Reduce(*callable, *args));
        break;
      }
      case 'b': {  // BUILD: the attributes of a state_dict's OrderedDict (_metadata)
        Pop();
        if (Top()->kind != Value::Kind::kDict) Fail("BUILD on something other than a dict");
        break;
      }
      default:
        Fail(absl::StrFormat("opcode 0x%02x, which a dict of tensors does not need", op));
    }
  }

  // A storage the pickle names by ('storage', torch.<Type>Storage, key,
  // location, elements), as a 1-D tensor on the CPU.
  ValuePtr Storage(const Value& id) {
    const bool well_formed =
        id.kind == Value::Kind::kTuple && id.items.size() >= 5 && id.items[0]->text == "storage" &&
        id.items[1]->kind == Value::Kind::kGlobal && id.items[2]->kind == Value::Kind::kString &&
        id.items[4]->kind == Value::Kind::kInt;
    ValuePtr value = MakeValue(Value::Kind::kTensor);
    if (!well_formed) {
      Fail("a persistent id that is not a storage");
      return value;
    }
    const std::optional<torch::ScalarType> type = StorageType(id.items[1]->text);
    if (!type) {
      Fail(absl::StrCat("storage type ", id.items[1]->text, " is not supported"));
      return value;
    }
    const std::string& key = id.items[2]->text;
    const auto cached = storages_.find(key);
    if (cached != storages_.end()) {
      value->tensor = cached->second;
      return value;
    }
    const int64_t elements = id.items[4]->number;
    value->tensor = torch::empty({elements}, torch::TensorOptions().dtype(*type));
    const size_t bytes = value->tensor.nbytes();
    const auto [data, size] = archive_->getRecord("data/" + key);
    if (size < bytes) {
      Fail(absl::StrCat("storage data/", key, " holds ", size, " bytes, not ", bytes));
      return value;
    }
    std::memcpy(value->tensor.data_ptr(), data.get(), bytes);
    storages_[key] = value->tensor;
    return value;
  }

  ValuePtr Reduce(const Value& callable, const Value& args) {
    if (callable.kind != Value::Kind::kGlobal || args.kind != Value::Kind::kTuple) {
      Fail("REDUCE of something other than a global and a tuple");
      return MakeValue(Value::Kind::kNone);
    }
    const std::vector<ValuePtr>& arg = args.items;
    if (callable.text == "collections.OrderedDict") return MakeValue(Value::Kind::kDict);
    if (callable.text == "torch.jit._pickle.restore_type_tag" && !arg.empty()) return arg[0];
    if (callable.text == "torch._utils._rebuild_tensor_v2" && arg.size() >= 4 &&
        arg[0]->kind == Value::Kind::kTensor && arg[1]->kind == Value::Kind::kInt) {
      std::vector<int64_t> sizes, strides;
      for (const ValuePtr& size : arg[2]->items) sizes.push_back(size->number);
      for (const ValuePtr& stride : arg[3]->items) strides.push_back(stride->number);
      ValuePtr value = MakeValue(Value::Kind::kTensor);
      value->tensor = torch::empty({0}, arg[0]->tensor.options())
                          .set_(arg[0]->tensor.storage(), arg[1]->number, sizes, strides);
      return value;
    }
    Fail(absl::StrCat("calls ", callable.text, ", which a dict of tensors does not need"));
    return MakeValue(Value::Kind::kNone);
  }

  const absl::string_view data_;
  caffe2::serialize::PyTorchStreamReader* const archive_;
  size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::map<uint64_t, ValuePtr> memo_;
  std::map<std::string, torch::Tensor> storages_;
  absl::Status status_;
};

absl::StatusOr<NamedTensors> ReadWeights(const std::string& path) {
  if (!std::ifstream(path).good()) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> archive;
  try {
    archive = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
  } catch (const c10::Error& error) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a PyTorch zip file (torch.save's format since PyTorch 1.6): ",
                     error.what_without_backtrace()));
  }
  if (!archive->hasRecord("data.pkl")) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": holds no data.pkl"));
  }
  const auto [pickle, size] = archive->getRecord("data.pkl");
  PickleReader reader(absl::string_view(static_cast<const char*>(pickle.get()), size),
                      archive.get());
  const ValuePtr root = reader.Run();
  if (!reader.status().ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", reader.status().message()));
  }
  if (root->kind != Value::Kind::kDict) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": holds a ", KindName(root->kind), ", not a dict name -> tensor"));
  }
  NamedTensors tensors;
  for (size_t i = 0; i < root->items.size(); i += 2) {
    const Value& key = *root->items[i];
    const Value& value = *root->items[i + 1];
    if (key.kind != Value::Kind::kString) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": a key is a ", KindName(key.kind), ", not a str"));
    }
    if (value.kind != Value::Kind::kTensor) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": key '", key.text, "' holds a ",
                                                     KindName(value.kind), ", not a tensor"));
    }
    tensors.emplace_back(key.text, value.tensor);
  }
  return tensors;
}

}  // namespace

std::string WeightsFileBytes(const NamedTensors& tensors) {
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [name, tensor] : tensors) {
    dict.insert(name, tensor.detach().to(torch::kCPU).contiguous());
  }
  const std::vector<char> bytes = torch::pickle_save(dict);
  return std::string(bytes.begin(), bytes.end());
}

absl::StatusOr<NamedTensors> ReadWeightsFile(const std::string& path) {
  // The zip reader and set_'s bounds checks throw.
  try {
    return ReadWeights(path);
  } catch (const c10::Error& error) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", error.what_without_backtrace()));
  }
}

}  // namespace mdenas
