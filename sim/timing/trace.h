#pragma once
// A timeline of spans on named tracks, written as Chrome / Perfetto trace-event JSON
// ("X" complete events, times in microseconds, one thread per track, thread_name metadata).
// Opens in ui.perfetto.dev and chrome://tracing; a span's args show in the viewer's detail pane.
// Held in memory, or streamed to a file as spans are added (stream_to), so a trace of any
// length takes bounded memory.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace npusim {
class FileReplacer;
}

namespace npusim::sim::timing {

// The args of one span as a JSON object, keys in the order added; units go in the key names
// (`dram_read_bytes`, `latency_us`).
class TraceArgs {
 public:
  TraceArgs& add(std::string_view key, std::string_view text);
  TraceArgs& add(std::string_view key, const char* text) { return add(key, std::string_view(text)); }
  TraceArgs& add(std::string_view key, uint64_t value);
  TraceArgs& add(std::string_view key, double value);
  // "{...}", or "" when nothing was added.
  std::string json() const { return body_.empty() ? "" : "{" + body_ + "}"; }

 private:
  void key(std::string_view k);
  std::string body_;
};

class Trace {
 public:
  // The id of the track (a row in the viewer) called `name`, added if new.
  uint32_t track(const std::string& name);
  // Spans from now on start where the last one recorded ended, so several runs (the stages
  // of a pipeline) follow one another on the same tracks.
  void begin_segment() { offset_ps_ = end_ps_; }
  void span(uint32_t track, std::string name, uint64_t start_ps, uint64_t end_ps, const TraceArgs& args = {});
  size_t size() const { return count_; }
  // {"displayTimeUnit": "ns", "traceEvents": [...]}; `process` names the process row.
  std::string json(const std::string& process) const;
  // Writes json() to `path`; throws UserError naming the file if it cannot.
  void write(const std::string& path, const std::string& process) const;
  // From now on each track and span goes to `path` as it is added, not to memory (metadata
  // events then sit among the spans, which viewers accept). finish() ends the JSON and only then
  // replaces `path`, so a run that fails leaves no partial trace. Throws UserError naming the file.
  void stream_to(const std::string& path, const std::string& process);
  void finish();
  Trace();
  ~Trace();

 private:
  struct Span {
    uint32_t track;
    std::string name;
    uint64_t start_ps, end_ps;
    std::string args;  // a JSON object, or ""
  };
  static std::string track_events(size_t track, const std::string& name);  // ",\n"-led
  static std::string span_event(const Span& s);                            // ",\n"-led
  void emit(const std::string& events);
  std::vector<std::string> tracks_;
  std::vector<Span> spans_;
  uint64_t offset_ps_ = 0, end_ps_ = 0;
  size_t count_ = 0;
  std::unique_ptr<FileReplacer> out_;  // streaming, when set
  std::string path_;
};

}  // namespace npusim::sim::timing
