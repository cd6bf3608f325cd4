// Status and Result<T>: the one way callpath reports a failure across a
// public boundary. Nothing in the SDK's public API throws; a function that
// can fail returns one of these.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace callpath {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,    // the caller's input is malformed
  kNotFound,
  kResourceExhausted,  // a queue or a limit is full; retrying later may help
  kUnavailable,        // a peer cannot be reached; retrying may help
  kDeadlineExceeded,
  kFailedPrecondition, // called in the wrong state (e.g. after Shutdown)
  kDataLoss,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code) noexcept;

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // OK
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() noexcept { return Status(); }

  bool ok() const noexcept { return code_ == StatusCode::kOk; }
  StatusCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }

  // "INVALID_ARGUMENT: bad trace id" or "OK".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or the Status that explains why there is none.
// REQUIRES: a Result built from a Status is built from a non-OK one.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}     // NOLINT: implicit by design

  bool ok() const noexcept { return v_.index() == 0; }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(v_);
  }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace callpath

// Returns early from the enclosing function when `expr` is not OK.
#define CALLPATH_RETURN_IF_ERROR(expr)            \
  do {                                            \
    ::callpath::Status callpath_status_ = (expr); \
    if (!callpath_status_.ok()) return callpath_status_; \
  } while (0)
