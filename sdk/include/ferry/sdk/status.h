#pragma once
// Status and Result<T>: how every SDK call reports failure.
//
// Exceptions never cross the plugin boundary (docs/plugin-authoring.md, principle 4). A call
// that can fail returns a Status or a Result<T>; the message is meant for an operator and should
// name what was wrong ("rootDir '/x' is not a directory"), not how the code noticed.

#include <optional>
#include <string>
#include <utility>

namespace ferry::sdk {

/** Outcome of an operation: ok, or an error with a human-readable message. */
class Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(std::move(message)); }

  bool isOk() const { return !message_.has_value(); }
  explicit operator bool() const { return isOk(); }
  /** The error text; empty for an ok status. */
  const std::string& message() const {
    static const std::string kEmpty;
    return message_ ? *message_ : kEmpty;
  }

 private:
  explicit Status(std::string message) : message_(std::move(message)) {}
  std::optional<std::string> message_;
};

/** A value of type T, or the error that prevented computing it (std::expected is C++23). */
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  static Result failure(std::string message) { return Result(Status::error(std::move(message))); }

  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Status& status() const { return error_; }
  const std::string& message() const { return error_.message(); }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status error_;
};

}  // namespace ferry::sdk
