# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: validation of instances.

Each field's own rule (unknown keys, type, choices, its declared check) lives on the field in
_schema.py (type_problems, value_problems). What lives here are the rules that tie several fields, or
several instances, together: each a named function that yields messages starting with the field they
are about. Every message names the instance and the field, and the accepted values where there is a set.
Pure: no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils import _wiring as W


def _where(instance):
    return 'instance %s/%s' % (instance.get('namespace') or '?', instance.get('app_id') or '?')


# -- rules across the fields of one instance (types and each field's own check already hold) ----------

def replicas_only_with_deployment(instance):
    if instance['strategy'] == 'daemonset' and instance['replicas'] > 1:
        yield ('replicas applies only to strategy deployment (a daemonset runs one per node); '
               'remove it or set strategy: deployment')


def app_channel_needs_host(instance):
    if instance['remote_port'] > 0 and not instance['remote_host']:
        yield 'remote_host is required when remote_port is set (remote_port 0 means no app channel)'


def app_health_needs_app_channel(instance):
    if instance['app_health']['enabled'] and instance['remote_port'] == 0:
        yield 'app_health.enabled needs an app channel (remote_port > 0)'


def token_given_once(instance):
    """A token is given inline or read from a Secret, and only when it is enabled."""
    for field, _env, _suffix, _annotation in N.TOKEN_FIELDS:
        token = instance[field]
        if token['enabled'] and token['value'] and token['secret_name']:
            yield ('%s.value and %s.secret_name are mutually exclusive (give the token, or the Secret that holds it)'
                   % (field, field))
        elif not token['enabled'] and (token['value'] or token['secret_name']):
            yield ('%s.value/secret_name are set but %s.enabled is false; remove them or enable the token'
                   % (field, field))


def network_policy_clients_need_the_policy(instance):
    policy = instance['network_policy']
    if not policy['enabled'] and (policy['client_namespaces'] or policy['client_pod_selector']
                                  or policy['monitoring_namespaces'] or policy['peer_namespaces']):
        yield 'network_policy lists clients but network_policy.enabled is false; remove them or enable the policy'


def monitoring_needs_metrics(instance):
    if instance['network_policy']['monitoring_namespaces'] and not instance['metrics']['enabled']:
        yield 'network_policy.monitoring_namespaces is set but metrics.enabled is false'


def rollout_can_start(instance):
    if instance['rollout']['max_unavailable'] == 0 and instance['rollout']['max_surge'] == 0:
        yield ('rollout.max_unavailable and rollout.max_surge cannot both be 0 (the rollout could never start)')


RULES = (replicas_only_with_deployment, app_channel_needs_host, app_health_needs_app_channel, token_given_once,
         network_policy_clients_need_the_policy, monitoring_needs_metrics, rollout_can_start)


def validate_instance(instance):
    """Every problem of one instance with defaults applied: each field's own, the rules across its fields and
    the apps' (_wiring.validate: names, namespaces the NetworkPolicy admits, containers). Those need the
    declared types, so a type problem is reported alone. Returns a list of messages."""
    where = _where(instance)
    problems = SC.type_problems(instance, where)
    if problems:
        return problems
    problems = SC.value_problems(instance, where)
    problems += ['%s: %s' % (where, problem) for rule in RULES for problem in rule(instance)]
    return problems + W.validate(instance, where)


# -- rules across instances ----------------------------------------------------------------------------

def app_id_unique_per_namespace(instances):
    seen = {}
    for index, instance in enumerate(instances):
        key = (instance.get('namespace'), instance.get('app_id'))
        if key in seen:
            yield ('%s: duplicate app_id in namespace %s (also dapr_shared_instances[%d]); '
                   'an app id must be unique per namespace' % (_where(instance), key[0], seen[key]))
        else:
            seen[key] = index


def validate_instances(instances):
    """Validate a whole list: each instance, then the rules across instances."""
    problems = []
    for index, instance in enumerate(instances):
        if not isinstance(instance, dict):
            problems.append('dapr_shared_instances[%d]: must be a mapping, got %r' % (index, instance))
            continue
        problems.extend(validate_instance(instance))
    mappings = [instance for instance in instances if isinstance(instance, dict)]
    problems.extend(app_id_unique_per_namespace(mappings))
    problems.extend(W.validate_across(mappings))
    return problems
