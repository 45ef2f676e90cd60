# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the daprkit.dapr.dapr_shared role uses; thin wrappers over the pure module_utils."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.daprkit.dapr.plugins.module_utils import _spec as S
from ansible_collections.daprkit.dapr.plugins.module_utils._helm_values import chart_values, unsupported_fields
from ansible_collections.daprkit.dapr.plugins.module_utils._render import network_policy


def shared_instances(instances, defaults=None, method='manifests'):
    """Apply defaults, validate every instance and fail with ALL problems at once.

    defaults: role-level values applied where an instance does not set the field.
    """
    if not isinstance(instances, list):
        raise AnsibleFilterError('dapr_shared_instances must be a list, got %s' % type(instances).__name__)
    if method not in S.METHODS:
        raise AnsibleFilterError('dapr_shared_method must be one of %s, got %r' % (', '.join(S.METHODS), method))
    defaults = dict((k, v) for k, v in (defaults or {}).items() if v not in (None, ''))
    result = []
    problems = []
    for index, raw in enumerate(instances):
        if not isinstance(raw, dict):
            problems.append('dapr_shared_instances[%d]: must be a mapping, got %r' % (index, raw))
            continue
        merged = dict(defaults)
        merged.update(raw)
        instance = S.apply_defaults(merged, dict(S.INSTANCE_ARG_SPEC, **S.ROLE_ONLY_ARG_SPEC))
        instance['method'] = instance.get('method') or method
        result.append(instance)
    problems.extend(S.validate_instances(result))
    for instance in result:
        if instance['method'] == 'helm' and instance['state'] == 'present':
            problems.extend(unsupported_fields(instance))
    if problems:
        raise AnsibleFilterError('invalid dapr_shared_instances:\n- ' + '\n- '.join(problems))
    return result


def shared_helm_values(instance, control_plane, version, api_token=''):
    try:
        return chart_values(instance, control_plane, version, api_token)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


def shared_network_policy(instance, version=''):
    """The instance's NetworkPolicy, selecting the pods of the official chart's release (helm backend)."""
    pod_labels = {S.LABEL_NAME: S.HELM_CHART_NAME, S.LABEL_INSTANCE: instance['app_id']}
    return network_policy(instance, version, pod_labels=pod_labels)


def shared_endpoints(instance):
    return S.endpoints(instance)


class FilterModule(object):
    def filters(self):
        return dict(
            shared_instances=shared_instances,
            shared_helm_values=shared_helm_values,
            shared_network_policy=shared_network_policy,
            shared_endpoints=shared_endpoints,
        )
