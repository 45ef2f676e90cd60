# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the daprkit.dapr.dapr_shared role and of playbooks; thin wrappers over the pure module_utils."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible.errors import AnsibleFilterError

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils import _validate as V


def shared_instances(instances, defaults=None):
    """Apply role defaults, then the schema's, validate every instance and fail with ALL problems at once.

    defaults: role-level values applied where an instance does not set the field (empty values are ignored).
    """
    if not isinstance(instances, list):
        raise AnsibleFilterError('dapr_shared_instances must be a list, got %s' % type(instances).__name__)
    defaults = dict((k, v) for k, v in (defaults or {}).items() if v not in (None, ''))
    problems = []
    for key, value in defaults.items():
        choices = SC.FIELDS[key].choices
        if choices and value not in choices:
            problems.append('dapr_shared_%s must be one of %s, got %r' % (key, ', '.join(choices), value))
    result = []
    for index, raw in enumerate(instances):
        if not isinstance(raw, dict):
            result.append(raw)
            continue
        merged = dict(defaults)
        merged.update(dict((k, v) for k, v in raw.items() if not (k == 'method' and v in ('', None))))
        result.append(SC.apply_defaults(merged))
    problems.extend(V.validate_instances(result))
    if problems:
        raise AnsibleFilterError('invalid dapr_shared_instances:\n- ' + '\n- '.join(problems))
    return result


def shared_names(app_id, method='manifests', namespace='', cluster_domain='cluster.local'):
    """Every object name, port and (given the namespace) address of an instance, for playbooks and tests
    that must not spell one."""
    result = N.names(app_id, method)
    result.update(selector=N.label_selector(N.selector_labels(app_id, method)), http_port=N.HTTP_PORT,
                  grpc_port=N.GRPC_PORT, internal_grpc_port=N.INTERNAL_GRPC_PORT)
    if namespace:
        endpoints = N.endpoints(app_id, namespace, cluster_domain)
        result.update(host=N.service_host(app_id, namespace, cluster_domain),
                      DAPR_HTTP_ENDPOINT=endpoints['DAPR_HTTP_ENDPOINT'],
                      DAPR_GRPC_ENDPOINT=endpoints['DAPR_GRPC_ENDPOINT'])
    return result


class FilterModule(object):
    def filters(self):
        return dict(shared_instances=shared_instances, shared_names=shared_names)
