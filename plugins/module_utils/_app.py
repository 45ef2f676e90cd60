# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: whether each daprd pod of an instance has its app to talk to.

Dapr Shared exists for apps that come and go (functions, scale to zero), so a daprd is Ready as soon as it
can serve the Dapr APIs (its readiness probe is /v1.0/healthz/outbound), whether or not the app answers.
Whether the app is there is reported apart, from what the API server knows of the app channel's target:
the ready endpoints of the Service that remote_host names. With internalTrafficPolicy Local (a per-node
daprd talking to the app on its own node) only the endpoints on the daprd's node count.

daprd's own view (/v1.0/healthz on its public port) is not read: reaching it needs a network path from the
Ansible host or the API server to every pod, which the instance's NetworkPolicy rightly does not open.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError, answer_or_refusal

SERVICE_NAME_LABEL = 'kubernetes.io/service-name'
_DNS_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$')


class AppTarget(object):
    """Where daprd reaches the app: remote_host and remote_port, and the Service they name, if any."""

    __slots__ = ('host', 'port', 'service_namespace', 'service_name')

    def __init__(self, host, port, service_namespace=None, service_name=None):
        self.host, self.port = host, port
        self.service_namespace, self.service_name = service_namespace, service_name

    @property
    def service(self):
        return '%s/%s' % (self.service_namespace, self.service_name) if self.service_name else None


def target_of(host, port, namespace, cluster_domain):
    """Pure: the app target of an instance; the Service part only when host is a Service name of this cluster.

    Accepted spellings, as cluster DNS resolves them from a pod of `namespace`: name, name.ns, name.ns.svc and
    name.ns.svc.<cluster_domain> (a trailing dot allowed). An IP or any other name is outside our view.
    """
    if not port or not host:
        return None
    if host.rstrip('.').lower() == 'localhost':  # the daprd pod itself: nothing the API server knows of
        return AppTarget(host, port)
    labels = host.rstrip('.').lower().split('.')
    suffix = ['svc'] + cluster_domain.rstrip('.').lower().split('.')
    if len(labels) > 2 and labels[2:] in (suffix, suffix[:1]):
        labels = labels[:2]
    if not 1 <= len(labels) <= 2 or not all(_DNS_LABEL.match(label) for label in labels) or labels[0][0].isdigit():
        return AppTarget(host, port)
    return AppTarget(host, port, labels[1] if len(labels) == 2 else namespace, labels[0])


def target_of_container(container, namespace, cluster_domain):
    """Pure: the app target a daprd container was started with (its --app-channel-address and --app-port)."""
    args = list(container.get('args') or []) + list(container.get('command') or [])
    values = {}
    for index, arg in enumerate(args):
        for flag in ('--app-channel-address', '--app-port'):
            if arg == flag and index + 1 < len(args):
                values[flag] = args[index + 1]
            elif arg.startswith(flag + '='):
                values[flag] = arg.split('=', 1)[1]
    try:
        port = int(values.get('--app-port') or 0)
    except ValueError:
        port = 0
    # without --app-channel-address daprd calls the app on localhost: in a shared daprd, nothing is there
    return target_of(values.get('--app-channel-address') or 'localhost', port, namespace, cluster_domain)


def daprd_pods(readiness):
    """Pure: [{pod, node}] of the live daprd pods a readiness summary (_waiter.summarize) lists."""
    return [dict(pod=name, node=node) for node, entry in sorted(((readiness or {}).get('nodes') or {}).items())
            for name in entry.get('pods') or []]


def presence(target, service, slices, pods):
    """Pure: the app's presence for each daprd pod. service: the Service object or None; slices: its EndpointSlices;
    pods: [{pod, node}] (daprd_pods).

    Returns {reachable, ready_endpoints, reason, pods: [{pod, node, reachable}]}. reachable is True when every
    live daprd pod has a ready app endpoint it can use, False when one has none, None when we cannot tell.
    """
    if target is None:
        return dict(reachable=None, ready_endpoints=None, reason='no app channel (remote_port is 0)', pods=[])
    if target.service_name is None:
        return dict(reachable=None, ready_endpoints=None, pods=[],
                    reason='remote_host %s is not a Service name of this cluster; its presence is not checked'
                    % target.host)
    if ((service or {}).get('spec') or {}).get('type') == 'ExternalName':
        return dict(reachable=None, ready_endpoints=None, pods=[],
                    reason='Service %s is of type ExternalName; its presence is not checked' % target.service)
    nodes, seen = {}, set()
    if service is not None:
        for endpoint_slice in slices:
            for endpoint in endpoint_slice.get('endpoints') or []:
                # a dual-stack app pod is listed once per address family
                identity = (endpoint.get('targetRef') or {}).get('name') or tuple(endpoint.get('addresses') or [])
                if (endpoint.get('conditions') or {}).get('ready') is False or identity in seen:
                    continue
                seen.add(identity)
                node = endpoint.get('nodeName') or ''
                nodes[node] = nodes.get(node, 0) + 1
    ready = len(seen)
    if service is None:
        reason = 'remote_host %s names Service %s, which does not exist' % (target.host, target.service)
    else:
        reason = 'Service %s has %d ready endpoint%s' % (target.service, ready, '' if ready == 1 else 's')
    local = ((service or {}).get('spec') or {}).get('internalTrafficPolicy') == 'Local'
    per_pod = []
    for pod in pods:
        node = pod['node'] if pod['node'] != '<unscheduled>' else None
        per_pod.append(dict(pod=pod['pod'], node=node, reachable=bool(nodes.get(node)) if local else ready > 0))
    per_pod.sort(key=lambda entry: entry['pod'])
    if local and service is not None:
        missing = sorted(set(entry['node'] for entry in per_pod if not entry['reachable'] and entry['node']))
        if missing:
            plural = 's' if len(missing) > 1 else ''
            reason += ', none on node%s %s (internalTrafficPolicy Local)' % (plural, ', '.join(missing))
    reachable = all(entry['reachable'] for entry in per_pod) if per_pod else ready > 0
    return dict(reachable=reachable, ready_endpoints=ready, reason=reason, pods=per_pod)


def read_presence(kube, target, pods):
    """The app's presence as the API server knows it; a refused or failed read makes it unknown, never an error."""
    if target is None or target.service_name is None:
        return presence(target, None, [], pods)

    def read():
        service = kube.get('v1', 'Service', target.service_name, target.service_namespace)
        return service, kube.list('discovery.k8s.io/v1', 'EndpointSlice', namespace=target.service_namespace,
                                  label_selector='%s=%s' % (SERVICE_NAME_LABEL, target.service_name)) if service else []

    answer = answer_or_refusal(read)
    if isinstance(answer, DaprSharedError):
        # typically a least-privilege token without get on services or list on endpointslices there
        return dict(reachable=None, ready_endpoints=None, pods=[],
                    reason='could not read Service %s and its EndpointSlices: %s' % (target.service, answer.msg))
    return presence(target, *answer, pods=pods)


def absence_warning(where, target, app):
    """The warning a run prints when daprd is Ready but its app is not there; None when it is."""
    if app.get('reachable') is not False:
        return None
    return ('%s: its app at remote_host %s (port %s) is not there: %s. daprd is Ready and serves the Dapr APIs '
            '(state, publish, invocation of other apps); invocations of this app id and deliveries to it wait until '
            'the app is back. The run did not wait for it.' % (where, target.host, target.port, app['reason']))
