// Fuzzes the CLI's reading of the explain document (ParseExplain) and its
// renderings: any bytes must give a document or an InvalidArgument, and a
// document must render, never crash, hang or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cli/explain_view.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto e = callpath::cli::ParseExplain(json);
  if (!e.ok()) return 0;
  callpath::cli::RenderOptions o;
  o.width = 80;
  (void)callpath::cli::RenderExplainText(e.value(), o);
  o.color = true;
  o.width = 0;
  (void)callpath::cli::RenderVerdictText(e.value(), o);
  return 0;
}
