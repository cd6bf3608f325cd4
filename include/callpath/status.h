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

namespace detail {
// Prints "callpath: Result::value() on an error: <status>" to stderr and
// aborts. Reading the value of a failed Result is a bug in the caller, like
// dereferencing a null pointer; it must not surface as an exception.
[[noreturn]] void DieOnErrorValueAccess(const Status& status) noexcept;
}  // namespace detail

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  // A Result built from an OK Status (a caller's bug: it carries no value)
  // holds an INTERNAL error instead, so ok() never promises a value it lacks.
  Result(Status status)  // NOLINT: implicit by design
      : v_(status.ok() ? Status(StatusCode::kInternal, "Result built from an OK status without a value")
                       : std::move(status)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  const Status& status() const noexcept {
    static const Status kOk;
    return ok() ? kOk : *std::get_if<1>(&v_);
  }
  // REQUIRES: ok(). On an error: aborts with the status on stderr; never
  // throws.
  T& value() & noexcept { return *Checked(); }
  const T& value() const& noexcept { return *Checked(); }
  T&& value() && noexcept { return std::move(*Checked()); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  T* Checked() noexcept {
    if (!ok()) detail::DieOnErrorValueAccess(*std::get_if<1>(&v_));
    return std::get_if<0>(&v_);
  }
  const T* Checked() const noexcept {
    if (!ok()) detail::DieOnErrorValueAccess(*std::get_if<1>(&v_));
    return std::get_if<0>(&v_);
  }

  std::variant<T, Status> v_;
};

}  // namespace callpath

// Returns early from the enclosing function when `expr` is not OK.
#define CALLPATH_RETURN_IF_ERROR(expr)            \
  do {                                            \
    ::callpath::Status callpath_status_ = (expr); \
    if (!callpath_status_.ok()) return callpath_status_; \
  } while (0)
