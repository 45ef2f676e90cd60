# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: what dapr_shared_info reports of the instances it finds (both backends)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.daprkit.dapr.plugins.module_utils import _app
from ansible_collections.daprkit.dapr.plugins.module_utils import _names as S
from ansible_collections.daprkit.dapr.plugins.module_utils import _waiter
from ansible_collections.daprkit.dapr.plugins.module_utils import _wiring as W
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError, answer_or_refusal
from ansible_collections.daprkit.dapr.plugins.module_utils._parallel import each
from ansible_collections.daprkit.dapr.plugins.module_utils._render import fingerprint

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
    control_plane = next((env.get('value') for env in daprd.get('env') or []
                          if env.get('name') == 'DAPR_CONTROLPLANE_NAMESPACE'), None)
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
        trust_anchors=dict(control_plane=control_plane,
                           hash=(template['metadata'].get('annotations') or {}).get(S.ANNOTATION_TRUST_HASH)),
    )


def trust_anchors_status(found, bundle):
    """Pure: whether the trust anchors an instance's pod template carries (its annotation, written with the copy
    of ca.crt daprd reads) are the control plane's current bundle. `bundle` is the control plane's ConfigMap
    dapr-trust-bundle, or the DaprSharedError its read was refused with."""
    where = found.get('control_plane')
    if not where:
        return dict(current=None, control_plane=None,
                    reason='its daprd names no control plane (DAPR_CONTROLPLANE_NAMESPACE): not made by daprkit.dapr')
    if isinstance(bundle, DaprSharedError):
        return dict(current=None, control_plane=where, reason='could not read the control plane\'s trust bundle: %s'
                    % bundle.msg)
    ca_crt = ((bundle or {}).get('data') or {}).get('ca.crt')
    if not ca_crt:
        return dict(current=None, control_plane=where, reason='the control plane in namespace %s publishes no trust '
                    'bundle (ConfigMap %s, key ca.crt)' % (where, S.TRUST_BUNDLE))
    if found.get('hash') == fingerprint(ca_crt):
        return dict(current=True, control_plane=where, reason='its pods trust the control plane\'s current bundle')
    return dict(current=False, control_plane=where,
                reason='stale: the control plane\'s trust bundle changed (a root rotation?) since its pods were made; '
                       'a run of daprkit.dapr.dapr_shared copies the new bundle and rolls daprd')


def wiring_expectation(entry, daprd_workload, policy, cluster_domain):
    """Pure: what an app wired to this instance must carry, from what the cluster holds: the daprd pods' token
    (reference and hash) and the NetworkPolicy's clients (namespaces and pod labels)."""
    token = entry.get('api_token')
    rule = (((policy or {}).get('spec') or {}).get('ingress') or [{}])[0]
    sources = rule.get('from') or []
    client_namespaces = [((s.get('namespaceSelector') or {}).get('matchLabels') or {}).get('kubernetes.io/metadata.name')
                         for s in sources]
    labels = ((sources[0].get('podSelector') or {}).get('matchLabels') or {}) if sources else {}
    instance = dict(app_id=entry['app_id'], namespace=entry['namespace'], cluster_domain=cluster_domain,
                    api_token=dict(enabled=bool(token), secret_name=(token or {}).get('secret_name') or '',
                                   secret_key=(token or {}).get('secret_key') or 'token'),
                    network_policy=dict(enabled=policy is not None, client_pod_selector=dict(labels),
                                        client_namespaces=[ns for ns in client_namespaces if ns]))
    annotations = (((daprd_workload.get('spec') or {}).get('template') or {}).get('metadata') or {}).get('annotations') or {}
    return instance, W.expected(instance, annotations.get(W.ANNOTATION_TOKEN_HASH))


def wired_apps(workloads, want, manager):
    """Pure: the workloads wired by `manager`, each with whether it is current (_wiring.status)."""
    return [W.status(w, want, manager) for w in sorted(workloads, key=W.key_of) if W.wired_by(w, manager)]


def _read_wiring(service, found, daprd_workloads, cluster_domain):
    """Each instance's wired apps: its NetworkPolicy, then the Deployments and StatefulSets of its namespace and its
    clients' (one list per kind and namespace). A refused read makes them unknown (null, with the reason)."""
    policies = each(lambda entry: answer_or_refusal(lambda: service.get('networking.k8s.io/v1', 'NetworkPolicy', S.names(
        entry['app_id'])['network_policy'], entry['namespace'])), found)
    wants = [wiring_expectation(entry, workload, None if isinstance(policy, DaprSharedError) else policy, cluster_domain)
             for entry, workload, policy in zip(found, daprd_workloads, policies)]
    namespaces = sorted(set(ns for instance, _w in wants for ns in W.namespaces(instance)))

    def list_namespace(ns):
        return [dict(item, kind=kind) for kind in W.KINDS for item in service.list(W.API_VERSION, kind, namespace=ns)]

    listed = dict(zip(namespaces, each(lambda ns: answer_or_refusal(lambda: list_namespace(ns)), namespaces)))
    for entry, (instance, want), policy in zip(found, wants, policies):
        lists = [listed[ns] for ns in W.namespaces(instance)]
        failed = [answer for answer in [policy] + lists if isinstance(answer, DaprSharedError)]
        if failed:
            entry['apps'], entry['apps_reason'] = None, 'could not read what its apps must carry: %s' % failed[0].msg
            continue
        entry['apps_reason'] = None
        entry['apps'] = wired_apps([w for answer in lists for w in answer or []], want, W.manager_of(instance))


def gather(service, namespace=None, app_id=None, cluster_domain='cluster.local'):
    found, daprd_workloads = [], []
    for api_version, kind in (('apps/v1', 'DaemonSet'), ('apps/v1', 'Deployment')):
        for workload in service.list(api_version, kind, namespace=namespace, label_selector=WORKLOAD_SELECTOR):
            workload['kind'] = kind
            pods = service.list('v1', 'Pod', namespace=workload['metadata']['namespace'],
                                label_selector=S.label_selector(workload['spec']['selector']['matchLabels']))
            entry = describe_workload(workload, pods, cluster_domain)
            if app_id and entry['app_id'] != app_id:
                continue
            found.append(entry)
            daprd_workloads.append(workload)
    apps = each(lambda entry: _app.read_presence(service, entry['app_target'], _app.daprd_pods(entry['readiness'])), found)
    for entry, app in zip(found, apps):
        del entry['app_target']
        entry['app'] = app
    _read_wiring(service, found, daprd_workloads, cluster_domain)
    planes = sorted(set(entry['trust_anchors']['control_plane'] for entry in found if entry['trust_anchors']['control_plane']))
    bundles = dict(zip(planes, each(lambda ns: answer_or_refusal(
        lambda: service.get('v1', 'ConfigMap', S.TRUST_BUNDLE, ns)), planes)))
    for entry in found:
        entry['trust_anchors'] = trust_anchors_status(entry['trust_anchors'], bundles.get(entry['trust_anchors']['control_plane']))
    return sorted(found, key=lambda e: (e['namespace'], e['app_id']))


FLEET_COLUMNS = ('cluster', 'instance', 'strategy', 'daprd', 'ready', 'per node', 'trust anchors')
_ANCHORS = {True: 'current', False: 'STALE', None: 'unknown'}


def _daprd_version(image):
    """The tag of the daprd image (its version), else the image itself (a digest, or no tag)."""
    image = image or '?'
    name = image.rsplit('/', 1)[-1]
    return name.split(':', 1)[1] if ':' in name and '@' not in name else image


def fleet_rows(clusters):
    """Pure: one row per instance of every cluster, in FLEET_COLUMNS. `clusters` maps a cluster's name to the
    instances dapr_shared_info found there, or to the text of why they could not be read."""
    rows = []
    for cluster in sorted(clusters):
        found = clusters[cluster]
        if not isinstance(found, list):
            rows.append((cluster, '-', '-', '-', '-', str(found), '-'))
            continue
        if not found:
            rows.append((cluster, '(no instance)', '-', '-', '-', '-', '-'))
        for entry in sorted(found, key=lambda e: (e.get('namespace') or '', e.get('app_id') or '')):
            readiness = entry.get('readiness') or {}
            per_node = ', '.join('%s %d/%d' % (node, counts.get('ready', 0), counts.get('total', 0))
                                 for node, counts in sorted((readiness.get('nodes') or {}).items()))
            rows.append((cluster, '%s/%s' % (entry.get('namespace'), entry.get('app_id')), entry.get('strategy') or '?',
                         _daprd_version(entry.get('image')),
                         '%d/%d' % (readiness.get('ready_replicas') or 0, readiness.get('desired') or 0),
                         per_node or 'no pod', _ANCHORS.get((entry.get('trust_anchors') or {}).get('current'), 'unknown')))
    return rows


def fleet_table(clusters):
    """Pure: fleet_rows as aligned text lines under a header, for one readable table over many clusters."""
    rows = [FLEET_COLUMNS] + fleet_rows(clusters)
    widths = [max(len(row[i]) for row in rows) for i in range(len(FLEET_COLUMNS))]
    return [' | '.join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
