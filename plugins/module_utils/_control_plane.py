# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: finding and reading the Dapr control plane an instance joins.

One rule, used by both backends and both modules: a control plane is a namespace with the Service
dapr-sentry. Its trust bundle, mTLS switch, trust domain and version are read from there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError


class ControlPlane(namedtuple('ControlPlane', ('namespace', 'trust_domain', 'ca_crt', 'mtls', 'version'))):
    """What an instance needs to know of the Dapr control plane it joins. Immutable: what an instance
    overrides (trust domain, mTLS) makes a new value (_replace), the one read stays as read."""
    __slots__ = ()

    def __new__(cls, namespace, trust_domain='cluster.local', ca_crt='', mtls=True, version=''):
        return super(ControlPlane, cls).__new__(cls, namespace, trust_domain, ca_crt, mtls, version)

    def as_result(self):
        return dict(namespace=self.namespace, version=self.version, trust_domain=self.trust_domain, mtls=self.mtls)


def find_namespaces(service):
    """Namespaces that run a Dapr control plane (one Sentry Service each)."""
    services = service.list('v1', 'Service', field_selector='metadata.name=%s' % N.CONTROL_PLANE_SERVICE)
    return sorted(set(s['metadata']['namespace'] for s in services))


def version_of(service, namespace):
    operator = service.get('apps/v1', 'Deployment', N.CONTROL_PLANE_OPERATOR, namespace)
    if not operator:
        return ''
    labels = operator['metadata'].get('labels') or {}
    if labels.get(N.LABEL_VERSION):
        return labels[N.LABEL_VERSION].lstrip('v')
    image = operator['spec']['template']['spec']['containers'][0]['image']
    tag = image.rsplit(':', 1)[-1] if ':' in image.rsplit('/', 1)[-1] else ''
    return tag.lstrip('v')


def read(service, namespace=''):
    """The control plane in namespace, or the only one in the cluster when namespace is empty."""
    if not namespace:
        found = find_namespaces(service)
        if not found:
            raise DaprSharedError('no Dapr control plane found (no Service %s in any namespace); install it first '
                                  '(role daprkit.dapr.dapr_control_plane) or set control_plane_namespace'
                                  % N.CONTROL_PLANE_SERVICE)
        if len(found) > 1:
            raise DaprSharedError('several Dapr control planes found (%s); set control_plane_namespace' % ', '.join(found))
        namespace = found[0]
    bundle = service.get('v1', 'ConfigMap', N.TRUST_BUNDLE, namespace)
    ca_crt = ((bundle or {}).get('data') or {}).get('ca.crt')
    if not ca_crt:
        raise DaprSharedError('the control plane in namespace %s publishes no trust bundle (ConfigMap %s, key ca.crt); '
                              'is Dapr Sentry running there?' % (namespace, N.TRUST_BUNDLE))
    try:
        config = service.get('dapr.io/v1alpha1', 'Configuration', N.CONTROL_PLANE_CONFIGURATION, namespace)
    except DaprSharedError:
        config = None
    mtls_spec = ((config or {}).get('spec') or {}).get('mtls') or {}
    return ControlPlane(namespace=namespace, trust_domain=mtls_spec.get('controlPlaneTrustDomain') or 'cluster.local',
                        ca_crt=ca_crt, mtls=mtls_spec.get('enabled', True) if config else None,
                        version=version_of(service, namespace))


def resolve_mtls(requested, control_plane_mtls):
    """Match daprd's --enable-mtls to the control plane; refuse an explicit mismatch.

    requested: 'auto' | 'enabled' | 'disabled'; control_plane_mtls: bool or None (unknown).
    """
    if requested == 'auto':
        return True if control_plane_mtls is None else bool(control_plane_mtls)
    wanted = requested == 'enabled'
    if control_plane_mtls is not None and wanted != bool(control_plane_mtls):
        raise ValueError('mtls: %s was requested but the control plane has mTLS %s (Configuration daprsystem '
                         'spec.mtls.enabled); daprd must match it. Use mtls: auto or change the control plane.'
                         % (requested, 'enabled' if control_plane_mtls else 'disabled'))
    return wanted
