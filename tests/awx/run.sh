#!/usr/bin/env bash
# make test-awx: the AWX path on the kind cluster, with a least-privilege ServiceAccount token.
#   1. a namespaced token (tests/awx/rbac.yml) runs the dapr_shared role: install, re-run changed=0,
#      remove; the helm method too (with the one read-only cluster lookup its chart needs, rbac-helm.yml)
#   1b. K8S_AUTH_IMPERSONATE_USER: dapr_shared_info is refused as the impersonated user, as k8s_info is
#   1c. K8S_AUTH_IMPERSONATE_USER reaches Helm: method helm without the chart's ClusterRole lookup right stops in
#       helm (forbidden for the impersonated user, no release), with it installs, re-runs changed=0 and goes;
#       the control-plane role stops as the impersonated user, and refuses (impersonating system:masters) to run
#       kubernetes.core.helm, which would drop the impersonation; dapr-system unchanged
#   2. ansible-runner runs the INSTALLED collection from an AWX-like private data dir
#   3. an inventory without a cluster host fails through ansible-runner with the collection's message
#   4. the sample execution environment (docs/execution-environment/), built with ansible-builder on a
#      local base image (cached by content) with the archive of step 2 as its collection source, runs the
#      same private data dir inside the image, with the image's own copy of the collection
# Credentials reach every run only as K8S_AUTH_HOST, K8S_AUTH_API_KEY and K8S_AUTH_SSL_CA_CERT: the runs
# start from an empty environment (env -i) with HOME in an empty directory, so there is no kubeconfig.
# The control plane (dapr-system) must be installed; nothing of it is changed. Exits non-zero on any FAIL.
# shellcheck disable=SC2317,SC2329 # the step and job functions run indirectly, through step() and runner_job()
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/awx
CACHE=${DAPRKIT_CACHE:-$HOME/.cache/daprkit}
ADMIN_KUBECONFIG=${KUBECONFIG_PATH:-$CACHE/kind/kubeconfig}
# HELM=4 (make test-awx HELM=4): the cluster factory's helm4 answers as helm in every run below
HELM_FIRST=
[[ ${HELM:-3} == 4 ]] && HELM_FIRST=$CACHE/helm4-path:
export PATH=$ROOT/.venv/bin:$HELM_FIRST$CACHE/bin:$CACHE/bin/kube:$PATH
APP_NS=dk-awx-app
SYS_NS=dk-awx-sys
SA=awx
HOST_NAME=kind-daprkit
DAPRD_IMAGE=daprkit.local/dapr/daprd
EE_BASE_FROM=daprkit/debian-net-python:bookworm
EE_REPO=daprkit/awx-ee
# what ansible-builder installs with pip besides the definition's dependencies: its builder stage
# (bindep pyyaml packaging) and its default container init (dumb-init)
EE_BUILDER_PIP="bindep pyyaml packaging dumb-init==1.2.5"

WORK=$(mktemp -d /tmp/dk-awx.XXXXXX)
chmod 700 "$WORK"
mkdir -p "$WORK/home" "$WORK/logs"
admin() { KUBECONFIG=$ADMIN_KUBECONFIG kubectl "$@"; }

cleanup() {
  admin delete -f "$HERE/rbac-helm.yml" --ignore-not-found >/dev/null 2>&1
  admin delete -f "$HERE/rbac.yml" --ignore-not-found --timeout=120s >/dev/null 2>&1
  # TEST_AWX_KEEP=1 keeps the work directory to look into (it holds a token valid 30 minutes)
  if [[ ${TEST_AWX_KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

results=() failed=0
step() { # step <name> <function>: one PASS/FAIL line with the wall time (TEST_AWX_SKIP: a regex of steps not to run)
  local name=$1 start rc
  if [[ -n ${TEST_AWX_SKIP:-} && $name =~ $TEST_AWX_SKIP ]]; then results+=("NOT RUN  $name (TEST_AWX_SKIP)"); failed=1; return; fi
  start=$(date +%s)
  echo "---- $name"
  "$2"; rc=$?
  local took=$(( $(date +%s) - start ))
  if [[ $rc == 0 ]]; then results+=("PASS  $name (${took}s)"); echo "PASS  $name (${took}s)"
  elif [[ $rc == 77 ]]; then results+=("SKIP  $name (${took}s)"); echo "!!!!!!!! SKIP $name !!!!!!!!"
  else results+=("FAIL  $name (${took}s)"); echo "FAIL  $name (${took}s)"; failed=1; fi
}
fail() { echo "  FAIL: $*" >&2; return 1; }
show_log() { echo "  --- last lines of $1:" >&2; tail -n "${2:-25}" "$1" | sed 's/^/  | /' >&2; }

# -- credentials -----------------------------------------------------------------------------------
# K8S_AUTH_* only, from an empty environment: no KUBECONFIG, no K8S_AUTH_KUBECONFIG, no ~/.kube
lp_env() {
  env -i PATH="$ROOT/.venv/bin:$HELM_FIRST$CACHE/bin:/usr/local/bin:/usr/bin:/bin" HOME="$WORK/home" LANG=C.UTF-8 \
    K8S_AUTH_HOST="$API_HOST" K8S_AUTH_API_KEY="$(cat "$WORK/token")" K8S_AUTH_SSL_CA_CERT="$WORK/ca.crt" "$@"
}

# recap <log>: "changed failed" of the cluster host from an ansible-playbook recap
recap() {
  sed -nE "s/^$HOST_NAME +: ok=[0-9]+ +changed=([0-9]+) +unreachable=[0-9]+ +failed=([0-9]+).*/\1 \2/p" "$1" | tail -1
}

# playbook <log> <expect: changed|unchanged> <ansible-playbook args...>: through the checkout's collection
playbook() {
  local log=$1 expect=$2; shift 2
  (cd "$WORK" && lp_env ANSIBLE_COLLECTIONS_PATH="$ROOT/collections" ansible-playbook -i "$WORK/hosts" "$@") >"$log" 2>&1
  local rc=$? counts
  counts=$(recap "$log")
  echo "  ansible-playbook $(basename "$log" .log): rc=$rc changed/failed=${counts:-none}"
  [[ $rc == 0 && -n $counts ]] || { show_log "$log"; return 1; }
  local changed failures
  read -r changed failures <<<"$counts"
  [[ $failures == 0 ]] || { show_log "$log"; return 1; }
  if [[ $expect == changed ]]; then [[ $changed -gt 0 ]] || fail "expected a change, got changed=$changed"
  else [[ $changed == 0 ]] || { show_log "$log" 60; fail "expected changed=0, got changed=$changed"; }; fi
}

# left_in_app_ns <app_id>: objects of the instance (or its release) still in the namespace, as admin
left_in_app_ns() {
  admin -n "$APP_NS" get daemonsets,deployments,services,configmaps,secrets,serviceaccounts,networkpolicies,poddisruptionbudgets \
    -o name 2>/dev/null | grep -E "/$1-|/sh\.helm\.release\.v1\.$1\." || true
}

# -- 0. least privilege ----------------------------------------------------------------------------
step_rbac() {
  admin get service dapr-sentry -n dapr-system >/dev/null 2>&1 || fail "no Dapr control plane in dapr-system (make demo installs it)" || return
  # namespaces of an interrupted run may still be terminating
  admin wait --for=delete "namespace/$APP_NS" "namespace/$SYS_NS" --timeout=120s >/dev/null 2>&1
  admin apply -f "$HERE/rbac.yml" >"$WORK/logs/rbac.log" 2>&1 || { show_log "$WORK/logs/rbac.log"; return 1; }
  admin -n "$SYS_NS" create token "$SA" --duration=30m >"$WORK/token" 2>"$WORK/logs/token.log" ||
    { show_log "$WORK/logs/token.log"; return 1; }
  admin config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$WORK/ca.crt"
  API_HOST=$(admin config view --minify -o jsonpath='{.clusters[0].cluster.server}')
  [[ -s $WORK/ca.crt && -n $API_HOST ]] || fail "cannot read the API server and its CA from $ADMIN_KUBECONFIG" || return
  echo "  API server $API_HOST, token of $SYS_NS/$SA valid 30 min"
  printf '[dapr_clusters]\n%s ansible_connection=local ansible_python_interpreter="{{ ansible_playbook_python }}"\n' \
    "$HOST_NAME" >"$WORK/hosts"
  # what the token may do, asked with the token itself (no kubeconfig involved)
  can() { kubectl --kubeconfig=/dev/null --server="$API_HOST" --certificate-authority="$WORK/ca.crt" \
    --token="$(cat "$WORK/token")" auth can-i "$@" 2>/dev/null; }
  [[ $(can create daemonsets.apps -n "$APP_NS") == yes ]] || fail "the token cannot create DaemonSets in $APP_NS" || return
  for denied in "list namespaces" "list clusterroles.rbac.authorization.k8s.io" "create daemonsets.apps -n default" \
                "list secrets -n dapr-system" "get configmaps -n dapr-system"; do
    # shellcheck disable=SC2086
    [[ $(can $denied) == no ]] || fail "the token may '$denied': it has more than namespaced rights" || return
  done
  [[ $(can get configmaps/dapr-trust-bundle -n dapr-system) == yes ]] || fail "the token cannot read the trust bundle" || return
  echo "  token: namespaced rights only (no namespaces list, no ClusterRoles, nothing in default, no Secrets of dapr-system)"
}

# -- 0b. impersonation ------------------------------------------------------------------------------
# K8S_AUTH_IMPERSONATE_USER must reach our modules as it reaches kubernetes.core's: the admin credential
# then acts as the awx ServiceAccount, which may not read the namespace default. A module that built its own
# client without impersonation would answer with the admin's full rights.
info_as() { # info_as <log> <module> <module args> [VAR=value...]: an ad-hoc run with the admin kubeconfig
  local log=$1 module=$2 args=$3; shift 3
  (cd "$WORK" && env -i PATH="$ROOT/.venv/bin:$HELM_FIRST$CACHE/bin:/usr/local/bin:/usr/bin:/bin" HOME="$WORK/home" \
    LANG=C.UTF-8 ANSIBLE_COLLECTIONS_PATH="$ROOT/collections" K8S_AUTH_KUBECONFIG="$ADMIN_KUBECONFIG" "$@" \
    ansible localhost -e ansible_python_interpreter="$ROOT/.venv/bin/python" -m "$module" -a "$args") >"$log" 2>&1
}

step_impersonation() {
  local who=system:serviceaccount:$SYS_NS:$SA check module args log rc
  info_as "$WORK/logs/info-admin.log" daprkit.dapr.dapr_shared_info namespace=default ||
    { show_log "$WORK/logs/info-admin.log"; fail "dapr_shared_info as admin failed"; return; }
  for check in "kubernetes.core.k8s_info|kind=Service namespace=default" "daprkit.dapr.dapr_shared_info|namespace=default"; do
    module=${check%%|*} args=${check#*|} log=$WORK/logs/impersonated-${check%%|*}.log
    info_as "$log" "$module" "$args" K8S_AUTH_IMPERSONATE_USER="$who"; rc=$?
    if [[ $rc == 0 ]] || ! grep -q "forbidden" "$log" || ! grep -qF "$who" "$log"; then
      show_log "$log"; fail "$module with K8S_AUTH_IMPERSONATE_USER=$who (rc=$rc) was not refused as $who"; return
    fi
    echo "  $module as admin impersonating $who: refused ($(grep -oE 'is forbidden: User [^ ]+' "$log" | head -1))"
  done
  echo "  dapr_shared_info as admin without impersonation: rc 0 (the refusals above are the impersonated user's)"
}

# playbook_as <log> <playbook> <vars file> [VAR=value...]: ansible-playbook with the admin kubeconfig and the
# given K8S_AUTH_* variables (impersonation); rc of the run
playbook_as() {
  local log=$1 play=$2 vars=$3; shift 3
  (cd "$WORK" && env -i PATH="$ROOT/.venv/bin:$HELM_FIRST$CACHE/bin:/usr/local/bin:/usr/bin:/bin" HOME="$WORK/home" \
    LANG=C.UTF-8 ANSIBLE_COLLECTIONS_PATH="$ROOT/collections" K8S_AUTH_KUBECONFIG="$ADMIN_KUBECONFIG" "$@" \
    ansible-playbook -i "$WORK/hosts" -e @"$vars" "$play") >"$log" 2>&1
}

step_impersonation_helm() {
  "$ROOT/tools/cluster/shared-chart-present" >/dev/null 2>&1 ||
    { echo "  the official dapr-shared chart is not in the local registry (make cluster-mirror)"; return 77; }
  local who=system:serviceaccount:$SYS_NS:$SA v=$WORK/imp-helm.yml log rc counts
  # 1. without rbac-helm.yml: every step of the module is allowed to the ServiceAccount, the chart's lookup of
  #    two ClusterRoles is not. Helm running as the admin (the impersonation dropped) would install.
  admin delete -f "$HERE/rbac-helm.yml" --ignore-not-found >/dev/null 2>&1
  write_vars "$v" awximp helm deployment present
  log=$WORK/logs/imp-helm-denied.log
  playbook_as "$log" "$ROOT/playbooks/shared.yml" "$v" K8S_AUTH_IMPERSONATE_USER="$who"; rc=$?
  if [[ $rc == 0 ]] || ! grep -q 'helm upgrade --install failed' "$log" || ! grep -q forbidden "$log" ||
     ! grep -qF "$who" "$log" || ! grep -q clusterroles "$log"; then
    show_log "$log" 40; fail "method helm under K8S_AUTH_IMPERSONATE_USER=$who (rc=$rc) was not stopped in Helm as $who"; return
  fi
  admin -n "$APP_NS" get secret sh.helm.release.v1.awximp.v1 >/dev/null 2>&1 && fail "a release was stored anyway" && return
  echo "  helm as admin impersonating $who, without the lookup right: stopped in helm" \
    "($(grep -oE 'is forbidden: User [^ ]+ cannot get resource [^ ]+' "$log" | head -1))"
  # 2. with it: installed, re-run changed=0, removed, all impersonated
  admin apply -f "$HERE/rbac-helm.yml" >>"$WORK/logs/rbac.log" 2>&1 || { show_log "$WORK/logs/rbac.log"; return 1; }
  for run in install:changed rerun:unchanged remove:changed; do
    [[ ${run%%:*} == remove ]] && write_vars "$v" awximp helm deployment absent
    log=$WORK/logs/imp-helm-${run%%:*}.log
    playbook_as "$log" "$ROOT/playbooks/shared.yml" "$v" K8S_AUTH_IMPERSONATE_USER="$who"; rc=$?
    counts=$(recap "$log")
    echo "  impersonated helm ${run%%:*}: rc=$rc changed/failed=${counts:-none}"
    [[ $rc == 0 && ${counts#* } == 0 ]] || { show_log "$log"; fail "impersonated helm ${run%%:*} failed"; return; }
    if [[ ${run#*:} == changed ]]; then [[ ${counts% *} -gt 0 ]] || fail "expected a change" || return
    else [[ ${counts% *} == 0 ]] || { show_log "$log" 60; fail "expected changed=0"; return; }; fi
  done
  admin delete -f "$HERE/rbac-helm.yml" --ignore-not-found >/dev/null 2>&1
  local left; left=$(left_in_app_ns awximp)
  [[ -z $left ]] || fail "left after removal: $left" || return
  # 3. the control-plane role: nothing of dapr-system may change
  local before after cp=$WORK/imp-cp.yml
  before=$(admin -n dapr-system get secrets -l owner=helm -o name | sort | tr '\n' ' ')
  # the local chart and images, should the role ever get past its checks (it must not)
  printf -- '---\ndapr_control_plane_chart_ref: oci://localhost:5000/charts/dapr\ndapr_control_plane_plain_http: true\n' >"$cp"
  printf 'dapr_control_plane_registry: %s\n' "${DAPRD_IMAGE%/daprd}" >>"$cp"
  log=$WORK/logs/imp-cp-sa.log
  playbook_as "$log" "$ROOT/playbooks/control_plane.yml" "$cp" K8S_AUTH_IMPERSONATE_USER="$who"; rc=$?
  if [[ $rc == 0 ]] || ! grep -q forbidden "$log" || ! grep -qF "$who" "$log"; then
    show_log "$log" 40; fail "the control-plane role under K8S_AUTH_IMPERSONATE_USER=$who (rc=$rc) was not stopped as $who"; return
  fi
  echo "  control-plane role as admin impersonating $who: stopped ($(grep -oE 'is forbidden: User [^ ]+' "$log" | head -1))"
  log=$WORK/logs/imp-cp-masters.log
  playbook_as "$log" "$ROOT/playbooks/control_plane.yml" "$cp" K8S_AUTH_IMPERSONATE_USER=daprkit-test-admin \
    K8S_AUTH_IMPERSONATE_GROUPS=system:masters; rc=$?
  if [[ $rc == 0 ]] || ! grep -q 'kubernetes.core.helm cannot pass impersonate_user, impersonate_groups to Helm' "$log"; then
    show_log "$log" 40; fail "the control-plane role ran Helm although it would drop the impersonation (rc=$rc)"; return
  fi
  echo "  control-plane role impersonating system:masters: refused before Helm (kubernetes.core.helm would drop it)"
  after=$(admin -n dapr-system get secrets -l owner=helm -o name | sort | tr '\n' ' ')
  [[ $before == "$after" ]] || fail "dapr-system's Helm releases changed: $before -> $after" || return
  echo "  dapr-system: the same Helm release revisions before and after ($before)"
}

write_vars() { # write_vars <file> <app_id> <method> <strategy> <state>
  cat >"$1" <<EOF
---
dapr_shared_create_namespaces: false
dapr_shared_daprd_image: $DAPRD_IMAGE
dapr_shared_helm_chart_ref: oci://localhost:5000/charts/dapr-shared-chart
dapr_shared_helm_plain_http: true
dapr_shared_instances:
  - app_id: $2
    namespace: $APP_NS
    method: $3
    strategy: $4
    state: $5
EOF
}

step_lp_manifests() {
  local v=$WORK/manifests.yml
  write_vars "$v" awxnode manifests daemonset present
  playbook "$WORK/logs/lp-manifests-install.log" changed -e @"$v" "$ROOT/playbooks/shared.yml" || return
  admin -n "$APP_NS" rollout status daemonset/awxnode-dapr-shared --timeout=60s >/dev/null || fail "DaemonSet not ready" || return
  playbook "$WORK/logs/lp-manifests-rerun.log" unchanged -e @"$v" "$ROOT/playbooks/shared.yml" || return
  write_vars "$v" awxnode manifests daemonset absent
  playbook "$WORK/logs/lp-manifests-remove.log" changed -e @"$v" "$ROOT/playbooks/shared.yml" || return
  local left; left=$(left_in_app_ns awxnode)
  [[ -z $left ]] || fail "left after removal: $left" || return
  echo "  removed: nothing of awxnode left in $APP_NS (kubectl as admin)"
}

step_lp_helm() {
  "$ROOT/tools/cluster/shared-chart-present" >/dev/null 2>&1 ||
    { echo "  the official dapr-shared chart is not in the local registry (make cluster-mirror)"; return 77; }
  admin apply -f "$HERE/rbac-helm.yml" >>"$WORK/logs/rbac.log" 2>&1 || { show_log "$WORK/logs/rbac.log"; return 1; }
  local v=$WORK/helm.yml rc=0
  write_vars "$v" awxhelm helm deployment present
  playbook "$WORK/logs/lp-helm-install.log" changed -e @"$v" "$ROOT/playbooks/shared.yml" &&
    admin -n "$APP_NS" get secret sh.helm.release.v1.awxhelm.v1 >/dev/null 2>&1 &&
    playbook "$WORK/logs/lp-helm-rerun.log" unchanged -e @"$v" "$ROOT/playbooks/shared.yml" || rc=1
  write_vars "$v" awxhelm helm deployment absent
  playbook "$WORK/logs/lp-helm-remove.log" changed -e @"$v" "$ROOT/playbooks/shared.yml" || rc=1
  admin delete -f "$HERE/rbac-helm.yml" --ignore-not-found >/dev/null 2>&1
  [[ $rc == 0 ]] || return 1
  local left; left=$(left_in_app_ns awxhelm)
  [[ -z $left ]] || fail "left after removal: $left" || return
  echo "  removed: no release Secret, no object of awxhelm left in $APP_NS"
}

# -- 1. ansible-runner and the installed collection ------------------------------------------------
step_install_collection() {
  # from $WORK without ANSIBLE_CONFIG: the checkout's collections/ must not count as "already installed"
  (cd "$WORK" && env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH ansible-galaxy collection build "$ROOT" \
    --output-path "$WORK/dist" && env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH ansible-galaxy collection \
    install "$WORK"/dist/daprkit-dapr-*.tar.gz --no-deps --force -p "$WORK/collections") >"$WORK/logs/build.log" 2>&1 ||
    { show_log "$WORK/logs/build.log"; return 1; }
  [[ -f $WORK/collections/ansible_collections/daprkit/dapr/MANIFEST.json ]] ||
    { show_log "$WORK/logs/build.log"; fail "the collection was not installed from its archive"; return; }
  echo "  built and installed $(basename "$WORK"/dist/daprkit-dapr-*.tar.gz) (MANIFEST.json: an installed copy, not the checkout)"
}

# private_data_dir <dir> <the dir as the runner sees it> <app_id> <strategy> [image]: AWX's layout; with
# "image", no project collections: the job must use the collection the execution environment holds
private_data_dir() {
  local pdd=$1 seen=$2
  mkdir -p "$pdd/env" "$pdd/inventory" "$pdd/project" "$pdd/requirements_collections"
  cp -r "$HERE/private_data_dir/project/." "$pdd/project/"
  # where AWX installs the collections of the project's collections/requirements.yml
  [[ ${5:-} == image ]] || cp -r "$WORK/collections/." "$pdd/requirements_collections/"
  cp "$WORK/hosts" "$pdd/inventory/hosts"
  cp "$WORK/ca.crt" "$pdd/env/k8s-ca.crt"
  write_vars "$pdd/env/extravars" "$3" manifests "$4" present
  # the credential as AWX injects a Kubernetes bearer token credential: environment variables
  cat >"$pdd/env/envvars" <<EOF
---
K8S_AUTH_HOST: $API_HOST
K8S_AUTH_API_KEY: $(cat "$WORK/token")
K8S_AUTH_SSL_CA_CERT: $seen/env/k8s-ca.crt
ANSIBLE_COLLECTIONS_PATH: $seen/requirements_collections:/usr/share/ansible/collections
EOF
  chmod 600 "$pdd/env/envvars"
}

# job_result <pdd> <ident>: "status rc changed failed" from ansible-runner's artifacts
job_result() {
  python3 - "$1/artifacts/$2" "$HOST_NAME" <<'EOF'
import glob, json, os, sys
art, host = sys.argv[1:3]
read = lambda name: open(os.path.join(art, name)).read().strip() if os.path.exists(os.path.join(art, name)) else '?'
stats = None
for path in glob.glob(os.path.join(art, 'job_events', '*.json')):
    event = json.load(open(path))
    if event.get('event') == 'playbook_on_stats':
        stats = event['event_data']
changed = (stats or {}).get('changed', {}).get(host, 0) if stats else '?'
failures = sum(((stats or {}).get(k) or {}).get(host, 0) for k in ('failures', 'dark')) if stats else '?'
print(read('status'), read('rc'), changed, failures)
EOF
}

# runner_job <pdd> <ident> <expect: changed|unchanged> <command...>: one job and its assertions
runner_job() {
  local pdd=$1 ident=$2 expect=$3; shift 3
  "$@" >"$WORK/logs/$ident.log" 2>&1
  local rc=$? result
  result=$(job_result "$pdd" "$ident")
  echo "  job $ident: exit $rc, status rc changed failed = $result"
  local status job_rc changed failures
  read -r status job_rc changed failures <<<"$result"
  [[ $rc == 0 && $status == successful && $job_rc == 0 && $failures == 0 ]] ||
    { show_log "$WORK/logs/$ident.log" 40; return 1; }
  if [[ $expect == changed ]]; then [[ $changed -gt 0 ]] || fail "expected a change, got changed=$changed"
  else [[ $changed == 0 ]] || { show_log "$WORK/logs/$ident.log" 60; fail "expected changed=0, got changed=$changed"; }; fi
}

host_runner() { # host_runner <pdd> <ident>
  lp_env ansible-runner run "$1" -p site.yml --ident "$2"
}

step_runner() {
  local pdd=$WORK/runner
  private_data_dir "$pdd" "$pdd" awxrunner deployment
  runner_job "$pdd" runner-install changed host_runner "$pdd" runner-install || return
  admin -n "$APP_NS" rollout status deployment/awxrunner-dapr-shared --timeout=60s >/dev/null || fail "Deployment not ready" || return
  runner_job "$pdd" runner-rerun unchanged host_runner "$pdd" runner-rerun || return
  # a second job template: the same project and credential, the instance marked absent
  write_vars "$pdd/env/extravars" awxrunner manifests deployment absent
  runner_job "$pdd" runner-remove changed host_runner "$pdd" runner-remove || return
  local left; left=$(left_in_app_ns awxrunner)
  [[ -z $left ]] || fail "left after removal: $left" || return
}

step_empty_inventory() {
  local pdd=$WORK/empty
  private_data_dir "$pdd" "$pdd" awxempty deployment
  printf '# an inventory that names no cluster\n[webservers]\nweb1 ansible_connection=local\n' >"$pdd/inventory/hosts"
  host_runner "$pdd" empty >"$WORK/logs/empty.log" 2>&1
  local rc=$? status
  status=$(cat "$pdd/artifacts/empty/status" 2>/dev/null)
  echo "  job empty: exit $rc, status ${status:-?}"
  [[ $rc != 0 && $status == failed ]] || { show_log "$WORK/logs/empty.log"; fail "an inventory without a cluster host must fail"; return; }
  grep -q "No host of the inventory matches 'dapr_clusters'" "$pdd/artifacts/empty/stdout" ||
    { show_log "$WORK/logs/empty.log"; fail "the failure does not say how to target a cluster"; return; }
  echo "  message: $(grep -o "No host of the inventory matches 'dapr_clusters'[^.]*\." "$pdd/artifacts/empty/stdout" | head -1)"
}

# -- 2. the execution environment -------------------------------------------------------------------
kubernetes_core_dir() { python3 -c 'import ansible_collections.kubernetes.core as k; print(next(iter(k.__path__)))'; }
EE_SAMPLE=$ROOT/docs/execution-environment
collection_archive() { find "$WORK/dist" -name 'daprkit-dapr-*.tar.gz' 2>/dev/null | head -1; }

ee_inputs_key() { # everything the image is made of, so that a second run skips an unchanged build
  {
    sha256sum "$EE_SAMPLE/execution-environment.yml" "$EE_SAMPLE/ee-local/README.md" "$HERE/ee-base/Dockerfile" \
      "$HERE/collection_archive.py" "$CACHE/bin/helm" "$(kubernetes_core_dir)/MANIFEST.json" | cut -d' ' -f1
    # the collection's archive by content (its FILES.json lists every file's checksum; the tar's dates vary)
    tar -xzOf "$(collection_archive)" FILES.json | sha256sum | cut -d' ' -f1
    docker image inspect -f '{{.Id}}' "$EE_BASE_FROM"
    ansible-builder --version
    echo "$EE_BUILDER_PIP"
  } | sha256sum | cut -c1-12
}

step_ee_build() {
  docker image inspect "$EE_BASE_FROM" >/dev/null 2>&1 || fail "$EE_BASE_FROM is absent (make images builds it)" || return
  [[ -x $CACHE/bin/helm ]] || fail "no helm at $CACHE/bin/helm (make images builds it)" || return
  [[ -n $(collection_archive) ]] || fail "no collection archive (the installed-collection step builds it)" || return
  local key; key=$(ee_inputs_key)
  EE_IMAGE=$EE_REPO:$key
  if docker image inspect "$EE_IMAGE" >/dev/null 2>&1; then
    echo "  $EE_IMAGE exists: its inputs are unchanged, no build"
  else
    local base=$EE_REPO-base:$key ctx=$WORK/ee
    DOCKER_BUILDKIT=0 docker build -q --build-arg BASE_IMAGE="$EE_BASE_FROM" -t "$base" "$HERE/ee-base" \
      >"$WORK/logs/ee-base.log" 2>&1 || { show_log "$WORK/logs/ee-base.log"; return 1; }
    # the sample definition as users copy it, next to its local inputs: the collection's archive (from
    # ansible-galaxy collection build, step 2), wheels, the kubernetes.core archive, helm
    mkdir -p "$ctx/ee-local/collections"
    cp "$EE_SAMPLE/execution-environment.yml" "$ctx/"
    cp "$EE_SAMPLE/ee-local/README.md" "$ctx/ee-local/"
    cp "$(collection_archive)" "$ctx/ee-local/daprkit-dapr.tar.gz"
    cp "$CACHE/bin/helm" "$ctx/ee-local/helm"
    local kc; kc=$(kubernetes_core_dir)
    python3 "$HERE/collection_archive.py" "$kc" \
      "$ctx/ee-local/collections/kubernetes-core-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["collection_info"]["version"])' "$kc/MANIFEST.json").tar.gz" \
      >"$WORK/logs/ee-wheels.log" 2>&1 || { show_log "$WORK/logs/ee-wheels.log"; return 1; }
    # the Python packages of every stage: the definition's, and what introspection finds in both collections
    # (daprkit.dapr installed from its archive, so its meta/execution-environment.yml is what is read)
    python3 - "$ctx/execution-environment.yml" >"$ctx/user-pip.txt" 2>>"$WORK/logs/ee-wheels.log" <<'EOF'
import sys, yaml
deps = yaml.safe_load(open(sys.argv[1]))['dependencies']
print('\n'.join([deps['ansible_core']['package_pip'], deps['ansible_runner']['package_pip']] + deps.get('python', [])))
EOF
    mkdir -p "$ctx/introspect/ansible_collections/kubernetes"
    ln -s "$kc" "$ctx/introspect/ansible_collections/kubernetes/core"
    env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH ansible-galaxy collection install --offline --no-deps --force \
      -p "$ctx/introspect" "$ctx/ee-local/daprkit-dapr.tar.gz" >>"$WORK/logs/ee-wheels.log" 2>&1 ||
      { show_log "$WORK/logs/ee-wheels.log"; return 1; }
    ansible-builder introspect --user-pip "$ctx/user-pip.txt" --write-pip "$ctx/pip.txt" "$ctx/introspect" \
      >>"$WORK/logs/ee-wheels.log" 2>&1 || { show_log "$WORK/logs/ee-wheels.log"; return 1; }
    # the base is Debian bookworm: CPython 3.11, glibc 2.36
    # shellcheck disable=SC2086
    python3 -m pip download -q -d "$ctx/ee-local/wheels" --only-binary=:all: --python-version 3.11 --implementation cp \
      --abi cp311 --abi abi3 --abi none --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
      --platform manylinux_2_34_x86_64 --platform any -r "$ctx/pip.txt" $EE_BUILDER_PIP \
      >>"$WORK/logs/ee-wheels.log" 2>&1 || { show_log "$WORK/logs/ee-wheels.log"; return 1; }
    echo "  context: $(find "$ctx/ee-local/wheels" -name '*.whl' | wc -l) wheels, $(ls "$ctx/ee-local/collections"), helm $("$CACHE/bin/helm" version --short)"
    # Debian has no dnf: apt-get is named, but bindep finds every declared system package (ca-certificates)
    # already in the base, so the package manager is never run (PKGMGR_PRESERVE_CACHE=always skips its cache
    # cleaning); --offline: Galaxy is never contacted (kubernetes.core comes from ee-local/collections)
    DOCKER_BUILDKIT=0 ansible-builder build --container-runtime docker -f "$ctx/execution-environment.yml" \
      -c "$ctx/context" -t "$EE_IMAGE" --build-arg EE_BASE_IMAGE="$base" --build-arg PKGMGR=/usr/bin/apt-get \
      --build-arg PKGMGR_PRESERVE_CACHE=always --build-arg PIP_NO_INDEX=1 \
      --build-arg PIP_FIND_LINKS=/opt/ee-local/wheels --build-arg ANSIBLE_GALAXY_CLI_COLLECTION_OPTS=--offline \
      -v 2 >"$WORK/logs/ee-build.log" 2>&1 || { show_log "$WORK/logs/ee-build.log" 40; return 1; }
    docker rmi "$base" >/dev/null 2>&1 || true
    echo "  built $EE_IMAGE with ansible-builder"
  fi
  # what the image must hold, asked of the image
  docker run --rm "$EE_IMAGE" bash -c 'ansible-galaxy collection list daprkit.dapr 2>/dev/null | grep -E "^daprkit.dapr " &&
    ansible-galaxy collection list kubernetes.core 2>/dev/null | grep -E "^kubernetes.core " &&
    python3 -c "import kubernetes; print(\"kubernetes\", kubernetes.__version__)" && helm version --short &&
    ansible-runner --version && ansible --version | head -1' >"$WORK/logs/ee-contents.log" 2>&1 ||
    { show_log "$WORK/logs/ee-contents.log"; fail "the image lacks daprkit.dapr, kubernetes.core, the kubernetes library, helm or ansible-runner"; return; }
  sed 's/^/  image: /' "$WORK/logs/ee-contents.log"
  # older images of this test go (only the one of the current inputs is kept)
  docker images "$EE_REPO" --format '{{.Repository}}:{{.Tag}}' | grep -vx "$EE_IMAGE" | xargs -r docker rmi >/dev/null 2>&1 || true
}

ee_runner() { # ee_runner <pdd> <ident>: the job inside the image, as AWX runs it (the data dir at /runner)
  docker run --rm --network host -v "$1:/runner" "$EE_IMAGE" ansible-runner run /runner -p site.yml --ident "$2"
}

step_ee_run() {
  [[ -n ${EE_IMAGE:-} ]] || fail "no image (the build step failed)" || return
  local pdd=$WORK/ee-job
  private_data_dir "$pdd" /runner awxee daemonset image
  # the image runs as uid 1000; $WORK (0700) keeps the data dir private on the host
  chmod -R a+rwX "$pdd"
  runner_job "$pdd" ee-install changed ee_runner "$pdd" ee-install || return
  admin -n "$APP_NS" rollout status daemonset/awxee-dapr-shared --timeout=60s >/dev/null || fail "DaemonSet not ready" || return
  runner_job "$pdd" ee-rerun unchanged ee_runner "$pdd" ee-rerun || return
  write_vars "$pdd/env/extravars" awxee manifests daemonset absent
  chmod a+r "$pdd/env/extravars"
  runner_job "$pdd" ee-remove changed ee_runner "$pdd" ee-remove || return
  local left; left=$(left_in_app_ns awxee)
  [[ -z $left ]] || fail "left after removal: $left" || return
}

started=$(date +%s)
step "least-privilege token (Role in $APP_NS, read in dapr-system, no ClusterRole)" step_rbac
if [[ $failed == 0 ]]; then
  step "impersonation: K8S_AUTH_IMPERSONATE_USER reaches dapr_shared_info as it reaches kubernetes.core" \
    step_impersonation
  step "impersonation reaches Helm: method helm and the control-plane role as the impersonated user" \
    step_impersonation_helm
  step "least privilege: manifests install, re-run changed=0, remove" step_lp_manifests
  step "least privilege: helm install, re-run changed=0, remove" step_lp_helm
  step "installed collection (ansible-galaxy build + install)" step_install_collection
  step "ansible-runner: private data dir, daprkit.dapr.shared, re-run changed=0, remove" step_runner
  step "ansible-runner: inventory without a cluster host fails with the collection's message" step_empty_inventory
  step "execution environment: ansible-builder build (cached by content)" step_ee_build
  step "execution environment: the job inside the image, re-run changed=0, remove" step_ee_run
fi
echo
echo "test-awx summary ($(( $(date +%s) - started ))s):"
printf '  %s\n' "${results[@]}"
exit $failed
