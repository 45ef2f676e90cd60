# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: what dapr_shared_info reports of the instances it finds (both backends)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.daprkit.dapr.plugins.module_utils import _app
from ansible_collections.daprkit.dapr.plugins.module_utils import _names as S
from ansible_collections.daprkit.dapr.plugins.module_utils import _waiter
from ansible_collections.daprkit.dapr.plugins.module_utils._parallel import each

WORKLOAD_SELECTOR = '%s in (%s,%s)' % (S.LABEL_NAME, S.APP_NAME, S.HELM_CHART_NAME)


def describe_workload(workload, pods, cluster_domain):
    """Pure: what the info module reports of one workload and its pods."""
    meta = workload['metadata']
    template = workload['spec']['template']
    labels = meta.get('labels') or {}
    app_id = (template['metadata'].get('annotations') or {}).get(S.ANNOTATION_APP_ID) or \
        (template['metadata'].get('labels') or {}).get(S.ANNOTATION_APP_ID) or ''
    daprd = next((c for c in template['spec']['containers'] if c['name'] == 'daprd'),
                 template['spec']['containers'][0])
    token = None
    for env in daprd.get('env') or []:
        ref = (env.get('valueFrom') or {}).get('secretKeyRef')
        if env.get('name') == 'DAPR_API_TOKEN' and ref:
            token = dict(secret_name=ref.get('name'), secret_key=ref.get('key'))
    backend = 'helm' if labels.get(S.LABEL_MANAGED_BY) == S.HELM_MANAGED_BY else 'manifests'
    return dict(
        app_id=app_id,
        namespace=meta['namespace'],
        backend=backend,
        helm_release=(meta.get('annotations') or {}).get('meta.helm.sh/release-name') if backend == 'helm' else None,
        strategy='daemonset' if workload['kind'] == 'DaemonSet' else 'deployment',
        workload='%s %s' % (workload['kind'], meta['name']),
        image=daprd.get('image'),
        readiness=_waiter.summarize(workload, pods),
        endpoints=S.endpoints(app_id, meta['namespace'], cluster_domain),
        api_token=token,
        app_target=_app.target_of_container(daprd, meta['namespace'], cluster_domain),
    )


def gather(service, namespace=None, app_id=None, cluster_domain='cluster.local'):
    found = []
    for api_version, kind in (('apps/v1', 'DaemonSet'), ('apps/v1', 'Deployment')):
        for workload in service.list(api_version, kind, namespace=namespace, label_selector=WORKLOAD_SELECTOR):
            workload['kind'] = kind
            pods = service.list('v1', 'Pod', namespace=workload['metadata']['namespace'],
                                label_selector=S.label_selector(workload['spec']['selector']['matchLabels']))
            entry = describe_workload(workload, pods, cluster_domain)
            if app_id and entry['app_id'] != app_id:
                continue
            found.append(entry)
    apps = each(lambda entry: _app.read_presence(service, entry['app_target'], _app.daprd_pods(entry['readiness'])), found)
    for entry, app in zip(found, apps):
        del entry['app_target']
        entry['app'] = app
    return sorted(found, key=lambda e: (e['namespace'], e['app_id']))
