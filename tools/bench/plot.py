"""Draw docs/bench/bench.png from the results file of `make bench` (tools/bench/bench.py).

  plot.py [RESULTS.json [OUT.png]]
"""
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIDE, SHARED, DEP = '#d62728', '#1f77b4', '#2ca02c'


def bars(ax, labels, series, title, unit):
    width = 0.8 / len(series)
    for i, (name, values, color) in enumerate(series):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(labels))]
        drawn = ax.bar(xs, values, width, label=name, color=color)
        ax.bar_label(drawn, fmt='%.3g', fontsize=6)
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit, fontsize=8)
    ax.legend(fontsize=7)


def verdict(r, name, value=None, at_most=None):
    """': met' or ': **missed**' as the run printed it for a ratio with a goal; for the results of a run from before
    the goals were printed, judged here from the value against at_most; '' when neither is known."""
    goal = (r.get('goals') or {}).get(name)
    met = goal['met'] if goal else (None if value is None or at_most is None else value <= at_most)
    return '' if met is None else (': met' if met else ': **missed**')


def markdown(r):
    """The README's table: one row per ratio line of the run, with the figures it is made of."""
    t, e, loc, sc = r['timings'], r['economics'], r['locality'], r['scaling']
    rows = []

    def row(what, figures, ratio=None):
        rows.append('| %s | %s | %s |' % (what, figures, '' if ratio is None else '**%.2f**' % ratio))
    ratios = r['ratios']
    for m in ('manifests', 'helm'):
        if '%s_first_install' % m in t and 'chart_first_install' in t:
            row('ours (`method: %s`) / official chart: first install, goal <= 1.1' % m, '%.1f s / %.1f s' % (
                t['%s_first_install' % m]['seconds'], t['chart_first_install']['seconds']),
                ratios.get('ratio install ours(%s)/helm' % m))
            row('ours (`method: %s`) / official chart: no-op' % m, '%.1f s / %.1f s (ours changed=0)' % (
                t['%s_noop' % m]['seconds'], t['chart_noop']['seconds']), ratios.get('ratio noop ours(%s)/helm' % m))
        if '%s_noop' % m in t and 'floor_ansible_one_read' in t:
            name = 'ratio noop ours(%s)/floor' % m
            value = ratios.get(name, t['%s_noop' % m]['seconds'] / t['floor_ansible_one_read']['seconds'])
            row('ours (`method: %s`) no-op / one-read floor, goal <= 1.2%s' % (m, verdict(r, name, value, 1.2)),
                '%.1f s / %.1f s' % (t['%s_noop' % m]['seconds'], t['floor_ansible_one_read']['seconds']), value)
    floors = (('one_task', 'one task', 'one debug task'),
              ('one_read', 'one k8s_info', 'one `kubernetes.core.k8s_info` read'))
    for key, floor, what in floors:
        if 'floor_ansible_%s' % key in t and 'chart_noop' in t:
            row('floor: ansible-playbook with %s / official chart no-op' % what, '%.1f s / %.1f s' % (
                t['floor_ansible_%s' % key]['seconds'], t['chart_noop']['seconds']),
                ratios.get('ratio floor ansible-playbook %s/helm noop' % floor))
    peer = r.get('peer') or {}
    for size in sorted(peer, key=int):
        ours, kcore = peer[size]['ours'], peer[size]['kcore_helm']
        for step, what, goal in (('install', 'first install', 0.5), ('noop', 'no-op', 0.3)):
            name = 'ratio peer %s ours/kcore_helm (%s instances)' % (step, size)
            row('%s instances, %s: ours / one `kubernetes.core.helm` task per instance%s' % (
                size, what, ', goal <= %s%s' % (goal, verdict(r, name)) if name in r.get('goals', {}) else ''),
                '%.1f s / %.1f s' % (ours[step], kcore[step]), ratios.get(name))
        if 'floor_ansible_one_read' in t:
            name = 'ratio noop ours/floor (%s instances)' % size
            row('%s instances, no-op: ours / one-read floor, goal <= 1.2%s' % (size, verdict(r, name)),
                '%.1f s / %.1f s' % (ours['noop'], t['floor_ansible_one_read']['seconds']), ratios.get(name))
    sizes = sorted(sc, key=int)
    if sizes:
        lo, hi = sizes[0], sizes[-1]
        if all('floor_kubectl' in sc[s] for s in sizes):
            name = 'scaling t%s ours/kubectl' % hi
            value = ratios.get(name, sc[hi]['first_install'] / sc[hi]['floor_kubectl'])
            figures = '%.1f s / %.1f s' % (sc[hi]['first_install'], sc[hi]['floor_kubectl'])
            row('scaling first install t%s: ours / the same objects with `kubectl apply` + `kubectl wait`, goal <= 1%s'
                % (hi, verdict(r, name, value, 1)), figures, value)
        row('scaling first install t%s/t%s' % (hi, lo), ' / '.join(
            '%s: %.1f s' % (s, sc[s]['first_install']) for s in sizes), ratios.get('scaling t%s/t%s' % (hi, lo)))
        row('scaling no-op t%s/t%s' % (hi, lo), ' / '.join('%s: %.1f s' % (s, sc[s]['noop']) for s in sizes),
            ratios.get('scaling noop t%s/t%s' % (hi, lo)))
        if all('floor_kubectl' in sc[s] for s in sizes):
            row('floor: the same objects with `kubectl apply` + `kubectl wait`, t%s/t%s' % (hi, lo), ' / '.join(
                '%s: %.1f s' % (s, sc[s]['floor_kubectl']) for s in sizes),
                ratios.get('scaling floor kubectl t%s/t%s' % (hi, lo)))
    if 'sidecars' in e and 'shared' in e:
        side, shared = e['sidecars'], e['shared']
        n = len(e['shared_pod_start_s'])
        row('daprd memory, %d app pods: sidecars / shared daemonset' % n,
            '%.0f MiB (%d daprd) / %.0f MiB (%d daprd)'
            % (side['memory_mib'], side['daprd_containers'], shared['memory_mib'], shared['daprd_containers']),
            ratios.get('daprd memory sidecars/shared'))
        row('daprd CPU idle: sidecars / shared', '%.0f / %.0f millicores' % (
            1000 * side['cpu_idle_cores'], 1000 * shared['cpu_idle_cores']),
            ratios.get('daprd cpu idle sidecars/shared'))
        row('daprd CPU under the same load (%d state reads, %d per pod at %g/s): sidecars / shared' % (
            side['load_requests'], side['load_requests'] // max(1, n), r.get('settings', {}).get('econ_rate', 0)),
            '%.0f / %.0f millicores' % (1000 * side['cpu_load_cores'], 1000 * shared['cpu_load_cores']),
            ratios.get('daprd cpu sidecars/shared'))
        row('app pod creation to Ready, median: sidecar / shared', '%.0f s / %.0f s' % (
            statistics.median(e['sidecar_pod_start_s']), statistics.median(e['shared_pod_start_s'])),
            ratios.get('pod start sidecar/shared'))
    for target, name in (('daemonset', 'p50 shared/sidecar (daemonset), goal <= 1.3'),
                         ('deployment', 'p50 deployment/sidecar')):
        lat = [x for x in r['latency'] if x['target'] in ('sidecar', target)]
        if {x['target'] for x in lat} == {'sidecar', target}:  # a run of part shared without part sidecar: no row
            parts = []
            for who in ('sidecar', target):
                for kind in ('state', 'invoke'):
                    p50 = [x['p50_ms'] for x in lat if x['target'] == who and x['stream'].startswith(kind)]
                    parts.append('%s %s %.1f ms' % (who, kind, statistics.median(p50)))
            row(name + ' (median over the 4 streams x 2 callers of the same-stream ratio)', ', '.join(parts),
                ratios.get(name.split(' (', maxsplit=1)[0].split(',', maxsplit=1)[0]))
    cold = r.get('coldstart') or {}
    if cold.get('sidecar') and cold.get('shared'):
        medians = '%.1f s / %.1f s' % (statistics.median(cold['sidecar']), statistics.median(cold['shared']))
        row('cold start to the first event, median of %d scale-ups from zero: sidecar / shared, goal >= 1.5'
            % cold['rounds'], medians, ratios.get('cold start to first event sidecar/shared'))
    if loc:
        row("locality: state reads served on the caller's node (new connection per read)", ', '.join(
            '%s %.0f%%' % (k, v) for k, v in sorted(loc.items()) if not k.endswith('_pods')))
    peak = max((v.get('peak_rss_mib', 0) for v in t.values()), default=0)
    row('peak RSS of ansible-playbook and its workers (largest over all runs)', '%d MiB' % peak)
    return '\n'.join(['| What | Figures | Ratio |', '| --- | --- | --- |'] + rows) + '\n'


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'docs', 'bench', 'results.json')
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(path), 'bench.png')
    r = json.load(open(path))
    t = r['timings']
    fig, axes = plt.subplots(2, 3, figsize=(16, 9))
    fig.suptitle('make bench, %s, %d cores, one run (%.1f min): ratios side by side' % (
        r['started'], r['cores'], r.get('wall_seconds', 0) / 60), fontsize=12)

    ax = axes[0][0]
    labels = (('manifests', 'ours: manifests'), ('helm', 'ours: helm'), ('chart', 'official chart'))
    who = [(k, lbl) for k, lbl in labels
           if '%s_first_install' % k in t]
    bars(ax, [lbl for _key, lbl in who], [
        ('first install', [t['%s_first_install' % k]['seconds'] for k, _label in who], SIDE),
        ('no-op', [t['%s_noop' % k]['seconds'] for k, _label in who], SHARED)],
        'Two instances: ours against helm upgrade --install', 'seconds')

    ax = axes[0][1]
    sizes = sorted(r['scaling'], key=int)
    if sizes:
        xs = [int(s) for s in sizes]
        ax.plot(xs, [r['scaling'][s]['first_install'] for s in sizes], 'o-', color=SIDE, label='first install')
        ax.plot(xs, [r['scaling'][s]['noop'] for s in sizes], 'o-', color=SHARED, label='no-op')
        if all('floor_kubectl' in r['scaling'][s] for s in sizes):
            ax.plot(xs, [r['scaling'][s]['floor_kubectl'] for s in sizes], 's:', color=DEP,
                    label='floor: same objects, kubectl apply + wait')
        ax.set_xticks(xs)
        ax.legend(fontsize=7)
    ax.set_title('Scaling: instances in one run (deployment, 1 replica each)', fontsize=10)
    ax.set_xlabel('instances', fontsize=8)
    ax.set_ylabel('seconds', fontsize=8)

    ax = axes[0][2]
    e = r['economics']
    if 'sidecars' in e and 'shared' in e:
        side, shared = e['sidecars'], e['shared']
        labels = ['daprd memory\n(MiB)', 'daprd CPU idle\n(millicores)', 'daprd CPU load\n(millicores)',
                  'app pod start\nmedian (s)']
        series = [
            ('%d sidecars' % side['daprd_containers'], [
                side['memory_mib'], 1000 * side['cpu_idle_cores'], 1000 * side['cpu_load_cores'],
                statistics.median(e['sidecar_pod_start_s'])], SIDE),
            ('shared daemonset (%d daprd)' % shared['daprd_containers'], [
                shared['memory_mib'], 1000 * shared['cpu_idle_cores'], 1000 * shared['cpu_load_cores'],
                statistics.median(e['shared_pod_start_s'])], SHARED)]
        bars(ax, labels, series, 'Economics: %d app pods on 2 workers' % len(e['shared_pod_start_s']), '')
        ax.set_yscale('log')

    for ax, prefix in ((axes[1][0], 'state'), (axes[1][1], 'invoke')):
        streams = ['%s-http' % prefix, '%s-grpc' % prefix]
        labels = ['%s %s' % (s, q) for s in streams for q in ('p50', 'p90', 'p99')]
        series = []
        for target, color in (('sidecar', SIDE), ('daemonset', SHARED), ('deployment', DEP)):
            values = []
            for s in streams:
                runs = [x for x in r['latency'] if x['target'] == target and x['stream'] == s]
                for q in ('p50_ms', 'p90_ms', 'p99_ms'):
                    got = [x[q] for x in runs if x[q] is not None]
                    values.append(statistics.median(got) if got else 0)
            series.append((target, values, color))
        bars(ax, labels, series, 'Latency %s (median over callers, one per worker)' % prefix, 'ms (log)')
        ax.set_yscale('log')
        ax.tick_params(axis='x', labelsize=7, labelrotation=30)

    ax = axes[1][2]
    loc = r['locality']
    keys = [(k, lbl) for k, lbl in (('manifests_daemonset', 'ours daemonset\n(manifests)'),
                                    ('helm_daemonset', 'ours daemonset\n(helm)'),
                                    ('chart_daemonset', 'official chart\ndaemonset'),
                                    ('deployment', 'ours deployment\n(2 replicas)')) if k in loc]
    drawn = ax.bar([lbl for _key, lbl in keys], [loc[k] for k, _label in keys],
                   color=[SHARED, SHARED, SIDE, DEP][:len(keys)])
    ax.bar_label(drawn, fmt='%.0f%%', fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_title("Locality: state reads served on the caller's node", fontsize=10)
    ax.set_ylabel('%', fontsize=8)
    ax.tick_params(axis='x', labelsize=8)

    fig.tight_layout()
    fig.savefig(out, dpi=80)
    print('bench picture: %s' % os.path.relpath(out, ROOT))
    table = os.path.join(os.path.dirname(out), 'table.md')
    with open(table, 'w') as handle:
        handle.write(markdown(r))
    print('bench table: %s' % os.path.relpath(table, ROOT))
    return 0


if __name__ == '__main__':
    sys.exit(main())
