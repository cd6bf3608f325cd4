#include "callpath/exporters.h"
#include "sdk/export/env_config.h"

namespace callpath {

std::unique_ptr<SpanExporter> SpanExporterFromEnvironment() {
  std::vector<std::string> warnings;
  const internal::EnvLookup env = internal::ProcessEnvironment();
  internal::TracesExporterChoice choice = internal::TracesExporterFromEnv(env, &warnings);
  std::unique_ptr<SpanExporter> exporter;
  switch (choice.kind) {
    case internal::TracesExporterKind::kNone:
      break;
    case internal::TracesExporterKind::kConsole:
      exporter = std::make_unique<StdoutExporter>();
      break;
    case internal::TracesExporterKind::kFile: {
      auto file = FileExporter::Open(choice.file_path);
      if (file.ok()) {
        exporter = std::move(*file);
      } else {
        warnings.push_back("file exporter disabled: " + file.status().message());
      }
      break;
    }
    case internal::TracesExporterKind::kOtlp:
      exporter = std::make_unique<OtlpHttpExporter>(
          internal::OtlpHttpOptionsFromEnv(OtlpSignal::kTraces, env, &warnings));
      break;
  }
  internal::ReportWarnings(warnings);
  return exporter;
}

}  // namespace callpath
