# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: the instance schema, declared once.

Each field carries its type, default, choices, description and what each backend does with it.
Everything else is derived from FIELDS:

- the module argument spec (INSTANCE_ARG_SPEC, below);
- the module doc fragment plugins/doc_fragments/instance.py, the role argument specs and the
  README's field table (written by tools/gen_schema_docs.py, checked for freshness by `make lint`).

`sample` is a valid non-default value; tests/unit/test_schema_backends.py sets it on an instance
and fails unless every backend's output changes (or the backend refuses the field with a reason).
Pure: no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

STRATEGIES = ('daemonset', 'deployment')
STATES = ('present', 'absent')
METHODS = ('manifests', 'helm')
APP_PROTOCOLS = ('http', 'https', 'grpc', 'grpcs', 'h2c')
LOG_LEVELS = ('debug', 'info', 'warn', 'error')
LOG_FORMATS = ('text', 'json')
PULL_POLICIES = ('Always', 'IfNotPresent', 'Never')
MTLS_MODES = ('auto', 'enabled', 'disabled')
APP_KINDS = ('Deployment', 'StatefulSet')
UNHEALTHY_POD_EVICTION_POLICIES = ('AlwaysAllow', 'IfHealthyBudget')
DEFAULT_METRICS_PORT = 9090
MIN_TOKEN_LENGTH = 32


class Field(object):
    """One option of an instance (or of a sub-mapping)."""

    def __init__(self, type, default, description, choices=None, elements=None, options=None,
                 required=False, no_log=None, sample=None, helm=None):
        self.type = type
        self.default = default
        self.description = [description] if isinstance(description, str) else list(description)
        self.choices = list(choices) if choices else None
        self.elements = elements
        self.options = options
        self.required = required
        self.no_log = no_log
        self.sample = sample
        # None: the helm backend consumes the field (chart values and/or the post-renderer);
        # a string: the reason the helm backend refuses a non-default value.
        self.helm = helm

    def arg_spec(self):
        spec = dict(type=self.type)
        if self.required:
            spec['required'] = True
        else:
            spec['default'] = copy.deepcopy(self.default)
        for key in ('choices', 'elements', 'no_log'):
            if getattr(self, key) is not None:
                spec[key] = copy.deepcopy(getattr(self, key))
        if self.options:
            spec['options'] = dict((name, f.arg_spec()) for name, f in self.options.items())
        return spec

    def doc(self):
        entry = dict(description=self.description if len(self.description) > 1 else self.description[0],
                     type=self.type)
        if self.elements:
            entry['elements'] = self.elements
        if self.required:
            entry['required'] = True
        else:
            entry['default'] = copy.deepcopy(self.default)
        if self.choices:
            entry['choices'] = list(self.choices)
        if self.options:
            entry['suboptions'] = dict((name, f.doc()) for name, f in self.options.items())
        return entry


def _token(what, default_enabled, enabled_doc, value_doc):
    return dict(
        enabled=Field('bool', default_enabled, enabled_doc, sample=not default_enabled),
        value=Field('str', '', value_doc, no_log=True, sample='s' * MIN_TOKEN_LENGTH),
        secret_name=Field('str', '', 'An existing Secret in O(namespace) that holds the token; it is read, never '
                          'changed.', sample='my-%s' % what),
        secret_key=Field('str', 'token', 'Key of the token in the Secret.', no_log=False, sample='key'),
    )


FIELDS = dict(
    app_id=Field('str', None, [
        'The Dapr app id the shared daprd serves. A DNS-1123 label of at most 58 characters.',
        'The instance\'s Service is named C(<app_id>-dapr), as with the official chart.'], required=True),
    namespace=Field('str', 'default', 'Namespace of the instance; it must exist.', sample='other'),
    state=Field('str', 'present', 'C(present) installs or updates the instance, C(absent) removes every object it owns.',
                choices=STATES),
    method=Field('str', 'manifests', [
        'Backend. C(manifests) renders and applies the objects itself; C(helm) installs the official dapr-shared '
        'chart as a Helm release (kept in Helm\'s history), its known defects fixed by a post-renderer.',
        'Switching removes every object of the previous backend; the API token is kept.'], choices=METHODS,
        sample='helm'),
    strategy=Field('str', 'daemonset', [
        'C(daemonset) runs one daprd per node and routes callers to the daprd of their own node.',
        'C(deployment) runs O(replicas) daprd for the whole cluster.',
        'Switching removes every object of the previous strategy.'], choices=STRATEGIES, sample='deployment'),
    replicas=Field('int', 1, 'Number of daprd replicas; only with O(strategy=deployment).', sample=3),
    remote_host=Field('str', '', [
        'Host (name or IP, no scheme, no port) where daprd reaches the app (C(--app-channel-address)).',
        'Required when O(remote_port) is set.'], sample='app.example.svc'),
    remote_port=Field('int', 0, 'Port of the app at O(remote_host); C(0) means no app channel (output bindings and '
                      'API only).', sample=8080),
    app_protocol=Field('str', 'http', 'Protocol daprd uses to reach the app.', choices=APP_PROTOCOLS, sample='grpc'),
    daprd_image=Field('str', 'ghcr.io/dapr/daprd', 'Image repository of daprd, without tag.',
                      sample='registry.example.com/daprd'),
    daprd_version=Field('str', '', [
        'Tag of O(daprd_image); empty means the version of the control plane.',
        'Dapr supports daprd at most one minor version behind its control plane, never ahead: an instance whose '
        'tag starts with another MAJOR.MINOR is refused before any change, unless O(allow_version_skew=true). '
        'A control plane whose version cannot be read as MAJOR.MINOR is not compared (the task warns).'],
        sample='1.17.9'),
    allow_version_skew=Field('bool', False, [
        'Run O(daprd_version) even when it is more than one minor version behind the control plane, or newer '
        'than it, which Dapr does not support (for example during an upgrade that skipped a minor version).',
        'The task then warns instead of refusing.'], sample=True),
    image_pull_policy=Field('str', 'IfNotPresent', 'Pull policy of the daprd image.', choices=PULL_POLICIES,
                            sample='Always'),
    image_pull_secrets=Field('list', [], 'Names of Secrets in O(namespace) used to pull the image.', elements='str',
                             no_log=False, sample=['pull']),
    control_plane_namespace=Field('str', '', 'Namespace of the Dapr control plane; empty means the one namespace that '
                                  'runs C(dapr-sentry).', sample='dapr-other'),
    control_plane_trust_domain=Field('str', '', 'Trust domain of the control plane; empty means the one of its '
                                     'C(daprsystem) Configuration.', sample='example.org'),
    cluster_domain=Field('str', 'cluster.local', 'DNS domain of the cluster, used in derived addresses and endpoints.',
                         sample='corp.local'),
    sentry_address=Field('str', '', 'C(host:port) of Sentry; empty derives '
                         'C(dapr-sentry.<control plane namespace>.svc.<cluster_domain>:443).', sample='sentry:443'),
    operator_address=Field('str', '', 'C(host:port) of the operator; empty derives '
                           'C(dapr-api.<ns>.svc.<cluster_domain>:443).', sample='operator:443'),
    placement_address=Field('str', '', 'C(host:port) of placement; empty derives '
                            'C(dapr-placement-server.<ns>.svc.<cluster_domain>:50005).', sample='placement:50005'),
    scheduler_address=Field('str', '', 'C(host:port) of the scheduler; empty derives '
                            'C(dapr-scheduler-server-a.<ns>.svc.<cluster_domain>:443).', sample='scheduler:443'),
    mtls=Field('str', 'auto', [
        'C(auto) matches the control plane\'s C(daprsystem) Configuration.',
        'C(enabled) or C(disabled) must agree with it, otherwise the task fails before any change.'],
        choices=MTLS_MODES, sample='disabled'),
    log_level=Field('str', 'info', 'daprd log level.', choices=LOG_LEVELS, sample='debug'),
    log_format=Field('str', 'text', 'daprd log format.', choices=LOG_FORMATS, sample='json'),
    api_logging=Field('bool', False, 'Log every API call daprd serves.', sample=True),
    metrics=Field('dict', {}, 'Prometheus metrics of daprd.', options=dict(
        enabled=Field('bool', True, 'Expose metrics.', sample=False),
        port=Field('int', DEFAULT_METRICS_PORT, 'Metrics port.', sample=9191),
    )),
    config=Field('str', '', [
        'Name of a Dapr Configuration in O(namespace) applied to daprd.',
        'Empty: the collection\'s own Configuration C(<app_id>-dapr-shared) when O(workflows.clustered) is true, else none.'],
        sample='tracing'),
    workflows=Field('dict', {}, 'Dapr Workflows of the app id.', options=dict(
        clustered=Field('bool', True, [
            'Let several daprd of the app id run its workflows (a daemonset, or O(replicas) > 1): the Dapr',
            'feature C(WorkflowsClusteredDeployment). Without O(config) the collection creates the Configuration',
            'C(<app_id>-dapr-shared) that enables it; with your own O(config), enable the feature there.'],
            sample=False),
    )),
    app_health=Field('dict', {}, 'App health checks daprd performs over the app channel.', options=dict(
        enabled=Field('bool', False, 'Enable app health checks; needs O(remote_port).', sample=True),
        path=Field('str', '/healthz', 'HTTP path probed.', sample='/ready'),
        probe_interval=Field('int', 5, 'Seconds between probes.', sample=7),
        probe_timeout=Field('int', 500, 'Probe timeout in milliseconds.', sample=900),
        threshold=Field('int', 3, 'Failures before the app is marked unhealthy.', sample=4),
    )),
    api_token=Field('dict', {}, [
        'The token every client must send (header C(dapr-api-token)); daprd reads it from C(DAPR_API_TOKEN).',
        'By default a random token is generated once into the Secret C(<app_id>-dapr-api-token) and kept.',
        'Changing the token rolls the pods. The value is never returned.'], no_log=False, options=_token(
        'api-token', True, 'Require a token. Disabling it leaves the daprd API open to whoever reaches the Service.',
        'The token, at least 32 characters (for example from Ansible Vault). Mutually exclusive with '
        'O(api_token.secret_name).')),
    app_token=Field('dict', {}, [
        'The token daprd sends to the app on every callback (header C(dapr-api-token), from C(APP_API_TOKEN)),',
        'so that the app can tell daprd from other callers. Generated and kept like O(api_token) when enabled.'],
        no_log=False, options=_token(
            'app-token', False, 'Send an app token.',
            'The token, at least 32 characters. Mutually exclusive with O(app_token.secret_name).')),
    network_policy=Field('dict', {}, [
        'A NetworkPolicy that lets only the listed clients reach the API ports (3500, 50001), only Dapr peers',
        '(pods with a C(dapr.io/app-id) label, in O(network_policy.peer_namespaces)) reach the internal gRPC port',
        '(50002), and only the monitoring namespaces reach the metrics port. Everything else is denied.',
        'It takes effect only where the cluster\'s network plugin enforces NetworkPolicy.'], options=dict(
        enabled=Field('bool', True, 'Create the NetworkPolicy.', sample=False),
        client_namespaces=Field('list', [], 'Namespaces whose pods may call the API; empty means the instance\'s own '
                                'namespace.', elements='str', sample=['clients']),
        client_pod_selector=Field('dict', {}, 'Labels client pods must carry (in those namespaces); empty means every '
                                  'pod there.', sample={'role': 'client'}),
        monitoring_namespaces=Field('list', [], 'Namespaces allowed to scrape the metrics port; empty means none.',
                                    elements='str', sample=['monitoring']),
        peer_namespaces=Field('list', [], [
            'Namespaces whose Dapr pods (label C(dapr.io/app-id)) may reach the internal gRPC port 50002, besides the',
            'instance\'s own namespace (its replicas call each other there: actors, workflows). Empty means every',
            'namespace: Dapr\'s service invocation across namespaces works by default, and a narrow default would',
            'break it with timeouts. Any tenant can put that label on its pods, so list the namespaces of your',
            'callers to narrow the rule; Dapr\'s mTLS still authenticates every peer (see the README).'],
            elements='str', sample=['peers']),
    )),
    apps=Field('list', [], [
        'Workloads that use the instance, wired by the collection from this declaration: it server-side applies,',
        'with a field manager of its own per instance, only C(DAPR_HTTP_ENDPOINT), C(DAPR_GRPC_ENDPOINT) and',
        '(when O(api_token.enabled)) C(DAPR_API_TOKEN) from the token Secret into their containers, the labels',
        'of O(network_policy.client_pod_selector) and the token\'s hash (a token change rolls them) into their pod',
        'template. Every other field stays as it is. An app removed from the list, or the instance removed,',
        'loses exactly those fields. A listed workload that does not exist fails the task before any change.',
        'An app in another namespace gets a copy of the token, the Secret C(<app_id>.<namespace>.dapr-api-token).'],
        elements='dict', sample=[{'kind': 'Deployment', 'name': 'web'}], options=dict(
            kind=Field('str', 'Deployment', 'Kind of the workload.', choices=APP_KINDS, sample='StatefulSet'),
            name=Field('str', None, 'Name of the workload.', required=True, sample='worker'),
            namespace=Field('str', '', [
                'Namespace of the workload; empty means the instance\'s.',
                'Another namespace must be one of O(network_policy.client_namespaces).'], sample='clients'),
            containers=Field('list', [], 'Names of the containers that get the variables; empty means all.',
                             elements='str', sample=['app']))),
    rollout=Field('dict', {}, [
        'How a change rolls the daprd pods. A shared daprd serves every app of its node (daemonset) or of the',
        'cluster (deployment), so by default the new pod is Ready before the old one stops: with',
        'C(internalTrafficPolicy=Local) a node has no other daprd to fall back on.'], options=dict(
        max_unavailable=Field('int', 0, 'Pods that may be unavailable during a rollout (C(maxUnavailable)).', sample=1),
        max_surge=Field('int', 1, 'Extra pods started during a rollout (C(maxSurge)); not both zero.', sample=2),
        graceful_shutdown_seconds=Field('int', 5, [
            'Seconds daprd lets in-flight requests finish on shutdown (C(--dapr-graceful-shutdown-seconds)).',
            'The pod first waits O(rollout.pre_stop_seconds) so that callers stop picking it.'], sample=9),
        pre_stop_seconds=Field('int', 5, 'Seconds a stopping pod keeps serving while its endpoint is removed '
                               '(a C(preStop) sleep).', sample=2),
    )),
    disruption_budget=Field('dict', {}, 'A PodDisruptionBudget for O(strategy=deployment) (node drains and '
                            'evictions keep enough replicas).', options=dict(
        enabled=Field('bool', True, 'Create the PodDisruptionBudget (deployment only).', sample=False),
        max_unavailable=Field('int', 1, 'Replicas an eviction may take down at a time.', sample=2),
        unhealthy_pod_eviction_policy=Field('str', 'AlwaysAllow', [
            'C(unhealthyPodEvictionPolicy): C(AlwaysAllow) lets a drain evict a daprd pod that is running but not',
            'Ready even when the budget is spent (it serves nothing, and a crash-looping replica would otherwise',
            'block the drain); C(IfHealthyBudget) is the Kubernetes default.'],
            choices=UNHEALTHY_POD_EVICTION_POLICIES, sample='IfHealthyBudget'),
    )),
    topology_spread=Field('bool', True, 'With O(strategy=deployment), spread the replicas over the nodes '
                          '(C(topologySpreadConstraints) on C(kubernetes.io/hostname), best effort).', sample=False),
    node_selector=Field('dict', {}, 'Node selector of the daprd pods.', sample={'pool': 'dapr'}),
    tolerations=Field('list', [], 'Tolerations of the daprd pods.', elements='dict',
                      sample=[{'key': 'dedicated', 'operator': 'Exists'}]),
    affinity=Field('dict', {}, 'Affinity of the daprd pods.', sample={'nodeAffinity': {}}),
    resources=Field('dict', {'requests': {'cpu': '100m', 'memory': '250Mi'}, 'limits': {'memory': '1000Mi'}}, [
        'Resource requests and limits of the daprd container (C(requests), C(limits), as in a pod spec); a value',
        'replaces the default as a whole. The default is Dapr\'s production guidance for a daprd sidecar',
        '(requests C(100m) CPU and C(250Mi) memory, memory limit C(1000Mi)), so the pod is Burstable, not',
        'BestEffort (evicted first under memory pressure). No CPU limit: the guidance\'s C(300m) is sized for one',
        'app, a shared daprd serves all the apps of its node or cluster, and a CPU limit throttles all of them.',
        'C({}) sets none.'], sample={'requests': {'cpu': '50m'}}),
    priority_class_name=Field('str', '', 'PriorityClass of the daprd pods.', sample='high'),
    labels=Field('dict', {}, 'Extra labels on every object and pod.', sample={'team': 'a'}),
    annotations=Field('dict', {}, 'Extra annotations on every object and pod.', sample={'team': 'a'}),
)

# Argument spec of one instance, in AnsibleModule form.
INSTANCE_ARG_SPEC = dict((name, f.arg_spec()) for name, f in FIELDS.items())


def walk(fields=None, prefix=''):
    """(dotted name, Field) of every field and sub-field, depth first."""
    for name, field in (FIELDS if fields is None else fields).items():
        yield prefix + name, field
        if field.options:
            yield from walk(field.options, prefix + name + '.')


def apply_defaults(params, spec=None):
    """A deep copy of params with every missing key filled from the spec's defaults.

    AnsibleModule does this for the module's own options; the list option and the role use this
    so that every path sees the same fully populated instance. Unknown keys are kept (and refused
    by validation).
    """
    spec = INSTANCE_ARG_SPEC if spec is None else spec
    result = {}
    params = params or {}
    for key, option in spec.items():
        value = params.get(key)
        if value is None:
            value = copy.deepcopy(option.get('default'))
        if option.get('type') == 'dict' and option.get('options') and isinstance(value or {}, dict):
            value = apply_defaults(value or {}, option['options'])
        elif option.get('type') == 'list' and option.get('options') and isinstance(value, list):
            value = [apply_defaults(entry, option['options']) if isinstance(entry, dict) else entry for entry in value]
        result[key] = value
    for key, value in params.items():
        if key not in result:
            result[key] = copy.deepcopy(value)
    return result
