#include "server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/strings.h"

namespace aisafe::server::metrics {
namespace {

// Misuse of the registry is a bug in the calling code, found at its first
// run; there is no caller that could handle it.
[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "aisafe: metrics registry misuse: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

bool IsNameStart(char c, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}
bool IsNameChar(char c, bool colon) { return IsNameStart(c, colon) || (c >= '0' && c <= '9'); }

bool ValidName(std::string_view name, bool colon) {
  if (name.empty() || !IsNameStart(name[0], colon)) return false;
  return std::all_of(name.begin(), name.end(), [colon](char c) { return IsNameChar(c, colon); });
}

// Go's strconv.FormatFloat(v, 'g', -1, 64) spelling where it matters to
// Prometheus: shortest round trip, and its names for the non-finite values.
void AppendDouble(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out->append(buf, r.ptr);
  }
}

std::string DoubleText(double v) {
  std::string s;
  AppendDouble(&s, v);
  return s;
}

// Label values escape \, " and newline; help texts escape \ and newline.
void AppendEscaped(std::string* out, std::string_view text, bool quotes) {
  for (char c : text) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && quotes) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

// The series key and its rendering: `{a="x",b="y"}` sorted by name, "" for
// no labels. Aborts on a bad or repeated label name.
std::string LabelKey(std::string_view metric, const Labels& labels, bool histogram) {
  if (labels.empty()) return "";
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(labels.size());
  for (const auto& l : labels) sorted.push_back(&l);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string key = "{";
  for (size_t i = 0; i < sorted.size(); ++i) {
    const auto& [name, value] = *sorted[i];
    if (auto st = CheckLabelName(name); !st.ok()) Die(util::StrCat(metric, ": ", st.message()));
    if (i > 0 && sorted[i - 1]->first == name) Die(util::StrCat(metric, ": label \"", name, "\" given twice"));
    if (histogram && name == "le") Die(util::StrCat(metric, ": a histogram cannot have a label named \"le\""));
    if (i > 0) key.push_back(',');
    util::StrAppend(&key, name, "=\"");
    AppendEscaped(&key, value, /*quotes=*/true);
    key.push_back('"');
  }
  key.push_back('}');
  return key;
}

// `{a="x",le="0.5"}` from a series key and a bound.
void AppendWithLe(std::string* out, std::string_view key, std::string_view le) {
  if (key.empty()) {
    util::StrAppend(out, "{le=\"", le, "\"}");
  } else {
    out->append(key.substr(0, key.size() - 1));
    util::StrAppend(out, ",le=\"", le, "\"}");
  }
}

const char* TypeName(int type) {
  static const char* const kNames[] = {"counter", "gauge", "histogram"};
  return kNames[type];
}

}  // namespace

absl::Status CheckMetricName(std::string_view name) {
  if (ValidName(name, /*colon=*/true)) return absl::OkStatus();
  return absl::InvalidArgumentError(util::StrCat("metric name \"", name, "\" does not match [a-zA-Z_:][a-zA-Z0-9_:]*"));
}

absl::Status CheckLabelName(std::string_view name) {
  if (!ValidName(name, /*colon=*/false)) {
    return absl::InvalidArgumentError(util::StrCat("label name \"", name, "\" does not match [a-zA-Z_][a-zA-Z0-9_]*"));
  }
  if (name.size() >= 2 && name[0] == '_' && name[1] == '_') {
    return absl::InvalidArgumentError(util::StrCat("label name \"", name, "\" is reserved (starts with __)"));
  }
  return absl::OkStatus();
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> ExponentialBuckets(double start, double factor, size_t count) {
  std::vector<double> out;
  if (!(start > 0) || !(factor > 1) || !std::isfinite(start) || !std::isfinite(factor)) return out;
  double b = start;
  for (size_t i = 0; i < count && std::isfinite(b); ++i, b *= factor) out.push_back(b);
  return out;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), slots_(std::make_unique<Slot[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  // lower_bound: the first bound b with !(b < v), i.e. v <= b; le is
  // inclusive. NaN compares false with everything, so it goes to +Inf.
  size_t i = std::isnan(v) ? bounds_.size()
                           : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  slots_[i].count.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = slots_[i].count.load(std::memory_order_relaxed);
  return out;
}

uint64_t Histogram::Count() const {
  uint64_t n = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) n += slots_[i].count.load(std::memory_order_relaxed);
  return n;
}

Registry::Handles Registry::FindOrAdd(std::string_view name, std::string_view help, Type type,
                                      std::span<const double> bounds, const Labels& labels,
                                      std::shared_ptr<const std::function<double()>> callback) {
  const std::string key = LabelKey(name, labels, type == Type::kHistogram);
  const bool is_callback = callback != nullptr;
  auto same_family = [&](const Family& f) {
    return f.type == type && f.help == help && f.callbacks == is_callback &&
           (type != Type::kHistogram || std::equal(f.bounds.begin(), f.bounds.end(), bounds.begin(), bounds.end()));
  };
  auto handles = [](const Series& s) { return Handles{s.counter.get(), s.gauge.get(), s.histogram.get()}; };
  if (!is_callback) {
    // The hot path. Series move when the map grows, so only the metric
    // objects' addresses (stable, behind unique_ptr) leave the lock.
    absl::ReaderMutexLock lock(&mu_);
    auto f = families_.find(absl::string_view(name.data(), name.size()));
    if (f != families_.end() && same_family(f->second)) {
      auto s = f->second.series.find(key);
      if (s != f->second.series.end()) return handles(s->second);
    }
  }
  // Slow path: validate, then create under the exclusive lock.
  if (auto st = CheckMetricName(name); !st.ok()) Die(std::string(st.message()));
  if (type == Type::kHistogram) {
    for (size_t i = 0; i < bounds.size(); ++i) {
      if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i - 1] < bounds[i]))) {
        Die(util::StrCat(name, ": histogram bounds must be finite and strictly increasing"));
      }
    }
  }
  absl::MutexLock lock(&mu_);
  auto [f, created] = families_.try_emplace(std::string(name));
  Family& family = f->second;
  if (created) {
    family.type = type;
    family.help = std::string(help);
    family.callbacks = is_callback;
    if (type == Type::kHistogram) family.bounds.assign(bounds.begin(), bounds.end());
  } else if (!same_family(family)) {
    auto what = [](Type t, bool cb) {
      return t == Type::kGauge ? (cb ? "a callback gauge" : "a gauge") : TypeName(static_cast<int>(t));
    };
    Die(util::StrCat(name, ": registered before as ", what(family.type, family.callbacks), " with help \"", family.help,
                     "\"", family.type == Type::kHistogram ? " and its bounds" : "", "; asked now for ",
                     what(type, is_callback), " with help \"", help, "\"",
                     type == Type::kHistogram ? " and these bounds" : ""));
  }
  Series& series = family.series[key];
  if (is_callback) {
    series.callback = std::move(callback);
  } else if (!series.counter && !series.gauge && !series.histogram) {
    switch (type) {
      case Type::kCounter:
        series.counter = std::make_unique<Counter>();
        break;
      case Type::kGauge:
        series.gauge = std::make_unique<Gauge>();
        break;
      case Type::kHistogram:
        series.histogram = std::make_unique<Histogram>(family.bounds);
        break;
    }
  }
  return handles(series);
}

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  return *FindOrAdd(name, help, Type::kCounter, {}, labels, nullptr).counter;
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  return *FindOrAdd(name, help, Type::kGauge, {}, labels, nullptr).gauge;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help, std::span<const double> bounds,
                                  const Labels& labels) {
  return *FindOrAdd(name, help, Type::kHistogram, bounds, labels, nullptr).histogram;
}

void Registry::AddCallbackGauge(std::string_view name, std::string_view help, std::function<double()> fn,
                                const Labels& labels) {
  if (!fn) Die(util::StrCat(name, ": empty callback"));
  FindOrAdd(name, help, Type::kGauge, {}, labels, std::make_shared<const std::function<double()>>(std::move(fn)));
}

bool Registry::RemoveCallbackGauge(std::string_view name, const Labels& labels) {
  const std::string key = LabelKey(name, labels, false);
  absl::MutexLock lock(&mu_);
  auto f = families_.find(absl::string_view(name.data(), name.size()));
  if (f == families_.end() || !f->second.callbacks) return false;
  if (f->second.series.erase(key) == 0) return false;
  // An empty family is forgotten, so the name may be used again.
  if (f->second.series.empty()) families_.erase(f);
  return true;
}

std::string Registry::Render() const {
  // Each series is rendered under the shared lock, except callback series,
  // whose functions are copied and called once the lock is released.
  struct Line {
    std::string key;
    std::string text;
    std::shared_ptr<const std::function<double()>> callback;
  };
  struct Block {
    std::string name;
    std::string head;  // HELP and TYPE.
    std::vector<Line> lines;
  };
  std::vector<Block> blocks;
  {
    absl::ReaderMutexLock lock(&mu_);
    blocks.reserve(families_.size());
    for (const auto& [name, family] : families_) {
      if (family.series.empty()) continue;
      Block& b = blocks.emplace_back();
      b.name = name;
      b.head = util::StrCat("# HELP ", name, " ");
      AppendEscaped(&b.head, family.help, /*quotes=*/false);
      util::StrAppend(&b.head, "\n# TYPE ", name, " ", TypeName(static_cast<int>(family.type)), "\n");
      b.lines.reserve(family.series.size());
      for (const auto& [key, series] : family.series) {
        Line& line = b.lines.emplace_back();
        line.key = key;
        if (series.callback) {
          line.callback = series.callback;
        } else if (series.counter) {
          util::StrAppend(&line.text, name, key, " ", series.counter->Value(), "\n");
        } else if (series.gauge) {
          util::StrAppend(&line.text, name, key, " ");
          AppendDouble(&line.text, series.gauge->Value());
          line.text.push_back('\n');
        } else if (series.histogram) {
          const Histogram& h = *series.histogram;
          std::vector<uint64_t> counts = h.BucketCounts();
          uint64_t cumulative = 0;
          for (size_t i = 0; i < counts.size(); ++i) {
            cumulative += counts[i];
            util::StrAppend(&line.text, name, "_bucket");
            AppendWithLe(&line.text, key, i < h.Bounds().size() ? DoubleText(h.Bounds()[i]) : "+Inf");
            util::StrAppend(&line.text, " ", cumulative, "\n");
          }
          util::StrAppend(&line.text, name, "_sum", key, " ");
          AppendDouble(&line.text, h.Sum());
          util::StrAppend(&line.text, "\n", name, "_count", key, " ", cumulative, "\n");
        }
      }
    }
  }
  std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.name < b.name; });
  std::string out;
  for (Block& b : blocks) {
    std::sort(b.lines.begin(), b.lines.end(), [](const Line& x, const Line& y) { return x.key < y.key; });
    out.append(b.head);
    for (const Line& line : b.lines) {
      if (line.callback) {
        util::StrAppend(&out, b.name, line.key, " ");
        AppendDouble(&out, (*line.callback)());
        out.push_back('\n');
      } else {
        out.append(line.text);
      }
    }
  }
  return out;
}

}  // namespace aisafe::server::metrics
