"""`make bench`: every figure of issue 10 measured side by side in ONE run on the kind cluster.

Absolute times drift between machines and with whatever else the machine runs; the ratios are what
we track. Every line printed is also kept in the results file (docs/bench/results.json), from which
tools/bench/plot.py draws docs/bench/bench.png.

  1. ours against the official chart: first install and no-op, both backends (the demo inventory's
     two instances), and our --check --diff; no-op against the one-read floor (goal <= 1.2);
  1b. peer: ours against the playbook a user writes without this collection (tools/bench/peer_kcore_helm.yml: one
     kubernetes.core.helm task per instance over the official chart 0.0.16 from the local mirror), the same
     generated instances, 2 and 30 of them (BENCH_PEER_SIZES), first install and no-op of each; goals at 30:
     install <= 0.5x, no-op <= 0.3x; and our no-op against the one-read floor (goal <= 1.2);
  2. scaling: 1, 10 and 30 generated instances (strategy deployment, 1 replica each, own app ids,
     spread over 3 namespaces), first install and no-op, namespaces removed between sizes; goal: t30 no
     more than kubectl's apply + wait of the same objects;
  3. economics: 20 app pods on the 2 workers with the injected Dapr sidecar, then with one daemonset
     instance of ours: daprd memory (working set), daprd CPU idle and under the same bounded load
     (kubelet stats summary), app pod creation-to-Ready;
  4. latency: state get and invocation, HTTP and gRPC, from one caller per worker, through the sidecar,
     a daemonset instance and a deployment instance;
  5. locality: the share of state reads served by a daprd on the caller's node (each daprd's in-memory
     store is seeded with its own node name): daemonset instance of each backend, official chart;
  6. peak RSS of ansible-playbook and its workers next to every timing;
  7. cold start: an app scaled from zero to its first delivered event (Redis Streams, events published while it
     was at zero), with the injected sidecar (injector and daprd start included) against the same app behind a
     shared daprd that stayed up, alternated, median of BENCH_COLD_ROUNDS rounds each.

  8. fleet: the fleet inventory's instances (inventory/fleet) installed on one cluster, then on three (the main
     cluster and the two single-node ones of `make cluster-fleet`) in one run with forks 3, first install and
     no-op; goal: fleet t3/t1 <= 1.5. The fleet's small clusters are deleted afterwards.

BENCH_PARTS (comma-separated: helm, peer, scaling, sidecar, shared, coldstart, fleet; all by default) runs some of them;
BENCH_SKIP_SETUP=1 skips `make cluster`, the e2e image load and the control plane's playbook (the cluster is up).

Every load is bounded (a fixed count at a fixed rate) and targets cluster-internal addresses only.
Namespaces: bench-*; all of them are removed at the end, also on failure.
"""
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'collections'))
from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N  # noqa: E402

RESULTS = os.environ.get('BENCH_RESULTS', os.path.join(ROOT, 'docs', 'bench', 'results.json'))
SCALING_SIZES = [int(s) for s in os.environ.get('BENCH_SCALING_SIZES', '1,10,30').split(',')]
APP_PODS = int(os.environ.get('BENCH_APP_PODS', '20'))
LAT_COUNT = int(os.environ.get('BENCH_LATENCY_COUNT', '200'))    # requests per stream and caller
LAT_RATE = float(os.environ.get('BENCH_LATENCY_RATE', '20'))     # requests per second
LOCALITY_COUNT = int(os.environ.get('BENCH_LOCALITY_COUNT', '100'))  # state reads per caller and target
ECON_COUNT = int(os.environ.get('BENCH_ECON_COUNT', '100'))      # requests per app pod
ECON_RATE = float(os.environ.get('BENCH_ECON_RATE', '5'))
IDLE_SECONDS = int(os.environ.get('BENCH_IDLE_SECONDS', '30'))
COLD_ROUNDS = int(os.environ.get('BENCH_COLD_ROUNDS', '3'))      # scale-ups from zero per setup
COLD_EVENTS = 5                                                   # published while the app is at zero
REDIS = 'redis.dapr-redis.svc.cluster.local:6379'                 # make cluster runs it
E2E_IMAGE = os.environ.get('E2E_IMAGE', 'daprkit/e2e-client:0.1.0')  # as tests/e2e/build-image.sh names it
STREAMS = 'state-http,state-grpc,invoke-http,invoke-grpc'
WHOAMI = 'bench-whoami'

NS_OURS = 'bench-ours'            # part 1: our two instances
NS_CHART = 'bench-chart'          # part 1: the official chart's two releases
NS_SIDECAR = 'bench-sidecar'      # parts 3-4: injected sidecars
NS_SHARED = 'bench-shared'        # parts 3-5: our instances and their app pods
NS_CHART_LOCALITY = 'bench-chart-locality'
NS_COLD = 'bench-coldstart'       # part 7: the same app with a sidecar and behind a shared daprd
COLD_SIDECAR, COLD_SHARED = 'bench-cold-sidecar', 'bench-cold-shared'
SCALE_NAMESPACES = ['bench-scale-%d' % i for i in range(3)]
PEER_NAMESPACES = ['bench-peer-%d' % i for i in range(3)]  # part peer: ours, then the kubernetes.core.helm playbook
PEER_SIZES = [int(s) for s in os.environ.get('BENCH_PEER_SIZES', '2,30').split(',')]
SIDECAR_APP_ID = 'bench-sidecar'
DS, DEP, HDS, CHART = 'bench-ds', 'bench-dep', 'bench-hds', 'bench-chart'
MOUNT = '/bench'

results = dict(started=datetime.now(timezone.utc).isoformat(timespec='seconds'), cores=os.cpu_count(),
               lines=[], timings={}, ratios={}, goals={}, scaling={}, peer={}, economics={}, latency=[], locality={},
               coldstart={})


# -- plumbing -------------------------------------------------------------------------------------
def save():
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, 'w') as handle:
        json.dump(results, handle, indent=1, sort_keys=True)
        handle.write('\n')


def say(line):
    print(line, flush=True)
    results['lines'].append(line)
    save()


def sh(argv, stdin=None, check=True, timeout=900):
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode:
        raise RuntimeError('%s failed (%d):\n%s%s' % (' '.join(argv[:6]), proc.returncode,
                                                      proc.stdout[-3000:], proc.stderr[-3000:]))
    return proc.stdout


def kubectl(*args, stdin=None, check=True, timeout=900):
    return sh(['kubectl'] + list(args), stdin=stdin, check=check, timeout=timeout)


def kget(*args):
    return json.loads(kubectl('get', '-o', 'json', *args))


def apply(objects):
    kubectl('apply', '-f', '-', stdin=json.dumps(dict(apiVersion='v1', kind='List', items=objects)))


def versions():
    keys = ['DAPR_VERSION', 'DAPR_REGISTRY', 'DAPR_SHARED_CHART_VERSION', 'REGISTRY_HOST', 'REGISTRY_PORT']
    out = sh(['bash', '-c', '. tools/cluster/versions.env; printf "%s\\n" ' + ' '.join('"$%s"' % k for k in keys)])
    return dict(zip(keys, out.splitlines()))


def timed(label, argv, env=None):
    """Run a command; its wall time and the peak RSS of its largest process (ansible-playbook or a worker)."""
    with tempfile.NamedTemporaryFile() as rss:
        t0 = time.monotonic()
        proc = subprocess.run(['/usr/bin/time', '-f', '%M', '-o', rss.name] + argv, capture_output=True, text=True,
                              check=False, env=dict(os.environ, **(env or {})))
        seconds = time.monotonic() - t0
        peak = int(open(rss.name).read().strip().splitlines()[-1]) // 1024 if proc.returncode == 0 else 0
    if proc.returncode:
        raise RuntimeError('bench step %s failed:\n%s' % (label, (proc.stdout + proc.stderr)[-4000:]))
    changed = [w for w in proc.stdout.split() if w.startswith('changed=')]
    entry = dict(seconds=round(seconds, 2), peak_rss_mib=peak, recap=changed[0] if changed else '')
    results['timings'][label] = entry
    module = re.search(r'Install, update or remove the instances[ -]*([0-9.]+)s', proc.stdout)
    if module:  # with the profile_tasks callback: the one module call's share of the run
        entry['module_task_seconds'] = float(module.group(1))
    say('%-34s %8.1f s  peak %4d MiB  %s%s' % (label, seconds, peak, entry['recap'], (
        '  (module task %.1f s)' % entry['module_task_seconds']) if module else ''))
    return seconds


def ratio(name, value, goal=None, at_least=False):
    results['ratios'][name] = round(value, 3)
    if goal is None:
        say('%s: %.2f' % (name, value))
        return
    met = value >= goal if at_least else value <= goal
    results['goals'][name] = dict(goal=('>= %s' if at_least else '<= %s') % goal, met=met)
    say('%s: %.2f   (goal %s %s: %s)' % (name, value, '>=' if at_least else '<=', goal, 'met' if met else 'MISSED'))


def playbook(*args):
    return ['ansible-playbook', 'playbooks/shared.yml'] + list(args)


def extra(instances):
    """An extra-vars file with a generated instance list (extra vars win over the inventory's)."""
    handle = tempfile.NamedTemporaryFile('w', suffix='.json', delete=False)
    json.dump(dict(dapr_shared_instances=instances), handle)
    handle.close()
    return '@' + handle.name


def delete_namespaces(names, wait=True):
    kubectl('delete', 'namespace', '--ignore-not-found', '--wait=%s' % str(wait).lower(), *names, timeout=600)


def chart_present():
    return subprocess.run(['tools/cluster/shared-chart-present'], capture_output=True, check=False).returncode == 0


# -- the official chart, made runnable offline ----------------------------------------------------
def chart_install(v, release, namespace, app_id, strategy, replicas=1):
    """helm upgrade --install of the official chart with only what it needs to run here: the local
    mirror, our daprd image, Sentry/operator on 443 (upstream's port 80 never gets an identity), pull
    IfNotPresent, mTLS as the control plane has it. Everything else is the chart's default."""
    values = dict(shared=dict(
        appId=app_id, strategy=strategy, deployment=dict(replicas=replicas),
        daprd=dict(image=dict(registry=v['DAPR_REGISTRY'], name='daprd', tag=v['DAPR_VERSION'].lstrip('v'),
                              pullPolicy='IfNotPresent'), mtls=dict(enabled=True)),
        initContainer=dict(image=dict(pullPolicy='IfNotPresent')),
        controlPlane=dict(operator=dict(port=443), sentry=dict(port=443))))
    path = extra([])[1:]
    with open(path, 'w') as handle:
        json.dump(values, handle)
    return ['helm', 'upgrade', '--install', release, 'oci://%s:%s/charts/dapr-shared-chart' % (
        v['REGISTRY_HOST'], v['REGISTRY_PORT']), '--version', v['DAPR_SHARED_CHART_VERSION'], '--plain-http',
        '-n', namespace, '-f', path, '--wait', '--timeout', '300s']


def chart_uninstall(namespace, *releases):
    # the chart's pre-delete hook pulls rancher/kubectl from Docker Hub: offline only --no-hooks works
    sh(['helm', 'uninstall', '-n', namespace, '--no-hooks', '--wait'] + list(releases), check=False)


# -- part 1: ours against helm --------------------------------------------------------------------
def part_helm(v):
    # The demo inventory's two instances, in a namespace of the bench's own (the demo's may be in use)
    image = '%s/daprd' % v['DAPR_REGISTRY']
    arg = extra([dict(app_id='pernode', namespace=NS_OURS, strategy='daemonset', daprd_image=image),
                 dict(app_id='percluster', namespace=NS_OURS, strategy='deployment', replicas=2, daprd_image=image)])
    uninstall = ['ansible-playbook', 'playbooks/uninstall.yml', '-e', 'dapr_uninstall_control_plane=false', '-e', arg]
    delete_namespaces([NS_OURS])
    methods = ['manifests', 'helm'] if chart_present() else ['manifests']
    if 'helm' not in methods:
        say('method helm NOT measured: the official dapr-shared chart is not mirrored on this machine')
    profile = dict(ANSIBLE_CALLBACKS_ENABLED='ansible.posix.profile_tasks')  # the module task's share, printed
    for method in methods:
        method_arg = 'dapr_shared_method=%s' % method
        first = timed('%s_first_install' % method, playbook('-e', arg, '-e', method_arg), env=profile)
        noop = timed('%s_noop' % method, playbook('-e', arg, '-e', method_arg), env=profile)
        timed('%s_check' % method, playbook('-e', arg, '-e', method_arg, '--check', '--diff'), env=profile)
        ratio('ratio noop/first install (%s)' % method, noop / first)
        sh(uninstall + ['-e', method_arg])
    delete_namespaces([NS_OURS], wait=False)
    os.unlink(arg[1:])
    if not chart_present():
        say('helm upgrade --install of the official chart NOT measured: the chart is not mirrored on this machine')
        return
    kubectl('create', 'namespace', NS_CHART)
    script = tempfile.NamedTemporaryFile('w', suffix='.sh', delete=False)  # /usr/bin/time runs programs
    script.write('set -e\n%s\n%s\n' % (
        ' '.join(chart_install(v, 'pernode', NS_CHART, 'pernode', 'daemonset')),
        ' '.join(chart_install(v, 'percluster', NS_CHART, 'percluster', 'deployment', replicas=2))))
    script.close()
    chart_first = timed('chart_first_install', ['bash', script.name])
    chart_noop = timed('chart_noop', ['bash', script.name])
    # the no-op goal's floors: what any playbook costs here before it does anything, and with one read
    for floor, play in (('one task', 'one_task.yml'), ('one k8s_info', 'one_read.yml')):
        seconds = timed('floor_ansible_%s' % play[:-4],
                        ['ansible-playbook', os.path.join(ROOT, 'tools', 'bench', play)])
        ratio('ratio floor ansible-playbook %s/helm noop' % floor, seconds / chart_noop)
    one_read = results['timings']['floor_ansible_one_read']['seconds']
    for method in methods:
        ratio('ratio install ours(%s)/helm' % method,
              results['timings']['%s_first_install' % method]['seconds'] / chart_first, 1.1)
        # no goal against Helm's no-op: a playbook with one read of the cluster is slower than it (the floor above)
        ratio('ratio noop ours(%s)/helm' % method, results['timings']['%s_noop' % method]['seconds'] / chart_noop)
        ratio('ratio noop ours(%s)/floor' % method, results['timings']['%s_noop' % method]['seconds'] / one_read, 1.2)
    chart_uninstall(NS_CHART, 'pernode', 'percluster')
    delete_namespaces([NS_CHART], wait=False)


def pods_span(namespaces):
    """Seconds from the first daprd pod's creation to the last one's Ready (the wait's share of an install)."""
    created, ready = [], []
    for ns in namespaces:
        for pod in kget('pods', '-n', ns)['items']:
            created.append(pod['metadata']['creationTimestamp'])
            ready += [c['lastTransitionTime'] for c in pod['status'].get('conditions', [])
                      if c['type'] == 'Ready' and c['status'] == 'True']
    if not created or not ready:
        return 0.0

    def ts(value):
        return datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ').timestamp()
    return max(ts(r) for r in ready) - min(ts(c) for c in created)


# -- part 2: scaling --------------------------------------------------------------------------------
def part_scaling(v):
    image = '%s/daprd' % v['DAPR_REGISTRY']
    delete_namespaces(SCALE_NAMESPACES)
    for size in SCALING_SIZES:
        instances = [dict(app_id='bench-s%02d' % i, namespace=SCALE_NAMESPACES[i % len(SCALE_NAMESPACES)],
                          strategy='deployment', replicas=1, daprd_image=image) for i in range(size)]
        arg = extra(instances)
        profile = dict(ANSIBLE_CALLBACKS_ENABLED='ansible.posix.profile_tasks')
        first = timed('scaling_%d_first_install' % size, playbook('-e', arg), env=profile)
        spread = pods_span(SCALE_NAMESPACES)
        noop = timed('scaling_%d_noop' % size, playbook('-e', arg), env=profile)
        results['scaling'][str(size)] = dict(
            first_install=round(first, 2), noop=round(noop, 2), daprd_pods_created_to_all_ready=spread,
            module_task_first=results['timings']['scaling_%d_first_install' % size].get('module_task_seconds'),
            module_task_noop=results['timings']['scaling_%d_noop' % size].get('module_task_seconds'))
        say('scaling %2d instances: daprd pods, first created to last Ready: %.0f s' % (size, spread))
        made = exported(SCALE_NAMESPACES)
        t0 = time.monotonic()
        delete_namespaces(SCALE_NAMESPACES)
        results['scaling'][str(size)]['cleanup'] = round(time.monotonic() - t0, 2)
        os.unlink(arg[1:])
        results['scaling'][str(size)]['floor_kubectl'] = round(kubectl_install(size, made), 2)
        delete_namespaces(SCALE_NAMESPACES)
    small, large = str(min(SCALING_SIZES)), str(max(SCALING_SIZES))
    # no goal on t30/t1: the same objects made with kubectl scale worse (the floor below); the goal is kubectl's time
    ratio('scaling t%s/t%s' % (large, small), results['scaling'][large]['first_install'] /
          results['scaling'][small]['first_install'])
    ratio('scaling noop t%s/t%s' % (large, small), results['scaling'][large]['noop'] /
          results['scaling'][small]['noop'], 3)
    ratio('scaling floor kubectl t%s/t%s' % (large, small), results['scaling'][large]['floor_kubectl'] /
          results['scaling'][small]['floor_kubectl'])
    ratio('scaling t%s ours/kubectl' % large, results['scaling'][large]['first_install'] /
          results['scaling'][large]['floor_kubectl'], 1)


def exported(namespaces):
    """What an install made, as plain manifests without what the API server adds."""
    kinds = ('deployments,services,serviceaccounts,configmaps,secrets,poddisruptionbudgets,networkpolicies,'
             'configurations.dapr.io')
    objects = []
    for ns in namespaces:
        for obj in kget(kinds, '-n', ns, '-l', '%s=%s' % (N.LABEL_MANAGED_BY, N.MANAGED_BY))['items']:
            for key in ('uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields'):
                obj['metadata'].pop(key, None)
            (obj['metadata'].get('annotations') or {}).pop('deployment.kubernetes.io/revision', None)
            obj.pop('status', None)
            if obj['kind'] == 'Service':
                obj['spec'].pop('clusterIP', None)
                obj['spec'].pop('clusterIPs', None)
            objects.append(obj)
    return objects


def kubectl_install(size, objects):
    """The scaling floor: the objects of our install, created with kubectl, waited on until every pod is
    Ready. No tool makes the same objects start faster on this cluster."""
    path = extra([])[1:]
    with open(path, 'w') as handle:  # kubectl applies in order: the workloads after what they use
        json.dump(dict(apiVersion='v1', kind='List', items=sorted(objects, key=lambda o: o['kind'] == 'Deployment')),
                  handle)
    waited = sorted(set(o['metadata']['namespace'] for o in objects if o['kind'] == 'Deployment'))
    script = tempfile.NamedTemporaryFile('w', suffix='.sh', delete=False)
    script.write('set -e\n%s\nkubectl apply -f %s >/dev/null\n%s\n' % (
        '\n'.join('kubectl create namespace %s >/dev/null' % ns for ns in SCALE_NAMESPACES), path, '\n'.join(
            'kubectl wait --for=condition=Available deployment --all -n %s --timeout=300s >/dev/null' % ns
            for ns in waited)))
    script.close()
    try:
        return timed('scaling_%d_floor_kubectl' % size, ['bash', script.name])
    finally:
        os.unlink(path)
        os.unlink(script.name)


# -- part peer: ours against the playbook a user writes without this collection ---------------------
def peer_instances(size):
    """The peer part's instances: deployment, 1 replica, own app ids, spread over the peer namespaces."""
    return [dict(app_id='bench-p%02d' % i, namespace=PEER_NAMESPACES[i % len(PEER_NAMESPACES)],
                 strategy='deployment', replicas=1) for i in range(size)]


def peer_cleanup():
    """The kubernetes.core.helm releases the peer part made (Helm keeps their cluster-scoped RBAC outside the
    namespaces: uninstalled first, without the chart's hook, which pulls an image from Docker Hub), then what a
    release interrupted mid-install may have left of that RBAC, then the namespaces."""
    for namespace in PEER_NAMESPACES:
        releases = sh(['helm', 'list', '-q', '-a', '-n', namespace], check=False).split()
        if releases:
            chart_uninstall(namespace, *releases)
    left = [name for name in kubectl('get', 'clusterroles,clusterrolebindings', '-o', 'name').split()
            if name.split('/', 1)[1].startswith('bench-p') and '-dapr-shared-chart-' in name]
    if left:
        kubectl('delete', '--ignore-not-found', *left)
    delete_namespaces(PEER_NAMESPACES)


def peer_floor():
    """The one-read floor (ansible-playbook with one kubernetes.core.k8s_info): measured by part helm when it ran,
    else here."""
    known = results['timings'].get('floor_ansible_one_read')
    if known:
        return known['seconds']
    return timed('floor_ansible_one_read', ['ansible-playbook', os.path.join(ROOT, 'tools', 'bench', 'one_read.yml')])


def part_peer(v):
    """Ours (playbooks/shared.yml, the default method) against tools/bench/peer_kcore_helm.yml (one
    kubernetes.core.helm task per instance over the official chart), the same instances, 2 and 30 of them:
    first install and no-op of each, the namespaces removed between runs."""
    if not chart_present():
        say('peer part NOT measured: the official dapr-shared chart is not mirrored on this machine')
        return
    peer_cleanup()
    image = '%s/daprd' % v['DAPR_REGISTRY']
    profile = dict(ANSIBLE_CALLBACKS_ENABLED='ansible.posix.profile_tasks')
    for size in PEER_SIZES:
        instances = peer_instances(size)
        ours = extra([dict(i, daprd_image=image) for i in instances])
        peer = extra([])
        with open(peer[1:], 'w') as handle:
            json.dump(dict(peer_instances=instances, peer_daprd_registry=v['DAPR_REGISTRY'],
                           peer_daprd_tag=v['DAPR_VERSION'].lstrip('v')), handle)
        runs = dict(
            ours=lambda step, arg=ours: timed('peer_%d_ours_%s' % (size, step), playbook('-e', arg), env=profile),
            kcore_helm=lambda step, arg=peer: timed('peer_%d_kcore_helm_%s' % (size, step), [
                'ansible-playbook', os.path.join(ROOT, 'tools', 'bench', 'peer_kcore_helm.yml'), '-e', arg]))
        figures = {}
        for who, run in runs.items():
            figures[who] = dict(install=run('first_install'), noop=run('noop'))
            recap = results['timings']['peer_%d_%s_noop' % (size, who)]['recap']
            if recap != 'changed=0':
                say('peer %d %s: the no-op run changed something (%s): its no-op figure is not a no-op' % (
                    size, who, recap))
            peer_cleanup()
        os.unlink(ours[1:])
        os.unlink(peer[1:])
        results['peer'][str(size)] = figures
        at_goal = size == max(PEER_SIZES)
        ratio('ratio peer install ours/kcore_helm (%d instances)' % size,
              figures['ours']['install'] / figures['kcore_helm']['install'], 0.5 if at_goal else None)
        ratio('ratio peer noop ours/kcore_helm (%d instances)' % size,
              figures['ours']['noop'] / figures['kcore_helm']['noop'], 0.3 if at_goal else None)
    floor = peer_floor()
    for size in PEER_SIZES:
        ratio('ratio noop ours/floor (%d instances)' % size, results['peer'][str(size)]['ours']['noop'] / floor, 1.2)


FLEET_INVENTORY = os.path.join(ROOT, 'inventory', 'fleet')
FLEET_MAIN = 'kind-daprkit'


def fleet_playbook(name, *args):
    return ['ansible-playbook', '-i', FLEET_INVENTORY, os.path.join('playbooks', name), '--forks', '3'] + list(args)


def fleet_remove(*limit):
    sh(fleet_playbook('uninstall.yml', '-e', 'dapr_uninstall_control_plane=false', *limit), timeout=1200)


def part_fleet(v):
    """The fleet inventory's instances (playbooks/shared.yml) on the main cluster alone, then on the three clusters
    in one run (forks 3): first install and no-op of each. The control plane is installed on every cluster first
    (not timed); the fleet's small clusters are made first and deleted at the end."""
    sh(['make', '--no-print-directory', 'cluster-fleet'], timeout=3600)
    try:
        sh(fleet_playbook('control_plane.yml'), timeout=1800)
        fleet_remove()
        one = ('--limit', FLEET_MAIN)
        t1 = dict(install=timed('fleet_1_first_install', fleet_playbook('shared.yml', *one)),
                  noop=timed('fleet_1_noop', fleet_playbook('shared.yml', *one)))
        fleet_remove(*one)
        t3 = dict(install=timed('fleet_3_first_install', fleet_playbook('shared.yml')),
                  noop=timed('fleet_3_noop', fleet_playbook('shared.yml')))
        results['fleet'] = dict(t1=t1, t3=t3)
        ratio('fleet t3/t1', t3['install'] / t1['install'], 1.5)
        ratio('fleet t3/t1 noop', t3['noop'] / t1['noop'])
        fleet_remove(*one)
    finally:
        delete_namespaces(['dapr-fleet'], wait=False)
        sh(['make', '--no-print-directory', 'cluster-fleet-delete'], check=False)


# -- parts 3-5: apps, sidecars, shared daprd --------------------------------------------------------
def workers():
    nodes = kget('nodes')['items']
    return sorted(n['metadata']['name'] for n in nodes
                  if not any(t.get('key') == 'node-role.kubernetes.io/control-plane'
                             for t in n['spec'].get('taints') or []))


def statestore(namespace, scopes):
    return dict(apiVersion='dapr.io/v1alpha1', kind='Component', metadata=dict(name='statestore', namespace=namespace),
                spec=dict(type='state.in-memory', version='v1', metadata=[]), scopes=scopes)


def loadclient_configmap(namespace):
    with open(os.path.join(ROOT, 'tools', 'bench', 'loadclient.py')) as handle:
        code = handle.read()
    return dict(apiVersion='v1', kind='ConfigMap', metadata=dict(name='bench-loadclient', namespace=namespace),
                data={'loadclient.py': code})


def app_container(env=()):
    """The e2e app (serves /hello with its node and pod) with the bench's load client mounted."""
    return dict(
        name='app', image=E2E_IMAGE, imagePullPolicy='Never',
        command=['python3', '/opt/e2e/app.py', 'serve'], ports=[dict(containerPort=8080)],
        readinessProbe=dict(httpGet=dict(path='/healthz', port=8080), periodSeconds=2),
        securityContext=dict(allowPrivilegeEscalation=False, readOnlyRootFilesystem=True,
                             capabilities=dict(drop=['ALL'])),
        env=[dict(name='NODE_NAME', valueFrom=dict(fieldRef=dict(fieldPath='spec.nodeName'))),
             dict(name='POD_NAME', valueFrom=dict(fieldRef=dict(fieldPath='metadata.name')))] + list(env),
        volumeMounts=[dict(name='bench', mountPath=MOUNT, readOnly=True)])


def app_workload(kind, namespace, name, replicas=None, annotations=None, env=()):
    spec = dict(
        selector=dict(matchLabels=dict(app=name)),
        template=dict(
            metadata=dict(labels=dict(app=name), annotations=annotations or {}),
            spec=dict(
                automountServiceAccountToken=False, terminationGracePeriodSeconds=2,
                securityContext=dict(runAsNonRoot=True, runAsUser=65532, seccompProfile=dict(type='RuntimeDefault')),
                # the app pods spread evenly over the workers (the control plane is tainted: Honor)
                topologySpreadConstraints=[dict(maxSkew=1, topologyKey='kubernetes.io/hostname',
                                                whenUnsatisfiable='DoNotSchedule', nodeTaintsPolicy='Honor',
                                                labelSelector=dict(matchLabels=dict(app=name)))],
                containers=[app_container(env)],
                volumes=[dict(name='bench', configMap=dict(name='bench-loadclient'))])))
    if replicas is not None:
        spec['replicas'] = replicas
    return dict(apiVersion='apps/v1', kind=kind, metadata=dict(name=name, namespace=namespace), spec=spec)


def pods(namespace, selector):
    return kget('pods', '-n', namespace, '-l', selector)['items']


def pod_start_seconds(items):
    """creationTimestamp to the Ready condition, per pod (1 s resolution, as the API keeps them)."""
    def ts(value):
        return datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ').timestamp()
    out = []
    for pod in items:
        ready = next(c for c in pod['status']['conditions'] if c['type'] == 'Ready' and c['status'] == 'True')
        out.append(ts(ready['lastTransitionTime']) - ts(pod['metadata']['creationTimestamp']))
    return sorted(out)


def daprd_stats(namespace, pod_names):
    """Per daprd container of the given pods: cumulative CPU (ns) with its sample time, working set."""
    found = {}
    for node in kget('nodes')['items']:
        summary = json.loads(kubectl('get', '--raw', '/api/v1/nodes/%s/proxy/stats/summary' % node['metadata']['name']))
        for pod in summary.get('pods', []):
            ref = pod['podRef']
            if ref['namespace'] != namespace or ref['name'] not in pod_names:
                continue
            for c in pod.get('containers', []):
                if c['name'] == 'daprd' and 'usageCoreNanoSeconds' in c.get('cpu', {}):
                    t = datetime.strptime(c['cpu']['time'], '%Y-%m-%dT%H:%M:%SZ').timestamp()
                    found[ref['name']] = dict(cpu_ns=c['cpu']['usageCoreNanoSeconds'], t=t,
                                              ws=c['memory']['workingSetBytes'])
    return found


def cpu_seconds(before, after):
    """CPU seconds used by all the containers between two samples, and the mean sample window."""
    used, windows = 0.0, []
    for name, b in before.items():
        a = after.get(name)
        if a and a['t'] > b['t']:
            used += (a['cpu_ns'] - b['cpu_ns']) / 1e9
            windows.append(a['t'] - b['t'])
    return used, (sum(windows) / len(windows) if windows else 0.0)


def sample_after(namespace, names, not_before):
    """A stats sample whose every container was read after `not_before` (the kubelet samples every ~10 s)."""
    deadline = time.time() + 60
    while True:
        stats = daprd_stats(namespace, names)
        if (len(stats) == len(names) and min(s['t'] for s in stats.values()) >= not_before) or time.time() > deadline:
            return stats
        time.sleep(2)


def exec_client(namespace, pod, *args):
    out = kubectl('exec', '-n', namespace, pod, '-c', 'app', '--', 'python3', '%s/loadclient.py' % MOUNT, *args,
                  timeout=600)
    return [json.loads(line) for line in out.splitlines() if line.startswith('{')]


def economics(setup, namespace, app_pods, daprd_pods, target_args):
    """Idle, then every app pod sending the same bounded load: daprd CPU and memory of `setup`."""
    names = set(p['metadata']['name'] for p in daprd_pods)
    start = time.time()
    idle_a = sample_after(namespace, names, start)
    time.sleep(IDLE_SECONDS)
    idle_b = sample_after(namespace, names, idle_a and max(s['t'] for s in idle_a.values()) + IDLE_SECONDS)
    load_start = time.time()
    before = sample_after(namespace, names, load_start - 15)
    with ThreadPoolExecutor(max_workers=len(app_pods)) as pool:
        runs = list(pool.map(lambda p: exec_client(namespace, p['metadata']['name'], 'load', '--streams', 'state-http',
                                                   '--count', str(ECON_COUNT), '--rate', str(ECON_RATE),
                                                   '--label', 'economics-' + setup, *target_args(p)), app_pods))
    load_end = time.time()
    after = sample_after(namespace, names, load_end)
    streams = [s for run in runs for s in run]
    idle_used, idle_window = cpu_seconds(idle_a, idle_b)
    idle_cores = idle_used / idle_window if idle_window else 0.0
    # the load's own CPU: what the window used beyond the idle rate, spread over the load's duration
    used, window = cpu_seconds(before, after)
    excess = max(0.0, used - idle_cores * window)
    load_cores = idle_cores + excess / max(1.0, load_end - load_start)
    entry = dict(daprd_containers=len(names), memory_mib=round(sum(s['ws'] for s in after.values()) / 2 ** 20, 1),
                 idle_memory_mib=round(sum(s['ws'] for s in idle_b.values()) / 2 ** 20, 1),
                 cpu_idle_cores=round(idle_cores, 4), cpu_load_cores=round(load_cores, 4),
                 cpu_load_excess_seconds=round(excess, 3),
                 load_requests=sum(s['total'] for s in streams), load_failed=sum(s['failed'] for s in streams),
                 load_seconds=round(load_end - load_start, 1),
                 load_p50_ms=statistics.median([s['p50_ms'] for s in streams if s['p50_ms'] is not None] or [0]))
    results['economics'][setup] = entry
    say('economics %-8s daprd=%d memory=%.1f MiB (idle %.1f) cpu idle=%.3f cores load=%.3f cores requests=%d '
        'failed=%d' % (setup, entry['daprd_containers'], entry['memory_mib'], entry['idle_memory_mib'],
                       entry['cpu_idle_cores'], entry['cpu_load_cores'], entry['load_requests'], entry['load_failed']))


def one_per_worker(app_pods, nodes):
    return [next(p for p in app_pods if p['spec']['nodeName'] == n) for n in nodes]


def latency(target, namespace, callers, args, streams=STREAMS, count=LAT_COUNT):
    """Both callers at once (one per worker), streams one after the other."""
    with ThreadPoolExecutor(max_workers=len(callers)) as pool:
        runs = list(pool.map(lambda p: exec_client(namespace, p['metadata']['name'], 'load', '--streams', streams,
                                                   '--count', str(count), '--rate', str(LAT_RATE),
                                                   '--label', target, *args), callers))
    for run in runs:
        for s in run:
            s['target'] = target
            s['local_share'] = round(s['served'].get(s['caller_node'], 0) / max(1, s['total'] - s['failed']), 3)
            results['latency'].append(s)
            say('latency %-10s %-11s caller=%-16s total=%d failed=%d p50=%.1f p90=%.1f p99=%.1f ms served=%s' % (
                target, s['stream'], s['caller_node'], s['total'], s['failed'], s['p50_ms'] or 0, s['p90_ms'] or 0,
                s['p99_ms'] or 0, json.dumps(s['served'], sort_keys=True)))
    save()
    return [s for run in runs for s in run]


def p50(target, stream_prefix=''):
    values = [s['p50_ms'] for s in results['latency'] if s['target'] == target and s['stream'].startswith(stream_prefix)
              and s['p50_ms'] is not None]
    return statistics.median(values) if values else float('nan')


def p50_ratio(target):
    """Like for like: for each stream and caller, the target's p50 over the sidecar's; their median. (A median
    over different operations would jump between a state read's 1 ms and an invocation's tens.)"""
    sidecar = dict(((s['stream'], s['caller_node']), s['p50_ms']) for s in results['latency']
                   if s['target'] == 'sidecar' and s['p50_ms'])
    ratios = [s['p50_ms'] / sidecar[(s['stream'], s['caller_node'])] for s in results['latency']
              if s['target'] == target and s['p50_ms'] and (s['stream'], s['caller_node']) in sidecar]
    return statistics.median(ratios) if ratios else float('nan')


def locality(streams):
    """Share of state reads served by a daprd on the caller's own node."""
    state = [s for s in streams if s['stream'].startswith('state')]
    served = sum(s['total'] - s['failed'] for s in state)
    return 100.0 * sum(s['served'].get(s['caller_node'], 0) for s in state) / max(1, served)


def daprd_pods_of(namespace, app_id):
    """The daprd pods serving an app id, whoever installed them (their daprd container's --app-id)."""
    found = []
    for pod in kget('pods', '-n', namespace)['items']:
        for c in pod['spec']['containers']:
            argv = (c.get('command') or []) + (c.get('args') or [])
            if c['name'] == 'daprd' and ('--app-id=%s' % app_id in argv or any(
                    a == '--app-id' and argv[i + 1:i + 2] == [app_id] for i, a in enumerate(argv))):
                found.append(pod)
    return found


def seed(namespace, caller, daprd_pods, token_env=''):
    targets = ['http://%s:%d=%s' % (p['status']['podIP'], N.HTTP_PORT, p['spec']['nodeName']) for p in daprd_pods]
    token_args = ['--token-env', token_env] if token_env else []
    exec_client(namespace, caller, 'seed', '--key', WHOAMI, *token_args, *targets)


def part_sidecar(nodes):
    delete_namespaces([NS_SIDECAR])
    # no Pod Security label: the injected daprd keeps its capabilities (SIDECAR_DROP_ALL_CAPABILITIES=false)
    kubectl('create', 'namespace', NS_SIDECAR)
    apply([statestore(NS_SIDECAR, [SIDECAR_APP_ID]), loadclient_configmap(NS_SIDECAR)])
    image = kget('deployment', '-n', 'dapr-system', 'dapr-sidecar-injector')
    sidecar_image = next(e['value'] for c in image['spec']['template']['spec']['containers'] for e in c.get('env', [])
                         if e['name'] == 'SIDECAR_IMAGE')
    annotations = {'dapr.io/enabled': 'true', 'dapr.io/app-id': SIDECAR_APP_ID, 'dapr.io/app-port': '8080',
                   'dapr.io/sidecar-image': sidecar_image,
                   # like the shared daprd: no Kubernetes API token in the pod, so no built-in secret store
                   'dapr.io/disable-builtin-k8s-secret-store': 'true'}
    apply([app_workload('Deployment', NS_SIDECAR, 'bench-app', APP_PODS, annotations)])
    kubectl('rollout', 'status', '-n', NS_SIDECAR, 'deployment/bench-app', '--timeout=600s', timeout=700)
    apps = pods(NS_SIDECAR, 'app=bench-app')
    results['economics']['sidecar_pod_start_s'] = pod_start_seconds(apps)
    economics('sidecars', NS_SIDECAR, apps, apps, lambda p: [])
    callers = one_per_worker(apps, nodes)
    for caller in callers:
        exec_client(NS_SIDECAR, caller['metadata']['name'], 'seed', '--key', WHOAMI,
                    'http://127.0.0.1:%d=%s' % (N.HTTP_PORT, caller['spec']['nodeName']))
    latency('sidecar', NS_SIDECAR, callers, ['--app-id', SIDECAR_APP_ID])
    delete_namespaces([NS_SIDECAR], wait=False)


def part_shared(v, nodes):
    delete_namespaces([NS_SHARED, NS_CHART_LOCALITY])
    kubectl('create', 'namespace', NS_SHARED)
    echo_host = 'bench-echo.%s.svc.cluster.local' % NS_SHARED
    # The app the shared daprd call back (invocation target), one per worker; Local keeps a call on its node.
    echo = app_workload('DaemonSet', NS_SHARED, 'bench-echo')
    echo['spec']['template']['spec'].pop('topologySpreadConstraints')
    apply([statestore(NS_SHARED, [DS, DEP, HDS]), loadclient_configmap(NS_SHARED), echo,
           dict(apiVersion='v1', kind='Service', metadata=dict(name='bench-echo', namespace=NS_SHARED),
                spec=dict(selector=dict(app='bench-echo'), internalTrafficPolicy='Local',
                          ports=[dict(name='http', port=8080, targetPort=8080)]))])
    kubectl('rollout', 'status', '-n', NS_SHARED, 'daemonset/bench-echo', '--timeout=300s', timeout=400)
    image = '%s/daprd' % v['DAPR_REGISTRY']
    instances = [
        dict(app_id=DS, namespace=NS_SHARED, strategy='daemonset', remote_host=echo_host, remote_port=8080,
             daprd_image=image),
        dict(app_id=DEP, namespace=NS_SHARED, strategy='deployment', replicas=2, remote_host=echo_host,
             remote_port=8080, daprd_image=image),
        dict(app_id=HDS, namespace=NS_SHARED, strategy='daemonset', method='helm', daprd_image=image)]
    arg = extra(instances)
    timed('shared_instances_install', playbook('-e', arg))
    have_chart = chart_present()
    if have_chart:
        kubectl('create', 'namespace', NS_CHART_LOCALITY)
        apply([statestore(NS_CHART_LOCALITY, [CHART])])
        sh(chart_install(v, CHART, NS_CHART_LOCALITY, CHART, 'daemonset'))
    token_env = [dict(name='TOKEN_%s' % i, valueFrom=dict(secretKeyRef=dict(
        name=N.token_secret_name(app_id, 'api_token'), key='token', optional=True)))
        for i, app_id in enumerate((DS, DEP, HDS))]
    apply([app_workload('Deployment', NS_SHARED, 'bench-app', APP_PODS, env=token_env)])
    kubectl('rollout', 'status', '-n', NS_SHARED, 'deployment/bench-app', '--timeout=600s', timeout=700)
    apps = pods(NS_SHARED, 'app=bench-app')
    results['economics']['shared_pod_start_s'] = pod_start_seconds(apps)
    endpoint = {app_id: N.endpoints(app_id, NS_SHARED) for app_id in (DS, DEP, HDS)}

    def target(app_id, i):
        http = endpoint[app_id]['DAPR_HTTP_ENDPOINT']
        return ['--http', http, '--grpc', endpoint[app_id]['DAPR_GRPC_ENDPOINT'].split('://')[1],
                '--app-id', app_id, '--token-env', 'TOKEN_%d' % i]

    ds_pods = daprd_pods_of(NS_SHARED, DS)
    economics('shared', NS_SHARED, apps, ds_pods, lambda p: target(DS, 0))
    callers = one_per_worker(apps, nodes)
    first = callers[0]['metadata']['name']
    seed(NS_SHARED, first, ds_pods, 'TOKEN_0')
    seed(NS_SHARED, first, daprd_pods_of(NS_SHARED, DEP), 'TOKEN_1')
    seed(NS_SHARED, first, daprd_pods_of(NS_SHARED, HDS), 'TOKEN_2')
    latency('daemonset', NS_SHARED, callers, target(DS, 0))
    latency('deployment', NS_SHARED, callers, target(DEP, 1))
    # Locality: a new connection per request, so that the Service routes every request on its own
    # (one kept-open connection sticks to one daprd, whatever the Service's policy).
    locality_args = ['--reconnect']
    runs = dict(manifests_daemonset=latency('locality-ds', NS_SHARED, callers, target(DS, 0) + locality_args,
                                            streams='state-http', count=LOCALITY_COUNT),
                helm_daemonset=latency('locality-hds', NS_SHARED, callers, target(HDS, 2) + locality_args,
                                       streams='state-http', count=LOCALITY_COUNT),
                deployment=latency('locality-dep', NS_SHARED, callers, target(DEP, 1) + locality_args,
                                   streams='state-http', count=LOCALITY_COUNT))
    if have_chart:
        chart_pods = daprd_pods_of(NS_CHART_LOCALITY, CHART)
        seed(NS_SHARED, first, chart_pods)
        host = 'http://%s.%s.svc.cluster.local:%d' % (N.service_name(CHART), NS_CHART_LOCALITY, N.HTTP_PORT)
        runs['chart_daemonset'] = latency('locality-chart', NS_SHARED, callers, ['--http', host] + locality_args,
                                          streams='state-http', count=LOCALITY_COUNT)
        results['locality']['chart_daprd_pods'] = len(chart_pods)
    for key, streams in runs.items():
        results['locality'][key] = round(locality(streams), 1)
    sh(['ansible-playbook', 'playbooks/uninstall.yml', '-e', 'dapr_uninstall_control_plane=false', '-e', arg])
    os.unlink(arg[1:])
    if have_chart:
        chart_uninstall(NS_CHART_LOCALITY, CHART)


# -- part 7: cold start to the first event --------------------------------------------------------
COLD_SECURITY = dict(allowPrivilegeEscalation=False, readOnlyRootFilesystem=True, capabilities=dict(drop=['ALL']))


def cold_app(name, topic, annotations=None):
    """The scale_to_zero scenario's subscriber app (tests/e2e/scale_to_zero.py), at zero replicas: it records each
    delivery with its time (epoch ms) in a Redis list of its own."""
    app = app_workload('Deployment', NS_COLD, name, 0, annotations)
    spec = app['spec']['template']['spec']
    spec.pop('volumes')
    spec.pop('topologySpreadConstraints')
    spec['containers'] = [dict(
        name='app', image=E2E_IMAGE, imagePullPolicy='Never',
        command=['python3', '/opt/e2e/scale_to_zero.py', 'serve', '--pubsub', 'bench-cold', '--topic', topic,
                 '--redis', REDIS, '--record', topic + '.deliveries'],
        ports=[dict(containerPort=8080)],
        readinessProbe=dict(httpGet=dict(path='/healthz', port=8080), periodSeconds=1),
        securityContext=COLD_SECURITY,
        env=[dict(name='POD_NAME', valueFrom=dict(fieldRef=dict(fieldPath='metadata.name')))])]
    return app


def cold_driver_exec(driver, *args):
    return kubectl('exec', '-n', NS_COLD, driver, '--', 'python3', '/opt/e2e/scale_to_zero.py', *args, timeout=120)


def cold_round(driver, name, topic, run):
    """Events published while the app is at zero (through the shared daprd, which serves the API without its app),
    then the app scaled to one pod: seconds from the scale command to the first delivery the app recorded."""
    out = cold_driver_exec(driver, 'publish', '--via', COLD_SHARED, '--pubsub', 'bench-cold', '--topic', topic,
                           '--run', run, '--count', str(COLD_EVENTS), '--rate', '50', '--label', 'coldstart')
    if ' failed=0 ' not in out:
        raise RuntimeError('coldstart: publishing to %s failed: %s' % (topic, out))
    t0 = time.time()
    kubectl('scale', '-n', NS_COLD, 'deployment/%s' % name, '--replicas=1')
    deadline, first = time.time() + 180, None
    while first is None and time.time() < deadline:
        time.sleep(0.5)
        first = json.loads(cold_driver_exec(driver, 'count', '--redis', REDIS, '--record', topic + '.deliveries',
                                            '--run', run, '--count', str(COLD_EVENTS)))['first_ms']
    kubectl('scale', '-n', NS_COLD, 'deployment/%s' % name, '--replicas=0')
    kubectl('wait', '-n', NS_COLD, '--for=delete', 'pod', '-l', 'app=%s' % name, '--timeout=120s', timeout=150)
    if first is None:
        raise RuntimeError('coldstart: no event reached %s within 180 s of its scale-up' % name)
    return round(first / 1000.0 - t0, 2)


def part_coldstart(v):
    delete_namespaces([NS_COLD])
    # no Pod Security label: the injected daprd keeps its capabilities (as in part 3)
    kubectl('create', 'namespace', NS_COLD)
    topics = dict((app_id, '%s.%s.events' % (NS_COLD, app_id)) for app_id in (COLD_SIDECAR, COLD_SHARED))
    # processingTimeout and redeliverInterval in milliseconds, as in the scale_to_zero scenario (its vars.yml)
    apply([dict(apiVersion='dapr.io/v1alpha1', kind='Component', metadata=dict(name='bench-cold', namespace=NS_COLD),
                spec=dict(type='pubsub.redis', version='v1', metadata=[
                    dict(name='redisHost', value=REDIS), dict(name='redisPassword', value=''),
                    dict(name='processingTimeout', value='10000'), dict(name='redeliverInterval', value='2000'),
                    dict(name='maxLenApprox', value='1000')]),
                scopes=[COLD_SIDECAR, COLD_SHARED])])
    injector = kget('deployment', '-n', 'dapr-system', 'dapr-sidecar-injector')
    sidecar_image = next(e['value'] for c in injector['spec']['template']['spec']['containers']
                         for e in c.get('env', []) if e['name'] == 'SIDECAR_IMAGE')
    host = 'bench-cold-app.%s.svc.cluster.local' % NS_COLD
    apply([cold_app('bench-cold-sidecar-app', topics[COLD_SIDECAR], {
        'dapr.io/enabled': 'true', 'dapr.io/app-id': COLD_SIDECAR, 'dapr.io/app-port': '8080',
        'dapr.io/sidecar-image': sidecar_image, 'dapr.io/disable-builtin-k8s-secret-store': 'true'}),
        cold_app('bench-cold-app', topics[COLD_SHARED]),
        dict(apiVersion='v1', kind='Service', metadata=dict(name='bench-cold-app', namespace=NS_COLD),
             spec=dict(selector=dict(app='bench-cold-app'), ports=[dict(name='http', port=8080, targetPort=8080)]))])
    # the shared daprd stays up while its app comes and goes; app health checks stop deliveries while the app is
    # away and resume them within a second of its return (as a scale-to-zero platform would configure it)
    arg = extra([dict(app_id=COLD_SHARED, namespace=NS_COLD, strategy='deployment', replicas=1, remote_host=host,
                      remote_port=8080, daprd_image='%s/daprd' % v['DAPR_REGISTRY'],
                      app_health=dict(enabled=True, path='/healthz', probe_interval=1, threshold=2))])
    timed('coldstart_shared_install', playbook('-e', arg))
    names = N.endpoints(COLD_SHARED, NS_COLD)
    driver = app_workload('Deployment', NS_COLD, 'bench-cold-driver', 1)
    spec = driver['spec']['template']['spec']
    spec.pop('volumes')
    spec['containers'] = [dict(
        name='driver', image=E2E_IMAGE, imagePullPolicy='Never', command=['sleep', 'infinity'],
        securityContext=COLD_SECURITY,
        env=[dict(name='DAPR_HTTP_ENDPOINT_BENCH_COLD_SHARED', value=names['DAPR_HTTP_ENDPOINT']),
             dict(name='DAPR_API_TOKEN_BENCH_COLD_SHARED', valueFrom=dict(secretKeyRef=dict(
                 name=N.token_secret_name(COLD_SHARED, 'api_token'), key='token')))])]
    apply([driver])
    kubectl('rollout', 'status', '-n', NS_COLD, 'deployment/bench-cold-driver', '--timeout=180s', timeout=200)
    driver_pod = pods(NS_COLD, 'app=bench-cold-driver')[0]['metadata']['name']
    seconds = dict(sidecar=[], shared=[])
    for i in range(COLD_ROUNDS):
        # alternated, so that whatever else the machine does weighs on both alike
        seconds['sidecar'].append(cold_round(driver_pod, 'bench-cold-sidecar-app', topics[COLD_SIDECAR], 's%d' % i))
        seconds['shared'].append(cold_round(driver_pod, 'bench-cold-app', topics[COLD_SHARED], 'h%d' % i))
    results['coldstart'] = dict(seconds, rounds=COLD_ROUNDS, events=COLD_EVENTS)
    side, shared = statistics.median(seconds['sidecar']), statistics.median(seconds['shared'])
    say('cold start to first event, median of %d: sidecar %.1f s (%s), shared %.1f s (%s)' % (
        COLD_ROUNDS, side, ' '.join('%.1f' % x for x in seconds['sidecar']), shared,
        ' '.join('%.1f' % x for x in seconds['shared'])))
    ratio('cold start to first event sidecar/shared', side / max(0.1, shared), 1.5, at_least=True)
    cold_driver_exec(driver_pod, 'reset', '--redis', REDIS, *(list(topics.values()) +
                                                              [t + '.deliveries' for t in topics.values()]))
    sh(['ansible-playbook', 'playbooks/uninstall.yml', '-e', 'dapr_uninstall_control_plane=false', '-e', arg])
    os.unlink(arg[1:])
    delete_namespaces([NS_COLD], wait=False)


def report_apps():
    e = results['economics']
    side, shared = e.get('sidecars'), e.get('shared')
    if side and shared:
        ratio('daprd memory sidecars/shared', side['memory_mib'] / shared['memory_mib'])
        ratio('daprd cpu idle sidecars/shared', side['cpu_idle_cores'] / max(1e-6, shared['cpu_idle_cores']))
        ratio('daprd cpu sidecars/shared', side['cpu_load_cores'] / max(1e-6, shared['cpu_load_cores']))
        side_start = statistics.median(e['sidecar_pod_start_s'])
        shared_start = statistics.median(e['shared_pod_start_s'])
        say('pod start median: sidecar %.1f s, shared %.1f s (max %.0f / %.0f s)' % (
            side_start, shared_start, max(e['sidecar_pod_start_s']), max(e['shared_pod_start_s'])))
        ratio('pod start sidecar/shared', side_start / max(1.0, shared_start))
    for prefix in ('state', 'invoke'):
        say('p50 %s: sidecar %.2f ms, daemonset %.2f ms, deployment %.2f ms' % (
            prefix, p50('sidecar', prefix), p50('daemonset', prefix), p50('deployment', prefix)))
    ratio('p50 shared/sidecar', p50_ratio('daemonset'), 1.3)
    ratio('p50 deployment/sidecar', p50_ratio('deployment'))
    loc = results['locality']
    say('locality daemonset ours=%.0f%% (manifests) %.0f%% (helm) chart=%s deployment=%.0f%%' % (
        loc.get('manifests_daemonset', 0), loc.get('helm_daemonset', 0),
        '%.0f%%' % loc['chart_daemonset'] if 'chart_daemonset' in loc else 'NOT measured (chart not mirrored)',
        loc.get('deployment', 0)))


def main():
    os.chdir(ROOT)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit('bench: stopped (SIGTERM); removing the bench namespaces'))
    t0 = time.monotonic()
    results['load_average_start'] = os.getloadavg()
    results['settings'] = dict(app_pods=APP_PODS, latency_count=LAT_COUNT, latency_rate=LAT_RATE, econ_count=ECON_COUNT,
                               econ_rate=ECON_RATE, idle_seconds=IDLE_SECONDS, locality_count=LOCALITY_COUNT,
                               scaling_sizes=SCALING_SIZES, peer_sizes=PEER_SIZES)
    v = versions()
    if not os.environ.get('BENCH_SKIP_SETUP'):  # developing the bench: the cluster is known to be up
        sh(['make', '--no-print-directory', 'cluster'], timeout=3600)
        sh(['tests/e2e/load-image.sh'])
        sh(['ansible-playbook', 'playbooks/control_plane.yml'])
    nodes = workers()
    say('bench: %s on %d cores, workers %s, load average %.1f'
        % (results['started'], os.cpu_count(), ' '.join(nodes), os.getloadavg()[0]))
    parts = os.environ.get('BENCH_PARTS', 'helm,peer,scaling,sidecar,shared,coldstart,fleet').split(',')
    results['part_seconds'] = {}

    def part(name, fn, *args):
        if name not in parts:
            return
        started = time.monotonic()
        fn(*args)
        results['part_seconds'][name] = round(time.monotonic() - started, 1)
        say('bench part %s: %.0f s' % (name, results['part_seconds'][name]))
    try:
        part('helm', part_helm, v)
        part('peer', part_peer, v)
        part('scaling', part_scaling, v)
        part('sidecar', part_sidecar, nodes)
        part('shared', part_shared, v, nodes)
        if 'sidecar' in parts or 'shared' in parts:
            report_apps()
        part('coldstart', part_coldstart, v)
        part('fleet', part_fleet, v)
    finally:
        for namespace, releases in ((NS_OURS, ['pernode', 'percluster']), (NS_CHART, ['pernode', 'percluster']),
                                    (NS_SHARED, [HDS]), (NS_CHART_LOCALITY, [CHART])):
            chart_uninstall(namespace, *releases)  # Helm releases first: their Secrets go with the namespace
        if 'peer' in parts:
            try:
                peer_cleanup()
            except (RuntimeError, subprocess.SubprocessError) as err:  # the namespaces below still go
                print('bench: peer cleanup: %s' % err, file=sys.stderr)
                delete_namespaces(PEER_NAMESPACES, wait=False)
        delete_namespaces([NS_OURS, NS_CHART, NS_SIDECAR, NS_SHARED, NS_CHART_LOCALITY, NS_COLD] + SCALE_NAMESPACES,
                          wait=False)
        results['load_average_end'] = os.getloadavg()
        results['wall_seconds'] = round(time.monotonic() - t0, 1)
        say('bench wall time: %.0f s (%.1f min)' % (results['wall_seconds'], results['wall_seconds'] / 60))
    return 0


if __name__ == '__main__':
    sys.exit(main())
