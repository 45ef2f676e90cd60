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
import time

from ansible_collections.daprkit.dapr.plugins.module_utils import _spec as S
from ansible_collections.daprkit.dapr.plugins.module_utils._diff import describe
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError
from ansible_collections.daprkit.dapr.plugins.module_utils._render import ControlPlane
from ansible_collections.daprkit.dapr.plugins.module_utils import _waiter

try:
    from kubernetes.dynamic.exceptions import NotFoundError, DynamicApiError
except ImportError:  # reported by _client.dynamic_client(); these stand-ins are never raised
    class DynamicApiError(Exception):
        pass

    class NotFoundError(DynamicApiError):
        pass

# Kinds an instance may own; pruning and removal look at all of them.
MANAGED_KINDS = (
    ('apps/v1', 'DaemonSet'), ('apps/v1', 'Deployment'), ('v1', 'Service'), ('v1', 'ConfigMap'),
    ('v1', 'Secret'), ('v1', 'ServiceAccount'), ('networking.k8s.io/v1', 'NetworkPolicy'),
    ('rbac.authorization.k8s.io/v1', 'Role'), ('rbac.authorization.k8s.io/v1', 'RoleBinding'),
)
CLUSTER_KINDS = (('rbac.authorization.k8s.io/v1', 'ClusterRole'), ('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'))
CONTROL_PLANE_CONFIGURATION = 'daprsystem'
TRUST_BUNDLE = 'dapr-trust-bundle'


def label_selector(match_labels):
    """A label selector string for the API ({'a': '1', 'b': '2'} -> 'a=1,b=2')."""
    return ','.join('%s=%s' % kv for kv in sorted(match_labels.items()))


def owner_selector(app_id):
    return '%s=%s,%s=%s' % (S.LABEL_MANAGED_BY, S.MANAGED_BY, S.LABEL_INSTANCE, app_id)


def _api_error(action, what, exc):
    body = getattr(exc, 'body', None) or getattr(exc, 'summary', lambda: str(exc))()
    return DaprSharedError('%s %s failed: %s' % (action, what, body), status=getattr(exc, 'status', None))


class KubeService(object):
    def __init__(self, dyn, check_mode=False, field_manager=S.FIELD_MANAGER, sleep=time.sleep, clock=time.monotonic):
        self.dyn = dyn
        self.check_mode = check_mode
        self.field_manager = field_manager
        self._resources = {}
        self._sleep = sleep
        self._clock = clock

    # -- primitives ------------------------------------------------------------------------
    def resource(self, api_version, kind):
        key = (api_version, kind)
        if key not in self._resources:
            try:
                self._resources[key] = self.dyn.resources.get(api_version=api_version, kind=kind)
            except Exception as exc:
                raise DaprSharedError('the cluster does not serve %s %s (%s); is the Dapr control plane installed?'
                                      % (api_version, kind, exc))
        return self._resources[key]

    def get(self, api_version, kind, name, namespace=None):
        try:
            return self.resource(api_version, kind).get(name=name, namespace=namespace).to_dict()
        except NotFoundError:
            return None
        except DynamicApiError as exc:
            raise _api_error('reading', '%s %s/%s' % (kind, namespace, name), exc)

    def list(self, api_version, kind, namespace=None, label_selector=None, field_selector=None):
        try:
            result = self.resource(api_version, kind).get(namespace=namespace, label_selector=label_selector,
                                                          field_selector=field_selector)
        except DynamicApiError as exc:
            raise _api_error('listing', '%s in %s' % (kind, namespace or 'all namespaces'), exc)
        return list(result.to_dict().get('items') or [])

    def namespace_exists(self, namespace):
        return self.get('v1', 'Namespace', namespace) is not None

    def apply(self, obj):
        """Server-side apply (a dry run in check mode). Returns the object as the server has it after."""
        meta = obj['metadata']
        kwargs = dict(body=obj, name=meta['name'], namespace=meta.get('namespace'),
                      field_manager=self.field_manager, force_conflicts=True)
        if self.check_mode:
            kwargs['dry_run'] = 'All'
        try:
            return self.resource(obj['apiVersion'], obj['kind']).server_side_apply(**kwargs).to_dict()
        except DynamicApiError as exc:
            raise _api_error('applying', describe(obj), exc)

    def delete(self, obj):
        meta = obj['metadata']
        kwargs = dict(name=meta['name'], namespace=meta.get('namespace'),
                      body=dict(apiVersion='v1', kind='DeleteOptions', propagationPolicy='Foreground'))
        if self.check_mode:
            kwargs['body']['dryRun'] = ['All']
        try:
            self.resource(obj['apiVersion'], obj['kind']).delete(**kwargs)
        except NotFoundError:
            pass
        except DynamicApiError as exc:
            raise _api_error('deleting', describe(obj), exc)

    def poll(self, what, done, timeout, interval=2.0, describe_state=None):
        deadline = self._clock() + timeout
        while True:
            state = done()
            if state:
                return state
            if self._clock() >= deadline:
                detail = describe_state() if describe_state else None
                raise DaprSharedError('timed out after %ss waiting for %s' % (timeout, what), state=detail)
            self._sleep(interval)

    # -- control plane ---------------------------------------------------------------------
    def find_control_plane_namespaces(self):
        """Namespaces that run a Dapr Sentry Service (one per control plane)."""
        services = self.list('v1', 'Service', field_selector='metadata.name=dapr-sentry')
        return sorted(set(s['metadata']['namespace'] for s in services))

    def read_control_plane(self, namespace=''):
        if not namespace:
            found = self.find_control_plane_namespaces()
            if not found:
                raise DaprSharedError('no Dapr control plane found (no Service dapr-sentry in any namespace); install '
                                      'it first (role daprkit.dapr.dapr_control_plane) or set control_plane_namespace')
            if len(found) > 1:
                raise DaprSharedError('several Dapr control planes found (%s); set control_plane_namespace'
                                      % ', '.join(found))
            namespace = found[0]
        bundle = self.get('v1', 'ConfigMap', TRUST_BUNDLE, namespace)
        ca_crt = ((bundle or {}).get('data') or {}).get('ca.crt')
        if not ca_crt:
            raise DaprSharedError('the control plane in namespace %s publishes no trust bundle (ConfigMap %s, key '
                                  'ca.crt); is Dapr Sentry running there?' % (namespace, TRUST_BUNDLE))
        try:
            config = self.get('dapr.io/v1alpha1', 'Configuration', CONTROL_PLANE_CONFIGURATION, namespace)
        except DaprSharedError:
            config = None
        mtls_spec = (((config or {}).get('spec') or {}).get('mtls') or {})
        mtls = mtls_spec.get('enabled', True) if config else None
        trust_domain = mtls_spec.get('controlPlaneTrustDomain') or 'cluster.local'
        return ControlPlane(namespace=namespace, trust_domain=trust_domain, ca_crt=ca_crt, mtls=mtls,
                            version=self.control_plane_version(namespace))

    def control_plane_version(self, namespace):
        operator = self.get('apps/v1', 'Deployment', 'dapr-operator', namespace)
        if not operator:
            return ''
        labels = operator['metadata'].get('labels') or {}
        if labels.get('app.kubernetes.io/version'):
            return labels['app.kubernetes.io/version'].lstrip('v')
        image = operator['spec']['template']['spec']['containers'][0]['image']
        tag = image.rsplit(':', 1)[-1] if ':' in image.rsplit('/', 1)[-1] else ''
        return tag.lstrip('v')

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
    def owned_objects(self, namespace, app_id):
        selector = owner_selector(app_id)
        found = []
        for api_version, kind in MANAGED_KINDS:
            for item in self.list(api_version, kind, namespace=namespace, label_selector=selector):
                item.setdefault('apiVersion', api_version)
                item.setdefault('kind', kind)
                found.append(item)
        for api_version, kind in CLUSTER_KINDS:
            for item in self.list(api_version, kind, label_selector='%s,%s' % (selector, 'dapr.daprkit.io/namespace=%s' % namespace)):
                item.setdefault('apiVersion', api_version)
                item.setdefault('kind', kind)
                found.append(item)
        return found

    def foreign_owner(self, obj):
        """None if obj is absent or ours; otherwise a sentence saying who owns it."""
        meta = obj['metadata']
        current = self.get(obj['apiVersion'], obj['kind'], meta['name'], meta.get('namespace'))
        if current is None:
            return None
        labels = current['metadata'].get('labels') or {}
        if labels.get(S.LABEL_MANAGED_BY) == S.MANAGED_BY and labels.get(S.LABEL_INSTANCE) == \
                obj['metadata']['labels'][S.LABEL_INSTANCE]:
            return None
        annotations = current['metadata'].get('annotations') or {}
        if labels.get(S.LABEL_MANAGED_BY) == 'Helm':
            return 'it belongs to Helm release %s' % annotations.get('meta.helm.sh/release-name', '?')
        if labels.get(S.LABEL_MANAGED_BY):
            return 'it is managed by %s' % labels[S.LABEL_MANAGED_BY]
        return 'it was not created by daprkit.dapr (a sidecar app with the same app id, or created by hand)'

    # -- readiness -------------------------------------------------------------------------
    def readiness(self, workload, pod_selector):
        current = self.get(workload['apiVersion'], workload['kind'], workload['metadata']['name'],
                           workload['metadata']['namespace'])
        pods = self.list('v1', 'Pod', namespace=workload['metadata']['namespace'], label_selector=pod_selector)
        return _waiter.summarize(current, pods), current, pods

    def wait_ready(self, workload, pod_selector, timeout):
        last = {}

        def done():
            summary, current, pods = self.readiness(workload, pod_selector)
            last['summary'], last['pods'] = summary, pods
            # Only once every pod runs the new template: old pods crashing during a rollout are expected to go.
            crashing = _waiter.crash_looping(pods) if _waiter.rollout_scheduled(current) else []
            if crashing and not summary['ready']:
                raise DaprSharedError('%s is not becoming ready: daprd keeps crashing in %s (see kubectl logs --previous)'
                                      % (describe(workload), ', '.join(crashing)),
                                      state=dict(readiness=summary, pods=[_pod_problem(p) for p in pods]))
            return summary if summary['ready'] else None

        def state():
            return dict(readiness=last.get('summary'), pods=[_pod_problem(p) for p in last.get('pods') or []])

        return self.poll('%s to become ready' % describe(workload), done, timeout, describe_state=state)

    def wait_gone(self, objects, timeout):
        def done():
            return all(self.get(o['apiVersion'], o['kind'], o['metadata']['name'], o['metadata'].get('namespace')) is None
                       for o in objects) or None

        return self.poll('deletion of %s' % ', '.join(describe(o) for o in objects), done, timeout)


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
