#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: dapr_shared
short_description: Install, update or remove one Dapr Shared instance from rendered manifests
version_added: 0.1.0
description:
  - Renders every object of one Dapr Shared instance (ServiceAccount, trust-anchor ConfigMap holding only the
    control plane's public C(ca.crt), API token Secret, DaemonSet or Deployment, Service C(<app_id>-dapr)),
    server-side applies them with its own field manager, prunes the objects it owns and no longer wants,
    and waits until daprd is Ready.
  - With O(strategy=daemonset) the Service uses C(internalTrafficPolicy=Local), so calls stay on the caller's node.
  - O(state=absent) removes every object the instance owns.
  - Objects of the same name that this module did not create are never taken over; the task fails instead.
author:
  - daprkit contributors (@daprkit)
extends_documentation_fragment:
  - daprkit.dapr.instance
  - daprkit.dapr.k8s_auth
  - daprkit.dapr.attributes
  - daprkit.dapr.attributes.ALL
options:
  wait:
    description: "Wait until the workload is Ready (and, for O(state=absent), until every object is gone)."
    type: bool
    default: true
  wait_timeout:
    description: "Seconds to wait."
    type: int
    default: 300
'''

EXAMPLES = r'''
- name: One daprd per node for the app "orders"
  daprkit.dapr.dapr_shared:
    app_id: orders
    namespace: apps
    remote_host: orders.apps.svc.cluster.local
    remote_port: 8080
  register: orders

- name: Show what apps must set
  ansible.builtin.debug:
    msg: "{{ orders.endpoints }}"

- name: Two replicas for the whole cluster, from a private registry, token from Vault
  daprkit.dapr.dapr_shared:
    app_id: functions
    namespace: faas
    strategy: deployment
    replicas: 2
    daprd_image: registry.example.com/dapr/daprd
    api_token:
      value: "{{ vault_functions_dapr_token }}"

- name: Remove it
  daprkit.dapr.dapr_shared:
    app_id: functions
    namespace: faas
    state: absent
'''

RETURN = r'''
objects:
  description: Every object the instance owns or owned, with what this run did to it.
  returned: always
  type: list
  elements: dict
  sample: [{object: "DaemonSet apps/orders-dapr-shared", action: created}]
readiness:
  description: Readiness of the workload, per node.
  returned: when O(state=present)
  type: dict
  sample: {ready: true, kind: DaemonSet, desired: 3, ready_replicas: 3, nodes: {worker: {ready: 1, total: 1, pods: [orders-dapr-shared-x2v9]}}}
endpoints:
  description: Values apps set so that Dapr SDKs reach this instance.
  returned: when O(state=present)
  type: dict
  sample:
    service: orders-dapr
    DAPR_HTTP_ENDPOINT: http://orders-dapr.apps.svc.cluster.local:3500
    DAPR_GRPC_ENDPOINT: http://orders-dapr.apps.svc.cluster.local:50001
api_token:
  description: Where the API token is kept (never the token) and the env a client sets to send it.
  returned: when O(state=present) and the token is enabled
  type: dict
  sample: {secret_name: orders-dapr-api-token, secret_key: token, env: {DAPR_API_TOKEN: {secretKeyRef: {name: orders-dapr-api-token, key: token}}}}
app_token:
  description: Where the app token daprd sends on callbacks (header C(dapr-api-token)) is kept, never the token.
  returned: when O(state=present) and O(app_token.enabled=true)
  type: dict
  sample: {secret_name: orders-dapr-app-token, secret_key: token}
control_plane:
  description: The control plane the instance joined.
  returned: when O(state=present)
  type: dict
  sample: {namespace: dapr-system, version: 1.18.2, trust_domain: cluster.local, mtls: true}
diff:
  description: Objects before and after, server-managed fields removed, Secret values hidden.
  returned: in diff mode
  type: dict
'''

import secrets

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.daprkit.dapr.plugins.module_utils import _spec as S
from ansible_collections.daprkit.dapr.plugins.module_utils._args_common import (
    WAIT_ARG_SPEC, auth_spec, kubeconfig_secrets)
from ansible_collections.daprkit.dapr.plugins.module_utils._client import dynamic_client
from ansible_collections.daprkit.dapr.plugins.module_utils._diff import DifferenceTracker, compare, describe, object_key
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError, InvalidInstance
from ansible_collections.daprkit.dapr.plugins.module_utils._render import fingerprint, render_instance
from ansible_collections.daprkit.dapr.plugins.module_utils._service import KubeService, label_selector


def argument_spec():
    spec = dict(S.INSTANCE_ARG_SPEC)
    spec.update(auth_spec())
    spec.update(WAIT_ARG_SPEC)
    return spec


def resolve_token(service, instance, module, field='api_token'):
    """(value to store or None, hash for the pod annotation). A generated token is kept across runs."""
    ref = S.token_secret_ref(instance, field)
    if ref is None:
        return None, None
    token = instance[field]
    if token['value']:
        return token['value'], fingerprint(token['value'])
    # Read the current token to keep it (idempotence); it is registered as a no_log value below.
    current = service.read_secret_value(instance['namespace'], ref[0], ref[1])
    if token['secret_name']:
        if current is None:
            raise DaprSharedError('%s.secret_name: Secret %s/%s has no key %r; create it first or let the '
                                  'module generate a token' % (field, instance['namespace'], ref[0], ref[1]))
        module.no_log_values.add(current)
        return None, fingerprint(current)
    value = current if current else secrets.token_urlsafe(48)
    module.no_log_values.add(value)
    return value, fingerprint(value)


def install(service, instance, module):
    control_plane = service.read_control_plane(instance['control_plane_namespace'])
    if instance['control_plane_trust_domain']:
        control_plane.trust_domain = instance['control_plane_trust_domain']
    try:
        control_plane.mtls = S.resolve_mtls(instance['mtls'], control_plane.mtls)
    except ValueError as exc:
        raise InvalidInstance(['instance %s/%s: %s' % (instance['namespace'], instance['app_id'], exc)])
    version = instance['daprd_version'] or control_plane.version
    if not version:
        raise DaprSharedError('daprd_version: the control plane in %s reports no version; set daprd_version'
                              % control_plane.namespace)
    namespace_exists = service.namespace_exists(instance['namespace'])
    if not namespace_exists and not module.check_mode:
        raise DaprSharedError('namespace: %s does not exist; create it first' % instance['namespace'])

    tokens = {}
    for field, _variable, _suffix, _annotation in S.TOKEN_FIELDS:
        tokens[field] = resolve_token(service, instance, module, field) if namespace_exists else (
            instance[field]['value'] or 'planned', 'planned')
    desired = render_instance(instance, control_plane, version, tokens)

    # Read everything first: refuse foreign objects before the first change (nothing half-applied).
    if namespace_exists:
        for obj in desired:
            owner = service.foreign_owner(obj)
            if owner:
                raise DaprSharedError('%s already exists and %s; refusing to take it over. Remove it, or choose '
                                      'another app_id or namespace.' % (describe(obj), owner))
    owned = service.owned_objects(instance['namespace'], instance['app_id']) if namespace_exists else []

    tracker = DifferenceTracker()
    for obj in desired:
        before = service.get(obj['apiVersion'], obj['kind'], obj['metadata']['name'], obj['metadata']['namespace']) \
            if namespace_exists else None
        # A namespace that does not exist yet cannot take a dry run: plan a creation.
        after = service.apply(obj) if namespace_exists else obj
        tracker.record(compare(before, after), before, after)

    wanted = set(object_key(o) for o in desired)
    stale = [o for o in owned if object_key(o) not in wanted]
    for obj in stale:
        service.delete(obj)
        tracker.record('deleted', obj, None)

    workload = next(o for o in desired if o['kind'] in ('DaemonSet', 'Deployment'))
    pod_selector = label_selector(workload['spec']['selector']['matchLabels'])
    if module.check_mode or not module.params['wait']:
        readiness = service.readiness(workload, pod_selector)[0] if namespace_exists else dict(ready=False)
    else:
        try:
            if stale:
                service.wait_gone(stale, module.params['wait_timeout'])
            readiness = service.wait_ready(workload, pod_selector, module.params['wait_timeout'])
        except DaprSharedError as exc:
            # The objects were applied: say so, and what was applied, with the failure.
            exc.details.update(changed=tracker.changed, objects=tracker.actions())
            raise

    result = dict(
        changed=tracker.changed, objects=tracker.actions(), readiness=readiness, endpoints=S.endpoints(instance),
        control_plane=dict(namespace=control_plane.namespace, version=control_plane.version,
                           trust_domain=control_plane.trust_domain, mtls=control_plane.mtls),
    )
    ref = S.token_secret_ref(instance)
    if ref:
        result['api_token'] = dict(secret_name=ref[0], secret_key=ref[1],
                                   env=dict(DAPR_API_TOKEN=dict(secretKeyRef=dict(name=ref[0], key=ref[1]))))
    app_ref = S.token_secret_ref(instance, 'app_token')
    if app_ref:
        result['app_token'] = dict(secret_name=app_ref[0], secret_key=app_ref[1])
    if module._diff:
        result['diff'] = tracker.diff()
    return result


def remove(service, instance, module):
    if not service.namespace_exists(instance['namespace']):
        return dict(changed=False, objects=[])
    owned = service.owned_objects(instance['namespace'], instance['app_id'])
    tracker = DifferenceTracker()
    # Workloads first so that pods stop before their Service and credentials disappear.
    owned.sort(key=lambda o: 0 if o['kind'] in ('DaemonSet', 'Deployment') else 1)
    for obj in owned:
        service.delete(obj)
        tracker.record('deleted', obj, None)
    if owned and module.params['wait'] and not module.check_mode:
        service.wait_gone(owned, module.params['wait_timeout'])
    result = dict(changed=tracker.changed, objects=tracker.actions())
    if module._diff:
        result['diff'] = tracker.diff()
    return result


def run(module, service_factory=None):
    instance = S.apply_defaults(dict((k, module.params[k]) for k in S.INSTANCE_ARG_SPEC))
    problems = S.validate_instance(instance)
    if problems:
        raise InvalidInstance(problems)
    factory = service_factory or (lambda: KubeService(dynamic_client(module.params), check_mode=module.check_mode))
    service = factory()
    if instance['state'] == 'absent':
        return remove(service, instance, module)
    return install(service, instance, module)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    for value in kubeconfig_secrets(module.params.get('kubeconfig')):
        module.no_log_values.add(value)
    try:
        result = run(module)
    except DaprSharedError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
