// The built-in sinks: a JSON-lines file with rotation, and the console.
// The OTLP logs sink is in callpath/log/otlp_sink.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "callpath/log/sink.h"
#include "callpath/status.h"

namespace callpath::log {

struct FileSinkOptions {
  std::string path;               // the live file; rotated files are path.1 (newest) ... path.N
  uint64_t max_bytes = 0;         // rotate before a line would make the file larger; 0: never
  bool daily = false;             // rotate when a record's UTC date differs from the file's
  uint32_t max_files = 5;         // rotated files kept; older ones are deleted
};

// One JSON object per line (see json format in README/docs):
// {"timestamp":..., "level":..., "msg":..., "service_name":..., "trace_id":...,
//  "span_id":..., "caller":"dir/file.cc:12", "logger":..., <fields>}.
// A line is never split across two files.
class FileSink final : public Sink {
 public:
  // Opens (appends to) options.path; fails if it cannot be opened.
  static Result<std::shared_ptr<FileSink>> Open(FileSinkOptions options);
  ~FileSink() override;

  // Rotations performed so far (for tests and monitoring).
  uint64_t rotations() const noexcept { return rotations_; }

 protected:
  void Encode(const Record& record, Buffer& batch) override;
  void Write(std::string_view batch, size_t records) override;
  void FlushOutput() override {}

 private:
  FileSink(FileSinkOptions options, int fd, uint64_t size, int64_t day);
  void Rotate();

  FileSinkOptions options_;
  int fd_;
  uint64_t assigned_bytes_;  // written + batched for the current file
  int64_t day_;              // days since epoch of the current file's records; -1 unknown
  uint64_t rotations_ = 0;
  Buffer line_;
};

enum class ConsoleFormat { kConsole, kJson };
enum class ColorMode { kAuto, kAlways, kNever };

struct ConsoleSinkOptions {
  bool use_stdout = false;                   // default stderr
  ConsoleFormat format = ConsoleFormat::kConsole;
  ColorMode color = ColorMode::kAuto;        // auto: only on a TTY and when NO_COLOR is unset/empty
};

// Human-readable lines:
//   2025-01-02T03:04:05.123456789Z INFO  checkout: order placed order_id=7 paid=true
//       trace_id=... span_id=... (shop/order.cc:42)
// or JSON lines (same format as FileSink).
class ConsoleSink final : public Sink {
 public:
  explicit ConsoleSink(ConsoleSinkOptions options = {});
  // Writes to `fd` instead of stdout/stderr (tests); never closed.
  ConsoleSink(ConsoleSinkOptions options, int fd);

  bool colored() const noexcept { return color_; }

 protected:
  void Encode(const Record& record, Buffer& batch) override;
  void Write(std::string_view batch, size_t records) override;

 private:
  ConsoleFormat format_;
  int fd_;
  bool color_;
};

}  // namespace callpath::log
