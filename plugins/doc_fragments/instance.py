# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The ONE schema of a Dapr Shared instance. It must match module_utils/_spec.py INSTANCE_ARG_SPEC
    # (tests/unit enforce it) and roles/dapr_shared/meta/argument_specs.yml is generated from it.
    DOCUMENTATION = r'''
options:
  app_id:
    description:
      - The Dapr app id the shared daprd serves. A DNS-1123 label of at most 58 characters.
      - The instance's Service is named C(<app_id>-dapr), as with the official chart.
    type: str
    required: true
  namespace:
    description: "Namespace of the instance; it must exist."
    type: str
    default: default
  state:
    description: "C(present) installs or updates the instance, C(absent) removes every object it owns."
    type: str
    default: present
    choices: [present, absent]
  strategy:
    description:
      - C(daemonset) runs one daprd per node and routes callers to the daprd of their own node.
      - C(deployment) runs O(replicas) daprd for the whole cluster.
      - Switching removes every object of the previous strategy.
    type: str
    default: daemonset
    choices: [daemonset, deployment]
  replicas:
    description: "Number of daprd replicas; only with O(strategy=deployment)."
    type: int
    default: 1
  remote_host:
    description:
      - Host (name or IP, no scheme, no port) where daprd reaches the app (C(--app-channel-address)).
      - Required when O(remote_port) is set.
    type: str
    default: ''
  remote_port:
    description: "Port of the app at O(remote_host); C(0) means no app channel (output bindings and API only)."
    type: int
    default: 0
  app_protocol:
    description: "Protocol daprd uses to reach the app."
    type: str
    default: http
    choices: [http, https, grpc, grpcs, h2c]
  daprd_image:
    description: "Image repository of daprd, without tag."
    type: str
    default: ghcr.io/dapr/daprd
  daprd_version:
    description: "Tag of O(daprd_image); empty means the version of the control plane."
    type: str
    default: ''
  image_pull_policy:
    description: "Pull policy of the daprd image."
    type: str
    default: IfNotPresent
    choices: [Always, IfNotPresent, Never]
  image_pull_secrets:
    description: "Names of Secrets in O(namespace) used to pull the image."
    type: list
    elements: str
    default: []
  control_plane_namespace:
    description: "Namespace of the Dapr control plane; empty means the one namespace that runs C(dapr-sentry)."
    type: str
    default: ''
  control_plane_trust_domain:
    description: "Trust domain of the control plane; empty means the one of its C(daprsystem) Configuration."
    type: str
    default: ''
  cluster_domain:
    description: "DNS domain of the cluster, used in derived addresses and endpoints."
    type: str
    default: cluster.local
  sentry_address:
    description: "C(host:port) of Sentry; empty derives C(dapr-sentry.<control plane namespace>.svc.<cluster_domain>:443)."
    type: str
    default: ''
  operator_address:
    description: "C(host:port) of the operator; empty derives C(dapr-api.<ns>.svc.<cluster_domain>:443)."
    type: str
    default: ''
  placement_address:
    description: "C(host:port) of placement; empty derives C(dapr-placement-server.<ns>.svc.<cluster_domain>:50005)."
    type: str
    default: ''
  scheduler_address:
    description: "C(host:port) of the scheduler; empty derives C(dapr-scheduler-server-a.<ns>.svc.<cluster_domain>:443)."
    type: str
    default: ''
  mtls:
    description:
      - C(auto) matches the control plane's C(daprsystem) Configuration.
      - C(enabled) or C(disabled) must agree with it, otherwise the task fails before any change.
    type: str
    default: auto
    choices: [auto, enabled, disabled]
  log_level:
    description: "daprd log level."
    type: str
    default: info
    choices: [debug, info, warn, error]
  log_format:
    description: "daprd log format."
    type: str
    default: text
    choices: [text, json]
  api_logging:
    description: "Log every API call daprd serves."
    type: bool
    default: false
  metrics:
    description: "Prometheus metrics of daprd."
    type: dict
    default: {}
    suboptions:
      enabled:
        description: "Expose metrics."
        type: bool
        default: true
      port:
        description: "Metrics port."
        type: int
        default: 9090
  config:
    description: "Name of a Dapr Configuration in O(namespace) applied to daprd; empty for none."
    type: str
    default: ''
  app_health:
    description: "App health checks daprd performs over the app channel."
    type: dict
    default: {}
    suboptions:
      enabled:
        description: "Enable app health checks; needs O(remote_port)."
        type: bool
        default: false
      path:
        description: "HTTP path probed."
        type: str
        default: /healthz
      probe_interval:
        description: "Seconds between probes."
        type: int
        default: 5
      probe_timeout:
        description: "Probe timeout in milliseconds."
        type: int
        default: 500
      threshold:
        description: "Failures before the app is marked unhealthy."
        type: int
        default: 3
  api_token:
    description:
      - The token every client must send (header C(dapr-api-token)); daprd reads it from C(DAPR_API_TOKEN).
      - By default a random token is generated once into the Secret C(<app_id>-dapr-api-token) and kept.
      - Changing the token rolls the pods. The value is never returned.
    type: dict
    default: {}
    suboptions:
      enabled:
        description: "Require a token. Disabling it leaves the daprd API open to whoever reaches the Service."
        type: bool
        default: true
      value:
        description: "The token, at least 32 characters (for example from Ansible Vault). Mutually exclusive with O(api_token.secret_name)."
        type: str
        default: ''
      secret_name:
        description: "An existing Secret in O(namespace) that holds the token; it is read, never changed."
        type: str
        default: ''
      secret_key:
        description: "Key of the token in the Secret."
        type: str
        default: token
  app_token:
    description:
      - The token daprd sends to the app on every callback (header C(dapr-api-token), from C(APP_API_TOKEN)),
        so that the app can tell daprd from other callers. Generated and kept like O(api_token) when enabled.
    type: dict
    default: {}
    suboptions:
      enabled:
        description: "Send an app token."
        type: bool
        default: false
      value:
        description: "The token, at least 32 characters. Mutually exclusive with O(app_token.secret_name)."
        type: str
        default: ''
      secret_name:
        description: "An existing Secret in O(namespace) that holds the token; it is read, never changed."
        type: str
        default: ''
      secret_key:
        description: "Key of the token in the Secret."
        type: str
        default: token
  network_policy:
    description:
      - A NetworkPolicy that lets only the listed clients reach the API ports (3500, 50001), only Dapr peers
        (pods with a C(dapr.io/app-id) label) reach the internal gRPC port (50002), and only the monitoring
        namespaces reach the metrics port. Everything else is denied.
      - It takes effect only where the cluster's network plugin enforces NetworkPolicy.
    type: dict
    default: {}
    suboptions:
      enabled:
        description: "Create the NetworkPolicy."
        type: bool
        default: true
      client_namespaces:
        description: "Namespaces whose pods may call the API; empty means the instance's own namespace."
        type: list
        elements: str
        default: []
      client_pod_selector:
        description: "Labels client pods must carry (in those namespaces); empty means every pod there."
        type: dict
        default: {}
      monitoring_namespaces:
        description: "Namespaces allowed to scrape the metrics port; empty means none."
        type: list
        elements: str
        default: []
  node_selector:
    description: "Node selector of the daprd pods."
    type: dict
    default: {}
  tolerations:
    description: "Tolerations of the daprd pods."
    type: list
    elements: dict
    default: []
  affinity:
    description: "Affinity of the daprd pods."
    type: dict
    default: {}
  resources:
    description: "Resource requests and limits of the daprd container."
    type: dict
    default: {}
  priority_class_name:
    description: "PriorityClass of the daprd pods."
    type: str
    default: ''
  labels:
    description: "Extra labels on every object and pod."
    type: dict
    default: {}
  annotations:
    description: "Extra annotations on every object and pod."
    type: dict
    default: {}
'''
