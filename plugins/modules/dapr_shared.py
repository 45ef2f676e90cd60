#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: dapr_shared
short_description: Install, update or remove Dapr Shared instances, from rendered manifests or the official Helm chart
version_added: 0.1.0
description:
  - Renders every object of a Dapr Shared instance (ServiceAccount, trust-anchor ConfigMap holding only the
    control plane's public C(ca.crt), API token Secret, DaemonSet or Deployment, Service C(<app_id>-dapr),
    NetworkPolicy), checks them all with a server-side dry run before the first change, applies them with its
    own field manager, prunes the objects it owns and no longer wants, and waits until daprd is Ready.
  - With O(method=helm) the same objects are installed as a release of the official dapr-shared chart
    (Helm run through the helm module_utils of kubernetes.core, with a post-renderer shipped in this collection,
    a path for Helm 3 and a postrenderer/v1 plugin in a private plugins directory for Helm 4), so C(helm history),
    C(helm rollback) and C(helm uninstall) keep working. One module run plans, releases and waits. The API token Secret is never part of the release.
  - With O(strategy=daemonset) the Service uses C(internalTrafficPolicy=Local), so calls stay on the caller's node.
  - O(state=absent) removes every object the instance owns (and its release).
  - O(instances) takes a list of instances, applied together and waited on together.
  - Objects of the same name that this module did not create are never taken over; the task fails instead.
  - O(apps) wires the workloads that use an instance, with a field manager of its own per instance
    (C(daprkit.dapr-wiring/<namespace>/<app_id>)); only the fields it set are ever changed or removed there.
  - A run with O(api_token.enabled=false) warns that the NetworkPolicy is then the only guard of the daprd API.
author:
  - daprkit contributors (@daprkit)
extends_documentation_fragment:
  - daprkit.dapr.instance
  - daprkit.dapr.k8s_auth
  - daprkit.dapr.attributes
  - daprkit.dapr.attributes.ALL
options:
  instances:
    description:
      - A list of instances, each a mapping with the instance options above (O(app_id), O(namespace), ...).
      - Mutually exclusive with O(app_id). Every instance is validated before anything changes, all problems at once.
    type: list
    elements: dict
  helm_chart_ref:
    description: "O(method=helm): the official dapr-shared chart, an C(oci://) reference (a mirror works), repo chart or path."
    type: str
    default: oci://registry-1.docker.io/daprio/dapr-shared-chart
  helm_chart_version:
    description: "O(method=helm): the chart version; the post-renderer knows the objects of this version."
    type: str
    default: 0.0.16
  helm_plain_http:
    description: "O(method=helm): plain HTTP to the OCI registry (a mirror on loopback)."
    type: bool
    default: false
  create_namespaces:
    description:
      - Create the namespace of a present instance when it does not exist, before the server-side dry runs
        (which need it). Needs the right to create Namespaces. In check mode the creation is only reported.
    type: bool
    default: false
  lease_wait_timeout:
    description:
      - Seconds to wait for another run that is changing the same namespaces before failing, naming it.
      - A run holds a C(coordination.k8s.io) Lease named C(daprkit-dapr-shared) in each instance namespace from
        before it reads the instances to its end (not in check mode), so two runs never change one namespace at
        once. A Lease left by a killed run expires 30 seconds after its last renewal and is taken over.
    type: int
    default: 600
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

- name: An instance, and the two workloads that use it wired from the same declaration
  daprkit.dapr.dapr_shared:
    app_id: orders
    namespace: apps
    network_policy:
      client_pod_selector: {dapr-client: orders}
    apps:
      - {kind: Deployment, name: orders-web}
      - {kind: StatefulSet, name: orders-worker, containers: [worker]}

- name: Remove it
  daprkit.dapr.dapr_shared:
    app_id: functions
    namespace: faas
    state: absent
'''

RETURN = r'''
instances:
  description:
    - One entry per instance, in the order given, with what this run did and the instance's state.
    - "C(apps) lists what the run did to the apps the instance wires or wired (O(apps)): C(object), C(step) (C(wire),
      C(unwire), C(copy) of the token into an app's namespace, C(drop) of a copy no app uses), C(field) and C(action)."
  returned: always
  type: list
  elements: dict
  sample: [{key: apps/orders, method: manifests, changed: true, endpoints: {service: orders-dapr},
            apps: [{object: Deployment apps/web, step: wire, field: "apps[0]", action: updated}]}]
objects:
  description: Every object the instance owns or owned, with what this run did to it (single instance only).
  returned: when O(app_id) is given
  type: list
  elements: dict
  sample: [{object: "DaemonSet apps/orders-dapr-shared", action: created}]
readiness:
  description: Readiness of the workload, per node (single instance only; each entry of RV(instances) has it too).
  returned: when O(state=present) and O(app_id) is given
  type: dict
  sample: {ready: true, kind: DaemonSet, desired: 3, ready_replicas: 3, nodes: {worker: {ready: 1, total: 1, pods: [orders-dapr-shared-x2v9]}}}
app:
  description:
    - Whether the app at O(remote_host) is there for each daprd pod (the ready endpoints of the Service it names), read
      after the wait and never waited on. A daprd is Ready when it serves the Dapr APIs, with or without its app
      (single instance only; each entry of RV(instances) has it too).
    - When it is V(false) the run warns, naming O(remote_host) and what it found.
  returned: when O(state=present) and O(app_id) is given
  type: dict
  sample: {reachable: true, ready_endpoints: 2, reason: Service apps/orders has 2 ready endpoints,
           pods: [{pod: orders-dapr-shared-x2v9, node: worker, reachable: true}]}
endpoints:
  description:
    - What apps set so that Dapr SDKs reach this instance, where its API token is kept (never the token) and
      whether it is ready. The same shape for both backends (each entry of RV(instances) has it too).
  returned: when O(state=present) and O(app_id) is given
  type: dict
  sample:
    service: orders-dapr
    DAPR_HTTP_ENDPOINT: http://orders-dapr.apps.svc.cluster.local:3500
    DAPR_GRPC_ENDPOINT: http://orders-dapr.apps.svc.cluster.local:50001
    api_token: {secret_name: orders-dapr-api-token, secret_key: token}
    ready: true
api_token:
  description: Where the API token is kept (never the token) and the env a client sets to send it.
  returned: when O(state=present), O(app_id) is given and the token is enabled
  type: dict
  sample: {secret_name: orders-dapr-api-token, secret_key: token, env: {DAPR_API_TOKEN: {secretKeyRef: {name: orders-dapr-api-token, key: token}}}}
app_token:
  description: Where the app token daprd sends on callbacks (header C(dapr-api-token)) is kept, never the token.
  returned: when O(state=present), O(app_id) is given and O(app_token.enabled=true)
  type: dict
  sample: {secret_name: orders-dapr-app-token, secret_key: token}
control_plane:
  description: The control plane the instance joined.
  returned: when O(state=present) and O(app_id) is given
  type: dict
  sample: {namespace: dapr-system, version: 1.18.2, trust_domain: cluster.local, mtls: true}
diff:
  description: Objects before and after, server-managed fields removed, Secret values hidden.
  returned: in diff mode
  type: dict
lease:
  description:
    - What the run's namespace Leases (O(lease_wait_timeout)) went through, when it is worth saying
      (C(waited_seconds) per namespace another run held, C(taken_over_from) per namespace whose expired Lease a
      killed run had left, C(lost) namespaces whose Lease another run took while this one ran).
  returned: when this run waited for another run or took over a Lease
  type: dict
  sample: {waited_seconds: {apps: 12}}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils._args_common import (
    WAIT_ARG_SPEC, auth_spec, kubeconfig_secrets)
from ansible_collections.daprkit.dapr.plugins.module_utils._client import dynamic_client
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError
from ansible_collections.daprkit.dapr.plugins.module_utils._helm_host import HelmHost
from ansible_collections.daprkit.dapr.plugins.module_utils._runner import Runner
from ansible_collections.daprkit.dapr.plugins.module_utils._service import KubeService


def argument_spec():
    spec = dict(SC.INSTANCE_ARG_SPEC)
    # required per instance, checked by the runner: the list option replaces it
    spec['app_id'] = dict(type='str')
    spec.update(
        instances=dict(type='list', elements='dict'),
        helm_chart_ref=dict(type='str', default='oci://registry-1.docker.io/daprio/dapr-shared-chart'),
        helm_chart_version=dict(type='str', default='0.0.16'),
        helm_plain_http=dict(type='bool', default=False),
        create_namespaces=dict(type='bool', default=False),
        lease_wait_timeout=dict(type='int', default=600),
    )
    spec.update(auth_spec())
    spec.update(WAIT_ARG_SPEC)
    return spec


def run_module(module, service=None):
    service = service or KubeService(dynamic_client(module.params), check_mode=module.check_mode)
    chart = dict(ref=module.params['helm_chart_ref'], version=module.params['helm_chart_version'],
                 plain_http=module.params['helm_plain_http'])
    return Runner(module, service, chart, HelmHost(module)).run()


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[('app_id', 'instances')])
    for value in kubeconfig_secrets(module.params.get('kubeconfig')):
        module.no_log_values.add(value)
    try:
        result = run_module(module)
    except DaprSharedError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
