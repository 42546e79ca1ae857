# Process helpers shared by up.sh, down.sh and restart-apiserver.sh (sourced; needs $state and log()).

# alive PID: exists and is not a zombie (a reaped-late child of a non-reaping PID 1 would otherwise look alive)
alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# ours: PID is alive and its command line names the state directory (guards against recycled PIDs)
ours() {
  alive "$1" || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$state/"
}

wait_gone() { # pid seconds
  local deadline=$(( $(date +%s) + $2 ))
  while alive "$1"; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.2
  done
}

stop_pid() { # name pid
  local name="$1" pid="$2"
  ours "$pid" || return 0
  log "stopping $name (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" 15; then
    log "$name (pid $pid) ignored SIGTERM for 15 s; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || true
  fi
}

# Starts a control-plane process in its own session (setsid: no controlling terminal, no SIGHUP when the
# calling shell exits, and its own process group for stop_pid), with stdin/stdout/stderr away from the caller
# (so `$(npm run cluster:up)` does not wait for it; its output is appended to <state>/logs/<name>.log) and
# without the lock fd 9. The launcher shell writes its own PID and then execs the binary, so the PID file names
# the real process. Returns once the PID file is written (1 if it never is).
detach() { # name command args...
  local name="$1" _; shift
  rm -f "$state/pids/$name.pid"
  # shellcheck disable=SC2016 # expanded by the launcher shell
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' launcher "$state/pids/$name.pid" "$@" \
    </dev/null >>"$state/logs/$name.log" 2>&1 9>&- &
  for _ in $(seq 1 50); do [[ -s "$state/pids/$name.pid" ]] && return 0; sleep 0.1; done
  return 1
}
