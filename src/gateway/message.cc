#include "gateway/message.h"

namespace callpath::gateway {

void Message::Clear(size_t keep_capacity) {
  if (text_.capacity() > keep_capacity) {
    std::string().swap(text_);
  } else {
    text_.clear();
  }
  if (body_.capacity() > keep_capacity) {
    std::string().swap(body_);
  } else {
    body_.clear();
  }
  if (fields_.capacity() > 256) {
    std::vector<Field>().swap(fields_);
  } else {
    fields_.clear();
  }
  method_ = target_ = reason_ = Range{};
  status_ = 0;
  version_ = 11;
  keep_alive = false;
  need_eof = false;
}

Message::Range Message::Store(std::string_view s) {
  // The parser's limits keep a head far below 4 GiB.
  Range r{static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(s.size())};
  text_.append(s);
  return r;
}

void Message::SetRequestLine(std::string_view method, std::string_view target, int version) {
  method_ = Store(method);
  target_ = Store(target);
  version_ = version;
}

void Message::SetStatusLine(int status, std::string_view reason, int version) {
  status_ = status;
  reason_ = Store(reason);
  version_ = version;
}

void Message::AddField(std::string_view name, std::string_view value) {
  Field f;
  f.name = Store(name);
  f.value = Store(value);
  fields_.push_back(f);
}

std::string_view Message::Get(std::string_view name) const noexcept {
  for (const Field& f : fields_) {
    if (detail::AsciiIEquals(View(f.name), name)) return View(f.value);
  }
  return {};
}

size_t Message::Count(std::string_view name) const noexcept {
  size_t n = 0;
  for (const Field& f : fields_) {
    if (detail::AsciiIEquals(View(f.name), name)) ++n;
  }
  return n;
}

namespace {

// Calls `fn` with each trimmed, non-empty element of a comma-separated list.
template <typename Fn>
void ForEachListElement(std::string_view list, Fn fn) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view e = list.substr(pos, comma - pos);
    while (!e.empty() && (e.front() == ' ' || e.front() == '\t')) e.remove_prefix(1);
    while (!e.empty() && (e.back() == ' ' || e.back() == '\t')) e.remove_suffix(1);
    if (!e.empty()) fn(e);
    pos = comma + 1;
  }
}

}  // namespace

bool Message::IsConnectionOption(std::string_view name) const noexcept {
  bool listed = false;
  for (const Field& f : fields_) {
    if (!detail::AsciiIEquals(View(f.name), "connection")) continue;
    ForEachListElement(View(f.value), [&](std::string_view e) { listed = listed || detail::AsciiIEquals(e, name); });
  }
  return listed;
}

bool Message::HasAcceptableTransferEncoding() const noexcept {
  int chunked = 0, other = 0, fields = 0;
  for (const Field& f : fields_) {
    if (!detail::AsciiIEquals(View(f.name), "transfer-encoding")) continue;
    ++fields;
    ForEachListElement(View(f.value), [&](std::string_view e) {
      (detail::AsciiIEquals(e, "chunked") ? chunked : other)++;
    });
  }
  return fields == 0 || (chunked == 1 && other == 0);
}

std::string MessageCarrier::GetJoined(std::string_view key) const {
  std::string out;
  bool first = true;
  for (size_t i = 0; i < m_->field_count(); ++i) {
    if (!detail::AsciiIEquals(m_->field_name(i), key)) continue;
    if (!first) out.push_back(',');
    out.append(m_->field_value(i));
    first = false;
  }
  return out;
}

std::vector<std::string_view> MessageCarrier::Keys() const {
  std::vector<std::string_view> keys;
  keys.reserve(m_->field_count());
  for (size_t i = 0; i < m_->field_count(); ++i) keys.push_back(m_->field_name(i));
  return keys;
}

}  // namespace callpath::gateway
