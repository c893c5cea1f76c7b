#include "metrics_format.hpp"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <utility>

namespace feedd::daemon {
namespace {

// Label values escape backslash, double quote and line feed; nothing else
// (Prometheus exposition formats, "Text format details").
std::string label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// Go's ParseFloat syntax; shortest fixed notation that reads back exactly.
std::string sample_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[400];  // fixed notation of DBL_MAX has 309 digits
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed);
  if (ec != std::errc{}) return "NaN";
  return std::string(buffer, end);
}

class exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    name_ = name;
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;  // our own text: no backslash or line feed to escape
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void sample(std::string_view value) { sample({}, {}, value); }
  void sample(std::int64_t value) { sample(std::to_string(value)); }
  void sample(std::string_view label, std::string_view label_text, std::int64_t value) {
    sample(label, label_text, std::to_string(value));
  }

  void sample(std::string_view label, std::string_view label_text, std::string_view value) {
    out_ += name_;
    if (!label.empty()) {
      out_ += '{';
      out_ += label;
      out_ += "=\"";
      out_ += label_value(label_text);
      out_ += "\"}";
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }

  // Cumulative buckets, then _sum and _count (text format: histogram).
  void buckets(const histogram& h) {
    const std::string base(name_);
    std::int64_t cumulative = 0;
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
      cumulative += h.counts[i];
      const std::string le = i < h.bounds.size() ? sample_value(h.bounds[i]) : "+Inf";
      line(base + "_bucket{le=\"" + le + "\"}", std::to_string(cumulative));
    }
    line(base + "_sum", sample_value(h.sum));
    line(base + "_count", std::to_string(h.count));
  }

  std::string take() { return std::move(out_); }

 private:
  void line(const std::string& series, const std::string& value) {
    out_ += series;
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }

  std::string out_;
  std::string_view name_;
};

void render_live(exposition& e, const live_state& l) {
  e.family("feedd_database_up", "gauge", "1 while the store thread's database connection works, else 0.");
  e.sample(l.database_up ? 1 : 0);
  e.family("feedd_database_reconnects_total", "counter", "Reconnections of the store thread after a lost connection.");
  e.sample(l.database_reconnects);
  e.family("feedd_store_last_step_timestamp_seconds", "gauge",
           "When the store thread last finished a database step (idle polls included); 0: never.");
  e.sample(sample_value(l.last_step_at));
  e.family("feedd_last_store_success_timestamp_seconds", "gauge",
           "When the store thread last wrote a fetched feed's result; 0: never.");
  e.sample(sample_value(l.last_store_at));
  e.family("feedd_fetch_responses_total", "counter", "Fetches finished, by HTTP status class of the final response (none: no response).");
  for (std::size_t i = 0; i < status_classes.size(); ++i) e.sample("class", status_classes[i], l.fetches_by_class[i]);
  e.family("feedd_fetch_wire_bytes_total", "counter", "Response body bytes read off the network, before decompression.");
  e.sample(l.wire_bytes);
  e.family("feedd_fetch_duration_seconds", "histogram", "Time of one fetch, redirects included.");
  e.buckets(l.fetch_duration);
  e.family("feedd_store_step_duration_seconds", "histogram",
           "Time of one feed's write transaction on the store thread, retries included.");
  e.buckets(l.store_step_duration);
  if (l.feeds) {
    e.family("feedd_feeds", "gauge",
             "Feeds by state (ok, failing: last check failed, disabled; due: enabled and due now), counted every 30 s.");
    e.sample("state", "ok", l.feeds->ok);
    e.sample("state", "failing", l.feeds->failing);
    e.sample("state", "disabled", l.feeds->disabled);
    e.sample("state", "due", l.feeds->due);
  }
  if (l.resident_bytes >= 0) {
    e.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    e.sample(l.resident_bytes);
  }
  if (l.open_descriptors >= 0) {
    e.family("process_open_fds", "gauge", "Number of open file descriptors.");
    e.sample(l.open_descriptors);
  }
}

}  // namespace

std::string render_prometheus(const metrics_snapshot& s, std::string_view version) {
  exposition e;
  e.family("feedd_build_info", "gauge", "Version of the running feedd; the value is always 1.");
  e.sample("version", version, 1);

  e.family("feedd_fetches_total", "counter",
           "Feed fetches finished, by result (released: claim given back unfetched at shutdown).");
  for (const auto& [result, count] : {std::pair<std::string_view, std::int64_t>{"fetched", s.counters.fetched},
                                      {"not_modified", s.counters.not_modified},
                                      {"failed", s.counters.failed},
                                      {"released", s.counters.released}}) {
    e.sample("result", result, count);
  }

  e.family("feedd_entries_total", "counter", "Entries written to the database, by change.");
  e.sample("change", "new", s.counters.entries_new);
  e.sample("change", "updated", s.counters.entries_updated);

  e.family("feedd_queue_depth", "gauge", "Fetched documents waiting for the parse-and-store thread.");
  e.sample(s.queue_depth);
  e.family("feedd_queue_capacity", "gauge", "Documents the queue holds at most (queue.capacity).");
  e.sample(s.queue_capacity);
  e.family("feedd_claims_outstanding", "gauge", "Feeds claimed by this instance and not yet stored or released.");
  e.sample(s.outstanding);
  e.family("feedd_database_errors_total", "counter", "Database operations that failed.");
  e.sample(s.counters.database_errors);
  e.family("feedd_connections_reused_total", "counter",
           "HTTP requests sent on a connection kept open from an earlier request.");
  e.sample(s.connections_reused);
  e.family("feedd_entries_purged_total", "counter", "Entries deleted by retention (retention.*), each leaving a tombstone.");
  e.sample(s.entries_purged);
  e.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
  e.sample(sample_value(s.started_at_unix));
  render_live(e, s.live);
  return e.take();
}

}  // namespace feedd::daemon
