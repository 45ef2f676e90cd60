# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: the instance schema, declared once.

Every fact about a field lives on its declaration in FIELDS; everything else is derived from it:

- the module argument spec (INSTANCE_ARG_SPEC, below) and the defaults (apply_defaults);
- each field's validation and error naming (type_problems, value_problems; _validate.py adds only
  the rules that tie several fields together);
- which field an API server rejection is about (field_of_rejection);
- the helm backend's chart values (_helm.chart_values);
- the module doc fragment plugins/doc_fragments/instance.py, the role argument specs, the role
  READMEs and the README's field and chart-value lists (tools/gen_schema_docs.py, `make lint`).

Declaring a field (adding one is this file plus the code that renders it, _render.py):

    name=Field(type, default, description,                 # 'str', 'int', 'bool', 'list' or 'dict'
               choices=(...),                              # an enum: the accepted values, case-sensitive
               check=C.dns_label(),                        # the value's rule, from _checks.py (names,
                                                           #   ports, quantities, label maps, durations...)
               api_paths=('spec.template.spec.nodeSelector',),   # where it lands in the rendered objects,
                                                           #   from the object's root ([*]: any index); an API
                                                           #   server rejection under that path names the field
               chart='shared.scheduling.nodeSelector',     # what the helm backend gives the official chart
                                                           #   0.0.16, one of the forms below
               sample=...)                                 # a valid non-default value: the tests set it and
                                                           #   require every backend's output to change

chart= says what `helm get values` shows of the field:
    'path' or Value('path', convert)   the chart value at that dotted path: the field's value, or
                                       convert(value); Value('path', derive=f) computes it from the whole
                                       instance. Derived fields ('' means derived) hold what the run
                                       resolved (the control plane's namespace, mTLS, version...:
                                       _helm._as_run).
    [Value(...), ...]                  several chart values
    Feeds('path', ...)                 no chart value of its own; it changes the value at those paths
                                       (cluster_domain is part of every derived address)
    PlanOnly('why')                    the chart has no value for it: it lives only in the post-render
                                       plan (the README lists these fields)
    NotReleased('why')                 not part of what Helm installs (it selects or checks)
A dict or list field with sub-fields may declare PlanOnly or NotReleased for all of them.
A free-form dict or list of mappings (no sub-fields) must declare a check: its keys are refused there.
A rule that ties the field to another one is a named function in _validate.RULES. Then run
tools/gen_schema_docs.py; tests/unit/test_schema_backends.py checks the declaration against both backends.

Pure: no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible_collections.daprkit.dapr.plugins.module_utils import _checks as C
from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N

STRATEGIES = ('daemonset', 'deployment')
STATES = ('present', 'absent')
METHODS = ('manifests', 'helm')
APP_PROTOCOLS = ('http', 'https', 'grpc', 'grpcs', 'h2c')
LOG_LEVELS = ('debug', 'info', 'warn', 'error')
LOG_FORMATS = ('text', 'json')
PULL_POLICIES = ('Always', 'IfNotPresent', 'Never')
MTLS_MODES = ('auto', 'enabled', 'disabled')
APP_KINDS = ('Deployment', 'StatefulSet')
AFFINITY_KINDS = ('nodeAffinity', 'podAffinity', 'podAntiAffinity')
UNHEALTHY_POD_EVICTION_POLICIES = ('AlwaysAllow', 'IfHealthyBudget')
DEFAULT_METRICS_PORT = 9090
MIN_TOKEN_LENGTH = 32


# -- what the helm backend gives the chart (chart=) ------------------------------------------------

class Value(object):
    """A value of the official chart that carries the field."""

    def __init__(self, path, convert=None, derive=None):
        self.path = path
        self.convert = convert
        self.derive = derive

    def of(self, value, instance):
        if self.derive is not None:
            return self.derive(instance)
        return self.convert(value) if self.convert is not None else copy.deepcopy(value)


class Feeds(object):
    """No chart value of its own: the field changes the values (declared by other fields) at paths."""

    def __init__(self, *paths):
        self.paths = paths


class PlanOnly(object):
    """The chart has no value for the field: only the post-render plan carries it."""

    def __init__(self, why):
        self.why = why


class NotReleased(object):
    """The field is not part of what Helm installs."""

    def __init__(self, why):
        self.why = why


def _chart(declaration):
    if declaration is None or isinstance(declaration, (Feeds, PlanOnly, NotReleased)):
        return declaration
    declarations = declaration if isinstance(declaration, (list, tuple)) else [declaration]
    return [Value(d) if isinstance(d, str) else d for d in declarations]


def _api_path_pattern(path):
    parts = [r'\[[^\]]*\]' if part == '[*]' else re.escape(part) for part in re.split(r'(\[\*\])', path) if part]
    return re.compile(''.join(parts) + r'(?=$|[.\[])')


class Field(object):
    """One option of an instance (or of a sub-mapping); see the top of this file."""

    def __init__(self, type, default, description, choices=None, elements=None, options=None,
                 required=False, no_log=None, sample=None, helm=None, check=None, api_paths=(), chart=None):
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
        self.check = check
        self.api_paths = tuple(api_paths)
        self.api_patterns = [_api_path_pattern(path) for path in self.api_paths]
        self.chart = _chart(chart)
        if isinstance(self.chart, (PlanOnly, NotReleased)):
            for sub in (options or {}).values():
                if sub.chart is None:
                    sub.chart = self.chart

    def chart_values(self):
        """The chart values that carry the field ([] for Feeds, PlanOnly and NotReleased)."""
        return self.chart if isinstance(self.chart, list) else []

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
        value=Field('str', '', value_doc, no_log=True, sample='s' * MIN_TOKEN_LENGTH,
                    check=C.secret_text(MIN_TOKEN_LENGTH)),
        secret_name=Field('str', '', 'An existing Secret in O(namespace) that holds the token; it is read, never '
                          'changed.', sample='my-%s' % what,
                          check=C.dns_subdomain('must be a Secret name (DNS-1123 subdomain)', empty_ok=True)),
        secret_key=Field('str', 'token', 'Key of the token in the Secret.', no_log=False, sample='key',
                         check=C.matches(re.compile(r'^[-._a-zA-Z0-9]+$'), 'must be a Secret key ([-._a-zA-Z0-9]+)')),
    )


def _image_registry(image):
    """'ghcr.io/dapr/daprd' -> 'ghcr.io/dapr' (the chart wants registry and name apart)."""
    return image.rsplit('/', 1)[0] if '/' in image else 'docker.io/library'


def _host(address):
    return address.rsplit(':', 1)[0]


def _port(address):
    return int(address.rsplit(':', 1)[1])


def _sentry_audience(instance):
    return 'spiffe://%s/ns/%s/dapr-sentry' % (instance['control_plane_trust_domain'],
                                              instance['control_plane_namespace'])


def _control_plane_address(chart_key):
    return [Value('shared.controlPlane.%s.address' % chart_key, _host),
            Value('shared.controlPlane.%s.port' % chart_key, _port)]


_CONTAINER = 'spec.template.spec.containers[*]'
_POD = 'spec.template.spec'
_ROLLOUT = ('spec.strategy.rollingUpdate', 'spec.updateStrategy.rollingUpdate')  # Deployment, DaemonSet
_DERIVED_ADDRESSES = ('shared.controlPlane.sentry.address', 'shared.controlPlane.operator.address',
                      'shared.controlPlane.placementServer.address', 'shared.scheduler.address')
_NO_POLICY = PlanOnly('the chart has no NetworkPolicy')

FIELDS = dict(
    app_id=Field('str', None, [
        'The Dapr app id the shared daprd serves. A DNS-1123 label of at most 58 characters.',
        'The instance\'s Service is named C(<app_id>-dapr), as with the official chart.'], required=True,
        sample='payments',
        check=C.dns_label('must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a '
                          'letter or digit, at most %d characters so that "<app_id>-dapr" fits)' % N.MAX_APP_ID_LENGTH,
                          max_length=N.MAX_APP_ID_LENGTH),
        chart='shared.appId'),
    namespace=Field('str', 'default', 'Namespace of the instance; it must exist.', sample='other',
                    check=C.dns_label(), api_paths=('metadata.namespace',),
                    chart=NotReleased('the release\'s namespace: `helm get values -n <namespace>`')),
    state=Field('str', 'present', 'C(present) installs or updates the instance, C(absent) removes every object it owns.',
                choices=STATES, sample='absent', chart=NotReleased('`absent` uninstalls the release')),
    method=Field('str', 'manifests', [
        'Backend. C(manifests) renders and applies the objects itself; C(helm) installs the official dapr-shared '
        'chart as a Helm release (kept in Helm\'s history), its known defects fixed by a post-renderer.',
        'Switching removes every object of the previous backend; the API token is kept.'], choices=METHODS,
        sample='helm', chart=NotReleased('selects the backend')),
    strategy=Field('str', 'daemonset', [
        'C(daemonset) runs one daprd per node and routes callers to the daprd of their own node.',
        'C(deployment) runs O(replicas) daprd for the whole cluster.',
        'Switching removes every object of the previous strategy.'], choices=STRATEGIES, sample='deployment',
        chart='shared.strategy'),
    replicas=Field('int', 1, 'Number of daprd replicas; only with O(strategy=deployment).', sample=3,
                   check=C.at_least(1), api_paths=('spec.replicas',), chart='shared.deployment.replicas'),
    remote_host=Field('str', '', [
        'Host (name or IP, no scheme, no port) where daprd reaches the app (C(--app-channel-address)).',
        'Required when O(remote_port) is set.'], sample='app.example.svc', check=C.host(), chart='shared.remoteURL'),
    remote_port=Field('int', 0, 'Port of the app at O(remote_host); C(0) means no app channel (output bindings and '
                      'API only).', sample=8080, check=C.port(zero_ok=True), chart='shared.remotePort'),
    app_protocol=Field('str', 'http', 'Protocol daprd uses to reach the app.', choices=APP_PROTOCOLS, sample='grpc',
                       chart='shared.daprd.app.protocol'),
    daprd_image=Field('str', 'ghcr.io/dapr/daprd', 'Image repository of daprd, without tag.',
                      sample='registry.example.com/daprd', check=C.image_repository('daprd_version'),
                      api_paths=(_CONTAINER + '.image',),
                      chart=[Value('shared.daprd.image.registry', _image_registry),
                             Value('shared.daprd.image.name', lambda image: image.rsplit('/', 1)[-1])]),
    daprd_version=Field('str', '', [
        'Tag of O(daprd_image); empty means the version of the control plane.',
        'Dapr supports daprd at most one minor version behind its control plane, never ahead: an instance whose '
        'tag starts with another MAJOR.MINOR is refused before any change, unless O(allow_version_skew=true). '
        'A control plane whose version cannot be read as MAJOR.MINOR is not compared (the task warns).'],
        sample='1.17.9', check=C.release_version(), chart='shared.daprd.image.tag'),
    allow_version_skew=Field('bool', False, [
        'Run O(daprd_version) even when it is more than one minor version behind the control plane, or newer '
        'than it, which Dapr does not support (for example during an upgrade that skipped a minor version).',
        'The task then warns instead of refusing.'], sample=True,
        chart=NotReleased('a check before rendering')),
    image_pull_policy=Field('str', 'IfNotPresent', 'Pull policy of the daprd image.', choices=PULL_POLICIES,
                            sample='Always', api_paths=(_CONTAINER + '.imagePullPolicy',),
                            chart='shared.daprd.image.pullPolicy'),
    image_pull_secrets=Field('list', [], 'Names of Secrets in O(namespace) used to pull the image.', elements='str',
                             no_log=False, sample=['pull'], check=C.entries(C.DNS1123_SUBDOMAIN, 'Secret names'),
                             api_paths=(_POD + '.imagePullSecrets',),
                             chart=Value('imagePullSecrets', lambda names: [dict(name=n) for n in names])),
    control_plane_namespace=Field('str', '', 'Namespace of the Dapr control plane; empty means the one namespace that '
                                  'runs C(dapr-sentry).', sample='dapr-other',
                                  check=C.dns_label('must be a DNS-1123 label or empty (detected)', empty_ok=True),
                                  chart='shared.controlPlane.namespace'),
    control_plane_trust_domain=Field('str', '', 'Trust domain of the control plane; empty means the one of its '
                                     'C(daprsystem) Configuration.', sample='example.org',
                                     chart=[Value('shared.controlPlane.trustDomain'),
                                            Value('shared.daprd.serviceAccountIdentityToken.audience',
                                                  derive=_sentry_audience)]),
    cluster_domain=Field('str', 'cluster.local', 'DNS domain of the cluster, used in derived addresses and endpoints.',
                         sample='corp.local', check=C.dns_subdomain('must be a DNS name such as cluster.local'),
                         chart=Feeds(*_DERIVED_ADDRESSES)),
    sentry_address=Field('str', '', 'C(host:port) of Sentry; empty derives '
                         'C(dapr-sentry.<control plane namespace>.svc.<cluster_domain>:443).', sample='sentry:443',
                         check=C.address(), chart=_control_plane_address('sentry')),
    operator_address=Field('str', '', 'C(host:port) of the operator; empty derives '
                           'C(dapr-api.<ns>.svc.<cluster_domain>:443).', sample='operator:443',
                           check=C.address(), chart=_control_plane_address('operator')),
    placement_address=Field('str', '', 'C(host:port) of placement; empty derives '
                            'C(dapr-placement-server.<ns>.svc.<cluster_domain>:50005).', sample='placement:50005',
                            check=C.address(), chart=_control_plane_address('placementServer')),
    scheduler_address=Field('str', '', 'C(host:port) of the scheduler; empty derives '
                            'C(dapr-scheduler-server-a.<ns>.svc.<cluster_domain>:443).', sample='scheduler:443',
                            check=C.address(), chart='shared.scheduler.address'),
    mtls=Field('str', 'auto', [
        'C(auto) matches the control plane\'s C(daprsystem) Configuration.',
        'C(enabled) or C(disabled) must agree with it, otherwise the task fails before any change.'],
        choices=MTLS_MODES, sample='disabled',
        chart=Value('shared.daprd.mtls.enabled', lambda mode: mode == 'enabled')),
    log_level=Field('str', 'info', 'daprd log level.', choices=LOG_LEVELS, sample='debug', chart='shared.log.level'),
    log_format=Field('str', 'text', 'daprd log format.', choices=LOG_FORMATS, sample='json',
                     chart=Value('shared.log.json', lambda log_format: log_format == 'json')),
    api_logging=Field('bool', False, 'Log every API call daprd serves.', sample=True,
                      chart='shared.daprd.apiLogging.enabled'),
    metrics=Field('dict', {}, 'Prometheus metrics of daprd.', options=dict(
        enabled=Field('bool', True, 'Expose metrics.', sample=False, chart='shared.daprd.metrics.enabled'),
        port=Field('int', DEFAULT_METRICS_PORT, 'Metrics port.', sample=9191, check=C.port(reserved=N.DAPRD_PORTS),
                   chart='shared.daprd.metrics.port'),
    )),
    config=Field('str', '', [
        'Name of a Dapr Configuration in O(namespace) applied to daprd.',
        'Empty: the collection\'s own Configuration C(<app_id>-dapr-shared) when O(workflows.clustered) is true, else none.'],
        sample='tracing', check=C.dns_subdomain('must be the name of a Dapr Configuration', empty_ok=True),
        chart='shared.daprd.config'),
    workflows=Field('dict', {}, 'Dapr Workflows of the app id.', options=dict(
        clustered=Field('bool', True, [
            'Let several daprd of the app id run its workflows (a daemonset, or O(replicas) > 1): the Dapr',
            'feature C(WorkflowsClusteredDeployment). Without O(config) the collection creates the Configuration',
            'C(<app_id>-dapr-shared) that enables it; with your own O(config), enable the feature there.'],
            sample=False, chart=Feeds('shared.daprd.config')),
    )),
    app_health=Field('dict', {}, 'App health checks daprd performs over the app channel.', options=dict(
        enabled=Field('bool', False, 'Enable app health checks; needs O(remote_port).', sample=True,
                      chart='shared.daprd.appHealth.enabled'),
        path=Field('str', '/healthz', 'HTTP path probed.', sample='/ready',
                   check=C.matches(re.compile('^/'), 'must start with "/"'), chart='shared.daprd.appHealth.checkPath'),
        probe_interval=Field('int', 5, 'Seconds between probes.', sample=7, check=C.seconds(1),
                             chart='shared.daprd.appHealth.probeInterval'),
        probe_timeout=Field('int', 500, 'Probe timeout in milliseconds.', sample=900, check=C.milliseconds(1),
                            chart='shared.daprd.appHealth.probeTimeout'),
        threshold=Field('int', 3, 'Failures before the app is marked unhealthy.', sample=4, check=C.at_least(1),
                        chart='shared.daprd.appHealth.threshold'),
    )),
    api_token=Field('dict', {}, [
        'The token every client must send (header C(dapr-api-token)); daprd reads it from C(DAPR_API_TOKEN).',
        'By default a random token is generated once into the Secret C(<app_id>-dapr-api-token) and kept.',
        'Changing the token rolls the pods. The value is never returned.'], no_log=False, options=_token(
        'api-token', True, 'Require a token. Disabling it leaves the daprd API open to whoever reaches the Service.',
        'The token, at least 32 characters (for example from Ansible Vault). Mutually exclusive with '
        'O(api_token.secret_name).'),
        chart=PlanOnly('the token stays in the collection\'s Secret, out of Helm\'s history: the chart\'s '
                       '`shared.daprd.token` stays empty')),
    app_token=Field('dict', {}, [
        'The token daprd sends to the app on every callback (header C(dapr-api-token), from C(APP_API_TOKEN)),',
        'so that the app can tell daprd from other callers. Generated and kept like O(api_token) when enabled.'],
        no_log=False, options=_token(
            'app-token', False, 'Send an app token.',
            'The token, at least 32 characters. Mutually exclusive with O(app_token.secret_name).'),
        chart=PlanOnly('the chart gives daprd no app token')),
    network_policy=Field('dict', {}, [
        'A NetworkPolicy that lets only the listed clients reach the API ports (3500, 50001), only Dapr peers',
        '(pods with a C(dapr.io/app-id) label, in O(network_policy.peer_namespaces)) reach the internal gRPC port',
        '(50002), and only the monitoring namespaces reach the metrics port. Everything else is denied.',
        'It takes effect only where the cluster\'s network plugin enforces NetworkPolicy.'], options=dict(
        enabled=Field('bool', True, 'Create the NetworkPolicy.', sample=False),
        client_namespaces=Field('list', [], 'Namespaces whose pods may call the API; empty means the instance\'s own '
                                'namespace.', elements='str', sample=['clients'],
                                check=C.entries(C.DNS1123_LABEL, 'namespace names'),
                                api_paths=('spec.ingress[0].from[*].namespaceSelector',)),
        client_pod_selector=Field('dict', {}, 'Labels client pods must carry (in those namespaces); empty means every '
                                  'pod there.', sample={'role': 'client'}, check=C.label_map(),
                                  api_paths=('spec.ingress[0].from[*].podSelector',)),
        monitoring_namespaces=Field('list', [], 'Namespaces allowed to scrape the metrics port; empty means none.',
                                    elements='str', sample=['monitoring'],
                                    check=C.entries(C.DNS1123_LABEL, 'namespace names'),
                                    api_paths=('spec.ingress[2].from',)),
        peer_namespaces=Field('list', [], [
            'Namespaces whose Dapr pods (label C(dapr.io/app-id)) may reach the internal gRPC port 50002, besides the',
            'instance\'s own namespace (its replicas call each other there: actors, workflows). Empty means every',
            'namespace: Dapr\'s service invocation across namespaces works by default, and a narrow default would',
            'break it with timeouts. Any tenant can put that label on its pods, so list the namespaces of your',
            'callers to narrow the rule; Dapr\'s mTLS still authenticates every peer (see the README).'],
            elements='str', sample=['peers'], check=C.entries(C.DNS1123_LABEL, 'namespace names'),
            api_paths=('spec.ingress[1].from[*].namespaceSelector',)),
    ), chart=_NO_POLICY),
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
                             elements='str', sample=['app'])),
        chart=NotReleased('the module wires the apps\' workloads, which are not part of the release')),
    rollout=Field('dict', {}, [
        'How a change rolls the daprd pods. A shared daprd serves every app of its node (daemonset) or of the',
        'cluster (deployment), so by default the new pod is Ready before the old one stops: with',
        'C(internalTrafficPolicy=Local) a node has no other daprd to fall back on.'], options=dict(
        max_unavailable=Field('int', 0, 'Pods that may be unavailable during a rollout (C(maxUnavailable)).', sample=1,
                              check=C.at_least(0), api_paths=[path + '.maxUnavailable' for path in _ROLLOUT],
                              chart=PlanOnly('the chart has no update strategy')),
        max_surge=Field('int', 1, 'Extra pods started during a rollout (C(maxSurge)); not both zero.', sample=2,
                        check=C.at_least(0), api_paths=[path + '.maxSurge' for path in _ROLLOUT],
                        chart=PlanOnly('the chart has no update strategy')),
        graceful_shutdown_seconds=Field('int', 5, [
            'Seconds daprd lets in-flight requests finish on shutdown (C(--dapr-graceful-shutdown-seconds)).',
            'The pod first waits O(rollout.pre_stop_seconds) so that callers stop picking it.'], sample=9,
            check=C.seconds(), chart='shared.daprd.gracefulShutdownSeconds'),
        pre_stop_seconds=Field('int', 5, 'Seconds a stopping pod keeps serving while its endpoint is removed '
                               '(a C(preStop) sleep).', sample=2, check=C.seconds(),
                               api_paths=(_CONTAINER + '.lifecycle',),
                               chart=PlanOnly('the chart has no preStop hook')),
    )),
    disruption_budget=Field('dict', {}, 'A PodDisruptionBudget for O(strategy=deployment) (node drains and '
                            'evictions keep enough replicas).', options=dict(
        enabled=Field('bool', True, 'Create the PodDisruptionBudget (deployment only).', sample=False),
        max_unavailable=Field('int', 1, 'Replicas an eviction may take down at a time.', sample=2,
                              check=C.at_least(1, ' (0 blocks every drain)'), api_paths=('spec.maxUnavailable',)),
        unhealthy_pod_eviction_policy=Field('str', 'AlwaysAllow', [
            'C(unhealthyPodEvictionPolicy): C(AlwaysAllow) lets a drain evict a daprd pod that is running but not',
            'Ready even when the budget is spent (it serves nothing, and a crash-looping replica would otherwise',
            'block the drain); C(IfHealthyBudget) is the Kubernetes default.'],
            choices=UNHEALTHY_POD_EVICTION_POLICIES, sample='IfHealthyBudget',
            api_paths=('spec.unhealthyPodEvictionPolicy',)),
    ), chart=PlanOnly('the chart has no PodDisruptionBudget')),
    topology_spread=Field('bool', True, 'With O(strategy=deployment), spread the replicas over the nodes '
                          '(C(topologySpreadConstraints) on C(kubernetes.io/hostname), best effort).', sample=False,
                          api_paths=(_POD + '.topologySpreadConstraints',),
                          chart=PlanOnly('the chart has no topologySpreadConstraints')),
    node_selector=Field('dict', {}, 'Node selector of the daprd pods.', sample={'pool': 'dapr'}, check=C.label_map(),
                        api_paths=(_POD + '.nodeSelector',), chart='shared.scheduling.nodeSelector'),
    allow_no_nodes=Field('bool', False, [
        'With O(strategy=daemonset), accept that O(node_selector), O(affinity) and O(tolerations) match no node now '
        '(a node pool added later, say): the DaemonSet then runs no pod.',
        'By default the wait fails instead of calling an instance that runs nowhere ready.'], sample=True,
        chart=NotReleased('only how the run waits: nothing is rendered from it')),
    tolerations=Field('list', [], 'Tolerations of the daprd pods.', elements='dict',
                      sample=[{'key': 'dedicated', 'operator': 'Exists'}], check=C.tolerations(),
                      api_paths=(_POD + '.tolerations',), chart='tolerations'),
    affinity=Field('dict', {}, 'Affinity of the daprd pods.', sample={'nodeAffinity': {}},
                   check=C.keys_among(AFFINITY_KINDS), api_paths=(_POD + '.affinity',), chart='affinity'),
    resources=Field('dict', {'requests': {'cpu': '100m', 'memory': '250Mi'}, 'limits': {'memory': '1000Mi'}}, [
        'Resource requests and limits of the daprd container (C(requests), C(limits), as in a pod spec); a value',
        'replaces the default as a whole. The default is Dapr\'s production guidance for a daprd sidecar',
        '(requests C(100m) CPU and C(250Mi) memory, memory limit C(1000Mi)), so the pod is Burstable, not',
        'BestEffort (evicted first under memory pressure). No CPU limit: the guidance\'s C(300m) is sized for one',
        'app, a shared daprd serves all the apps of its node or cluster, and a CPU limit throttles all of them.',
        'C({}) sets none.'], sample={'requests': {'cpu': '50m'}}, check=C.resources(),
        api_paths=(_CONTAINER + '.resources',), chart=PlanOnly('the chart has no resources value')),
    priority_class_name=Field('str', '', 'PriorityClass of the daprd pods.', sample='high',
                              check=C.dns_subdomain('must be a PriorityClass name', empty_ok=True),
                              api_paths=(_POD + '.priorityClassName',),
                              chart=PlanOnly('the chart has no priorityClassName value')),
    labels=Field('dict', {}, 'Extra labels on every object and pod.', sample={'team': 'a'}, check=C.label_map(),
                 # a pod template's labels are reported as spec.template.labels
                 api_paths=('metadata.labels', 'spec.template.metadata.labels', 'spec.template.labels'),
                 chart=PlanOnly('the chart has no value for labels')),
    annotations=Field('dict', {}, 'Extra annotations on every object and pod.', sample={'team': 'a'},
                      check=C.annotation_map(),
                      api_paths=('metadata.annotations', 'spec.template.metadata.annotations',
                                 'spec.template.annotations'),
                      chart=['podAnnotations', 'shared.serviceAccount.annotations']),
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


# -- each field's own checks ---------------------------------------------------------------------

_PY_TYPES = dict(str=(str,), int=(int,), bool=(bool,), list=(list,), dict=(dict,))


def _type_problems(where, values, fields, prefix=''):
    """Unknown keys, required fields, types, list elements and choices (enum values are case-sensitive)."""
    problems = []
    for key in sorted(set(values) - set(fields), key=str):
        problems.append('%s: unknown field %r (accepted: %s)' % (where, prefix + key, ', '.join(sorted(fields))))
    for name, field in fields.items():
        value = values.get(name)
        dotted = prefix + name
        if value is None:
            if field.required:
                problems.append('%s: %s is required' % (where, dotted))
            continue
        if not isinstance(value, _PY_TYPES[field.type]) or (field.type == 'int' and isinstance(value, bool)):
            problems.append('%s: %s must be a %s, got %r' % (where, dotted, field.type, value))
            continue
        if field.choices and value not in field.choices:
            problems.append('%s: %s must be one of %s, got %r' % (where, dotted, ', '.join(field.choices), value))
        if field.elements == 'str' and not all(isinstance(v, str) for v in value):
            problems.append('%s: %s entries must be strings, got %r' % (where, dotted, value))
        if field.elements == 'dict' and not all(isinstance(v, dict) for v in value):
            problems.append('%s: %s entries must be mappings, got %r' % (where, dotted, value))
        for sub_prefix, entry in _sub_values(field, value, dotted):
            problems.extend(_type_problems(where, entry, field.options, sub_prefix))
    return problems


def _sub_values(field, value, dotted):
    """(prefix, mapping) of a field's sub-fields: the mapping itself, or each mapping of a list."""
    if not field.options:
        return []
    if field.type == 'list':
        return [('%s[%d].' % (dotted, index), entry) for index, entry in enumerate(value) if isinstance(entry, dict)]
    return [(dotted + '.', value)]


def _check_problems(where, values, fields, prefix=''):
    problems = []
    for name, field in fields.items():
        value = values.get(name)
        if value is None:
            continue
        if field.check is not None:
            problems.extend('%s: %s%s%s %s' % (where, prefix, name, suffix, text)
                            for suffix, text in field.check(value))
        for sub_prefix, entry in _sub_values(field, value, prefix + name):
            problems.extend(_check_problems(where, entry, field.options, sub_prefix))
    return problems


def type_problems(instance, where):
    """What is wrong with the keys and types of one instance (defaults applied): unknown or missing fields,
    types, list elements and choices, each message naming the instance (where), the field and what is accepted."""
    return _type_problems(where, instance, FIELDS)


def value_problems(instance, where):
    """What each field's declared check refuses (the types must be right), named like type_problems."""
    return _check_problems(where, instance, FIELDS)


# -- an API server's rejection, traced back to a field -------------------------------------------

# A field path in an API server's message: "spec.template.spec.containers[0].resources.limits: Invalid
# value", or server-side apply's ".spec.template.spec.containers[name=\"daprd\"].resources.foo".
_CAUSE = re.compile(r'(?<![\w.\]\-/"\'])\.?((?:metadata|spec|data)(?:\.[\w-]+|\[[^\]]*\])*)')


def field_of_rejection(message):
    """The fields (comma-separated) whose declared api_paths hold the paths the message names, or None.
    The most specific declared path wins; a path no field declares names none (never a wrong one)."""
    declared = [(pattern, name) for name, field in walk() for pattern in field.api_patterns]
    found = []
    for cause in _CAUSE.findall(message or ''):
        matches = [(len(pattern.pattern), name) for pattern, name in declared if pattern.match(cause)]
        if matches:
            name = max(matches)[1]
            if name not in found:
                found.append(name)
    return ', '.join(found) or None
