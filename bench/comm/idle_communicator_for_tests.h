#pragma once
// TEST ONLY: a communicator that accepts every call and moves nothing, for tests that need a
// rank count or a device communicator whose results must not appear (the check then sees the
// receive buffers' sentinels).

#include <string>
#include <string_view>
#include <utility>

#include "bench/api/communicator.h"

namespace lepton::bench {

class IdleCommunicator final : public Communicator {
 public:
  IdleCommunicator(std::string name, int rank, int size)
      : name_(std::move(name)), rank_(rank), size_(size) {}

  [[nodiscard]] std::string_view name() const override { return name_; }
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }
  Status AllReduce(const void*, void*, std::size_t, DataType, ReduceOp) override {
    return OkStatus();
  }
  Status AllGather(const void*, void*, std::size_t, DataType) override { return OkStatus(); }
  Status ReduceScatter(const void*, void*, std::size_t, DataType, ReduceOp) override {
    return OkStatus();
  }
  Status Broadcast(const void*, void*, std::size_t, DataType, int) override { return OkStatus(); }
  Status Reduce(const void*, void*, std::size_t, DataType, ReduceOp, int) override {
    return OkStatus();
  }
  Status AllToAll(const void*, void*, std::size_t, DataType) override { return OkStatus(); }
  Status SendRecv(const void*, int, void*, int, std::size_t, DataType) override {
    return OkStatus();
  }
  Status Barrier() override { return OkStatus(); }

 private:
  std::string name_;
  int rank_;
  int size_;
};

}  // namespace lepton::bench
