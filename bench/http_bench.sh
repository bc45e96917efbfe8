#!/usr/bin/env bash
# http_bench.sh: the HTTP server's figures (issue 4), measured with wrk on
# loopback against `aisafe serve` and, for record reads, against nginx
# serving the very same JSON documents as static files in the same run.
#
#   1. installs wrk and nginx if missing (apt; nginx is for this bench
#      only, scripts/setup does not install it);
#   2. builds Release into --build-dir (default build-bench/);
#   3. runs bench/http_fixture: a node with --records records (default
#      1,000,000), ids.txt, tiles.txt, www/ (one file per record) and the
#      wrk scripts (docs/performance.md, "HTTP server (issue 4)");
#   4. starts nginx (2 workers, access_log off, 127.0.0.1 only, config and
#      logs in a temporary directory) and
#      `aisafe --data DIR serve --listen 127.0.0.1:PORT --threads 2`,
#      with write rate limits off (the bench measures the server, not the
#      limiter) and an analyst principal's token for the writes;
#   5. runs `wrk -t2 -c64 -d10s --latency` per workload, after a 3 s
#      warm-up of each server:
#        GET /v1/records/{id}, random ids      aisafe, then nginx
#        GET /log/tile/L/N, random full tiles  aisafe
#        POST /v1/records, 100 records/request aisafe (last: it adds records)
#   6. prints requests/s, latency percentiles and errors per run, the
#      aisafe/nginx ratio and each target MET or MISSED; stops everything it
#      started on exit.
#
# CPUs: with 4 or more, the servers run on the first half of the CPUs and
# wrk on the second half (taskset). With fewer, everything shares them; the
# output says so, and the figures then include wrk's own CPU time.
#
# Usage: bench/http_bench.sh [--records N] [--duration 10s] [--build-dir DIR]
#                            [--dir DIR] [--nginx-only] [--checkpoint-ms MS]
#   --records N        records in the fixture (default 1000000)
#   --duration D       wrk's -d per measured run (default 10s)
#   --build-dir DIR    where to build (default build-bench)
#   --dir DIR          keep the fixture in DIR and reuse it when it already
#                      holds --records records (default: a temporary
#                      directory, removed at the end)
#   --nginx-only       build only the fixture and measure only nginx (to
#                      check the setup without the server)
#   --checkpoint-ms MS set the node's [log] checkpoint_interval_ms for the
#                      run (default: the node's default, 1000). Writes wait
#                      for the checkpoint that covers them, so with 64
#                      connections POST cannot exceed
#                      64 * 100 * 1000 / MS records/s.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

records=1000000
duration=10s
build_dir=build-bench
fixture_dir=""
nginx_only=0
checkpoint_ms=""
connections=64
wrk_threads=2
server_threads=2
post_size=100

usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --dir) fixture_dir=$2; shift 2 ;;
    --nginx-only) nginx_only=1; shift ;;
    --checkpoint-ms) checkpoint_ms=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "http_bench: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ $records =~ ^[1-9][0-9]*$ ]] || { echo "http_bench: --records needs a positive integer" >&2; exit 2; }
[[ -z $checkpoint_ms || $checkpoint_ms =~ ^[0-9]+$ ]] || { echo "http_bench: --checkpoint-ms needs an integer" >&2; exit 2; }

say() { echo "http_bench: $*" >&2; }

# --- 1. wrk and nginx --------------------------------------------------------
sudo=""
((EUID == 0)) || sudo="sudo"
missing=()
for p in wrk nginx; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the nginx service it just installed (port 80, all
  # addresses); this bench runs its own, so stop that one.
  if [[ " ${missing[*]} " == *" nginx "* ]]; then
    if [[ -d /run/systemd/system ]] && systemctl is-active --quiet nginx; then
      $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
      say "stopped and disabled the nginx service the package started (the bench runs its own nginx)"
    elif [[ -s /run/nginx.pid ]]; then
      $sudo /etc/init.d/nginx stop >/dev/null 2>&1 || true
      say "stopped the nginx service the package started (the bench runs its own nginx)"
    fi
  fi
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

# --- 2. build ----------------------------------------------------------------
targets=(http_fixture)
((nginx_only)) || targets+=(aisafe)
say "building ${targets[*]} (Release) in $build_dir"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAISAFE_BUILD_TESTS=OFF >/dev/null
ninja -C "$build_dir" "${targets[@]}" >/dev/null
fixture_bin=$build_dir/bench/http_fixture
aisafe_bin=$build_dir/src/cli/aisafe
((nginx_only)) || [[ -x $aisafe_bin ]] || aisafe_bin=$(find "$build_dir" -name aisafe -type f -perm -u+x | head -1)

# --- 3. the fixture ------------------------------------------------------------
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/aisafe-http-bench-XXXXXX")
remove_fixture=0
if [[ -z $fixture_dir ]]; then
  fixture_dir=$run_dir/fixture
  remove_fixture=1
fi
aisafe_pid=""
nginx_pid=""
stop() {  # pid: TERM, then KILL after 10 s.
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$aisafe_pid"
  stop "$nginx_pid"
  # With --dir, keep this run's wrk outputs and server logs beside the fixture.
  if ((!remove_fixture)) && [[ -d $fixture_dir ]]; then
    rm -rf "$fixture_dir/last-run" && mkdir -p "$fixture_dir/last-run"
    cp -r "$run_dir"/logs "$run_dir"/wrk-*.txt "$fixture_dir/last-run/" 2>/dev/null || true
  fi
  rm -rf "$run_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -s $fixture_dir/ids.txt && $(wc -l <"$fixture_dir/ids.txt") -eq $records && -d $fixture_dir/node ]]; then
  say "reusing the fixture in $fixture_dir"
else
  [[ -e $fixture_dir ]] && [[ -n $(ls -A "$fixture_dir") ]] && {
    say "$fixture_dir is not empty and is not a fixture of $records records"
    exit 1
  }
  say "creating $records records in $fixture_dir"
  "$fixture_bin" --out "$fixture_dir" --records "$records" --post-size "$post_size" >&2
fi
fixture_dir=$(cd "$fixture_dir" && pwd)
node_dir=$fixture_dir/node
first_id=$(head -1 "$fixture_dir/ids.txt")
first_tile=$(head -1 "$fixture_dir/tiles.txt" || true)

# --- CPUs ----------------------------------------------------------------------
cores=$(nproc)
server_cpu=()
client_cpu=()
if ((cores >= 4)); then
  half=$((cores / 2))
  server_cpu=(taskset -c "0-$((half - 1))")
  client_cpu=(taskset -c "$half-$((cores - 1))")
  placement="servers on CPUs 0-$((half - 1)), wrk on CPUs $half-$((cores - 1))"
else
  placement="$cores CPUs shared by the server under test and wrk (no pinning below 4 CPUs)"
fi

# --- helpers -------------------------------------------------------------------
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  say "no free port found"; exit 1
}
# Prints the response (status line, headers, body) to GET PATH, HTTP/1.0.
http_get() {
  local port=$1 path=$2
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
    timeout 10 cat <&3
  ) 2>/dev/null
}
# Prints the status code of GET PATH (reads only the status line).
status_of() {
  (
    local line
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    read -r -t 5 line <&3 && awk '{print $2}' <<<"$line"
  ) 2>/dev/null || true
}
body_of() { http_get "$1" "$2" | sed '1,/^\r*$/d'; }
wait_ready() {  # port path what pid
  for _ in $(seq 300); do
    [[ $(status_of "$1" "$2") == 200 ]] && return 0
    kill -0 "$4" 2>/dev/null || { say "$3 exited before it was ready"; return 1; }
    sleep 0.1
  done
  say "$3 did not answer 200 to GET $2 within 30 s"; return 1
}
# Same bytes as the fixture's file?
check_body() {  # port what
  if cmp -s <(body_of "$1" "/v1/records/$first_id") "$fixture_dir/www/v1/records/$first_id"; then
    say "$2 serves the fixture's bytes for record $first_id"
  else
    say "WARNING: $2's body for GET /v1/records/$first_id differs from www/v1/records/$first_id"
  fi
}

declare -A result
# run_wrk NAME PORT SCRIPT TIMEOUT: measures, and keeps the WRK_RESULT line.
run_wrk() {
  local name=$1 port=$2 script=$3 timeout=$4 out
  say "wrk $name: -t$wrk_threads -c$connections -d$duration"
  out=$("${client_cpu[@]}" wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency --timeout "$timeout" \
    -s "$script" "http://127.0.0.1:$port" 2>&1) || { echo "$out" >&2; say "wrk failed"; exit 1; }
  echo "$out" >"$run_dir/wrk-$name.txt"
  result[$name]=$(grep '^WRK_RESULT' <<<"$out" | tail -1)
  [[ -n ${result[$name]} ]] || { echo "$out" >&2; say "no WRK_RESULT line from $name"; exit 1; }
}
warm_up() {  # PORT SCRIPT
  "${client_cpu[@]}" wrk -t"$wrk_threads" -c"$connections" -d3s --timeout 10s -s "$2" "http://127.0.0.1:$1" >/dev/null 2>&1 || true
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"${result[$1]}"; }
rps() { awk -v n="$(field "$1" requests)" -v us="$(field "$1" duration_us)" 'BEGIN { printf "%.0f", n / (us / 1e6) }'; }
errors() {
  local e=0 k
  for k in connect read write status timeout; do e=$((e + $(field "$1" "errors_$k"))); done
  echo "$e"
}
ms() { awk -v us="$(field "$1" "$2")" 'BEGIN { printf "%.2f", us / 1000 }'; }

# --- 4. servers -------------------------------------------------------------------
mkdir -p "$run_dir/nginx" "$run_dir/logs"
nginx_port=$(free_port)
user_line=""
((EUID == 0)) && user_line="user $(id -un) $(id -gn);"
cat >"$run_dir/nginx/nginx.conf" <<EOF
# Written by bench/http_bench.sh: static files, nothing else.
$user_line
worker_processes 2;
pid $run_dir/nginx/nginx.pid;
error_log $run_dir/logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;  # wrk keeps its 64 connections; so does aisafe.
  types { }
  default_type application/json;
  client_body_temp_path $run_dir/nginx/body;
  proxy_temp_path $run_dir/nginx/proxy;
  fastcgi_temp_path $run_dir/nginx/fastcgi;
  uwsgi_temp_path $run_dir/nginx/uwsgi;
  scgi_temp_path $run_dir/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $fixture_dir/www;
  }
}
EOF
"${server_cpu[@]}" "$nginx_bin" -p "$run_dir/nginx" -c "$run_dir/nginx/nginx.conf" -e "$run_dir/logs/nginx-error.log" \
  -g 'daemon off;' &
nginx_pid=$!
wait_ready "$nginx_port" "/v1/records/$first_id" nginx "$nginx_pid"
check_body "$nginx_port" nginx

aisafe_port=""
if ((!nginx_only)); then
  # Bench settings in the node's config: no write rate limits, and the
  # checkpoint interval if asked.
  conf=$node_dir/node.toml
  if ! grep -q '^# http_bench settings' "$conf"; then
    sed -i '/^\(token\|address\)_write_rate *=/d' "$conf"
    settings='# http_bench settings\ntoken_write_rate = 0\naddress_write_rate = 0'
    if grep -q '^\[server\]' "$conf"; then
      sed -i "s/^\[server\]\$/[server]\n$settings/" "$conf"
    else
      printf '\n[server]\n%b\n' "$settings" >>"$conf"
    fi
  fi
  [[ -n $checkpoint_ms ]] && sed -i "s/^checkpoint_interval_ms = .*/checkpoint_interval_ms = $checkpoint_ms/" "$conf"
  effective_checkpoint_ms=$(sed -n 's/^checkpoint_interval_ms = \([0-9]*\).*/\1/p' "$conf")

  if [[ ! -s $fixture_dir/token ]]; then
    "$aisafe_bin" --data "$node_dir" principal list 2>/dev/null | grep -qw bench ||
      "$aisafe_bin" --data "$node_dir" principal add bench --role analyst >/dev/null
    "$aisafe_bin" --data "$node_dir" token create bench >"$fixture_dir/token"
  fi
  AISAFE_TOKEN=$(head -1 "$fixture_dir/token")
  export AISAFE_TOKEN

  aisafe_port=$(free_port)
  # No access log, as nginx has none.
  serve_flags=(--listen "127.0.0.1:$aisafe_port" --threads "$server_threads")
  "$aisafe_bin" serve --help 2>/dev/null | grep -q -- --access-log && serve_flags+=(--access-log off)
  "${server_cpu[@]}" "$aisafe_bin" --data "$node_dir" serve "${serve_flags[@]}" >"$run_dir/logs/aisafe.log" 2>&1 &
  aisafe_pid=$!
  wait_ready "$aisafe_port" "/v1/records/$first_id" "aisafe serve" "$aisafe_pid" || {
    tail -20 "$run_dir/logs/aisafe.log" >&2; exit 1;
  }
  check_body "$aisafe_port" "aisafe serve"
  if [[ -n $first_tile && $(status_of "$aisafe_port" "$first_tile") != 200 ]]; then
    say "WARNING: aisafe serve does not answer 200 to GET $first_tile"
  fi
fi

# --- 5. measurements -----------------------------------------------------------
if ((!nginx_only)); then
  warm_up "$aisafe_port" "$fixture_dir/get_random.lua"
  run_wrk get_aisafe "$aisafe_port" "$fixture_dir/get_random.lua" 2s
fi
warm_up "$nginx_port" "$fixture_dir/get_random.lua"
run_wrk get_nginx "$nginx_port" "$fixture_dir/get_random.lua" 2s
if ((!nginx_only)); then
  if [[ -n $first_tile ]]; then
    warm_up "$aisafe_port" "$fixture_dir/tiles_random.lua"
    run_wrk tiles_aisafe "$aisafe_port" "$fixture_dir/tiles_random.lua" 2s
  fi
  run_wrk post_aisafe "$aisafe_port" "$fixture_dir/post_batch.lua" 30s
fi

# --- 6. report -------------------------------------------------------------------
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo
echo "http_bench: $records records, wrk -t$wrk_threads -c$connections -d$duration --latency, loopback"
echo "machine: $cores CPUs, ${cpu_model:-?}; $placement"
echo "wrk: $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'); nginx: $("$nginx_bin" -v 2>&1 | sed 's/.*: //') (2 workers, static files)"
((nginx_only)) || echo "aisafe serve ${serve_flags[*]:2}; checkpoint_interval_ms = ${effective_checkpoint_ms:-?}"
echo
printf '%-34s %-7s %12s %9s %9s %9s %8s\n' workload server requests/s "p50 ms" "p90 ms" "p99 ms" errors
line() {  # name workload server
  printf '%-34s %-7s %12s %9s %9s %9s %8s\n' "$2" "$3" "$(rps "$1")" "$(ms "$1" p50_us)" "$(ms "$1" p90_us)" \
    "$(ms "$1" p99_us)" "$(errors "$1")"
}
((nginx_only)) || line get_aisafe "GET /v1/records/{id}" aisafe
line get_nginx "GET /v1/records/{id}" nginx
((nginx_only)) || [[ -z ${result[tiles_aisafe]:-} ]] || line tiles_aisafe "GET /log/tile/L/N (full tiles)" aisafe
((nginx_only)) || line post_aisafe "POST /v1/records ($post_size/request)" aisafe

if ((!nginx_only)); then
  get_rps=$(rps get_aisafe)
  nginx_rps=$(rps get_nginx)
  ratio=$(awk -v a="$get_rps" -v b="$nginx_rps" 'BEGIN { printf "%.1f", 100 * a / b }')
  p99=$(ms get_aisafe p99_us)
  tiles_rps=$([[ -n ${result[tiles_aisafe]:-} ]] && rps tiles_aisafe || echo 0)
  post_ok=$(($(field post_aisafe requests) - $(field post_aisafe errors_status)))
  post_records=$(awk -v n="$post_ok" -v us="$(field post_aisafe duration_us)" -v k="$post_size" \
    'BEGIN { printf "%.0f", n * k / (us / 1e6) }')
  verdict() { awk "BEGIN { exit !($1) }" && echo MET || echo MISSED; }
  echo
  echo "aisafe / nginx (GET records)      $ratio %"
  echo "POST records/s                    $post_records (successful requests x $post_size)"
  echo
  echo "target: GET >= 25,000 requests/s        $(verdict "$get_rps >= 25000") ($get_rps)"
  echo "target: GET p99 < 10 ms                 $(verdict "$p99 < 10") ($p99 ms)"
  echo "target: GET >= 50 % of nginx            $(verdict "$ratio >= 50") ($ratio %)"
  echo "target: POST >= 20,000 records/s        $(verdict "$post_records >= 20000") ($post_records)"
  echo "target: tiles >= 40,000 requests/s      $(verdict "$tiles_rps >= 40000") ($tiles_rps)"
  errs=$(( $(errors get_aisafe) + $(errors post_aisafe) + $([[ -n ${result[tiles_aisafe]:-} ]] && errors tiles_aisafe || echo 0) ))
  ((errs == 0)) || echo "WARNING: $errs failed requests against aisafe (errors column; --dir keeps wrk's output)"
fi
