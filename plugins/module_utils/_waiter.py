# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: readiness of a Dapr Shared workload, as pure predicates.

The polling loop lives in _service.py; these functions only read objects.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def _generation_observed(obj):
    status = obj.get('status') or {}
    return (status.get('observedGeneration') or 0) >= ((obj.get('metadata') or {}).get('generation') or 0)


def daemonset_ready(ds):
    """Every node that should run one runs an updated, Ready daprd. Zero scheduled counts as ready."""
    status = ds.get('status') or {}
    desired = status.get('desiredNumberScheduled') or 0
    return (_generation_observed(ds)
            and (status.get('updatedNumberScheduled') or 0) == desired
            and (status.get('numberReady') or 0) == desired
            and (status.get('numberAvailable') or 0) == desired
            and not status.get('numberUnavailable'))


def deployment_ready(deploy):
    """All replicas updated, Ready and available, and no old replica left."""
    status = deploy.get('status') or {}
    wanted = (deploy.get('spec') or {}).get('replicas', 1)
    return (_generation_observed(deploy)
            and (status.get('updatedReplicas') or 0) == wanted
            and (status.get('readyReplicas') or 0) == wanted
            and (status.get('availableReplicas') or 0) == wanted
            and (status.get('replicas') or 0) == wanted)


def rollout_scheduled(obj):
    """Every pod now runs the current template (it may not be Ready yet); older pods are gone or going."""
    if obj is None or not _generation_observed(obj):
        return False
    status = obj.get('status') or {}
    if obj.get('kind') == 'DaemonSet':
        return (status.get('updatedNumberScheduled') or 0) == (status.get('desiredNumberScheduled') or 0)
    return (status.get('updatedReplicas') or 0) == (obj.get('spec') or {}).get('replicas', 1) == (status.get('replicas') or 0)


def workload_ready(obj):
    if obj is None:
        return False
    return daemonset_ready(obj) if obj.get('kind') == 'DaemonSet' else deployment_ready(obj)


def pod_is_ready(pod):
    if (pod.get('metadata') or {}).get('deletionTimestamp'):
        return False
    for cond in (pod.get('status') or {}).get('conditions') or []:
        if cond.get('type') == 'Ready':
            return cond.get('status') == 'True'
    return False


def readiness_by_node(pods):
    """{node: {'ready': n, 'total': n, 'pods': [...]}} for the live (not terminating) pods."""
    nodes = {}
    for pod in pods:
        meta = pod.get('metadata') or {}
        if meta.get('deletionTimestamp'):
            continue
        node = (pod.get('spec') or {}).get('nodeName') or '<unscheduled>'
        entry = nodes.setdefault(node, dict(ready=0, total=0, pods=[]))
        entry['total'] += 1
        entry['pods'].append(meta.get('name'))
        if pod_is_ready(pod):
            entry['ready'] += 1
    for entry in nodes.values():
        entry['pods'].sort()
    return nodes


def summarize(obj, pods):
    """Readiness the modules return: workload-level flag plus per-node counts."""
    status = (obj or {}).get('status') or {}
    if obj is None:
        return dict(ready=False, kind=None, desired=0, ready_replicas=0, nodes={})
    if obj.get('kind') == 'DaemonSet':
        desired, ready = status.get('desiredNumberScheduled') or 0, status.get('numberReady') or 0
    else:
        desired, ready = (obj.get('spec') or {}).get('replicas', 1), status.get('readyReplicas') or 0
    return dict(ready=workload_ready(obj), kind=obj.get('kind'), desired=desired, ready_replicas=ready,
                nodes=readiness_by_node(pods))


def crash_looping(pods, restarts=2):
    """Pods whose daprd keeps crashing: waiting longer will not help, report it now (the second crash comes
    about 12 s after the first start; the third would come only after 30 s more of back-off)."""
    found = []
    for pod in pods:
        for cs in (pod.get('status') or {}).get('containerStatuses') or []:
            waiting = (cs.get('state') or {}).get('waiting') or {}
            if waiting.get('reason') == 'CrashLoopBackOff' and (cs.get('restartCount') or 0) >= restarts:
                found.append((pod.get('metadata') or {}).get('name'))
    return sorted(set(found))


# The instance fields that place daprd pods on nodes, by the pod spec key they render to.
NODE_FIELDS = (('nodeSelector', 'node_selector'), ('affinity', 'affinity'), ('tolerations', 'tolerations'))
PULL_FAILURES = ('ErrImagePull', 'ImagePullBackOff', 'InvalidImageName')


def _template_spec(obj):
    return (((obj or {}).get('spec') or {}).get('template') or {}).get('spec') or {}


def runs_nowhere(obj):
    """A DaemonSet the controller has seen places no pod at all: ready by its counts, yet it serves no node."""
    return (obj is not None and obj.get('kind') == 'DaemonSet' and _generation_observed(obj)
            and not ((obj.get('status') or {}).get('desiredNumberScheduled') or 0))


def node_fields(obj):
    """The instance fields that decide where the pods of a workload go: those it sets, else tolerations (a node
    pool that is all tainted)."""
    spec = _template_spec(obj)
    return [field for key, field in NODE_FIELDS if spec.get(key)] or ['tolerations']


def replica_failure(obj):
    """Why a Deployment's ReplicaSet cannot create pods (its ReplicaFailure condition, FailedCreate), or None."""
    for cond in ((obj or {}).get('status') or {}).get('conditions') or []:
        if cond.get('type') == 'ReplicaFailure' and cond.get('status') == 'True':
            return '%s: %s' % (cond.get('reason') or 'FailedCreate', cond.get('message') or '')
    return None


def pods_missing(obj):
    """A DaemonSet that places fewer pods than it should: the controller may be failing to create them."""
    status = (obj or {}).get('status') or {}
    return (obj or {}).get('kind') == 'DaemonSet' and \
        (status.get('currentNumberScheduled') or 0) < (status.get('desiredNumberScheduled') or 0)


def pull_failures(obj, pods):
    """'pod: container image: reason message' for each container of the current template whose image cannot be
    pulled (an old pod's image is not the run's concern)."""
    wanted = dict((c.get('name'), c.get('image')) for c in _template_spec(obj).get('containers') or [])
    found = []
    for pod in pods:
        images = dict((c.get('name'), c.get('image')) for c in (pod.get('spec') or {}).get('containers') or [])
        for cs in (pod.get('status') or {}).get('containerStatuses') or []:
            waiting = (cs.get('state') or {}).get('waiting') or {}
            name = cs.get('name')
            if waiting.get('reason') in PULL_FAILURES and wanted.get(name) and images.get(name) == wanted[name]:
                found.append('%s: %s %s: %s %s' % (pod['metadata']['name'], name, wanted[name], waiting['reason'],
                                                   waiting.get('message') or ''))
    return sorted(f.strip() for f in found)


def last_termination(pod):
    """How the pod's crashing container ended last: reason, exit code and its termination message."""
    for cs in (pod.get('status') or {}).get('containerStatuses') or []:
        ended = (cs.get('lastState') or {}).get('terminated')
        if ended:
            text = '%s %s exited %s (%s)' % (pod['metadata']['name'], cs.get('name'), ended.get('exitCode'),
                                             ended.get('reason') or 'no reason')
            message = (ended.get('message') or '').strip()
            return '%s: %s' % (text, message[-400:]) if message else text
    return '%s: no termination recorded' % pod['metadata']['name']
