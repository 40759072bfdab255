/**
 * The process an omo run starts: `opencode serve` first, waited for as long as it takes, then
 * `oh-my-opencode run --port N …`, which finds the port taken and attaches to that server instead of
 * starting its own with a fixed 5 s limit (the SDK's createOpencodeServer, which a loaded machine misses).
 *
 * A bash script rather than a node process: it lives as long as the run, and bash costs a few MB of
 * RSS where node costs ~47 MB. It leads the run's process group; the server and oh-my-opencode stay in
 * it, so a kill of the group (baton kill, --timeout, the supervisor's end-of-run cleanup) takes all three.
 */

/** The start failure the omo runner relaunches for; printed by the script below, matched in omo.ts. */
export const SERVER_EXITED_EARLY = 'the opencode server exited before it answered';

/**
 * Run as `bash -c OMO_LAUNCH_SCRIPT omo-launch <opencode> <port> <directory> <server log> -- <oh-my-opencode> <args…>`.
 * The text is constant: the prompt and every other value reach it only as positional arguments ("$@"),
 * never inside the script, so nothing a caller passes is ever parsed as shell. The one
 * dollar-brace expansion in it is TypeScript's, a constant of this module; the script's own are plain $name.
 *
 * Readiness is an HTTP answer (any status, errors are the run's to report) to the health route, then
 * to a route scoped to the directory, which makes the server load that project's instance (config,
 * plugins: oh-my-opencode itself) before the run's first real request. opencode 1.18 never answers a
 * connection that arrives as its port opens while later ones are served, so each request is abandoned
 * after a while and asked again; the while doubles up to a cap, so a merely starved server gets time
 * to answer. No overall limit: the run's --timeout and stall detection still apply; the wait ends
 * early only when the server process exits.
 */
export const OMO_LAUNCH_SCRIPT = String.raw`
set -u
if [ $# -lt 6 ] || [ "$5" != -- ]; then
  echo "Error: usage: omo-launch <opencode> <port> <directory> <server log> -- <oh-my-opencode> <args...>"
  exit 1
fi
opencode=$1 port=$2 directory=$3 server_log=$4
shift 5

say() { printf '[baton] %s\n' "$1"; }
now_ms() { local s us; IFS=., read -r s us <<< "$EPOCHREALTIME"; echo $(( s * 1000 + 10#$us / 1000 )); }
duration() {
  local ms=$1 s
  if (( ms < 1000 )); then echo "$ms"ms; return; fi
  s=$(( (ms + 500) / 1000 ))
  if (( s < 60 )); then echo "$s"s
  elif (( s < 3600 )); then (( s % 60 )) && echo "$(( s / 60 ))m$(( s % 60 ))s" || echo "$(( s / 60 ))m"
  else (( s / 60 % 60 )) && echo "$(( s / 3600 ))h$(( s / 60 % 60 ))m" || echo "$(( s / 3600 ))h"
  fi
}

received= interrupted= server= omo=
# A signal meant for the run (a group kill reaches all of us anyway) must end the run, not read as a
# server that failed to start, which the supervisor would retry.
forward() {
  received=$1 interrupted=1
  [ -n "$omo" ] && kill -s "$1" "$omo" 2>/dev/null
  [ -n "$server" ] && kill -s "$1" "$server" 2>/dev/null
}
trap 'forward TERM' TERM
trap 'forward INT' INT
trap 'forward HUP' HUP

# Ends this process the way its child ended, so the supervisor sees a signal as a signal.
die_by() {
  trap - "$1" 2>/dev/null
  kill -s "$1" $$
  exit $(( 128 + $(kill -l "$1") ))
}

stop_server() {
  kill -0 "$server" 2>/dev/null || { wait "$server" 2>/dev/null; return; }
  kill -s TERM "$server" 2>/dev/null
  local tries=0
  while kill -0 "$server" 2>/dev/null && (( tries < 20 )); do sleep 0.1; tries=$(( tries + 1 )); done
  kill -s KILL "$server" 2>/dev/null
  wait "$server" 2>/dev/null
}

# oh-my-opencode marks its own process as a run client before it spawns a server (the plugin inside
# the server reads these) and gives it the SDK's empty inline config; this server gets the same.
(umask 077 && : >> "$server_log") || exit 1
# Background jobs of a shell without job control ignore SIGINT; the trap reset lets a forwarded one land.
(
  trap - INT QUIT
  cd "$directory" || exit 1
  export OPENCODE_CLI_RUN_MODE=true OPENCODE_CLIENT=run OPENCODE_CONFIG_CONTENT='{}' PWD="$directory"
  exec "$opencode" serve --hostname=127.0.0.1 "--port=$port"
) >> "$server_log" 2>&1 < /dev/null &
server=$!
started=$(now_ms)
say "started the opencode server (pid $server) at http://127.0.0.1:$port, output in $server_log; waiting for it to answer with no time limit of its own (the run's --timeout and stall detection still apply)"

# oh-my-opencode's own header for a loopback server guarded by OPENCODE_SERVER_PASSWORD.
auth=
if [ -v OPENCODE_SERVER_PASSWORD ] && [ -n "$OPENCODE_SERVER_PASSWORD" ]; then
  user=opencode
  [ -v OPENCODE_SERVER_USERNAME ] && user=$OPENCODE_SERVER_USERNAME
  auth="Authorization: Basic $(printf '%s:%s' "$user" "$OPENCODE_SERVER_PASSWORD" | base64 -w0)"$'\r\n'
fi
# Percent-encodes byte by byte, as encodeURIComponent does for UTF-8 text.
urlencode() {
  local LC_ALL=C out= c
  while IFS= read -r -n 1 -d '' c; do
    case $c in [A-Za-z0-9._~\!\*\'\(\)-]) out+=$c ;; *) printf -v c '%%%02X' "'$c"; out+=$c ;; esac
  done < <(printf '%s' "$1")
  echo "$out"
}

timeout_ms=1000
# One try: true when the server sent the start of an HTTP answer. Read in short slices, so that a
# server that exits (or a signal) ends the try at once rather than at its timeout.
answers() {
  local fd got= n=0 c r slices=$(( timeout_ms / 250 ))
  { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n%sConnection: close\r\n\r\n' "$1" "$port" "$auth" >&"$fd" 2>/dev/null
  while (( n < 5 )); do
    read -r -N 1 -t 0.25 c <&"$fd" 2>/dev/null
    r=$?
    if (( r == 0 )); then got+=$c n=$(( n + 1 )); continue; fi
    # A status up to 128 is the end of the connection; above it, a slice that ran out.
    (( r > 128 )) || break
    [ -n "$received" ] && break
    kill -0 "$server" 2>/dev/null || break
    (( --slices > 0 )) && continue
    (( timeout_ms = timeout_ms * 2 > 30000 ? 30000 : timeout_ms * 2 ))
    break
  done
  exec {fd}>&-
  [ "$got" = HTTP/ ]
}

for path in /global/health "/config?directory=$(urlencode "$directory")"; do
  until answers "$path"; do
    [ -n "$received" ] && { stop_server; die_by "$received"; }
    if ! kill -0 "$server" 2>/dev/null; then
      wait "$server"; status=$?
      (( status > 128 )) && how="signal $(kill -l $(( status - 128 )))" || how="exit code $status"
      # "Error: " starts an error block in the omo log parser; the runner treats this as a start failure.
      echo "Error: ${SERVER_EXITED_EARLY} ($how); see $server_log"
      exit 1
    fi
    sleep 0.25
  done
done
[ -n "$received" ] && { stop_server; die_by "$received"; }
say "the opencode server answered after $(duration $(( $(now_ms) - started ))); starting oh-my-opencode attached to it"

(trap - INT QUIT; exec "$@") &
omo=$!
# A trapped signal interrupts wait; the loop waits again for oh-my-opencode's own end.
while :; do
  interrupted=
  wait "$omo"; status=$?
  [ -z "$interrupted" ] && break
done
# oh-my-opencode never closes a server it attached to.
stop_server
[ -n "$received" ] && die_by "$received"
# Above 128 is how bash reports a death by signal (an exit code that high reads the same, as in any shell).
(( status > 128 )) && die_by "$(kill -l $(( status - 128 )))"
exit "$status"
`;
