# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: the Helm post-renderer of the helm backend.

Helm renders the official dapr-shared chart and pipes the manifests through this program, which
replaces each object the collection also renders (workload, Service, ServiceAccount) with the
collection's own object under the chart's name and labels, drops what must not reach the cluster,
and adds the objects the chart lacks (trust anchors, NetworkPolicy). What it drops, and why:

- ClusterRole/ClusterRoleBinding: the chart grants every release read access to every Secret in
  the cluster, for an init container that copies the issuer key into the app namespace;
- the chart's Secret: the API token lives in a Secret of the collection, outside Helm's history;
- hooks (Helm 4 post-renders them, Helm 3 does not; the collection uninstalls with --no-hooks for
  Helm 3): the pre-delete Pod pulls rancher/kubectl from Docker Hub to delete the ConfigMap only
  upstream's init container makes.

An object of the chart this program does not know makes it fail, so a new chart version cannot
slip anything past it. The module (_helm_host) writes this file, with the plan, next to the helm
it runs; it therefore imports nothing from the collection (stdlib and PyYAML only).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

DROPPED_KINDS = ('ClusterRole', 'ClusterRoleBinding', 'Secret')
HOOK_ANNOTATION = 'helm.sh/hook'
ERROR_FILE = 'error'
HELM_LABELS = ('helm.sh/chart', 'app.kubernetes.io/managed-by')


class PostRenderError(Exception):
    pass


def _key(obj):
    return '%s/%s' % (obj.get('kind'), (obj.get('metadata') or {}).get('name'))


def post_render(chart_objects, plan):
    """The objects Helm installs. plan: {objects: [...]} as computed by _helm.release_plan()."""
    wanted = dict((_key(o), o) for o in plan['objects'])
    out, seen = [], set()
    for obj in chart_objects:
        if not obj:
            continue
        meta = obj.get('metadata') or {}
        if HOOK_ANNOTATION in (meta.get('annotations') or {}) or obj.get('kind') in DROPPED_KINDS:
            continue
        key = _key(obj)
        if key not in wanted:
            raise PostRenderError('the chart renders %s, which the daprkit.dapr post-renderer does not know; '
                                  'use the chart version the collection supports' % key)
        ours = json.loads(json.dumps(wanted[key]))
        # Ours win (app.kubernetes.io/version names the daprd, not the chart), but for Helm's own two
        # (helm.sh/chart, managed-by Helm); the chart's other labels stay. So the objects are exactly what
        # the module's dry runs planned.
        chart_labels = meta.get('labels') or {}
        labels = dict(chart_labels)
        labels.update(ours['metadata'].get('labels') or {})
        labels.update((k, v) for k, v in chart_labels.items() if k in HELM_LABELS)
        ours['metadata']['labels'] = labels
        out.append(ours)
        seen.add(key)
    for key in sorted(set(wanted) - seen):
        if wanted[key].get('_from_chart'):
            raise PostRenderError('the chart did not render %s; use the chart version the collection supports' % key)
        out.append(json.loads(json.dumps(wanted[key])))  # an object the chart lacks (trust anchors, NetworkPolicy)
    for obj in out:
        obj.pop('_from_chart', None)
    return out


def main(plan, stdin=None, stdout=None):
    import yaml  # a dependency of ansible-core and of the kubernetes client, present wherever helm runs here

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        objects = post_render(list(yaml.safe_load_all(stdin)), plan)
    except PostRenderError as exc:
        message = 'daprkit.dapr post-renderer: %s\n' % exc
        sys.stderr.write(message)
        if os.environ.get('HELM_PLUGIN_DIR'):
            # Helm 4 runs a post-renderer plugin without showing its stderr: the module reads this file
            with open(os.path.join(os.environ['HELM_PLUGIN_DIR'], ERROR_FILE), 'w') as out:
                out.write(message)
        return 1
    yaml.safe_dump_all(objects, stdout, default_flow_style=False)
    return 0
