# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: semantic checks of instances (what an argument spec cannot say).

Every message names the instance and the field, and the accepted values where there is a set.
Pure: no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils import _wiring as W

_DNS1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
_DNS1123_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
_HOST = re.compile(r'^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*)$')
_VERSION = re.compile(r'^v?[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.-]+)?$')
_ADDRESS = re.compile(r'^[^\s:/]+:[0-9]{1,5}$')
_LABEL_KEY = re.compile(r'^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$')
_LABEL_VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$')


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


_PY_TYPES = dict(str=(str,), int=(int,), bool=(bool,), list=(list,), dict=(dict,))


def _check_types(problems, where, values, fields, prefix=''):
    """Unknown keys, types and choices, from the schema (enum values are case-sensitive)."""
    for key in sorted(set(values) - set(fields)):
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
        if field.options and field.type == 'list':
            for index, entry in enumerate(value):
                if isinstance(entry, dict):
                    _check_types(problems, where, entry, field.options, '%s[%d].' % (dotted, index))
        elif field.options:
            _check_types(problems, where, value, field.options, dotted + '.')


# A Kubernetes resource quantity (k8s.io/apimachinery resource.Quantity), e.g. 100m, 1.5Gi, 2e3
_QUANTITY = re.compile(r'^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$')
_RESOURCE_SECTIONS = ('limits', 'requests', 'claims')
_TOLERATION_KEYS = ('key', 'operator', 'value', 'effect', 'tolerationSeconds')
_TOLERATION_OPERATORS = ('Exists', 'Equal')
_TOLERATION_EFFECTS = ('NoSchedule', 'PreferNoSchedule', 'NoExecute')
_AFFINITY_KEYS = ('nodeAffinity', 'podAffinity', 'podAntiAffinity')


def _check_resources(problems, where, resources):
    for section, values in resources.items():
        if section not in _RESOURCE_SECTIONS:
            problems.append('%s: resources has an unknown key %r (accepted: %s)'
                            % (where, section, ', '.join(_RESOURCE_SECTIONS)))
        elif section != 'claims':
            if not isinstance(values, dict):
                problems.append('%s: resources.%s must be a mapping of resource name to quantity, got %r'
                                % (where, section, values))
                continue
            for resource, quantity in values.items():
                if isinstance(quantity, bool) or not _QUANTITY.match(str(quantity).strip() if quantity is not None else ''):
                    problems.append('%s: resources.%s.%s must be a Kubernetes quantity such as 100m, 256Mi or 1, '
                                    'got %r' % (where, section, resource, quantity))


def _check_tolerations(problems, where, tolerations):
    for index, toleration in enumerate(tolerations):
        field = 'tolerations[%d]' % index
        for key in sorted(set(toleration) - set(_TOLERATION_KEYS)):
            problems.append('%s: %s has an unknown key %r (accepted: %s)' % (where, field, key, ', '.join(_TOLERATION_KEYS)))
        operator = toleration.get('operator', 'Equal')
        if operator not in _TOLERATION_OPERATORS:
            problems.append('%s: %s.operator must be one of %s, got %r'
                            % (where, field, ', '.join(_TOLERATION_OPERATORS), operator))
        elif operator == 'Exists' and toleration.get('value'):
            problems.append('%s: %s.value must be empty with operator Exists' % (where, field))
        if toleration.get('effect', '') not in ('',) + _TOLERATION_EFFECTS:
            problems.append('%s: %s.effect must be one of %s or empty, got %r'
                            % (where, field, ', '.join(_TOLERATION_EFFECTS), toleration.get('effect')))
        if not toleration.get('key') and operator != 'Exists':
            problems.append('%s: %s.key may be empty only with operator Exists' % (where, field))
        seconds = toleration.get('tolerationSeconds')
        if seconds is not None and (not isinstance(seconds, int) or isinstance(seconds, bool)):
            problems.append('%s: %s.tolerationSeconds must be an integer, got %r' % (where, field, seconds))


def _check_token(problems, where, field, token):
    if token.get('enabled'):
        if token.get('value') and token.get('secret_name'):
            problems.append('%s: %s.value and %s.secret_name are mutually exclusive '
                            '(give the token, or the Secret that holds it)' % (where, field, field))
        if token.get('value') and len(token['value']) < SC.MIN_TOKEN_LENGTH:
            problems.append('%s: %s.value is too short: at least %d characters are required'
                            % (where, field, SC.MIN_TOKEN_LENGTH))
        if token.get('secret_name') and not _DNS1123_SUBDOMAIN.match(token['secret_name']):
            problems.append('%s: %s.secret_name must be a Secret name (DNS-1123 subdomain), got %r'
                            % (where, field, token['secret_name']))
        if not re.match(r'^[-._a-zA-Z0-9]+$', token.get('secret_key') or ''):
            problems.append('%s: %s.secret_key must be a Secret key ([-._a-zA-Z0-9]+), got %r'
                            % (where, field, token.get('secret_key')))
    elif token.get('value') or token.get('secret_name'):
        problems.append('%s: %s.value/secret_name are set but %s.enabled is false; '
                        'remove them or enable the token' % (where, field, field))


def validate_instance(instance):
    """Semantic checks of one instance with defaults applied. Returns a list of messages.

    Each message names the instance and the field, and the accepted values where there is a set.
    """
    problems = []
    where = _where(instance)
    _check_types(problems, where, instance, SC.FIELDS)
    if problems:
        return problems  # the semantic checks below assume the types are right

    app_id = instance.get('app_id')
    if not isinstance(app_id, str) or not _DNS1123_LABEL.match(app_id) or len(app_id) > N.MAX_APP_ID_LENGTH:
        problems.append('%s: app_id must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending '
                        'with a letter or digit, at most %d characters so that "<app_id>-dapr" fits), got %r'
                        % (where, N.MAX_APP_ID_LENGTH, app_id))
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
    if metrics.get('port') in N.DAPRD_PORTS:
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

    for field, _env, _suffix, _annotation in N.TOKEN_FIELDS:
        _check_token(problems, where, field, instance.get(field) or {})

    policy = instance.get('network_policy') or {}
    for field in ('client_namespaces', 'monitoring_namespaces', 'peer_namespaces'):
        for name in policy.get(field) or []:
            if not isinstance(name, str) or not _DNS1123_LABEL.match(name):
                problems.append('%s: network_policy.%s entries must be namespace names, got %r' % (where, field, name))
    _check_labels(problems, where, 'network_policy.client_pod_selector', policy.get('client_pod_selector') or {})
    if not policy.get('enabled') and (policy.get('client_namespaces') or policy.get('client_pod_selector')
                                      or policy.get('monitoring_namespaces') or policy.get('peer_namespaces')):
        problems.append('%s: network_policy lists clients but network_policy.enabled is false; '
                        'remove them or enable the policy' % where)
    if policy.get('monitoring_namespaces') and not (instance.get('metrics') or {}).get('enabled'):
        problems.append('%s: network_policy.monitoring_namespaces is set but metrics.enabled is false' % where)

    _check_labels(problems, where, 'labels', instance.get('labels') or {})
    _check_labels(problems, where, 'annotations', instance.get('annotations') or {}, values_must_be_labels=False)
    _check_labels(problems, where, 'node_selector', instance.get('node_selector') or {})
    rollout = instance.get('rollout') or {}
    for field in ('max_unavailable', 'max_surge', 'graceful_shutdown_seconds', 'pre_stop_seconds'):
        if rollout.get(field, 0) < 0:
            problems.append('%s: rollout.%s must be >= 0, got %r' % (where, field, rollout.get(field)))
    if rollout.get('max_unavailable') == 0 and rollout.get('max_surge') == 0:
        problems.append('%s: rollout.max_unavailable and rollout.max_surge cannot both be 0 (the rollout could '
                        'never start)' % where)
    budget = instance.get('disruption_budget') or {}
    if budget.get('max_unavailable', 1) < 1:
        problems.append('%s: disruption_budget.max_unavailable must be >= 1 (0 blocks every drain), got %r'
                        % (where, budget.get('max_unavailable')))
    _check_resources(problems, where, instance.get('resources') or {})
    _check_tolerations(problems, where, instance.get('tolerations') or [])
    for key in sorted(set(instance.get('affinity') or {}) - set(_AFFINITY_KEYS)):
        problems.append('%s: affinity has an unknown key %r (accepted: %s)' % (where, key, ', '.join(_AFFINITY_KEYS)))
    for secret in instance.get('image_pull_secrets') or []:
        if not isinstance(secret, str) or not _DNS1123_SUBDOMAIN.match(secret):
            problems.append('%s: image_pull_secrets entries must be Secret names, got %r' % (where, secret))
    pcn = instance.get('priority_class_name') or ''
    if pcn and not _DNS1123_SUBDOMAIN.match(pcn):
        problems.append('%s: priority_class_name must be a PriorityClass name, got %r' % (where, pcn))
    config = instance.get('config') or ''
    if config and not _DNS1123_SUBDOMAIN.match(config):
        problems.append('%s: config must be the name of a Dapr Configuration, got %r' % (where, config))
    problems.extend(W.validate(instance, where))
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
    problems.extend(W.validate_across(instances))
    return problems
