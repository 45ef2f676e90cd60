# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: the ONE schema of a Dapr Shared instance.

Both backends (helm and manifests), the module's argument spec, the role's preflight and the
role's meta/argument_specs.yml (generated, see tools/gen_argument_specs.py) come from here.
Everything in this file is pure: no I/O, no Kubernetes client.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

MANAGED_BY = 'daprkit.dapr'
FIELD_MANAGER = 'daprkit.dapr'
LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by'
LABEL_NAME = 'app.kubernetes.io/name'
LABEL_INSTANCE = 'app.kubernetes.io/instance'
LABEL_COMPONENT = 'app.kubernetes.io/component'
LABEL_VERSION = 'app.kubernetes.io/version'
LABEL_STRATEGY = 'dapr.daprkit.io/strategy'
APP_NAME = 'dapr-shared'
HELM_CHART_NAME = 'dapr-shared-chart'
ANNOTATION_APP_ID = 'dapr.io/app-id'
ANNOTATION_CONFIG = 'dapr.io/config'
ANNOTATION_TOKEN_HASH = 'dapr.daprkit.io/api-token-hash'
ANNOTATION_APP_TOKEN_HASH = 'dapr.daprkit.io/app-token-hash'
# token field -> (env var daprd reads, Secret name suffix, pod annotation that rolls the pods on change)
TOKEN_FIELDS = (
    ('api_token', 'DAPR_API_TOKEN', 'dapr-api-token', ANNOTATION_TOKEN_HASH),
    ('app_token', 'APP_API_TOKEN', 'dapr-app-token', ANNOTATION_APP_TOKEN_HASH),
)
ANNOTATION_TRUST_HASH = 'dapr.daprkit.io/trust-anchors-hash'

HTTP_PORT = 3500
GRPC_PORT = 50001
INTERNAL_GRPC_PORT = 50002
PUBLIC_PORT = 3501
DEFAULT_METRICS_PORT = 9090
NONROOT_UID = 65532
SENTRY_TOKEN_PATH = '/var/run/secrets/dapr.io/sentrytoken'
MIN_TOKEN_LENGTH = 32

STRATEGIES = ('daemonset', 'deployment')
STATES = ('present', 'absent')
APP_PROTOCOLS = ('http', 'https', 'grpc', 'grpcs', 'h2c')
LOG_LEVELS = ('debug', 'info', 'warn', 'error')
LOG_FORMATS = ('text', 'json')
PULL_POLICIES = ('Always', 'IfNotPresent', 'Never')
METHODS = ('manifests', 'helm')

# Argument spec of one instance, in AnsibleModule form. The module DOCUMENTATION (doc fragment
# daprkit.dapr.instance) and the role argument specs must match it; unit tests enforce that.
INSTANCE_ARG_SPEC = dict(
    app_id=dict(type='str', required=True),
    namespace=dict(type='str', default='default'),
    state=dict(type='str', default='present', choices=list(STATES)),
    strategy=dict(type='str', default='daemonset', choices=list(STRATEGIES)),
    replicas=dict(type='int', default=1),
    remote_host=dict(type='str', default=''),
    remote_port=dict(type='int', default=0),
    app_protocol=dict(type='str', default='http', choices=list(APP_PROTOCOLS)),
    daprd_image=dict(type='str', default='ghcr.io/dapr/daprd'),
    daprd_version=dict(type='str', default=''),
    image_pull_policy=dict(type='str', default='IfNotPresent', choices=list(PULL_POLICIES)),
    image_pull_secrets=dict(type='list', elements='str', default=[], no_log=False),
    control_plane_namespace=dict(type='str', default=''),
    control_plane_trust_domain=dict(type='str', default=''),
    cluster_domain=dict(type='str', default='cluster.local'),
    sentry_address=dict(type='str', default=''),
    operator_address=dict(type='str', default=''),
    placement_address=dict(type='str', default=''),
    scheduler_address=dict(type='str', default=''),
    mtls=dict(type='str', default='auto', choices=['auto', 'enabled', 'disabled']),
    log_level=dict(type='str', default='info', choices=list(LOG_LEVELS)),
    log_format=dict(type='str', default='text', choices=list(LOG_FORMATS)),
    api_logging=dict(type='bool', default=False),
    metrics=dict(type='dict', default={}, options=dict(
        enabled=dict(type='bool', default=True),
        port=dict(type='int', default=DEFAULT_METRICS_PORT),
    )),
    config=dict(type='str', default=''),
    app_health=dict(type='dict', default={}, options=dict(
        enabled=dict(type='bool', default=False),
        path=dict(type='str', default='/healthz'),
        probe_interval=dict(type='int', default=5),
        probe_timeout=dict(type='int', default=500),
        threshold=dict(type='int', default=3),
    )),
    api_token=dict(type='dict', default={}, no_log=False, options=dict(
        enabled=dict(type='bool', default=True),
        value=dict(type='str', default='', no_log=True),
        secret_name=dict(type='str', default=''),
        secret_key=dict(type='str', default='token', no_log=False),
    )),
    app_token=dict(type='dict', default={}, no_log=False, options=dict(
        enabled=dict(type='bool', default=False),
        value=dict(type='str', default='', no_log=True),
        secret_name=dict(type='str', default=''),
        secret_key=dict(type='str', default='token', no_log=False),
    )),
    network_policy=dict(type='dict', default={}, options=dict(
        enabled=dict(type='bool', default=True),
        client_namespaces=dict(type='list', elements='str', default=[]),
        client_pod_selector=dict(type='dict', default={}),
        monitoring_namespaces=dict(type='list', elements='str', default=[]),
    )),
    node_selector=dict(type='dict', default={}),
    tolerations=dict(type='list', elements='dict', default=[]),
    affinity=dict(type='dict', default={}),
    resources=dict(type='dict', default={}),
    priority_class_name=dict(type='str', default=''),
    labels=dict(type='dict', default={}),
    annotations=dict(type='dict', default={}),
)

# Role-only keys: how the role installs an instance, not what the instance is.
ROLE_ONLY_ARG_SPEC = dict(
    method=dict(type='str', default='', choices=['', 'manifests', 'helm']),
)

_DNS1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
_DNS1123_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
_HOST = re.compile(r'^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*)$')
_VERSION = re.compile(r'^v?[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.-]+)?$')
_ADDRESS = re.compile(r'^[^\s:/]+:[0-9]{1,5}$')
_LABEL_KEY = re.compile(r'^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$')
_LABEL_VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$')
# Service names are <app id>-dapr and must stay a DNS-1123 label (63 chars).
MAX_APP_ID_LENGTH = 63 - len('-dapr')


def apply_defaults(params, spec=None):
    """Return a deep copy of params with every missing key filled from the spec's defaults.

    AnsibleModule does this for the module; the role's filters use this so that both paths
    see the same fully populated instance.
    """
    spec = INSTANCE_ARG_SPEC if spec is None else spec
    result = {}
    params = params or {}
    for key, option in spec.items():
        value = params.get(key)
        if value is None:
            value = copy.deepcopy(option.get('default'))
        if option.get('type') == 'dict' and option.get('options'):
            value = apply_defaults(value or {}, option['options'])
        result[key] = value
    for key, value in params.items():
        if key not in result:
            result[key] = copy.deepcopy(value)
    return result


def _where(instance):
    return 'instance %s/%s' % (instance.get('namespace') or '?', instance.get('app_id') or '?')


def _check_port(problems, where, field, value, allow_zero=False):
    low = 0 if allow_zero else 1
    if not isinstance(value, int) or isinstance(value, bool) or value < low or value > 65535:
        problems.append('%s: %s must be an integer from %d to 65535, got %r' % (where, field, low, value))


def _check_labels(problems, where, field, mapping, values_must_be_labels=True):
    if not isinstance(mapping, dict):
        problems.append('%s: %s must be a mapping, got %r' % (where, field, mapping))
        return
    for key, value in mapping.items():
        if not isinstance(key, str) or not _LABEL_KEY.match(key) or len(key.split('/')[-1]) > 63:
            problems.append('%s: %s has an invalid key %r (a Kubernetes label/annotation key)' % (where, field, key))
        if values_must_be_labels and (not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value)):
            problems.append('%s: %s[%s] must be a label value (63 chars of [A-Za-z0-9_.-]), got %r' % (where, field, key, value))


def _check_token(problems, where, field, token):
    if token.get('enabled'):
        if token.get('value') and token.get('secret_name'):
            problems.append('%s: %s.value and %s.secret_name are mutually exclusive '
                            '(give the token, or the Secret that holds it)' % (where, field, field))
        if token.get('value') and len(token['value']) < MIN_TOKEN_LENGTH:
            problems.append('%s: %s.value is too short: at least %d characters are required'
                            % (where, field, MIN_TOKEN_LENGTH))
        if token.get('secret_name') and not _DNS1123_SUBDOMAIN.match(token['secret_name']):
            problems.append('%s: %s.secret_name must be a Secret name (DNS-1123 subdomain), got %r'
                            % (where, field, token['secret_name']))
        if not re.match(r'^[-._a-zA-Z0-9]+$', token.get('secret_key') or ''):
            problems.append('%s: %s.secret_key must be a Secret key ([-._a-zA-Z0-9]+), got %r'
                            % (where, field, token.get('secret_key')))
    elif token.get('value') or token.get('secret_name'):
        problems.append('%s: %s.value/secret_name are set but %s.enabled is false; '
                        'remove them or enable the token' % (where, field, field))


def validate_instance(instance, unknown_keys_allowed=()):
    """Semantic checks of one instance with defaults applied. Returns a list of messages.

    Each message names the instance and the field, and the accepted values where there is a set.
    """
    problems = []
    where = _where(instance)
    known = set(INSTANCE_ARG_SPEC) | set(ROLE_ONLY_ARG_SPEC) | set(unknown_keys_allowed)
    for key in sorted(set(instance) - known):
        problems.append('%s: unknown field %r (accepted: %s)' % (where, key, ', '.join(sorted(known))))

    for key, option in INSTANCE_ARG_SPEC.items():
        choices = option.get('choices')
        if choices and instance.get(key) not in choices:
            problems.append('%s: %s must be one of %s, got %r' % (where, key, ', '.join(choices), instance.get(key)))
    method = instance.get('method', '')
    if method not in ('',) + METHODS:
        problems.append('%s: method must be one of %s, got %r' % (where, 'manifests, helm', method))

    app_id = instance.get('app_id')
    if not isinstance(app_id, str) or not _DNS1123_LABEL.match(app_id) or len(app_id) > MAX_APP_ID_LENGTH:
        problems.append('%s: app_id must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending '
                        'with a letter or digit, at most %d characters so that "<app_id>-dapr" fits), got %r'
                        % (where, MAX_APP_ID_LENGTH, app_id))
    namespace = instance.get('namespace')
    if not isinstance(namespace, str) or not _DNS1123_LABEL.match(namespace):
        problems.append('%s: namespace must be a DNS-1123 label, got %r' % (where, namespace))
    cp_ns = instance.get('control_plane_namespace')
    if cp_ns and not _DNS1123_LABEL.match(cp_ns):
        problems.append('%s: control_plane_namespace must be a DNS-1123 label or empty (detected), got %r' % (where, cp_ns))
    if not _DNS1123_SUBDOMAIN.match(instance.get('cluster_domain') or ''):
        problems.append('%s: cluster_domain must be a DNS name such as cluster.local, got %r'
                        % (where, instance.get('cluster_domain')))

    replicas = instance.get('replicas')
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 1:
        problems.append('%s: replicas must be an integer >= 1, got %r' % (where, replicas))
    elif instance.get('strategy') == 'daemonset' and replicas != 1:
        problems.append('%s: replicas applies only to strategy deployment (a daemonset runs one per node); '
                        'remove it or set strategy: deployment' % where)

    remote_host = instance.get('remote_host') or ''
    remote_port = instance.get('remote_port')
    _check_port(problems, where, 'remote_port', remote_port, allow_zero=True)
    if '://' in remote_host:
        problems.append('%s: remote_host must be a bare host name or IP without a scheme (daprd adds http:// or '
                        'https:// from app_protocol), got %r' % (where, remote_host))
    elif remote_host and ('/' in remote_host or (':' in remote_host and not remote_host.startswith('['))
                          or not _HOST.match(remote_host)):
        problems.append('%s: remote_host must be a bare host name or IP without port or path, got %r' % (where, remote_host))
    if isinstance(remote_port, int) and remote_port > 0 and not remote_host:
        problems.append('%s: remote_host is required when remote_port is set (remote_port 0 means no app channel)' % where)

    version = instance.get('daprd_version') or ''
    if version and not _VERSION.match(version):
        problems.append('%s: daprd_version must be a release version such as 1.16.2, got %r' % (where, version))
    image = instance.get('daprd_image') or ''
    if not image or '@' in image or re.search(r':[^/]*$', image):
        problems.append('%s: daprd_image must be a repository without tag or digest (the tag is daprd_version), got %r'
                        % (where, image))

    for field in ('sentry_address', 'operator_address', 'placement_address', 'scheduler_address'):
        value = instance.get(field) or ''
        if value and not _ADDRESS.match(value):
            problems.append('%s: %s must be host:port without scheme, got %r' % (where, field, value))

    metrics = instance.get('metrics') or {}
    _check_port(problems, where, 'metrics.port', metrics.get('port'))
    if metrics.get('port') in (HTTP_PORT, GRPC_PORT, INTERNAL_GRPC_PORT, PUBLIC_PORT):
        problems.append('%s: metrics.port %s collides with a daprd port (3500, 3501, 50001, 50002)' % (where, metrics.get('port')))

    health = instance.get('app_health') or {}
    if health.get('enabled'):
        if not isinstance(remote_port, int) or remote_port == 0:
            problems.append('%s: app_health.enabled needs an app channel (remote_port > 0)' % where)
        if not str(health.get('path', '')).startswith('/'):
            problems.append('%s: app_health.path must start with "/", got %r' % (where, health.get('path')))
        for field in ('probe_interval', 'probe_timeout', 'threshold'):
            value = health.get(field)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.append('%s: app_health.%s must be a positive integer, got %r' % (where, field, value))

    for field, _env, _suffix, _annotation in TOKEN_FIELDS:
        _check_token(problems, where, field, instance.get(field) or {})

    policy = instance.get('network_policy') or {}
    for field in ('client_namespaces', 'monitoring_namespaces'):
        for name in policy.get(field) or []:
            if not isinstance(name, str) or not _DNS1123_LABEL.match(name):
                problems.append('%s: network_policy.%s entries must be namespace names, got %r' % (where, field, name))
    _check_labels(problems, where, 'network_policy.client_pod_selector', policy.get('client_pod_selector') or {})
    if not policy.get('enabled') and (policy.get('client_namespaces') or policy.get('client_pod_selector')
                                      or policy.get('monitoring_namespaces')):
        problems.append('%s: network_policy lists clients but network_policy.enabled is false; '
                        'remove them or enable the policy' % where)
    if policy.get('monitoring_namespaces') and not (instance.get('metrics') or {}).get('enabled'):
        problems.append('%s: network_policy.monitoring_namespaces is set but metrics.enabled is false' % where)

    _check_labels(problems, where, 'labels', instance.get('labels') or {})
    _check_labels(problems, where, 'annotations', instance.get('annotations') or {}, values_must_be_labels=False)
    _check_labels(problems, where, 'node_selector', instance.get('node_selector') or {})
    for field, kind in (('tolerations', list), ('image_pull_secrets', list), ('affinity', dict), ('resources', dict)):
        if not isinstance(instance.get(field), kind):
            problems.append('%s: %s must be a %s, got %r' % (where, field, kind.__name__, instance.get(field)))
    for secret in instance.get('image_pull_secrets') or []:
        if not isinstance(secret, str) or not _DNS1123_SUBDOMAIN.match(secret):
            problems.append('%s: image_pull_secrets entries must be Secret names, got %r' % (where, secret))
    pcn = instance.get('priority_class_name') or ''
    if pcn and not _DNS1123_SUBDOMAIN.match(pcn):
        problems.append('%s: priority_class_name must be a PriorityClass name, got %r' % (where, pcn))
    config = instance.get('config') or ''
    if config and not _DNS1123_SUBDOMAIN.match(config):
        problems.append('%s: config must be the name of a Dapr Configuration, got %r' % (where, config))
    return problems


def validate_instances(instances):
    """Validate a whole list: each instance, then cross-instance rules (no duplicate app id per namespace)."""
    problems = []
    seen = {}
    for index, instance in enumerate(instances):
        if not isinstance(instance, dict):
            problems.append('dapr_shared_instances[%d]: must be a mapping, got %r' % (index, instance))
            continue
        problems.extend(validate_instance(instance))
        key = (instance.get('namespace'), instance.get('app_id'))
        if key in seen:
            problems.append('%s: duplicate app_id in namespace %s (also dapr_shared_instances[%d]); '
                            'an app id must be unique per namespace' % (_where(instance), key[0], seen[key]))
        else:
            seen[key] = index
    return problems


def service_name(app_id):
    """The Service daprd peers and clients use; the same name the official chart uses."""
    return '%s-dapr' % app_id


def resolve_addresses(instance, control_plane_namespace):
    """Control-plane addresses, derived from the namespace unless given explicitly."""
    suffix = '%s.svc.%s' % (control_plane_namespace, instance.get('cluster_domain') or 'cluster.local')
    return dict(
        sentry=instance.get('sentry_address') or 'dapr-sentry.%s:443' % suffix,
        operator=instance.get('operator_address') or 'dapr-api.%s:443' % suffix,
        placement=instance.get('placement_address') or 'dapr-placement-server.%s:50005' % suffix,
        scheduler=instance.get('scheduler_address') or 'dapr-scheduler-server-a.%s:443' % suffix,
    )


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


def endpoints(instance):
    """What apps set to reach this instance (Dapr SDKs read these variables)."""
    host = '%s.%s.svc.%s' % (service_name(instance['app_id']), instance['namespace'],
                             instance.get('cluster_domain') or 'cluster.local')
    return dict(
        service=service_name(instance['app_id']),
        DAPR_HTTP_ENDPOINT='http://%s:%d' % (host, HTTP_PORT),
        DAPR_GRPC_ENDPOINT='http://%s:%d' % (host, GRPC_PORT),
    )


def token_secret_ref(instance, field='api_token'):
    """(secret name, key) daprd reads the token from, or None when that token is disabled."""
    token = instance.get(field) or {}
    if not token.get('enabled'):
        return None
    suffix = dict((f, sfx) for f, _env, sfx, _ann in TOKEN_FIELDS)[field]
    return (token.get('secret_name') or '%s-%s' % (instance['app_id'], suffix), token.get('secret_key') or 'token')
