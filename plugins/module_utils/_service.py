# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: every Kubernetes API call the modules make.

Check mode is implemented here, at the lowest level: applies and deletes become server-side
dry runs, so the rest of the code runs unchanged and still sees the server's answer.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import threading
import time

from ansible_collections.daprkit.dapr.plugins.module_utils import _helm
from ansible_collections.daprkit.dapr.plugins.module_utils import _lease
from ansible_collections.daprkit.dapr.plugins.module_utils import _names as S
from ansible_collections.daprkit.dapr.plugins.module_utils._diff import describe
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import ApiUnreachable, DaprSharedError
from ansible_collections.daprkit.dapr.plugins.module_utils._parallel import each
from ansible_collections.daprkit.dapr.plugins.module_utils import _waiter

try:
    from kubernetes.dynamic.exceptions import NotFoundError, DynamicApiError
except ImportError:  # reported by _client.dynamic_client(); these stand-ins are never raised
    class DynamicApiError(Exception):
        pass

    class NotFoundError(DynamicApiError):
        pass

try:
    from urllib3.exceptions import HTTPError as TransportError
except ImportError:  # urllib3 comes with the kubernetes library; without it nothing here runs
    class TransportError(Exception):
        pass

READY_POLL_SECONDS = 1.0

# Kinds an instance may own; pruning and removal look at all of them.
MANAGED_KINDS = (
    ('apps/v1', 'DaemonSet'), ('apps/v1', 'Deployment'), ('v1', 'Service'), ('v1', 'ConfigMap'),
    ('v1', 'Secret'), ('v1', 'ServiceAccount'), ('networking.k8s.io/v1', 'NetworkPolicy'),
    ('rbac.authorization.k8s.io/v1', 'Role'), ('rbac.authorization.k8s.io/v1', 'RoleBinding'),
    ('policy/v1', 'PodDisruptionBudget'), ('dapr.io/v1alpha1', 'Configuration'),
)


def _api_error(action, what, exc):
    body = getattr(exc, 'body', None) or getattr(exc, 'summary', lambda: str(exc))()
    return DaprSharedError('%s %s failed: %s' % (action, what, body), status=getattr(exc, 'status', None))


def _unreachable(action, what, exc):
    reason = getattr(exc, 'reason', None) or exc
    return ApiUnreachable('%s %s failed: the Kubernetes API server did not answer (%s). Nothing after this step '
                          'was changed; run again once the API server is reachable: it converges from here.'
                          % (action, what, reason))


def _call(action, what, request):
    """One API request; transport failures become ApiUnreachable, naming what was being done."""
    try:
        return request()
    except (TransportError, OSError) as exc:
        raise _unreachable(action, what, exc)


class KubeService(object):
    def __init__(self, dyn, check_mode=False, field_manager=S.FIELD_MANAGER, sleep=time.sleep, clock=time.monotonic):
        self.dyn = dyn
        self.check_mode = check_mode
        self.field_manager = field_manager
        self._resources = {}
        self._discovery = threading.Lock()  # calls come from several threads; discovery is not thread-safe
        self._sleep = sleep
        self._clock = clock

    # -- primitives ------------------------------------------------------------------------
    def resource(self, api_version, kind):
        key = (api_version, kind)
        if key in self._resources:
            return self._resources[key]
        with self._discovery:
            if key in self._resources:
                return self._resources[key]
            try:
                self._resources[key] = _call('discovering', '%s %s' % (api_version, kind),
                                             lambda: self.dyn.resources.get(api_version=api_version, kind=kind))
            except ApiUnreachable:
                raise
            except Exception as exc:
                raise DaprSharedError('the cluster does not serve %s %s (%s); is the Dapr control plane installed?'
                                      % (api_version, kind, exc))
        return self._resources[key]

    def get(self, api_version, kind, name, namespace=None):
        try:
            return _call('reading', '%s %s/%s' % (kind, namespace, name),
                         lambda: self.resource(api_version, kind).get(name=name, namespace=namespace).to_dict())
        except NotFoundError:
            return None
        except DynamicApiError as exc:
            raise _api_error('reading', '%s %s/%s' % (kind, namespace, name), exc)

    def list(self, api_version, kind, namespace=None, label_selector=None, field_selector=None):
        try:
            what = '%s in %s' % (kind, namespace or 'all namespaces')
            result = _call('listing', what, lambda: self.resource(api_version, kind).get(
                namespace=namespace, label_selector=label_selector, field_selector=field_selector))
        except DynamicApiError as exc:
            raise _api_error('listing', what, exc)
        return list(result.to_dict().get('items') or [])

    def lease_store(self):
        """Where this run's Leases are kept (_lease): always the real API, check mode included."""
        return _lease.KubeLeaseStore(self, _api_error, _call)

    def namespace_exists(self, namespace):
        return self.get('v1', 'Namespace', namespace) is not None

    def apply(self, obj, dry_run=False, field_manager=None, force=True):
        """Server-side apply (a dry run in check mode or when asked). Returns the object as the server has it after.

        field_manager: another manager than the module's (wiring has one per instance); force=False lets the API
        server refuse (409) a change of a field another manager set to another value.
        """
        meta = obj['metadata']
        kwargs = dict(body=obj, name=meta['name'], namespace=meta.get('namespace'),
                      field_manager=field_manager or self.field_manager, force_conflicts=force)
        if self.check_mode or dry_run:
            kwargs['dry_run'] = 'All'
        try:
            return _call('applying', describe(obj),
                         lambda: self.resource(obj['apiVersion'], obj['kind']).server_side_apply(**kwargs).to_dict())
        except DynamicApiError as exc:
            raise _api_error('applying', describe(obj), exc)

    def delete(self, obj):
        meta = obj['metadata']
        kwargs = dict(name=meta['name'], namespace=meta.get('namespace'),
                      body=dict(apiVersion='v1', kind='DeleteOptions', propagationPolicy='Foreground'))
        if self.check_mode:
            kwargs['body']['dryRun'] = ['All']
        try:
            _call('deleting', describe(obj), lambda: self.resource(obj['apiVersion'], obj['kind']).delete(**kwargs))
        except NotFoundError:
            pass
        except DynamicApiError as exc:
            raise _api_error('deleting', describe(obj), exc)

    def poll(self, what, done, timeout, interval=2.0, describe_state=None):
        deadline = self._clock() + timeout
        while True:
            try:
                state = done()
            except ApiUnreachable:
                # a wait reads only: an API server that is briefly away (restart, failover) costs time, not the run
                if self._clock() >= deadline:
                    raise
                self._sleep(interval)
                continue
            if state:
                return state
            if self._clock() >= deadline:
                detail = describe_state() if describe_state else None
                # what may depend on the state at the end: a wait on several things names those still pending
                raise DaprSharedError('timed out after %ss waiting for %s' % (timeout, what() if callable(what) else what),
                                      state=detail)
            self._sleep(interval)

    # -- secrets ---------------------------------------------------------------------------
    def read_secret_value(self, namespace, name, key):
        secret = self.get('v1', 'Secret', name, namespace)
        if secret is None:
            return None
        data = (secret.get('data') or {}).get(key)
        if data is None:
            return None
        return base64.b64decode(data).decode('utf-8')

    # -- ownership -------------------------------------------------------------------------
    def managed_objects(self, namespace):
        """Every object the manifests backend owns in a namespace, of every instance (the collection never
        creates cluster-scoped ones). One list per kind and namespace, however many instances live there."""
        selector = S.label_selector({S.LABEL_MANAGED_BY: S.MANAGED_BY})

        def of_kind(api_kind):
            items = self.list(api_kind[0], api_kind[1], namespace=namespace, label_selector=selector)
            for item in items:
                item.setdefault('apiVersion', api_kind[0])
                item.setdefault('kind', api_kind[1])
            return items

        return [item for items in each(of_kind, MANAGED_KINDS) for item in items]

    def helm_release(self, namespace, release, kind='Secret'):
        """The latest revision Helm keeps of a release, decoded, with every revision's number and status
        (revisions, newest first); None without one. kind: Secret or ConfigMap, as HELM_DRIVER says."""
        records = self.list('v1', kind, namespace=namespace, label_selector=S.HELM_STORAGE_LABELS % release)
        if not records:
            return None
        latest = max(records, key=_revision)
        latest.setdefault('kind', kind)
        decoded = _helm.decode_release(latest)
        decoded['revisions'] = _helm.storage_revisions(records)
        return decoded

    # -- readiness -------------------------------------------------------------------------
    def readiness_of(self, workloads):
        """(summary, current workload, its pods) of each (workload, pod labels).

        A namespace costs one list of its workloads per kind and one list of pods, however many instances
        it holds; a workload the list misses (not labelled with its instance) is read on its own.
        """
        by_namespace = {}
        for workload, labels in workloads:
            by_namespace.setdefault(workload['metadata']['namespace'], []).append((workload, labels))

        def read_namespace(namespace):
            mine = [w for w, _l in by_namespace[namespace]]
            # the pod labels hold the instance (selector_labels), and so do the workloads' own labels
            selector = '%s in (%s)' % (S.LABEL_INSTANCE, ','.join(sorted(set(
                labels[S.LABEL_INSTANCE] for _w, labels in by_namespace[namespace]))))
            current = {}
            for api_version, kind in sorted(set((w['apiVersion'], w['kind']) for w in mine)):
                for item in self.list(api_version, kind, namespace=namespace, label_selector=selector):
                    item.setdefault('apiVersion', api_version)
                    item.setdefault('kind', kind)
                    current[(kind, item['metadata']['name'])] = item
            return current, self.list('v1', 'Pod', namespace=namespace, label_selector=selector)

        namespaces = sorted(by_namespace)
        read = dict(zip(namespaces, each(read_namespace, namespaces)))
        missed = [w for w, _l in workloads
                  if (w['kind'], w['metadata']['name']) not in read[w['metadata']['namespace']][0]]
        for workload, current in zip(missed, each(lambda w: self.get(w['apiVersion'], w['kind'], w['metadata']['name'],
                                                                     w['metadata']['namespace']), missed)):
            read[workload['metadata']['namespace']][0][(workload['kind'], workload['metadata']['name'])] = current
        answers = []
        for workload, labels in workloads:
            listed, pods = read[workload['metadata']['namespace']]
            current = listed[(workload['kind'], workload['metadata']['name'])]
            its_pods = [p for p in pods if all(((p.get('metadata') or {}).get('labels') or {}).get(k) == v
                                               for k, v in labels.items())]
            answers.append((_waiter.summarize(current, its_pods), current, its_pods))
        return answers

    def wait_ready(self, workloads, timeout, may_run_nowhere=None):
        """Wait on several workloads together; workloads: [(workload, pod labels)]. Returns their summaries.

        One poll round reads every workload that is not ready yet, so N instances cost one timeout, not N.
        A cause waiting cannot cure fails the wait at once, naming the instance (failure_cause);
        may_run_nowhere: per workload, whether a DaemonSet placed on no node is what the user wants.
        """
        summaries = [None] * len(workloads)
        last = {}
        allowed = list(may_run_nowhere or [False] * len(workloads))
        missing_rounds = {}

        def done():
            pending = [index for index, summary in enumerate(summaries) if summary is None]
            for index, (summary, current, pods) in zip(pending, self.readiness_of([workloads[i] for i in pending])):
                workload = workloads[index][0]
                last[index] = (summary, pods)
                missing_rounds[index] = missing_rounds.get(index, 0) + 1 if _waiter.pods_missing(current) else 0
                cause = self.failure_cause(workload, current, pods, allowed[index], missing_rounds[index])
                if cause and (not summary['ready'] or _waiter.runs_nowhere(current)):
                    raise DaprSharedError('instance %s/%s: %s' % (workload['metadata']['namespace'],
                                                                  workloads[index][1].get(S.LABEL_INSTANCE), cause),
                                          state=dict(readiness=summary, pods=[_pod_problem(p) for p in pods]))
                if summary['ready']:
                    summaries[index] = summary
            return all(s is not None for s in summaries) or None

        def state():
            return [dict(workload=describe(workloads[i][0]), readiness=summary, pods=[_pod_problem(p) for p in pods])
                    for i, (summary, pods) in sorted(last.items()) if summaries[i] is None]

        def still_pending():
            # only the workloads that are not ready, each with why: the ready ones beside them are not the cause
            return '; '.join('%s to become ready (%s)' % (describe(workloads[i][0]), _not_ready_cause(*last.get(i, (None, []))))
                             for i, summary in enumerate(summaries) if summary is None)

        # a round reads a few lists per namespace, so it can come often: a pod is seen Ready within a second
        self.poll(still_pending, done, timeout, interval=READY_POLL_SECONDS, describe_state=state)
        return summaries

    def failure_cause(self, workload, current, pods, may_run_nowhere, missing_rounds):
        """Why a workload cannot become ready however long the wait, in one sentence naming the field, or None."""
        what = describe(workload)
        if _waiter.runs_nowhere(current) and not may_run_nowhere:
            fields = _waiter.node_fields(current)
            return ('%s: %s runs on no node (the DaemonSet wants 0 pods): no node matches %s. Correct %s, or set '
                    'allow_no_nodes: true if an instance that runs nowhere for now is intended'
                    % (', '.join(fields), what, ' and '.join(fields), ' or '.join(fields)))
        failure = _waiter.replica_failure(current)
        if failure is None and missing_rounds >= 2:  # a DaemonSet says it only in events
            failure = self.failed_create(current)
        if failure:
            return '%s cannot create its pods: %s' % (what, failure)
        pulls = _waiter.pull_failures(current, pods)
        if pulls:
            return 'daprd_image, daprd_version: %s: the image cannot be pulled: %s' % (what, '; '.join(pulls))
        # Only once every pod runs the new template: old pods crashing during a rollout are expected to go.
        crashing = _waiter.crash_looping(pods) if _waiter.rollout_scheduled(current) else []
        if crashing:
            ended = [_waiter.last_termination(p) for p in pods if p['metadata']['name'] in crashing]
            return ('%s is not becoming ready: daprd keeps crashing in %s; last end: %s (see kubectl logs --previous)'
                    % (what, ', '.join(crashing), '; '.join(ended)))
        return None

    def failed_create(self, current):
        """The newest FailedCreate event of a workload (the controller could not create a pod: a quota, an admission
        webhook, a missing PriorityClass), or None; None too when the run may not list events (optional right)."""
        uid = ((current or {}).get('metadata') or {}).get('uid')
        if not uid:
            return None
        try:
            events = self.list('v1', 'Event', namespace=current['metadata']['namespace'],
                               field_selector='involvedObject.uid=%s,reason=FailedCreate' % uid)
        except ApiUnreachable:
            raise
        except DaprSharedError as exc:
            if exc.details.get('status') == 403:
                return None
            raise
        # an event older than the workload's last change (an apply, or the controller's status update when a node
        # joined) is history: a quota since raised, say
        changed = max([(f.get('time') or '')[:19] for f in current['metadata'].get('managedFields') or []] or [''])
        events = [e for e in events if (e.get('lastTimestamp') or e.get('eventTime') or '')[:19] >= changed]
        if not events:
            return None
        newest = max(events, key=lambda e: e.get('lastTimestamp') or e.get('eventTime') or '')
        return 'FailedCreate: %s' % newest.get('message')

    def wait_pods_gone(self, selectors, timeout):
        """Until no pod matches any of [(namespace, label selector)]: a removal is over when its daprd stopped."""
        def done():
            return not any(each(lambda pair: self.list('v1', 'Pod', namespace=pair[0], label_selector=pair[1]),
                                selectors)) or None

        return self.poll('the pods of %s to stop' % ', '.join('%s/%s' % pair for pair in selectors), done, timeout,
                         interval=READY_POLL_SECONDS)

    def wait_gone(self, objects, timeout):
        def done():
            return all(self.get(o['apiVersion'], o['kind'], o['metadata']['name'], o['metadata'].get('namespace')) is None
                       for o in objects) or None

        return self.poll('deletion of %s' % ', '.join(describe(o) for o in objects), done, timeout)


def _revision(secret):
    try:
        return int(((secret.get('metadata') or {}).get('labels') or {}).get('version') or 0)
    except ValueError:
        return 0


def _not_ready_cause(summary, pods):
    """Why a workload is not ready, in a few words, for the timeout message."""
    if summary is None:
        return 'never read'
    if not summary.get('kind'):
        return 'it does not exist'
    cause = '%s of %s pods Ready' % (summary.get('ready_replicas', 0), summary.get('desired', 0))
    problems = ['%s: %s' % (p['pod'], ', '.join(p['problems'])) for p in map(_pod_problem, pods) if p['problems']]
    unready = [p['metadata']['name'] for p in pods if not _waiter.pod_is_ready(p)
               and not (p.get('metadata') or {}).get('deletionTimestamp')]
    if problems:
        cause += '; ' + '; '.join(problems)
    elif unready:
        cause += '; not Ready: %s (daprd is not serving its APIs yet: see its log)' % ', '.join(sorted(unready))
    return cause


def _pod_problem(pod):
    """Why a pod is not ready, in one line, for timeout messages."""
    status = pod.get('status') or {}
    reasons = []
    for cs in status.get('containerStatuses') or []:
        waiting = (cs.get('state') or {}).get('waiting')
        if waiting:
            reasons.append('%s: %s %s' % (cs.get('name'), waiting.get('reason'), waiting.get('message') or ''))
        if cs.get('restartCount'):
            reasons.append('%s restarted %s times' % (cs.get('name'), cs['restartCount']))
    return dict(pod=pod['metadata']['name'], node=(pod.get('spec') or {}).get('nodeName'),
                phase=status.get('phase'), ready=_waiter.pod_is_ready(pod), problems=reasons)
