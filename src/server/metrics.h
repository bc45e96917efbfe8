// The node's own metrics, served at GET /metrics in the Prometheus text
// exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// A Registry holds metric families: counters, gauges, histograms and
// callback gauges (a function evaluated at scrape time, e.g. the number of
// records stored). A family has a name, a help text, a type and, for
// histograms, its bucket bounds; its series are told apart by label sets.
//
//   metrics::Registry registry;
//   metrics::Counter& requests = registry.GetCounter(
//       "aisafe_http_requests_total", "HTTP requests answered.", {{"route", "record"}, {"code", "200"}});
//   requests.Increment();                     // Lock-free.
//   std::string body = registry.Render();     // Served with kContentType.
//
// Contract:
//   - Get* returns the series for (name, labels), creating it on first use.
//     The reference stays valid, at the same address, for the registry's
//     lifetime; series are never removed. Labels are a set: their order in
//     the call does not matter (they render sorted by name).
//   - Names and labels are code, not input, so an invalid one is a
//     programmer error and aborts the process with a message: a metric name
//     not matching [a-zA-Z_:][a-zA-Z0-9_:]*, a label name not matching
//     [a-zA-Z_][a-zA-Z0-9_]* or starting with "__", a label named twice,
//     "le" on a histogram, or asking for an existing family with another
//     type, help text or bucket set. CheckMetricName / CheckLabelName let
//     code that builds names at run time test them first. Label values are
//     any UTF-8 text; they are escaped (\ " and newline) when rendered.
//   - Render lists families sorted by name, each with its HELP and TYPE
//     lines, then its series sorted by label set; families without a series
//     are left out. Histograms render cumulative `_bucket{le="..."}` series
//     (`le` is an inclusive upper bound; the last is "+Inf"), then `_sum` and
//     `_count`. Numbers are the shortest text that reads back to the same
//     double ("0.1", "1e+21", "+Inf", "-Inf", "NaN"); counters are integers.
//     No timestamps.
//
// Thread-safety: everything may be called from any thread. Updating a series
// (Increment, Set, Observe) is a few atomic operations and takes no lock;
// cache the reference where a series is hot. Get* of an existing series
// takes a shared (reader) lock for two hash lookups; only creating a series
// takes the lock exclusively. Render copies what it needs under the shared
// lock and evaluates callback gauges after releasing it, so a callback may
// itself use the registry. Values read during a scrape are each atomic but
// not a snapshot of one instant; a histogram's `_count` and `+Inf` bucket
// are always equal (both are the sum of its buckets).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace aisafe::server::metrics {

// The Content-Type of Render's output.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Label name -> value. Order does not matter.
using Labels = std::vector<std::pair<std::string, std::string>>;

// InvalidArgument unless `name` is a valid metric name.
absl::Status CheckMetricName(std::string_view name);
// InvalidArgument unless `name` is a valid label name (not reserved "__...").
absl::Status CheckLabelName(std::string_view name);

// Upper bounds for request latencies in seconds, 0.5 ms to 10 s.
std::vector<double> DefaultLatencyBuckets();
// `count` bounds: start, start*factor, start*factor^2, ... (start > 0,
// factor > 1, else empty).
std::vector<double> ExponentialBuckets(double start, double factor, size_t count);

// A monotonically increasing integer count. Aligned to a cache line so hot
// counters of different series do not share one.
class alignas(64) Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down.
class alignas(64) Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  void Increment() { Add(1); }
  void Decrement() { Add(-1); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into fixed buckets. A value v falls into the first
// bucket whose bound b has v <= b (the +Inf bucket when none has; NaN too).
class Histogram {
 public:
  // `bounds`: strictly increasing finite numbers, validated by the Registry.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double v);

  const std::vector<double>& Bounds() const { return bounds_; }
  // Per-bucket (not cumulative) counts, Bounds().size() + 1 of them, the
  // last for +Inf.
  std::vector<uint64_t> BucketCounts() const;
  uint64_t Count() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> count{0};
  };
  const std::vector<double> bounds_;
  std::unique_ptr<Slot[]> slots_;  // bounds_.size() + 1.
  alignas(64) std::atomic<double> sum_{0};
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  // `bounds` as for Histogram (empty: only +Inf); every series of a family
  // has the same bounds.
  Histogram& GetHistogram(std::string_view name, std::string_view help, std::span<const double> bounds,
                          const Labels& labels = {});

  // A gauge series whose value is `fn()`, called at each Render on the
  // rendering thread, without the registry's lock. `fn` must be thread-safe
  // and stay callable until removed or the registry is destroyed. Adding it
  // again for the same (name, labels) replaces the function. A family holds
  // either callback series or GetGauge series, not both (programmer error).
  void AddCallbackGauge(std::string_view name, std::string_view help, std::function<double()> fn,
                        const Labels& labels = {});
  // Removes a callback series; false if there was none. A Render that
  // started before the removal may still call the function once after it,
  // so what `fn` uses must outlive any scrape then in flight.
  bool RemoveCallbackGauge(std::string_view name, const Labels& labels = {});

  // The exposition text (see the contract above).
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::shared_ptr<const std::function<double()>> callback;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<double> bounds;  // Histograms only.
    bool callbacks = false;      // A gauge family of callback series.
    // Key: the rendered label set, `{a="x",b="y"}` or "" (escaping makes it
    // one-to-one).
    absl::flat_hash_map<std::string, Series> series;
  };

  // The metric objects of one series; their addresses never change.
  struct Handles {
    Counter* counter;
    Gauge* gauge;
    Histogram* histogram;
  };
  // The series for (name, labels), created if absent; with a `callback`, a
  // callback series whose function is (re)set. Aborts on misuse.
  Handles FindOrAdd(std::string_view name, std::string_view help, Type type, std::span<const double> bounds,
                    const Labels& labels, std::shared_ptr<const std::function<double()>> callback);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Family> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace aisafe::server::metrics
