#include "bench/workloads/collectives/collective_ops.h"

#include <algorithm>
#include <cstring>

#include "bench/comm/bfloat16.h"

namespace lepton::bench {
namespace {

// Sentinel for receive buffers: an element a collective failed to write is counted wrong.
constexpr double kUnwritten = -1.0;

}  // namespace

std::optional<DataType> CollectiveTypeFromName(std::string_view name) {
  for (const DataType type : {DataType::kFloat32, DataType::kBfloat16}) {
    if (DataTypeName(type) == name) return type;
  }
  return std::nullopt;
}

CollectiveCase::CollectiveCase(CollectiveKind kind, std::size_t block, bool in_place, int rank,
                               int ranks, DataType type)
    : description_(&Describe(kind)),
      block_(block),
      in_place_(in_place),
      rank_(rank),
      ranks_(ranks),
      type_(type),
      counts_(description_->counts(block, rank, ranks)) {
  if (in_place_) {
    send_.resize(std::max(counts_.send, counts_.recv) * ElementBytes());
  } else {
    send_.resize(counts_.send * ElementBytes());
    recv_.resize(counts_.recv * ElementBytes());
  }
}

std::size_t CollectiveCase::ElementBytes() const { return DataTypeSize(type_); }

void CollectiveCase::Store(std::vector<std::byte>& buffer, std::size_t at, double value) const {
  std::byte* to = buffer.data() + at * ElementBytes();
  switch (type_) {
    case DataType::kFloat32: {
      const auto element = static_cast<float>(value);
      std::memcpy(to, &element, sizeof(element));
      return;
    }
    case DataType::kBfloat16: {
      const std::uint16_t element = FloatToBfloat16(static_cast<float>(value));
      std::memcpy(to, &element, sizeof(element));
      return;
    }
    case DataType::kFloat64:
      std::memcpy(to, &value, sizeof(value));
      return;
    case DataType::kInt64: {
      const auto element = static_cast<std::int64_t>(value);
      std::memcpy(to, &element, sizeof(element));
      return;
    }
  }
}

double CollectiveCase::Load(const std::vector<std::byte>& buffer, std::size_t at) const {
  const std::byte* from = buffer.data() + at * ElementBytes();
  switch (type_) {
    case DataType::kFloat32: {
      float element = 0;
      std::memcpy(&element, from, sizeof(element));
      return element;
    }
    case DataType::kBfloat16: {
      std::uint16_t element = 0;
      std::memcpy(&element, from, sizeof(element));
      return Bfloat16ToFloat(element);
    }
    case DataType::kFloat64: {
      double element = 0;
      std::memcpy(&element, from, sizeof(element));
      return element;
    }
    case DataType::kInt64: {
      std::int64_t element = 0;
      std::memcpy(&element, from, sizeof(element));
      return static_cast<double>(element);
    }
  }
  return 0;
}

std::size_t CollectiveCase::MessageBytes() const {
  return bench::MessageBytes(description_->kind, block_, ranks_, type_);
}

std::size_t CollectiveCase::SendOffset() const {
  return in_place_ ? counts_.in_place_send_offset : 0;
}

std::size_t CollectiveCase::RecvOffset() const {
  return in_place_ ? counts_.in_place_recv_offset : 0;
}

const std::vector<std::byte>& CollectiveCase::ResultBuffer() const {
  return in_place_ ? send_ : recv_;
}

void* CollectiveCase::RunSendData() {
  std::byte* base = on_device() ? static_cast<std::byte*>(device_send_.data()) : send_.data();
  return base + SendOffset() * ElementBytes();
}

void* CollectiveCase::RunRecvData() {
  std::byte* base = nullptr;
  if (on_device()) {
    base = static_cast<std::byte*>((in_place_ ? device_send_ : device_recv_).data());
  } else {
    base = (in_place_ ? send_ : recv_).data();
  }
  return base + RecvOffset() * ElementBytes();
}

Status CollectiveCase::AttachDevice(DeviceMemory& memory) {
  LEPTON_ASSIGN_OR_RETURN(device_send_, DeviceBuffer::Allocate(memory, send_.size()));
  if (!in_place_) {
    LEPTON_ASSIGN_OR_RETURN(device_recv_, DeviceBuffer::Allocate(memory, recv_.size()));
  }
  return OkStatus();
}

Status CollectiveCase::Upload() {
  if (!on_device()) return OkStatus();
  LEPTON_RETURN_IF_ERROR(device_send_.Upload(send_.data(), send_.size()));
  if (!in_place_) LEPTON_RETURN_IF_ERROR(device_recv_.Upload(recv_.data(), recv_.size()));
  return OkStatus();
}

Status CollectiveCase::Download() {
  if (!on_device()) return OkStatus();
  if (in_place_) return device_send_.Download(send_.data(), send_.size());
  return device_recv_.Download(recv_.data(), recv_.size());
}

void CollectiveCase::Fill() {
  if (in_place_) {
    for (std::size_t i = 0; i < send_.size() / ElementBytes(); ++i) Store(send_, i, kUnwritten);
  }
  for (std::size_t i = 0; i < recv_.size() / ElementBytes(); ++i) Store(recv_, i, kUnwritten);
  for (std::size_t i = 0; i < counts_.send; ++i) {
    Store(send_, SendOffset() + i, ExactInput(description_->kind, type_, rank_, ranks_, i));
  }
}

Status CollectiveCase::Run(Communicator& communicator) {
  return description_->run(communicator, CollectiveCall{.send = RunSendData(),
                                                        .recv = RunRecvData(),
                                                        .block = block_,
                                                        .type = type_,
                                                        .rank = rank_,
                                                        .ranks = ranks_});
}

std::int64_t CollectiveCase::CountWrong() const {
  const std::vector<std::byte>& result = ResultBuffer();
  const std::size_t offset = RecvOffset();
  const CollectiveExpectation expectation{description_->kind, type_, rank_, ranks_, block_};
  std::int64_t wrong = 0;
  for (std::size_t at = 0; at < counts_.recv; ++at) {
    const std::optional<double> expected = description_->expected(expectation, at);
    if (expected && Load(result, offset + at) != *expected) ++wrong;
  }
  return wrong;
}

}  // namespace lepton::bench
