#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: dapr_shared_info
short_description: Report Dapr Shared instances, whichever backend installed them
version_added: 0.1.0
description:
  - Lists Dapr Shared instances (one app id, one namespace, or the whole cluster) installed by
    M(daprkit.dapr.dapr_shared) or by the official C(dapr-shared-chart) Helm chart.
  - For each, reports the backend, strategy, image, readiness per node, whether its app is there, the endpoints apps
    use, where the API token is kept (never its value), the workloads wired to it, each with whether it is current,
    and whether its trust anchors are the control plane's current bundle.
author:
  - daprkit contributors (@daprkit)
extends_documentation_fragment:
  - daprkit.dapr.k8s_auth
  - daprkit.dapr.attributes
  - daprkit.dapr.attributes.INFO_MODULE
options:
  app_id:
    description: "Only the instance with this app id."
    type: str
  namespace:
    description: "Only instances in this namespace; all namespaces when omitted."
    type: str
  cluster_domain:
    description: "DNS domain of the cluster, used in the endpoints."
    type: str
    default: cluster.local
  control_planes:
    description:
      - Also list the Dapr control planes of the cluster (namespaces with the Service C(dapr-sentry)), the rule
        M(daprkit.dapr.dapr_shared) uses to find one. Needs read access to Services in every namespace.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Every Dapr Shared instance of the cluster
  daprkit.dapr.dapr_shared_info:
  register: shared

- name: One instance
  daprkit.dapr.dapr_shared_info:
    namespace: apps
    app_id: orders
'''

RETURN = r'''
control_planes:
  description: The Dapr control planes found, with their version.
  returned: when O(control_planes=true)
  type: list
  elements: dict
  sample: [{namespace: dapr-system, version: 1.18.2}]
helm_dropped_options:
  description:
    - The connection options in effect (options or their C(K8S_AUTH_*) variables) that C(kubernetes.core.helm)
      cannot pass to Helm (it takes only kubeconfig, context, host, api_key, validate_certs and ca_cert), so Helm
      would run with another identity; the role C(daprkit.dapr.dapr_control_plane) refuses to run Helm then.
  returned: when O(control_planes=true)
  type: list
  elements: str
  sample: [impersonate_user]
instances:
  description: One entry per instance found.
  returned: always
  type: list
  elements: dict
  contains:
    app_id: {description: The Dapr app id., type: str, returned: always}
    namespace: {description: Namespace of the instance., type: str, returned: always}
    backend: {description: "C(manifests) (this collection's module) or C(helm) (the official chart).", type: str, returned: always}
    helm_release: {description: Helm release name when the backend is C(helm)., type: str, returned: always}
    strategy: {description: C(daemonset) or C(deployment)., type: str, returned: always}
    workload: {description: Kind and name of the workload., type: str, returned: always}
    image: {description: The daprd image., type: str, returned: always}
    readiness:
      description:
        - Workload readiness with per-node pod counts. A daprd pod is Ready when it serves the Dapr APIs, whether or
          not its app is up (scale to zero); see RV(instances[].app) for the app.
      type: dict
      returned: always
    app:
      description:
        - Whether the app behind the instance's app channel (C(remote_host)) is there, as the API server sees it
          (the ready endpoints of the Service C(remote_host) names; with C(internalTrafficPolicy=Local) only those
          on each daprd's node count).
        - C(reachable) is V(true) when every daprd pod has an app endpoint, V(false) when one has none, V(null)
          when it cannot be told (no app channel, an address outside the cluster, no right to read the Service
          and its EndpointSlices); C(reason) says which. C(pods) gives it per daprd pod (C(pod), C(node), C(reachable)).
      type: dict
      returned: always
      sample: {reachable: false, ready_endpoints: 0, reason: Service apps/orders has 0 ready endpoints, pods: []}
    endpoints: {description: DAPR_HTTP_ENDPOINT and DAPR_GRPC_ENDPOINT for apps., type: dict, returned: always}
    apps:
      description:
        - The workloads wired to the instance (its C(apps) field), found by the field manager the wiring applies
          with, in the instance's namespace and its clients' namespaces, each with whether it is current.
        - C(current) is V(true) when every wired container has the instance's C(DAPR_HTTP_ENDPOINT) and
          C(DAPR_GRPC_ENDPOINT), C(DAPR_API_TOKEN) from the instance's token Secret (or its copy in the app's
          namespace), the pod labels the NetworkPolicy admits and the token hash of the daprd pods (so the app's pods
          rolled since the last token change); C(problems) names what is stale.
        - V(null) when the workloads or the NetworkPolicy could not be read; RV(instances[].apps_reason) says why.
          Reading them needs get on NetworkPolicies and list on Deployments and StatefulSets there.
      type: list
      elements: dict
      returned: always
      sample: [{workload: Deployment apps/web, containers: [app], current: true, problems: []}]
    apps_reason:
      description: Why RV(instances[].apps) is V(null); V(null) otherwise.
      type: str
      returned: always
    api_token: {description: Secret name and key of the API token (never the value) or null., type: dict, returned: always}
    trust_anchors:
      description:
        - Whether the instance's daprd pods trust the current root of the control plane they joined (C(current)),
          read from the control plane's ConfigMap C(dapr-trust-bundle) against the trust anchors the pod template
          carries. V(false) after a root rotation until a run of M(daprkit.dapr.dapr_shared) copies the new
          bundle and rolls daprd; V(null) when it cannot be told, C(reason) says why (for example no right to read
          ConfigMaps in the control plane's namespace).
      type: dict
      returned: always
      sample: {current: true, control_plane: dapr-system, reason: its pods trust the control plane's current bundle}
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.daprkit.dapr.plugins.module_utils import _control_plane as CP
from ansible_collections.daprkit.dapr.plugins.module_utils._args_common import auth_spec, kubeconfig_secrets
from ansible_collections.daprkit.dapr.plugins.module_utils._client import dynamic_client
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError
from ansible_collections.daprkit.dapr.plugins.module_utils._helm_connection import dropped_by_helm_module
from ansible_collections.daprkit.dapr.plugins.module_utils._info import gather
from ansible_collections.daprkit.dapr.plugins.module_utils._service import KubeService


def argument_spec():
    spec = auth_spec()
    spec.update(app_id=dict(type='str'), namespace=dict(type='str'), cluster_domain=dict(type='str', default='cluster.local'),
                control_planes=dict(type='bool', default=False))
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    for value in kubeconfig_secrets(module.params.get('kubeconfig')):
        module.no_log_values.add(value)
    try:
        service = KubeService(dynamic_client(module.params))
        result = dict(changed=False, instances=gather(service, module.params['namespace'], module.params['app_id'],
                                                      module.params['cluster_domain']))
        if module.params['control_planes']:
            result['control_planes'] = [dict(namespace=ns, version=CP.version_of(service, ns))
                                        for ns in CP.find_namespaces(service)]
            result['helm_dropped_options'] = dropped_by_helm_module(module.params, os.environ)
    except DaprSharedError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
