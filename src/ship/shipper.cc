#include "ship/shipper.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iterator>
#include <span>
#include <thread>

#include "logparse/line_parser.h"
#include "logparse/otlp_logs.h"
#include "logparse/pushed_logs.h"
#include "sdk/export/http_transport.h"
#include "ship/file_tailer.h"
#include "ship/record_uid.h"

namespace callpath::ship {
namespace {

using Clock = std::chrono::steady_clock;

// Truncated contents remembered for a copy that may still appear.
constexpr size_t kMaxRetired = 32;

struct Tracked {
  std::unique_ptr<FileTailer> tailer;
  bool matched = true;    // found by the latest glob scan
  bool finished = false;  // Finish() done: only acknowledgements remain
  // A copy of this file (copy-truncate) is being read instead of it until
  // this file is truncated, or the copy is read through.
  FileTailer* paused_for = nullptr;
  uint64_t paused_copy_offset = 0;
  // The observed time noted in the checkpoint (CheckpointEntry) for the
  // records of this file, of generation sent_generation, that end at or
  // before sent_until: those of the batch in flight when it was noted, and
  // those already in the file then. A restart reads them in generation 0.
  uint64_t sent_until = 0;
  uint64_t sent_observed_ns = 0;
  uint64_t sent_generation = 0;
  // FileIdentityHash for identity_head, kept: it changes only while the
  // file is shorter than its fingerprint.
  Fingerprint identity_head;
  uint64_t identity_hash = 0;
};

struct Pending {
  Tracked* file;
  TailRecord record;
};

// True when `p` is covered by its file's note: it goes out with the noted
// observed time, so that sent again after a restart it is the same record
// to the receiver.
bool InNotedBatch(const Pending& p) {
  return p.file->sent_observed_ns != 0 && p.record.generation == p.file->sent_generation &&
         p.record.end_offset <= p.file->sent_until;
}

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

std::vector<std::string> Glob(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;
}

}  // namespace

struct Shipper::Impl {
  explicit Impl(ShipOptions o) : opt(std::move(o)), transport(TransportOptions(opt)) {
    source.scope_name = "callpath-ship";
    source.default_service = opt.service.empty() ? logparse::kUnknownService : opt.service;
    host = HostName();
    if (!host.empty()) source.resource.push_back({"host.name", host});
    for (const auto& [k, v] : opt.resource) source.resource.push_back({k, v});
    tailer_options.multiline = opt.multiline;
  }

  static internal::HttpTransportOptions TransportOptions(const ShipOptions& o) {
    internal::HttpTransportOptions t;
    t.gzip = o.gzip;
    t.timeout = std::chrono::milliseconds(30000);
    t.retry.max_attempts = 1;  // Send retries, for as long as it takes
    t.user_agent = "callpath-ship";
    return t;
  }

  Status Run(const std::atomic<bool>& stop);
  bool Settled(const struct stat& st) const;
  void Scan();
  void Open(const std::string& path, const struct stat& st);
  uint64_t StartOffset(const std::string& path, const struct stat& st, Tracked** copy_of, CheckpointEntry* noted);
  void Collect(std::vector<Pending>* batch, bool* more);
  void PollPaused(Tracked& t, Clock::time_point now);
  bool Deliver(std::vector<Pending>* batch, const std::atomic<bool>& stop);
  bool Send(const std::vector<Pending>& batch, const std::atomic<bool>& stop);
  void Encode(const std::vector<Pending>& batch, std::string* body);
  bool Post(const std::string& body, size_t records, const std::atomic<bool>& stop);
  void Acknowledge(const std::vector<Pending>& batch);
  Status SaveCheckpointNow();
  bool AllDrained() const;

  ShipOptions opt;
  TailerOptions tailer_options;
  internal::HttpTransport transport;
  std::unique_ptr<logparse::LineParser> parser;
  logparse::LogSource source;
  std::string host;  // this machine's name, part of every record's uid
  std::vector<std::unique_ptr<Tracked>> files;
  std::vector<CheckpointEntry> restored;  // from the checkpoint, matched to files as they are found
  std::vector<CheckpointEntry> retired;
  ShipStats stats;
};

// A new file is opened once it holds a full fingerprint or has stopped
// changing: one caught in the middle of being copied (copy-truncate) would
// otherwise be too short to be recognised as the copy it is, and be read
// again from its start. Files in the checkpoint are resumed at once.
bool Shipper::Impl::Settled(const struct stat& st) const {
  if (static_cast<uint64_t>(st.st_size) >= kFingerprintBytes) return true;
  for (const CheckpointEntry& e : restored)
    if (!e.retired && e.dev == static_cast<uint64_t>(st.st_dev) && e.ino == static_cast<uint64_t>(st.st_ino)) return true;
  auto mtime = std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
  return std::chrono::system_clock::now() - mtime >= opt.finish_after || opt.once;
}

void Shipper::Impl::Scan() {
  for (auto& f : files) f->matched = false;
  for (const std::string& pattern : opt.paths) {
    for (const std::string& path : Glob(pattern)) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      bool known = false;
      for (auto& f : files) {
        if (f->tailer->dev() == static_cast<uint64_t>(st.st_dev) && f->tailer->ino() == static_cast<uint64_t>(st.st_ino)) {
          f->matched = true;
          if (f->tailer->path() != path) f->tailer->set_path(path);  // renamed
          known = true;
        }
      }
      if (!known && !Settled(st)) continue;  // looked at again next scan
      if (!known) Open(path, st);
    }
  }
  // Entries for files that are gone are of no use after the first scan;
  // truncated contents stay for a copy that may still appear.
  restored.erase(std::remove_if(restored.begin(), restored.end(), [](const CheckpointEntry& e) { return !e.retired; }),
                 restored.end());
}

// Where a newly found file starts: its checkpointed offset; the offset of
// the file it is a copy of; else 0.
uint64_t Shipper::Impl::StartOffset(const std::string& path, const struct stat& st, Tracked** copy_of,
                                    CheckpointEntry* noted) {
  *copy_of = nullptr;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  auto matches = [&](const Fingerprint& fp) { return fp.length > 0 && FingerprintStillMatches(fd, fp); };
  uint64_t offset = 0;
  bool found = false;
  for (auto it = restored.begin(); it != restored.end() && !found; ++it) {
    if (it->retired || it->dev != static_cast<uint64_t>(st.st_dev) || it->ino != static_cast<uint64_t>(st.st_ino)) continue;
    if (matches(it->fingerprint)) {
      offset = it->offset;
      noted->sent_until = it->sent_until;
      noted->sent_observed_ns = it->sent_observed_ns;
      found = true;
    }
    restored.erase(it);
    break;
  }
  auto copyable = [&](const Fingerprint& fp) { return fp.length >= kMinCopyFingerprintBytes && matches(fp); };
  for (auto& f : files) {
    if (found || !copyable(f->tailer->fingerprint())) continue;
    *copy_of = f.get();
    offset = f->tailer->emitted_offset();
    found = true;
  }
  for (auto* list : {&retired, &restored}) {
    for (auto it = list->begin(); it != list->end() && !found; ++it) {
      if (!it->retired || !copyable(it->fingerprint)) continue;
      offset = it->offset;
      found = true;
      list->erase(it);
      break;
    }
  }
  ::close(fd);
  return offset;
}

void Shipper::Impl::Open(const std::string& path, const struct stat& st) {
  Tracked* copy_of = nullptr;
  CheckpointEntry noted;
  uint64_t offset = StartOffset(path, st, &copy_of, &noted);
  auto tailer = FileTailer::Open(path, offset, tailer_options);
  if (!tailer.ok()) return;  // gone already, or unreadable: the next scan tries again
  auto t = std::make_unique<Tracked>();
  t->tailer = std::move(tailer).value();
  t->sent_until = noted.sent_until;
  t->sent_observed_ns = noted.sent_observed_ns;
  if (copy_of != nullptr) {
    // Until the original is truncated, the copy is read instead of it.
    copy_of->tailer->Reset(copy_of->tailer->emitted_offset());
    copy_of->paused_for = t->tailer.get();
    copy_of->paused_copy_offset = offset;
  }
  files.push_back(std::move(t));
}

void Shipper::Impl::PollPaused(Tracked& t, Clock::time_point now) {
  std::vector<TailRecord> none;
  const uint64_t generation = t.tailer->generation();
  t.tailer->Poll(&none, 0, 0, now);  // a zero budget only looks for truncation
  Fingerprint fp;
  uint64_t off;
  (void)t.tailer->TakeRetired(&fp, &off);  // the copy already holds that content
  bool copy_done = true;
  for (auto& f : files) {
    if (f->tailer.get() != t.paused_for) continue;
    t.paused_copy_offset = f->tailer->emitted_offset();
    copy_done = f->tailer->drained() && now - f->tailer->last_growth() >= opt.finish_after;
  }
  if (t.tailer->generation() != generation) t.paused_for = nullptr;  // truncated: read anew from 0
  else if (copy_done) {
    t.tailer->Reset(t.paused_copy_offset);  // never truncated: go on after what the copy held
    t.paused_for = nullptr;
  }
}

void Shipper::Impl::Collect(std::vector<Pending>* batch, bool* more) {
  const auto now = Clock::now();
  size_t bytes = 0;
  *more = false;
  std::vector<TailRecord> records;
  for (auto& f : files) {
    if (f->finished) continue;
    if (f->paused_for != nullptr) {
      PollPaused(*f, now);
      continue;
    }
    if (batch->size() >= opt.batch_max_records || bytes >= opt.batch_max_bytes) {
      *more = true;
      break;
    }
    records.clear();
    const bool file_more =
        f->tailer->Poll(&records, opt.batch_max_bytes - bytes, opt.batch_max_records - batch->size(), now);
    *more |= file_more;
    Fingerprint fp;
    uint64_t offset;
    if (f->tailer->TakeRetired(&fp, &offset)) {
      retired.push_back(CheckpointEntry{f->tailer->dev(), f->tailer->ino(), fp, offset, true, 0, 0, f->tailer->path()});
      if (retired.size() > kMaxRetired) retired.erase(retired.begin());
    }
    const bool gone = f->tailer->deleted() || !f->matched;
    if (gone && !file_more && now - f->tailer->last_growth() >= opt.finish_after) {
      f->tailer->Finish(&records);
      f->finished = true;
    } else if (opt.once && !file_more) {
      f->tailer->FlushHeld(&records);  // the end of what there is; a partial line stays held
    }
    for (TailRecord& r : records) {
      bytes += r.text.size();
      stats.bytes_read += r.text.size();
      batch->push_back(Pending{f.get(), std::move(r)});
    }
  }
}

// Sends `batch` until the receiver takes it, then records the progress.
// Records covered by their file's note go first, on their own, so that a
// new note (one observed time per file) is needed only for the others.
bool Shipper::Impl::Deliver(std::vector<Pending>* batch, const std::atomic<bool>& stop) {
  auto fresh = std::stable_partition(batch->begin(), batch->end(), InNotedBatch);
  std::vector<Pending> again(std::make_move_iterator(batch->begin()), std::make_move_iterator(fresh));
  batch->erase(batch->begin(), fresh);
  const std::vector<Pending>* parts[] = {&again, batch};
  for (const std::vector<Pending>* part : parts) {
    if (part->empty()) continue;
    if (!Send(*part, stop)) return false;  // stopping: nothing acknowledged, nothing lost
    Acknowledge(*part);
    Status s = SaveCheckpointNow();
    if (!s.ok()) std::fprintf(stderr, "callpath-ship: checkpoint not saved: %s\n", s.ToString().c_str());
  }
  return true;
}

bool Shipper::Impl::Send(const std::vector<Pending>& batch, const std::atomic<bool>& stop) {
  std::string body;
  Encode(batch, &body);
  return Post(body, batch.size(), stop);
}

// Every record gets its log.record.uid. A record without a time of its
// own is stored by its observed time, so that time must be the same if
// the record is ever sent again: before a batch holding such records that
// no note covers goes, a note is saved in the checkpoint. It covers what
// the file holds by then, so while the shipper is behind the writer the
// following batches need no new one.
void Shipper::Impl::Encode(const std::vector<Pending>& batch, std::string* body) {
  const uint64_t now = NowNs();
  std::vector<logparse::ParsedLog> parsed;
  std::vector<uint64_t> observed;
  parsed.reserve(batch.size());
  observed.reserve(batch.size());
  bool note = false;
  for (const Pending& p : batch) {
    const FileTailer& t = *p.file->tailer;
    logparse::ParsedLog r = parser->Parse(p.record.text);
    r.attributes.push_back({"log.file.path", t.path()});
    const Fingerprint head = t.HeadFingerprint(p.record.end_offset);
    if (!(head == p.file->identity_head) || p.file->identity_hash == 0) {
      p.file->identity_head = head;
      p.file->identity_hash = FileIdentityHash(host, t.dev(), t.ino(), head);
    }
    r.attributes.push_back({"log.record.uid", RecordUid(p.file->identity_hash, p.record.end_offset)});
    const bool again = InNotedBatch(p);
    observed.push_back(again ? p.file->sent_observed_ns : now);
    note |= !again && r.time_ns == 0;
    parsed.push_back(std::move(r));
  }
  if (note) {
    for (const Pending& p : batch) p.file->sent_until = p.file->tailer->CurrentSize();
    for (const Pending& p : batch) {
      p.file->sent_until = std::max(p.file->sent_until, p.record.end_offset);
      p.file->sent_observed_ns = now;
      p.file->sent_generation = p.record.generation;
    }
    Status s = SaveCheckpointNow();
    if (!s.ok()) std::fprintf(stderr, "callpath-ship: batch in flight not noted: %s\n", s.ToString().c_str());
  }
  // One run of records per observed time (a batch sent again has one).
  for (size_t i = 0; i < parsed.size();) {
    size_t end = i + 1;
    while (end < parsed.size() && observed[end] == observed[i]) ++end;
    logparse::AppendResourceLogsProto(source, std::span<const logparse::ParsedLog>(parsed).subspan(i, end - i),
                                      observed[i], body);
    i = end;
  }
}

bool Shipper::Impl::Post(const std::string& body, size_t records, const std::atomic<bool>& stop) {
  auto backoff = std::chrono::milliseconds(100);
  for (int attempt = 0; !stop.load(); ++attempt) {
    ++stats.requests;
    if (attempt > 0) ++stats.retries;
    internal::HttpResponse response;
    Status s = transport.Post(opt.endpoint, body, "application/x-protobuf", &response);
    if (s.ok()) {
      stats.records_sent += records;
      return true;
    }
    if (s.code() == StatusCode::kInvalidArgument && response.status != 0) {
      std::fprintf(stderr, "callpath-ship: the receiver refused %zu records (HTTP %ld): %s\n", records,
                   response.status, response.body.substr(0, 500).c_str());
      stats.records_refused += records;
      return true;  // permanent: retrying cannot help; reported, not silent
    }
    if (attempt == 0 || attempt % 10 == 0)
      std::fprintf(stderr, "callpath-ship: send failed, retrying: %s\n", s.ToString().c_str());
    for (auto until = Clock::now() + backoff; Clock::now() < until && !stop.load();)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    backoff = std::min(backoff * 2, opt.max_backoff);
  }
  return false;
}

void Shipper::Impl::Acknowledge(const std::vector<Pending>& batch) {
  for (const Pending& p : batch) p.file->tailer->Acknowledge(p.record.generation, p.record.end_offset);
  files.erase(std::remove_if(files.begin(), files.end(),
                             [](const std::unique_ptr<Tracked>& f) { return f->finished && f->tailer->drained(); }),
              files.end());
}

Status Shipper::Impl::SaveCheckpointNow() {
  std::vector<CheckpointEntry> entries;
  for (const auto& f : files) {
    const FileTailer& t = *f->tailer;
    // A note of a batch that was acknowledged since is of no more use.
    const bool in_flight = f->sent_generation == t.generation() && f->sent_until > t.acked_offset();
    entries.push_back(CheckpointEntry{t.dev(), t.ino(), t.fingerprint(), t.acked_offset(), false,
                                      in_flight ? f->sent_until : 0, in_flight ? f->sent_observed_ns : 0, t.path()});
  }
  for (const auto* list : {&retired, &restored})
    for (const CheckpointEntry& e : *list) entries.push_back(e);
  return SaveCheckpoint(opt.checkpoint_dir, entries);
}

bool Shipper::Impl::AllDrained() const {
  for (const auto& f : files)
    if (!f->tailer->drained()) return false;
  return true;
}

Status Shipper::Impl::Run(const std::atomic<bool>& stop) {
  auto created = logparse::LineParser::Create(opt.format);
  if (!created.ok()) return created.status();
  parser = std::move(created).value();
  if (::mkdir(opt.checkpoint_dir.c_str(), 0755) != 0 && errno != EEXIST)
    return InvalidArgument("cannot create --checkpoint-dir " + opt.checkpoint_dir);
  auto loaded = LoadCheckpoint(opt.checkpoint_dir);
  if (!loaded.ok()) return loaded.status();
  restored = std::move(loaded).value();
  CALLPATH_RETURN_IF_ERROR(SaveCheckpointNow());  // fails early on an unwritable directory
  std::vector<Pending> batch;
  while (!stop.load()) {
    Scan();
    batch.clear();
    bool more = false;
    Collect(&batch, &more);
    const bool sent = !batch.empty();
    if (sent && !Deliver(&batch, stop)) break;  // stopping: nothing acknowledged, nothing lost
    if (more || sent) continue;
    if (opt.once && AllDrained()) break;
    for (auto until = Clock::now() + opt.poll_interval; Clock::now() < until && !stop.load();)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return SaveCheckpointNow();
}

Shipper::Shipper(ShipOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Shipper::~Shipper() = default;
Status Shipper::Run(const std::atomic<bool>& stop) { return impl_->Run(stop); }
ShipStats Shipper::stats() const { return impl_->stats; }

}  // namespace callpath::ship
