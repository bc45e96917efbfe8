#include "server/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace aisafe::server::metrics {
namespace {

// Checks `text` against the text exposition format 0.0.4 as far as a
// scraper relies on it, and returns the problems found ("" if none):
// every line is a HELP, a TYPE or a sample and ends with \n; a family has
// at most one HELP and one TYPE, both before its samples, and its samples
// are contiguous; names and label names are valid and label values are
// properly escaped; values parse; histogram buckets are cumulative, carry
// `le`, end with +Inf, and +Inf equals _count.
std::string FormatProblems(const std::string& text) {
  std::ostringstream problems;
  if (!text.empty() && text.back() != '\n') problems << "no final newline; ";
  std::set<std::string> typed, helped, finished;
  std::map<std::string, std::string> types;
  std::string current;  // The family whose samples we are in.
  // Histogram state per series (labels without le).
  std::map<std::string, std::pair<double, double>> last_bucket;  // key -> (le, count)
  std::map<std::string, double> inf_count;

  std::istringstream in(text);
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    auto fail = [&](const std::string& what) { problems << "line " << no << " (" << line << "): " << what << "; "; };
    if (line.rfind("# ", 0) == 0) {
      std::istringstream words(line.substr(2));
      std::string kind, name;
      words >> kind >> name;
      if (!CheckMetricName(name).ok()) fail("bad metric name");
      if (finished.count(name) || (name == current)) fail("HELP/TYPE after samples");
      if (kind == "HELP") {
        if (!helped.insert(name).second) fail("second HELP");
        // The help text may hold \\ and \n escapes only.
        std::string help = line.substr(7 + name.size());
        for (size_t i = 0; i < help.size(); ++i) {
          if (help[i] == '\\') {
            if (i + 1 >= help.size() || (help[i + 1] != '\\' && help[i + 1] != 'n')) fail("bad escape in HELP");
            ++i;
          }
        }
      } else if (kind == "TYPE") {
        std::string type;
        words >> type;
        if (!typed.insert(name).second) fail("second TYPE");
        static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary", "untyped"};
        if (!kTypes.count(type)) fail("unknown type");
        types[name] = type;
      } else {
        fail("unknown comment");
      }
      continue;
    }
    // A sample: name [{labels}] value.
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    std::string name = line.substr(0, i);
    if (!CheckMetricName(name).ok()) fail("bad sample name");
    std::vector<std::pair<std::string, std::string>> labels;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find('=', i);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          fail("bad label");
          break;
        }
        std::string lname = line.substr(i, eq - i);
        if (!CheckLabelName(lname).ok() && lname != "le") fail("bad label name");
        std::string value;
        size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\') {
            ++j;
            if (j >= line.size() || (line[j] != '\\' && line[j] != '"' && line[j] != 'n')) fail("bad escape");
          }
          value.push_back(line[j]);
        }
        if (j >= line.size()) {
          fail("unterminated label value");
          break;
        }
        labels.emplace_back(lname, value);
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') {
      fail("no space before the value");
      continue;
    }
    std::string value_text = line.substr(i + 1);
    double value;
    if (value_text == "+Inf") {
      value = INFINITY;
    } else if (value_text == "-Inf") {
      value = -INFINITY;
    } else if (value_text == "NaN") {
      value = NAN;
    } else {
      char* end = nullptr;
      value = std::strtod(value_text.c_str(), &end);
      if (value_text.empty() || *end != '\0') fail("value does not parse");
    }
    // Which family: the name itself, or a histogram's name without suffix.
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s = suffix;
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0 &&
          types.count(name.substr(0, name.size() - s.size())) &&
          types[name.substr(0, name.size() - s.size())] == "histogram") {
        family = name.substr(0, name.size() - s.size());
      }
    }
    if (!typed.count(family)) fail("sample before its TYPE");
    if (family != current) {
      if (finished.count(family)) fail("family's samples are not contiguous");
      if (!current.empty()) finished.insert(current);
      current = family;
    }
    if (types[family] == "histogram") {
      std::string key;
      std::string le;
      for (const auto& [n, v] : labels) {
        if (n == "le") {
          le = v;
        } else {
          key += n + "=" + v + ",";
        }
      }
      if (name == family + "_bucket") {
        if (le.empty()) fail("bucket without le");
        double bound = le == "+Inf" ? INFINITY : std::strtod(le.c_str(), nullptr);
        auto it = last_bucket.find(key);
        if (it != last_bucket.end()) {
          if (!(bound > it->second.first)) fail("le not increasing");
          if (value < it->second.second) fail("buckets not cumulative");
        }
        last_bucket[key] = {bound, value};
        if (le == "+Inf") inf_count[key] = value;
      } else if (name == family + "_count") {
        if (!inf_count.count(key)) fail("_count without a +Inf bucket");
        if (inf_count[key] != value) fail("_count differs from the +Inf bucket");
      } else if (!le.empty()) {
        fail("le outside _bucket");
      }
    }
  }
  return problems.str();
}

TEST(Metrics, RendersASmallRegistryExactly) {
  Registry r;
  r.GetCounter("aisafe_http_requests_total", "HTTP requests answered.", {{"route", "record"}, {"code", "200"}})
      .Increment(3);
  // The same label set in another order is the same series.
  r.GetCounter("aisafe_http_requests_total", "HTTP requests answered.", {{"code", "200"}, {"route", "record"}})
      .Increment();
  r.GetCounter("aisafe_http_requests_total", "HTTP requests answered.", {{"route", "record"}, {"code", "404"}})
      .Increment();
  r.GetGauge("aisafe_up", "1 while the server accepts connections.").Set(1);
  Histogram& h = r.GetHistogram("aisafe_http_request_seconds", "Time to answer a request.",
                                std::vector<double>{0.25, 0.5, 1}, {{"route", "record"}});
  for (double v : {0.125, 0.25, 0.75, 2.0}) h.Observe(v);
  r.AddCallbackGauge("aisafe_records", "Records stored.", [] { return 42.0; });
  r.GetGauge("aisafe_queue_fraction", "A gauge with a fraction.").Set(-0.1);

  const std::string want =
      "# HELP aisafe_http_request_seconds Time to answer a request.\n"
      "# TYPE aisafe_http_request_seconds histogram\n"
      "aisafe_http_request_seconds_bucket{route=\"record\",le=\"0.25\"} 2\n"
      "aisafe_http_request_seconds_bucket{route=\"record\",le=\"0.5\"} 2\n"
      "aisafe_http_request_seconds_bucket{route=\"record\",le=\"1\"} 3\n"
      "aisafe_http_request_seconds_bucket{route=\"record\",le=\"+Inf\"} 4\n"
      "aisafe_http_request_seconds_sum{route=\"record\"} 3.125\n"
      "aisafe_http_request_seconds_count{route=\"record\"} 4\n"
      "# HELP aisafe_http_requests_total HTTP requests answered.\n"
      "# TYPE aisafe_http_requests_total counter\n"
      "aisafe_http_requests_total{code=\"200\",route=\"record\"} 4\n"
      "aisafe_http_requests_total{code=\"404\",route=\"record\"} 1\n"
      "# HELP aisafe_queue_fraction A gauge with a fraction.\n"
      "# TYPE aisafe_queue_fraction gauge\n"
      "aisafe_queue_fraction -0.1\n"
      "# HELP aisafe_records Records stored.\n"
      "# TYPE aisafe_records gauge\n"
      "aisafe_records 42\n"
      "# HELP aisafe_up 1 while the server accepts connections.\n"
      "# TYPE aisafe_up gauge\n"
      "aisafe_up 1\n";
  const std::string got = r.Render();
  EXPECT_EQ(got, want);
  EXPECT_EQ(FormatProblems(got), "");
  EXPECT_EQ(std::string(kContentType), "text/plain; version=0.0.4; charset=utf-8");
}

TEST(Metrics, TheFormatCheckerCatchesBrokenText) {
  // The checker above must be able to fail, or the tests that use it prove nothing.
  EXPECT_NE(FormatProblems("x 1\n"), "");                                              // No TYPE.
  EXPECT_NE(FormatProblems("# TYPE x counter\nx{a=\"b\\q\"} 1\n"), "");                // Bad escape.
  EXPECT_NE(FormatProblems("# TYPE x counter\nx 1\n# TYPE y gauge\ny 1\nx 2\n"), "");  // Not contiguous.
  EXPECT_NE(FormatProblems("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n"), "");
  EXPECT_NE(FormatProblems("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n"), "");
  EXPECT_NE(FormatProblems("# TYPE 1x counter\n"), "");
  EXPECT_NE(FormatProblems("# TYPE x counter\nx 1"), "");  // No final newline.
  EXPECT_EQ(FormatProblems("# TYPE x counter\nx{a=\"q\\\"\\n\\\\\"} 1\n"), "");
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
  Registry r;
  r.GetCounter("esc_total", "Help with a \\ backslash,\na newline and \"quotes\".",
               {{"path", "C:\\dir\\\"quoted\"\nnext line"}, {"utf8", "ระบบ"}})
      .Increment();
  const std::string got = r.Render();
  EXPECT_EQ(got,
            "# HELP esc_total Help with a \\\\ backslash,\\na newline and \"quotes\".\n"
            "# TYPE esc_total counter\n"
            "esc_total{path=\"C:\\\\dir\\\\\\\"quoted\\\"\\nnext line\",utf8=\"ระบบ\"} 1\n");
  EXPECT_EQ(FormatProblems(got), "");
}

TEST(Metrics, HistogramBucketsAreInclusiveUpperBounds) {
  Registry r;
  Histogram& h = r.GetHistogram("edges", "Bucket edges.", std::vector<double>{1, 2, 3});
  // v <= le: each bound's own value falls in that bound's bucket.
  for (double v : {-5.0, 0.0, 1.0}) h.Observe(v);  // le=1
  h.Observe(std::nextafter(1.0, 2.0));             // le=2
  h.Observe(2.0);                                  // le=2
  h.Observe(3.0);                                  // le=3
  h.Observe(std::nextafter(3.0, 4.0));             // +Inf
  h.Observe(1e300);                                // +Inf
  EXPECT_EQ(h.BucketCounts(), (std::vector<uint64_t>{3, 2, 1, 2}));
  EXPECT_EQ(h.Count(), 8u);
  h.Observe(std::nan(""));  // NaN goes to +Inf, and makes the sum NaN, as in the Go client.
  EXPECT_EQ(h.BucketCounts(), (std::vector<uint64_t>{3, 2, 1, 3}));
  const std::string got = r.Render();
  EXPECT_EQ(got,
            "# HELP edges Bucket edges.\n"
            "# TYPE edges histogram\n"
            "edges_bucket{le=\"1\"} 3\n"
            "edges_bucket{le=\"2\"} 5\n"
            "edges_bucket{le=\"3\"} 6\n"
            "edges_bucket{le=\"+Inf\"} 9\n"
            "edges_sum NaN\n"
            "edges_count 9\n");
  EXPECT_EQ(FormatProblems(got), "");
}

TEST(Metrics, HistogramWithOnlyTheInfBucketAndHelpers) {
  Registry r;
  Histogram& h = r.GetHistogram("only_inf", "No bounds.", std::vector<double>{});
  h.Observe(0.5);
  EXPECT_EQ(r.Render(),
            "# HELP only_inf No bounds.\n# TYPE only_inf histogram\n"
            "only_inf_bucket{le=\"+Inf\"} 1\nonly_inf_sum 0.5\nonly_inf_count 1\n");
  EXPECT_EQ(ExponentialBuckets(0.001, 10, 4), (std::vector<double>{0.001, 0.01, 0.1, 1}));
  EXPECT_TRUE(ExponentialBuckets(0, 2, 3).empty());
  EXPECT_TRUE(ExponentialBuckets(1, 1, 3).empty());
  std::vector<double> latency = DefaultLatencyBuckets();
  EXPECT_TRUE(std::is_sorted(latency.begin(), latency.end()));
  EXPECT_EQ(latency.front(), 0.0005);
  EXPECT_EQ(latency.back(), 10);
}

TEST(Metrics, NumbersRenderAsPrometheusReadsThem) {
  Registry r;
  r.GetGauge("g", "g", {{"v", "a"}}).Set(1e21);
  r.GetGauge("g", "g", {{"v", "b"}}).Set(INFINITY);
  r.GetGauge("g", "g", {{"v", "c"}}).Set(-INFINITY);
  r.GetGauge("g", "g", {{"v", "d"}}).Set(0.1);
  r.GetGauge("g", "g", {{"v", "e"}}).Set(123456789);
  r.GetCounter("c_total", "c").Increment(18446744073709551615ull);
  EXPECT_EQ(r.Render(),
            "# HELP c_total c\n# TYPE c_total counter\nc_total 18446744073709551615\n"
            "# HELP g g\n# TYPE g gauge\n"
            "g{v=\"a\"} 1e+21\ng{v=\"b\"} +Inf\ng{v=\"c\"} -Inf\ng{v=\"d\"} 0.1\ng{v=\"e\"} 123456789\n");
}

TEST(Metrics, GaugeArithmetic) {
  Registry r;
  Gauge& g = r.GetGauge("in_flight", "Requests in flight.");
  g.Increment();
  g.Increment();
  g.Decrement();
  g.Add(2.5);
  EXPECT_EQ(g.Value(), 3.5);
  EXPECT_EQ(&g, &r.GetGauge("in_flight", "Requests in flight."));
}

TEST(Metrics, CallbackGaugesAreEvaluatedAtScrapeTime) {
  Registry r;
  std::atomic<int> records{1};
  r.AddCallbackGauge("aisafe_records", "Records stored.", [&records] { return records.load(); }, {{"type", "all"}});
  EXPECT_EQ(r.Render(),
            "# HELP aisafe_records Records stored.\n# TYPE aisafe_records gauge\naisafe_records{type=\"all\"} 1\n");
  records = 7;
  EXPECT_EQ(r.Render(),
            "# HELP aisafe_records Records stored.\n# TYPE aisafe_records gauge\naisafe_records{type=\"all\"} 7\n");
  // Adding again replaces the function.
  r.AddCallbackGauge("aisafe_records", "Records stored.", [] { return 9.0; }, {{"type", "all"}});
  EXPECT_EQ(r.Render(),
            "# HELP aisafe_records Records stored.\n# TYPE aisafe_records gauge\naisafe_records{type=\"all\"} 9\n");
  // A callback may use the registry itself: Render calls it without the lock.
  r.AddCallbackGauge("aisafe_self", "Uses the registry.", [&r] {
    r.GetCounter("aisafe_scrapes_total", "Scrapes.").Increment();
    return 1.0;
  });
  std::string first = r.Render();  // The callback creates the counter after the series were copied.
  EXPECT_NE(first.find("aisafe_self 1\n"), std::string::npos);
  EXPECT_EQ(first.find("aisafe_scrapes_total"), std::string::npos);
  EXPECT_NE(r.Render().find("aisafe_scrapes_total 1\n"), std::string::npos);
  EXPECT_TRUE(r.RemoveCallbackGauge("aisafe_self"));
  EXPECT_FALSE(r.RemoveCallbackGauge("aisafe_self"));
  EXPECT_FALSE(r.RemoveCallbackGauge("aisafe_records"));  // Other labels.
  EXPECT_TRUE(r.RemoveCallbackGauge("aisafe_records", {{"type", "all"}}));
  EXPECT_EQ(r.Render(),
            "# HELP aisafe_scrapes_total Scrapes.\n# TYPE aisafe_scrapes_total counter\naisafe_scrapes_total 2\n");
  // A removed family's name is free again, for any type.
  r.GetCounter("aisafe_records", "Now a counter.").Increment();
  EXPECT_NE(r.Render().find("# TYPE aisafe_records counter\naisafe_records 1\n"), std::string::npos);
}

TEST(Metrics, NameValidation) {
  for (const char* ok : {"a", "_a", ":a", "aisafe_http_requests_total", "a:b:c", "A9_"}) {
    EXPECT_TRUE(CheckMetricName(ok).ok()) << ok;
  }
  for (const char* bad : {"", "9a", "a-b", "a b", "a.b", "ä", "a{"}) {
    EXPECT_FALSE(CheckMetricName(bad).ok()) << bad;
  }
  for (const char* ok : {"a", "_a", "route", "A9_", "le"}) EXPECT_TRUE(CheckLabelName(ok).ok()) << ok;
  for (const char* bad : {"", "9a", "a:b", "__name__", "__x", "a-b"}) EXPECT_FALSE(CheckLabelName(bad).ok()) << bad;
}

using MetricsDeathTest = ::testing::Test;

TEST_F(MetricsDeathTest, MisuseAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Registry r;
  r.GetCounter("requests_total", "Requests.");
  r.GetHistogram("latency", "Latency.", std::vector<double>{1, 2});
  r.AddCallbackGauge("records", "Records.", [] { return 0.0; });
  EXPECT_DEATH(r.GetCounter("bad-name", "x"), "metric name \"bad-name\"");
  EXPECT_DEATH(r.GetCounter("x_total", "x", {{"bad-label", "v"}}), "label name \"bad-label\"");
  EXPECT_DEATH(r.GetCounter("x_total", "x", {{"__reserved", "v"}}), "reserved");
  EXPECT_DEATH(r.GetCounter("x_total", "x", {{"a", "1"}, {"a", "2"}}), "given twice");
  EXPECT_DEATH(r.GetHistogram("h", "x", std::vector<double>{1}, {{"le", "1"}}), "\"le\"");
  EXPECT_DEATH(r.GetHistogram("h", "x", std::vector<double>{2, 1}), "strictly increasing");
  EXPECT_DEATH(r.GetHistogram("h", "x", std::vector<double>{1, INFINITY}), "finite");
  EXPECT_DEATH(r.GetGauge("requests_total", "Requests."), "registered before as counter");
  EXPECT_DEATH(r.GetCounter("requests_total", "Other help."), "registered before");
  EXPECT_DEATH(r.GetHistogram("latency", "Latency.", std::vector<double>{1, 3}), "bounds");
  EXPECT_DEATH(r.GetGauge("records", "Records."), "callback gauge");
  EXPECT_DEATH(r.AddCallbackGauge("records", "Records.", nullptr), "empty callback");
}

TEST(Metrics, ConcurrentUpdatesAreExact) {
  Registry r;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100000;
  Counter& shared = r.GetCounter("shared_total", "One series, all threads.");
  std::atomic<bool> stop{false};
  // A scraper renders all along; every scrape must be well-formed.
  std::string scrape_problems;
  std::thread scraper([&] {
    while (!stop.load()) {
      std::string problems = FormatProblems(r.Render());
      if (!problems.empty()) scrape_problems = problems;
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& own = r.GetCounter("per_thread_total", "One series per thread.", {{"thread", std::to_string(t)}});
      Histogram& h = r.GetHistogram("observed", "Observations.", std::vector<double>{0.5, 1.5});
      for (int i = 0; i < kPerThread; ++i) {
        shared.Increment();
        own.Increment();
        h.Observe(static_cast<double>(i % 3));  // 0, 1, 2: one in each bucket.
        if (i % 1000 == 0) {
          // Looking the series up again (and creating new ones) while
          // others update must give the same objects.
          EXPECT_EQ(&r.GetCounter("shared_total", "One series, all threads."), &shared);
          r.GetGauge("created", "Series created on the fly.", {{"n", std::to_string(t * kPerThread + i)}}).Set(i);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  stop = true;
  scraper.join();
  EXPECT_EQ(scrape_problems, "");
  EXPECT_EQ(shared.Value(), uint64_t{kThreads} * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(r.GetCounter("per_thread_total", "One series per thread.", {{"thread", std::to_string(t)}}).Value(),
              uint64_t{kPerThread});
  }
  Histogram& h = r.GetHistogram("observed", "Observations.", std::vector<double>{0.5, 1.5});
  EXPECT_EQ(h.Count(), uint64_t{kThreads} * kPerThread);
  std::vector<uint64_t> counts = h.BucketCounts();
  EXPECT_EQ(counts[0] + counts[1] + counts[2], h.Count());
  // i % 3 over 0..99999: 33334 zeros, 33333 ones, 33333 twos per thread.
  EXPECT_EQ(counts, (std::vector<uint64_t>{kThreads * 33334ull, kThreads * 33333ull, kThreads * 33333ull}));
  EXPECT_EQ(h.Sum(), kThreads * (33333.0 * 1 + 33333.0 * 2));  // Integers: exact in a double.
  std::string text = r.Render();
  EXPECT_NE(text.find("shared_total 800000\n"), std::string::npos);
  EXPECT_EQ(FormatProblems(text), "");
}

}  // namespace
}  // namespace aisafe::server::metrics
