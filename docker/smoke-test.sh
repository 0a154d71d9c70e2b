#!/usr/bin/env bash
# End-to-end test of the image and the compose stack with podman:
#   set-up of podman -> jar -> image -> PostgreSQL + API + worker via docker-compose.yml ->
#   the README walk-through against the API container -> SIGTERM of a worker in mid-training
#   (the job goes back to the queue without counting an attempt and resumes from a checkpoint at
#   the step it had reached) -> tear-down.
#
# Usage: bash docker/smoke-test.sh [--build-jar] [--env-file FILE] [--keep]
#   --build-jar      rebuild target/dti-service.jar even if it exists
#   --env-file FILE  use FILE as the stack's .env (default: a throwaway one with random passwords)
#   --keep           leave the stack running at the end (tear it down with the printed command)
# Environment: SMOKE_PROJECT (compose project name), SMOKE_PORT (host port of the API, default a
# free one), SMOKE_STEPS (steps of the walk-through's training job, default 100; the README's 400
# take about 30 s on two idle cores), SMOKE_RESUME_STEPS (steps of the job that is interrupted at
# step 60 or later, default 200). Steps are few so that the test stays short on a busy machine.
#
# The stack runs under its own project name from a folder of its own holding a copy of
# docker-compose.yml and the env file: podman-compose 1.0.x reads .env only beside the compose file
# and lets it override the environment, so a developer's .env is never read or touched.
set -Eeuo pipefail
# Command substitutions ($(wait_for …)) stop at a failing command too, not only the script.
shopt -s inherit_errexit

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

build_jar=false
env_file=""
keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --build-jar) build_jar=true ;;
    --env-file) env_file=$(realpath "$2"); shift ;;
    --keep) keep=true ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
  shift
done

project=${SMOKE_PROJECT:-dti-smoke-$$}
steps=${SMOKE_STEPS:-100}
resume_steps=${SMOKE_RESUME_STEPS:-200}
image=localhost/dti-service:smoke
jar=target/dti-service.jar
work=$(mktemp -d "${TMPDIR:-/tmp}/dti-smoke.XXXXXX")
compose=(podman-compose -p "$project" -f "$work/docker-compose.yml")
failures=()
started=$(date +%s.%N)
phase_started=$started
phase_name=""

# --- output and checks --------------------------------------------------------------------------
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }
phase() { # phase NAME: ends the running phase with its time and starts NAME ("" starts none)
  [ -z "$phase_name" ] || echo "== $phase_name: done in $(elapsed "$phase_started") s"
  phase_name=$1
  phase_started=$(date +%s.%N)
  [ -z "$phase_name" ] || echo "== $phase_name"
}
say() { echo "   $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }
# A failed expectation is recorded and the test goes on, so one run reports every broken promise.
expect() {
  local what=$1 actual=$2 wanted=$3
  if [ "$actual" = "$wanted" ]; then
    say "ok: $what = $actual"
  else
    echo "FAIL: $what: expected $wanted, got $actual" >&2
    failures+=("$what: expected $wanted, got $actual")
  fi
}
# json PATH: reads JSON on stdin and prints the value at PATH (dots between keys and list indices).
json() {
  python3 -c '
import json, sys
value = json.load(sys.stdin)
for key in filter(None, sys.argv[1].split(".")):
    value = value[int(key)] if isinstance(value, list) else value.get(key)
print(json.dumps(value) if isinstance(value, (dict, list)) else ("" if value is None else value))
' "$1"
}

# Any other failing command names itself before the script stops.
trap 'echo "FAIL: line $LINENO: \"$BASH_COMMAND\" exited with $?" >&2' ERR

cleanup() {
  local rc=$?
  set +e
  if [ $rc -ne 0 ] && [ -f "$work/docker-compose.yml" ]; then
    for c in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do
      echo "--- last lines of $c:" >&2
      podman logs --tail 60 "$c" 2>&1 | sed 's/^/   /' >&2
    done
  fi
  if $keep && [ $rc -eq 0 ]; then
    phase "stack kept"
    say "tear it down with: ${compose[*]} down -v && rm -rf $work"
  else
    phase "tear-down (down -v)"
    if [ -f "$work/docker-compose.yml" ]; then
      "${compose[@]}" down -v >"$work/down.log" 2>&1 || cat "$work/down.log" >&2
    fi
    rm -rf "$work"
  fi
  phase ""
  echo "== total: $(elapsed "$started") s, exit code $rc"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. podman ----------------------------------------------------------------------------------
phase "set-up (../shared/containers/setup.sh)"
bash "$repo/../shared/containers/setup.sh" | sed 's/^/   /'

# --- 2. jar -------------------------------------------------------------------------------------
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
if $build_jar || [ ! -f "$jar" ]; then
  phase "jar (./mvnw package)"
  ./mvnw -B -q -DskipTests package
fi
[ -f "$jar" ] || die "$jar is missing after the build"

# --- 3. image -----------------------------------------------------------------------------------
phase "image ($image)"
version=$(python3 -c '
import sys, zipfile
manifest = zipfile.ZipFile(sys.argv[1]).read("META-INF/MANIFEST.MF").decode()
print(next(l.split(":", 1)[1].strip() for l in manifest.splitlines() if l.startswith("Implementation-Version:")))
' "$jar")
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# --format docker keeps the HEALTHCHECK (podman's default OCI format drops it). The labels are
# given twice: podman 4.3 reuses a cached LABEL step even when the build arguments changed.
podman build --format docker -q -f docker/Dockerfile -t "$image" \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.revision="$revision" \
  --label org.opencontainers.image.created="$created" . >/dev/null
say "$(podman image inspect "$image" --format '{{.Size}}' | awk '{printf "%.0f MB", $1 / 1e6}'), version $version, revision ${revision:0:12}"
say "engine check (read-only root filesystem, natives shipped pre-extracted):"
podman run --rm --read-only "$image" engine 2>/dev/null | grep -v '^Picked up' | sed 's/^/     /'

# --- 4. stack -----------------------------------------------------------------------------------
phase "stack up (project $project)"
cp docker-compose.yml "$work/docker-compose.yml"
if [ -n "$env_file" ]; then
  cp "$env_file" "$work/.env"
else
  random() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }
  cat >"$work/.env" <<EOF
POSTGRES_DB=dti
POSTGRES_USER=dti
POSTGRES_PASSWORD=$(random)
DTI_API_KEY=dti_smoke_$(random)
DTI_ADMIN_KEY=dti_admin_$(random)
EOF
fi
port=${SMOKE_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')}
# The test watches a stopped worker, so nothing may restart it behind its back.
cat >>"$work/.env" <<EOF
DTI_IMAGE=$image
DTI_PORT=$port
DTI_RESTART=no
DTI_WORKERS=1
EOF
key=$(sed -n 's/^DTI_API_KEY=//p' "$work/.env" | tail -1)
[ -n "$key" ] || die "the env file sets no DTI_API_KEY; the test needs a known key"
"${compose[@]}" up -d --no-build >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; die "podman-compose up failed"; }
container() {
  podman ps -a --filter "label=io.podman.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | head -1
}
api_container=$(container api)
worker_container=$(container worker)
postgres_container=$(container postgres)
[ -n "$api_container" ] && [ -n "$worker_container" ] || { cat "$work/up.log" >&2; die "api or worker container missing"; }
api=http://127.0.0.1:$port
deadline=$((SECONDS + 240))
until curl -fsS "$api/actuator/health/readiness" >/dev/null 2>&1; do
  [ "$(podman inspect -f '{{.State.Running}}' "$api_container")" = true ] || die "$api_container exited"
  [ $SECONDS -lt $deadline ] || die "the API was not ready within 240 s"
  sleep 1
done
say "api ready: $api ($api_container), worker $worker_container"
# The image's own probe, from inside the API container's network namespace (podman exec needs
# setrlimit, which this sandbox refuses).
say "probe: $(podman run --rm --network "container:$api_container" "$image" health 2>/dev/null)"
deadline=$((SECONDS + 120))
until podman logs "$worker_container" 2>&1 | grep -q 'worker(s) on \[cpu\] started'; do
  [ "$(podman inspect -f '{{.State.Running}}' "$worker_container")" = true ] || die "$worker_container exited"
  [ $SECONDS -lt $deadline ] || die "the worker did not start within 120 s"
  sleep 1
done
expect "worker threads in the API container (DTI_ROLES=api)" \
  "$(podman logs "$api_container" 2>&1 | grep -c 'worker(s) on' || true)" 0

# --- 5. walk-through ----------------------------------------------------------------------------
auth=(-H "Authorization: Bearer $key")
phase "walk-through: train <green-heart>"
"$java" -jar "$jar" toyworld samples --shape heart --colour green --count 4 --seed 1 --out "$work/heart" >/dev/null
upload() { # upload IDEMPOTENCY_KEY TOKEN STEPS: prints the 202 answer
  curl -fsS -X POST "$api/v1/concepts" "${auth[@]}" -H "Idempotency-Key: $1" \
    -F images=@"$work/heart/heart-green-0.png" -F images=@"$work/heart/heart-green-1.png" \
    -F images=@"$work/heart/heart-green-2.png" -F images=@"$work/heart/heart-green-3.png" \
    -F name='Green heart' --form-string token="$2" -F initializer=object -F steps="$3"
}
env_value() { sed -n "s/^$1=//p" "$work/.env" | tail -1; }
# sql QUERY: psql in a throwaway container in the postgres container's network namespace
sql() {
  podman run --rm --network "container:$postgres_container" -e PGPASSWORD="$(env_value POSTGRES_PASSWORD)" \
    --entrypoint psql docker.io/library/postgres:17 -h 127.0.0.1 -U "$(env_value POSTGRES_USER)" \
    -d "$(env_value POSTGRES_DB)" -Atc "$1" 2>"$work/psql.log" || die "psql failed: $(cat "$work/psql.log")"
}
# wait_for JOB STATE SECONDS [MIN_STEP]: polls until the job is in STATE (at MIN_STEP or later)
wait_for() {
  local id=$1 state=$2 limit=$3 min_step=${4:-0} deadline=$((SECONDS + $3)) body now step
  while :; do
    body=$(curl -fsS "${auth[@]}" "$api/v1/jobs/$id")
    now=$(json state <<<"$body")
    step=$(json currentStep <<<"$body")
    if [ "$now" = "$state" ] && [ "${step:-0}" -ge "$min_step" ]; then
      echo "$body"
      return 0
    fi
    case "$now" in failed | canceled) die "job $id ended $now: $(json error <<<"$body")" ;; esac
    [ $SECONDS -lt $deadline ] || die "job $id not $state (step >= $min_step) within $limit s: $body"
    sleep 0.5
  done
}
answer=$(upload smoke-green-heart-1 '<green-heart>' "$steps")
concept=$(json concept.id <<<"$answer")
job=$(json job.id <<<"$answer")
expect "state of the new job" "$(json job.state <<<"$answer")" queued
# While it runs, the job's lease names its worker: the worker container's host name.
body=$(wait_for "$job" running 120)
owner=$(sql "SELECT lease_owner FROM jobs WHERE id = '$job'")
expect "host that holds the lease of job $job" "${owner%%-*}" "$(podman inspect -f '{{.Config.Hostname}}' "$worker_container")"
body=$(wait_for "$job" succeeded 600)
say "job $job succeeded: $(json totalSteps <<<"$body") steps, loss $(json lastLoss <<<"$body"), norm $(json embeddingNorm <<<"$body"), attempts $(json attempts <<<"$body")"

phase "walk-through: embeddings, generation"
for format in diffusers a1111 kohya; do
  file="$work/green-heart-$format.safetensors"
  curl -fsS "${auth[@]}" -o "$file" "$api/v1/concepts/$concept/embedding?format=$format"
  # safetensors: an 8-byte little-endian header length, then the JSON header
  expect "first header byte of the $format embedding" "$(head -c 9 "$file" | tail -c 1)" "{"
done
generation=$(curl -fsS -X POST "$api/v1/generations" "${auth[@]}" -H 'Content-Type: application/json' \
  -d '{"prompt": "an orange <green-heart> next to a blue square on a gray background", "seed": 42, "numImages": 2}')
generation_id=$(json id <<<"$generation")
deadline=$((SECONDS + 180))
until [ "$(json state <<<"$generation")" = succeeded ]; do
  case "$(json state <<<"$generation")" in failed | canceled) die "generation failed: $generation" ;; esac
  [ $SECONDS -lt $deadline ] || die "generation $generation_id unfinished after 180 s"
  sleep 1
  generation=$(curl -fsS "${auth[@]}" "$api/v1/generations/$generation_id")
done
image_id=$(json images.0.id <<<"$generation")
curl -fsS "${auth[@]}" -o "$work/heart.png" "$api/v1/images/$image_id"
expect "magic bytes of image $image_id" "$(head -c 8 "$work/heart.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a

# --- 6. SIGTERM ---------------------------------------------------------------------------------
phase "SIGTERM: a worker stopped in mid-training hands its job back"
answer=$(upload smoke-green-heart-2 '<green-heart-2>' "$resume_steps")
job=$(json job.id <<<"$answer")
body=$(wait_for "$job" running 600 60)
attempts=$(json attempts <<<"$body")
say "job $job running at step $(json currentStep <<<"$body")/$resume_steps, attempt $attempts; SIGTERM to $worker_container"
killed=$(date +%s.%N)
podman kill --signal TERM "$worker_container" >/dev/null
exit_code=$(timeout 90 podman wait "$worker_container") || die "$worker_container still running 90 s after SIGTERM"
say "$worker_container exited with $exit_code $(elapsed "$killed") s after SIGTERM"
podman logs "$worker_container" 2>&1 | grep -E "Job $job|shutdown|Worker .* stopped" | tail -5 | sed 's/^/     /' || true
body=$(curl -fsS "${auth[@]}" "$api/v1/jobs/$job")
expect "state after SIGTERM" "$(json state <<<"$body")" queued
# The hand-back does not count the attempt: the row may even show one less until the next claim.
attempts_queued=$(json attempts <<<"$body")
expect "attempts after SIGTERM at most $attempts" "$([ "$attempts_queued" -le "$attempts" ] && echo yes || echo "no ($attempts_queued)")" yes
stopped_at=$(json currentStep <<<"$body")
say "job $job is back in the queue at step $stopped_at"
"${compose[@]}" start worker >"$work/start.log" 2>&1 || { cat "$work/start.log" >&2; die "podman-compose start worker failed"; }
deadline=$((SECONDS + 180))
until resumed=$(podman logs "$worker_container" 2>&1 | grep -o "Job $job resumes from its checkpoint at step [0-9]*"); do
  [ "$(podman inspect -f '{{.State.Running}}' "$worker_container")" = true ] || die "$worker_container exited again"
  [ $SECONDS -lt $deadline ] || die "no 'Job $job resumes from its checkpoint' in the worker's log within 180 s"
  sleep 1
done
expect "step the job resumed from" "${resumed##* }" "$stopped_at"
body=$(wait_for "$job" succeeded 600)
expect "attempts after the resumed run" "$(json attempts <<<"$body")" "$attempts"
say "job $job succeeded after resuming"

if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "== all checks passed"
