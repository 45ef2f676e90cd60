#!/usr/bin/env python3
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


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'docs', 'bench', 'results.json')
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(path), 'bench.png')
    r = json.load(open(path))
    t = r['timings']
    fig, axes = plt.subplots(2, 3, figsize=(16, 9))
    fig.suptitle('make bench, %s, %d cores, one run (%.1f min): ratios side by side' % (
        r['started'], r['cores'], r.get('wall_seconds', 0) / 60), fontsize=12)

    ax = axes[0][0]
    who = [(k, lbl) for k, lbl in (('manifests', 'ours: manifests'), ('helm', 'ours: helm'), ('chart', 'official chart'))
           if '%s_first_install' % k in t]
    bars(ax, [lbl for _, lbl in who], [
        ('first install', [t['%s_first_install' % k]['seconds'] for k, _ in who], SIDE),
        ('no-op', [t['%s_noop' % k]['seconds'] for k, _ in who], SHARED)],
        'Two instances: ours against helm upgrade --install', 'seconds')

    ax = axes[0][1]
    sizes = sorted(r['scaling'], key=int)
    if sizes:
        xs = [int(s) for s in sizes]
        ax.plot(xs, [r['scaling'][s]['first_install'] for s in sizes], 'o-', color=SIDE, label='first install')
        ax.plot(xs, [r['scaling'][s]['noop'] for s in sizes], 'o-', color=SHARED, label='no-op')
        base = r['scaling'][sizes[0]]['first_install']
        ax.axhline(3 * base, ls='--', color='grey', lw=1, label='goal: 3 x t(%s) first install' % sizes[0])
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
        bars(ax, labels, [
            ('%d sidecars' % side['daprd_containers'], [side['memory_mib'], 1000 * side['cpu_idle_cores'],
                                                        1000 * side['cpu_load_cores'],
                                                        statistics.median(e['sidecar_pod_start_s'])], SIDE),
            ('shared daemonset (%d daprd)' % shared['daprd_containers'], [
                shared['memory_mib'], 1000 * shared['cpu_idle_cores'], 1000 * shared['cpu_load_cores'],
                statistics.median(e['shared_pod_start_s'])], SHARED)],
            'Economics: %d app pods on 2 workers' % len(e['shared_pod_start_s']), '')
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
    drawn = ax.bar([lbl for _, lbl in keys], [loc[k] for k, _ in keys],
                   color=[SHARED, SHARED, SIDE, DEP][:len(keys)])
    ax.bar_label(drawn, fmt='%.0f%%', fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_title("Locality: state reads served on the caller's node", fontsize=10)
    ax.set_ylabel('%', fontsize=8)
    ax.tick_params(axis='x', labelsize=8)

    fig.tight_layout()
    fig.savefig(out, dpi=80)
    print('bench picture: %s' % os.path.relpath(out, ROOT))
    return 0


if __name__ == '__main__':
    sys.exit(main())
