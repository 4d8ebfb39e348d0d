#include "trace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "npusim/error.h"
#include "npusim/file_io.h"

namespace npusim::sim::timing {

namespace {

std::string escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
    } else {
      o += c;
    }
  }
  return o;
}

// ps as microseconds with ps resolution (the trace-event format's unit is us).
std::string us(uint64_t ps) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%06llu", static_cast<unsigned long long>(ps / 1000000),
                static_cast<unsigned long long>(ps % 1000000));
  return buf;
}

}  // namespace

// Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "\"" + std::string&&.
void TraceArgs::key(std::string_view k) {
  body_ += body_.empty() ? "\"" : ",\"";
  body_ += escape(std::string(k));
  body_ += "\":";
}

TraceArgs& TraceArgs::add(std::string_view k, std::string_view text) {
  key(k);
  body_ += '"';
  body_ += escape(std::string(text));
  body_ += '"';
  return *this;
}

TraceArgs& TraceArgs::add(std::string_view k, uint64_t value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}

TraceArgs& TraceArgs::add(std::string_view k, double value) {
  key(k);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", std::isfinite(value) ? value : 0.0);
  body_ += buf;
  return *this;
}

Trace::Trace() = default;
Trace::~Trace() = default;

uint32_t Trace::track(const std::string& name) {
  for (size_t i = 0; i < tracks_.size(); ++i)
    if (tracks_[i] == name) return static_cast<uint32_t>(i);
  tracks_.push_back(name);
  if (out_) emit(track_events(tracks_.size() - 1, name));
  return static_cast<uint32_t>(tracks_.size() - 1);
}

void Trace::span(uint32_t track, std::string name, uint64_t start_ps, uint64_t end_ps, const TraceArgs& args) {
  if (end_ps < start_ps) end_ps = start_ps;
  start_ps += offset_ps_;
  end_ps += offset_ps_;
  end_ps_ = std::max(end_ps_, end_ps);
  ++count_;
  if (out_)
    emit(span_event({track, std::move(name), start_ps, end_ps, args.json()}));
  else
    spans_.push_back({track, std::move(name), start_ps, end_ps, args.json()});
}

std::string Trace::track_events(size_t track, const std::string& name) {
  const std::string tid = std::to_string(track + 1);
  return ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" + tid + ",\"args\":{\"name\":\"" +
         escape(name) + "\"}}" + ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":" + tid +
         ",\"args\":{\"sort_index\":" + tid + "}}";
}

std::string Trace::span_event(const Span& s) {
  return ",\n{\"name\":\"" + escape(s.name) + "\",\"ph\":\"X\",\"pid\":1,\"tid\":" + std::to_string(s.track + 1) +
         ",\"ts\":" + us(s.start_ps) + ",\"dur\":" + us(s.end_ps - s.start_ps) +
         (s.args.empty() ? "" : ",\"args\":" + s.args) + "}";
}

void Trace::emit(const std::string& events) {
  try {
    out_->write(events);
  } catch (const UserError& e) {
    out_.reset();
    throw UserError(std::string("--trace ") + e.what());
  }
}

namespace {
std::string process_event(const std::string& process) {
  return "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"" + escape(process) + "\"}}";
}
constexpr const char* kTraceHead = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
constexpr const char* kTraceTail = "\n]}\n";
}  // namespace

void Trace::stream_to(const std::string& path, const std::string& process) {
  try {
    out_ = std::make_unique<FileReplacer>(path);
  } catch (const UserError& e) {
    throw UserError(std::string("--trace ") + e.what());
  }
  path_ = path;
  emit(kTraceHead + process_event(process));
  for (size_t t = 0; t < tracks_.size(); ++t) emit(track_events(t, tracks_[t]));
  for (const Span& s : spans_) emit(span_event(s));
  spans_.clear();
}

void Trace::finish() {
  if (!out_) return;
  emit(kTraceTail);
  try {
    out_->commit();
  } catch (const UserError& e) {
    out_.reset();
    throw UserError(std::string("--trace ") + e.what());
  }
  out_.reset();
}

std::string Trace::json(const std::string& process) const {
  std::string o = kTraceHead + process_event(process);
  for (size_t t = 0; t < tracks_.size(); ++t) o += track_events(t, tracks_[t]);
  for (const Span& s : spans_) o += span_event(s);
  return o + kTraceTail;
}

void Trace::write(const std::string& path, const std::string& process) const {
  try {
    replace_file_safely(path, json(process));
  } catch (const UserError& e) {
    throw UserError(std::string("--trace ") + e.what());
  }
}

}  // namespace npusim::sim::timing
