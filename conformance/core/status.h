#pragma once
// Errors are values: Status for operations without a result, Result<T> (std::expected) otherwise.
// Codes follow absl's canonical set; pick the narrowest one that tells the caller what to do.

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace lepton {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the input (spec, file, flag) is malformed; fixing the input helps
  kNotFound,            // a named file, profile, workload or metric does not exist
  kFailedPrecondition,  // the system is not in a state to do this (profile preconditions)
  kUnavailable,         // no device, not built in: becomes not-applicable or not-measured
  kDataLoss,            // a file is corrupt or truncated
  kDeadlineExceeded,    // a watchdog fired
  kResourceExhausted,   // an input exceeds a stated limit
  kInternal,            // a bug or an unexpected library failure
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  [[nodiscard]] bool ok() const { return code_ == StatusCode::kOk; }
  [[nodiscard]] StatusCode code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }

  // "context: message", keeping the code. Add context once, where it is known.
  [[nodiscard]] Status WithContext(std::string_view context) const;
  // "INVALID_ARGUMENT: message", or "OK".
  [[nodiscard]] std::string ToString() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
using Result = std::expected<T, Status>;

inline Status OkStatus() { return {}; }
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status FailedPreconditionError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status DeadlineExceededError(std::string message);
Status ResourceExhaustedError(std::string message);
Status InternalError(std::string message);

namespace internal {

// Lets one macro return an error from functions returning Status or Result<T>.
struct PropagatedError {
  Status status;
  // NOLINTNEXTLINE(google-explicit-constructor): the point is implicit conversion on return.
  operator Status() && { return std::move(status); }
  template <typename T>
  // NOLINTNEXTLINE(google-explicit-constructor)
  operator std::expected<T, Status>() && {
    return std::unexpected(std::move(status));
  }
};

inline Status ToStatus(Status status) { return status; }
template <typename T>
Status ToStatus(const Result<T>& result) {
  return result.has_value() ? Status() : result.error();
}

}  // namespace internal
}  // namespace lepton

#define LEPTON_INTERNAL_CONCAT_INNER(a, b) a##b
#define LEPTON_INTERNAL_CONCAT(a, b) LEPTON_INTERNAL_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Status or Result<T>) from the enclosing function.
#define LEPTON_RETURN_IF_ERROR(expr)                                          \
  do {                                                                        \
    if (::lepton::Status lepton_status_ = ::lepton::internal::ToStatus(expr); \
        !lepton_status_.ok()) {                                               \
      return ::lepton::internal::PropagatedError{std::move(lepton_status_)};  \
    }                                                                         \
  } while (false)

// `LEPTON_ASSIGN_OR_RETURN(auto x, Compute());` binds the value or returns the error.
#define LEPTON_ASSIGN_OR_RETURN(lhs, expr) \
  LEPTON_INTERNAL_ASSIGN_OR_RETURN(LEPTON_INTERNAL_CONCAT(lepton_result_, __LINE__), lhs, expr)
#define LEPTON_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr)                \
  auto tmp = (expr);                                                    \
  if (!tmp.has_value()) {                                               \
    return ::lepton::internal::PropagatedError{std::move(tmp).error()}; \
  }                                                                     \
  lhs = std::move(tmp).value()
