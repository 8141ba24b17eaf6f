#include "bench/comm/self_communicator.h"

#include <cstring>
#include <string>

namespace lepton::bench {
namespace {

// With one rank, every reduction of one value is that value and every gather is a copy.
// memmove, because in-place calls pass overlapping (identical) buffers.
void Copy(const void* send, void* recv, std::size_t count, DataType type) {
  if (send != recv && count > 0) std::memmove(recv, send, count * DataTypeSize(type));
}

Status CheckPeer(std::string_view what, int peer) {
  if (peer == 0) return OkStatus();
  return InvalidArgumentError(std::string(what) + " rank " + std::to_string(peer) +
                              " does not exist: the self communicator has one rank");
}

class SelfCommunicator final : public Communicator {
 public:
  [[nodiscard]] std::string_view name() const override { return "self"; }
  [[nodiscard]] int rank() const override { return 0; }
  [[nodiscard]] int size() const override { return 1; }

  Status AllReduce(const void* send, void* recv, std::size_t count, DataType type,
                   ReduceOp /*op*/) override {
    Copy(send, recv, count, type);
    return OkStatus();
  }
  Status AllGather(const void* send, void* recv, std::size_t count, DataType type) override {
    Copy(send, recv, count, type);
    return OkStatus();
  }
  Status ReduceScatter(const void* send, void* recv, std::size_t count, DataType type,
                       ReduceOp /*op*/) override {
    Copy(send, recv, count, type);
    return OkStatus();
  }
  Status Broadcast(const void* send, void* recv, std::size_t count, DataType type,
                   int root) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("broadcast root", root));
    Copy(send, recv, count, type);
    return OkStatus();
  }
  Status Reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp /*op*/,
                int root) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("reduce root", root));
    Copy(send, recv, count, type);
    return OkStatus();
  }
  Status AllToAll(const void* send, void* recv, std::size_t count, DataType type) override {
    Copy(send, recv, count, type);
    return OkStatus();
  }
  Status SendRecv(const void* send, int send_to, void* recv, int recv_from, std::size_t count,
                  DataType type) override {
    LEPTON_RETURN_IF_ERROR(CheckPeer("send to", send_to));
    LEPTON_RETURN_IF_ERROR(CheckPeer("receive from", recv_from));
    Copy(send, recv, count, type);
    return OkStatus();
  }
  Status Barrier() override { return OkStatus(); }
};

}  // namespace

std::unique_ptr<Communicator> MakeSelfCommunicator() {
  return std::make_unique<SelfCommunicator>();
}

}  // namespace lepton::bench
