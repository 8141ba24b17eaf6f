#pragma once
// Under mpirun or srun every rank loads the spec and plans the run from its own facts. Ranks on
// unlike nodes (other memory or core counts that an `applies_if` reads, or a rank whose profile
// precondition fails) would plan different workloads and then wait for each other in a collective
// until the watchdog ends it. So before anything runs, the ranks compare what they planned, and
// every rank stops together, naming the ranks that differ and their facts.

#include <span>
#include <string>

#include "bench/api/communicator.h"
#include "conformance/core/status.h"
#include "conformance/spec/resolve.h"

namespace lepton::certify {

// What decides the run: each workload with its repetitions and each requirement's
// applicability, or that the profile was refused. Equal on ranks that will run alike.
std::string PlanFingerprint(const Result<spec::Plan>& plan);

// "cpu_cores=64 gpus=8 memory_gib=1007.5 nodes=2 ranks=16": what a differing rank is told by.
std::string FactsSummary(const spec::Facts& facts);

// Pure: every rank's "fingerprint facts" line, in rank order. FailedPrecondition naming each
// rank whose fingerprint is not rank 0's, with its facts and rank 0's; OK when all agree.
Status ComparePlans(std::span<const std::string> fingerprints, std::span<const std::string> facts);

// Collective over `world`: every rank calls it and gets the same answer.
Status AgreeOnPlan(bench::Communicator& world, const Result<spec::Plan>& plan,
                   const spec::Facts& facts);

}  // namespace lepton::certify
