#include <unistd.h>

#include <cstdlib>

#include "callpath/log/sinks.h"
#include "log/format.h"
#include "log/write_all.h"

namespace callpath::log {
namespace {

bool WantColor(ColorMode mode, int fd) {
  if (mode == ColorMode::kAlways) return true;
  if (mode == ColorMode::kNever) return false;
  const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org
  if (no_color && *no_color) return false;
  return ::isatty(fd) == 1;
}

}  // namespace

ConsoleSink::ConsoleSink(ConsoleSinkOptions options)
    : ConsoleSink(options, options.use_stdout ? STDOUT_FILENO : STDERR_FILENO) {}

ConsoleSink::ConsoleSink(ConsoleSinkOptions options, int fd)
    : Sink(BatchPolicy{}), format_(options.format), fd_(fd),
      color_(options.format == ConsoleFormat::kConsole && WantColor(options.color, fd)) {}

void ConsoleSink::Encode(const Record& record, Buffer& batch) {
  if (format_ == ConsoleFormat::kJson) {
    detail::AppendJsonLine(record, batch);
  } else {
    detail::AppendConsoleLine(record, color_, batch);
  }
}

void ConsoleSink::Write(std::string_view batch, size_t) {
  if (!detail::WriteAll(fd_, batch)) CountWriteError();
}

}  // namespace callpath::log
